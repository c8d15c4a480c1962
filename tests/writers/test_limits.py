"""Sheet limits: page names within Excel's 31 characters, paging of row streams."""

from __future__ import annotations

import pytest

from dwelltime.writers import SheetLimits
from dwelltime.writers.limits import page_name, pages
from tests.writers.factories import T, columns, generated_sheet


@pytest.mark.parametrize(
    ("name", "number", "expected"),
    [
        pytest.param("List", 1, "List", id="first-page-unnumbered"),
        pytest.param("List", 2, "List (2)", id="second"),
        pytest.param("Standard Deviation", 12, "Standard Deviation (12)", id="aggregate"),
        pytest.param("x" * 40, 1, "x" * 31, id="long-cut"),
        pytest.param("x" * 40, 100, "x" * 25 + " (100)", id="long-numbered-cut"),
    ],
)
def test_page_names_fit_excel(name: str, number: int, expected: str) -> None:
    assert page_name(name, number) == expected
    assert len(page_name(name, number)) <= 31


def test_pages_read_the_row_stream_once_and_in_order() -> None:
    calls = []

    def row(index: int) -> list[str | None]:
        calls.append(index)
        return [str(index)]

    sheet = generated_sheet("List", columns(("N", T)), 5, row)
    split = [(page.name, [r[0] for r in page.rows]) for page in pages(sheet, SheetLimits(3, 1))]
    assert split == [("List", ["0", "1"]), ("List (2)", ["2", "3"]), ("List (3)", ["4"])]
    assert calls == [0, 1, 2, 3, 4]


@pytest.mark.parametrize(
    ("rows", "columns_"),
    [pytest.param(1, 1, id="no-room-for-a-row"), pytest.param(2, 0, id="no-column")],
)
def test_limits_must_hold_a_header_and_a_row(rows: int, columns_: int) -> None:
    with pytest.raises(ValueError, match="room for a header"):
        SheetLimits(rows, columns_)
