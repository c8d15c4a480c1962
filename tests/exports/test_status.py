"""The transition table: every allowed move passes, every other one raises."""

from __future__ import annotations

import itertools

import pytest

from dwelltime.errors import ExportConflict
from dwelltime.exports.status import (
    ALLOWED_TRANSITIONS,
    ExportStatus,
    InvalidTransition,
    advance,
)

ALL_PAIRS = list(itertools.product(ExportStatus, ExportStatus))


@pytest.mark.parametrize(
    ("current", "target"),
    [pytest.param(c, t, id=f"{c.value}-{t.value}") for c, t in ALL_PAIRS],
)
def test_advance_follows_the_table(current: ExportStatus, target: ExportStatus) -> None:
    if target in ALLOWED_TRANSITIONS[current]:
        assert advance(current, target) is target
    else:
        with pytest.raises(InvalidTransition, match=f"from {current.value} to {target.value}"):
            advance(current, target)


def test_wire_values_are_the_spec_strings() -> None:
    assert [status.value for status in ExportStatus] == [
        "Queued",
        "Running",
        "Successful",
        "Failed",
        "Aborted",
    ]


def test_finished_statuses_are_final() -> None:
    for status in ExportStatus:
        assert status.is_finished == (not ALLOWED_TRANSITIONS[status])


def test_invalid_transition_is_an_export_conflict() -> None:
    assert issubclass(InvalidTransition, ExportConflict)
