"""A sheet as blocks of whole columns, for writers that take a column at a time.

The engine's List sheet streams its staged batches as blocks; other sheets only stream
rows, which are transposed here a bounded number at a time, so memory stays one block.
"""

from __future__ import annotations

from collections.abc import Iterator

from dwelltime.engine.table import Block, Sheet


def sheet_blocks(sheet: Sheet) -> Iterator[Block]:
    """The sheet's rows as blocks, in order; a block is never empty."""
    return (block for block in sheet.column_blocks() if block_height(block))


def block_height(block: Block) -> int:
    """How many rows a block holds (every sheet has at least one column)."""
    return len(block[0]) if block else 0


def split_block(block: Block, rows: int) -> tuple[Block, Block]:
    """The first `rows` rows of a block, and the rest."""
    return [column[:rows] for column in block], [column[rows:] for column in block]
