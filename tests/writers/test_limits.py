"""Sheet limits: page names within Excel's 31 characters, paging of row streams and blocks."""

from __future__ import annotations

import pytest

from dwelltime.engine.table import Cell, Sheet
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


def paged(sheet: Sheet, limits: SheetLimits) -> list[tuple[str, list[Cell]]]:
    return [
        (page.name, [cell for block in page.blocks for cell in block[0]])
        for page in pages(sheet, limits)
    ]


def test_pages_read_the_row_stream_once_and_in_order() -> None:
    calls = []

    def row(index: int) -> list[str | None]:
        calls.append(index)
        return [str(index)]

    sheet = generated_sheet("List", columns(("N", T)), 5, row)
    split = paged(sheet, SheetLimits(3, 1))
    assert split == [("List", ["0", "1"]), ("List (2)", ["2", "3"]), ("List (3)", ["4"])]
    assert calls == [0, 1, 2, 3, 4]


@pytest.mark.parametrize(
    ("sizes", "max_rows", "expected"),
    [
        pytest.param([3, 3], 4, [3, 3], id="pages-end-on-block-ends"),
        pytest.param([5, 2], 4, [3, 3, 1], id="a-block-straddles-two-pages"),
        pytest.param([1, 1, 7], 3, [2, 2, 2, 2, 1], id="a-block-spans-several-pages"),
        pytest.param([0, 2, 0], 4, [2], id="empty-blocks-make-no-page"),
        pytest.param([], 4, [0], id="no-rows-still-a-header-sheet"),
    ],
)
def test_blocks_are_split_at_page_boundaries(
    sizes: list[int], max_rows: int, expected: list[int]
) -> None:
    starts = [sum(sizes[:index]) for index in range(len(sizes))]
    blocks = [[list(range(start, start + size))] for start, size in zip(starts, sizes, strict=True)]
    sheet = Sheet("List", columns(("N", T)), lambda: iter([]), sum(sizes), lambda: iter(blocks))
    split = paged(sheet, SheetLimits(max_rows, 1))
    assert [len(cells) for _, cells in split] == expected
    assert [cell for _, cells in split for cell in cells] == list(range(sum(sizes)))
    assert [name for name, _ in split][:2] == ["List", "List (2)"][: len(expected)]


@pytest.mark.parametrize(
    ("rows", "columns_"),
    [pytest.param(1, 1, id="no-room-for-a-row"), pytest.param(2, 0, id="no-column")],
)
def test_limits_must_hold_a_header_and_a_row(rows: int, columns_: int) -> None:
    with pytest.raises(ValueError, match="room for a header"):
        SheetLimits(rows, columns_)
