"""Arbitrary input to parse_params: only ReportParams or InvalidParameters ever come out."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dwelltime.errors import InvalidParameters
from dwelltime.params.model import ReportParams
from dwelltime.params.parsing import parse_params
from dwelltime.params.wire import KNOWN_PARAMETERS
from tests.params.fake_context import FakeContext

# Values that reach deep into the readers: real enum values, ids, dates, JSON and JQL.
_PLAUSIBLE = st.sampled_from(
    [
        "project",
        "customjql",
        "jqlfilter",
        "sprint",
        "user",
        "advanced",
        "ABC",
        "10",
        "11",
        "statusDuration",
        "groupDuration",
        "durationBetweenStatuses",
        "firstTransitionToStatusDate",
        "statusDurationByTimePeriod",
        "CSV",
        "CSVAVERAGE",
        "XLSX",
        "10776",
        "20",
        "normalHours",
        "businessDays",
        "true",
        "2026-03-01",
        "2026-03-01 10:00",
        "9999-12-31",
        "0001-01-01",
        "status = Done",
        "status was Done",
        "(((",
        "1,3",
        "",
        " ",
        "\x00",
        '[{"name":"Dev","statuses":["3"]}]',
        '{"name":1,"statuses":[[]]}',
        "[[[[[[[[",
        "null",
        '[{"name":"M","startAt":{"type":"field","fieldId":7},"stopAt":{"type":"status","ids":[1.5]}}]',
        '[{"name":"M","startAt":{"type":"creation"},"stopAt":{"type":"status","ids":{"a":1}},"pauseAt":{"type":"x"}}]',
    ]
)
_VALUE = st.one_of(
    _PLAUSIBLE, st.text(max_size=40), st.integers(), st.booleans(), st.none(), st.floats()
)
_VALUES: st.SearchStrategy[Any] = st.one_of(
    st.lists(_VALUE, max_size=3), _PLAUSIBLE, st.text(max_size=20), st.integers(), st.none()
)
_NAME = st.one_of(st.sampled_from(KNOWN_PARAMETERS), st.text(max_size=10))


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(_NAME, _VALUES, max_size=12))
def test_only_params_or_invalid_parameters(raw: dict[str, Any]) -> None:
    context = FakeContext(param_sets={"10": {"columnsBy": ["statusCount"], "statuses": ["1"]}})
    try:
        result = parse_params(raw, context)
    except InvalidParameters as error:
        assert error.messages, "a refusal always says why"
        assert all(
            message.split(":")[0].split("[")[0] in KNOWN_PARAMETERS for message in error.messages
        )
    else:
        assert isinstance(result, ReportParams)


def test_ten_thousand_statuses_are_refused_by_count() -> None:
    raw = {
        "filterType": ["project"],
        "projectKey": ["ABC"],
        "columnsBy": ["statusDuration"],
        "outputType": ["CSV"],
        "statuses": [str(number) for number in range(10_000)],
    }
    with pytest.raises(InvalidParameters) as caught:
        parse_params(raw, FakeContext())
    assert caught.value.messages == ["statuses: at most 1,000 values are accepted, got 10,000"]
