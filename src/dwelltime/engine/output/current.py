"""The staged open visits (`cells.current`) read back row by row, beside the List sheet's
rows, and rendered like the report's durations (SPEC §8.2 `currentState`)."""

from __future__ import annotations

from collections.abc import Iterator

from dwelltime.engine.output.columns import key_id
from dwelltime.engine.output.render import Renderer
from dwelltime.engine.staging import Staging
from dwelltime.engine.table import OpenVisit


def open_visit_rows(staging: Staging, renderer: Renderer) -> Iterator[list[OpenVisit]]:
    """Per issue in report order (the List sheet's rows), its open visits: none when the
    report staged none, several for a multi-valued field of the any-field reports."""
    for index in range(staging.count()):
        staged = staging.load(index)
        by_seq: dict[int, list[OpenVisit]] = {}
        rows = staged.table("current").select("seq", "a", "b", "entered", "value").iter_rows()
        for seq, a, b, entered, ms in rows:
            visit = OpenVisit(
                key_id(a, b), renderer.duration(ms), round(ms), renderer.instant(entered), entered
            )
            by_seq.setdefault(seq, []).append(visit)
        for seq in staged.issues["seq"].to_list():
            yield by_seq.get(seq, [])
