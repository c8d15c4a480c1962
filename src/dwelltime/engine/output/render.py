"""Cells as writers receive them: milliseconds rendered by `viewFormat`/`dayLength`, counts
as ints, instants as aware datetimes (docs/reports.md, "Values")."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import polars as pl

from dwelltime.engine.output.rounding import Floats, python_round
from dwelltime.engine.table import Cell, CellColumn, ColumnKind
from dwelltime.params.model import ViewFormat

_HOUR_MS = 3_600_000
_MINUTE_MS = 60_000
_DAY_MS = 24 * _HOUR_MS

#: Divisor and decimals of every numeric view format (days use the day length).
_UNITS: dict[ViewFormat, tuple[int | None, int]] = {
    ViewFormat.DAYS: (None, 2),
    ViewFormat.HOURS: (_HOUR_MS, 2),
    ViewFormat.MINUTES: (_MINUTE_MS, 2),
    ViewFormat.SECONDS: (1000, 3),
}


class Renderer:
    """Turns staged numbers into cells for one report."""

    def __init__(self, view_format: ViewFormat, day_ms: int | None, time_zone: ZoneInfo) -> None:
        self.view_format = view_format
        self.day_ms = day_ms or _DAY_MS
        self.time_zone = time_zone

    @property
    def duration_kind(self) -> ColumnKind:
        human = self.view_format is ViewFormat.HUMAN_READABLE
        return ColumnKind.TEXT if human else ColumnKind.DURATION

    def duration(self, ms: float | None) -> Cell:
        if ms is None:
            return None
        if self.view_format is ViewFormat.HUMAN_READABLE:
            return self.human(ms)
        divisor, decimals = _UNITS[self.view_format]
        return round(ms / (divisor or self.day_ms), decimals)

    def human(self, ms: float) -> str:
        """`2d 3h 15m`: whole days of the day length, hours, floored minutes."""
        whole = int(ms)
        days, rest = divmod(whole, self.day_ms)
        hours, rest = divmod(rest, _HOUR_MS)
        minutes = rest // _MINUTE_MS
        parts = [f"{n}{unit}" for n, unit in ((days, "d"), (hours, "h"), (minutes, "m")) if n]
        return " ".join(parts) or "0m"

    def instant(self, ms: float | None) -> Cell:
        if ms is None:
            return None
        seconds, millis = divmod(int(ms), 1000)
        # `replace`, not `+ timedelta`: adding resets `fold`, which would give an instant in
        # a repeated (DST fall-back) hour the offset of the first pass.
        moment = datetime.fromtimestamp(seconds, tz=self.time_zone)
        return moment.replace(microsecond=millis * 1000)

    def cell(self, kind: ColumnKind, value: float | None) -> Cell:
        """A staged value of a value column of `kind`."""
        if value is None:
            return None
        if kind is ColumnKind.COUNT:
            return int(value)
        if kind is ColumnKind.NUMBER:
            return round(value, 2)
        if kind is ColumnKind.DATE:
            return self.instant(value)
        return self.duration(value)

    def durations(self, values: pl.Series) -> CellColumn:
        """A column of milliseconds (null: empty) rendered as durations."""
        return self.column(
            self.duration_kind, values, pl.Series([None] * len(values), dtype=pl.Utf8)
        )

    def duration_grid(self, ms: Floats) -> Floats:
        """Milliseconds (any shape, NaN: empty) as the numbers of non-humanReadable
        duration cells, NaN staying NaN. numpy divides exactly as Python does (polars
        multiplies by the reciprocal, which moves ties such as 0.875 off their rounding
        point)."""
        divisor, decimals = _UNITS[self.view_format]
        return python_round(ms / (divisor or self.day_ms), decimals)

    def column(self, kind: ColumnKind, values: pl.Series, texts: pl.Series) -> CellColumn:
        """A whole value column at once: the same cells as `cell`, or the text given; as a
        Series except for dates and humanReadable durations."""
        if kind is ColumnKind.TEXT and texts.null_count() < len(texts):
            return texts
        if kind is ColumnKind.COUNT:
            return values.cast(pl.Int64)
        if kind is ColumnKind.DURATION:
            # Null becomes NaN, and as `duration`: no value (or NaN) is empty (built so, a
            # `fill_nan` afterwards is one more Polars query per column).
            durations = self.duration_grid(values.cast(pl.Float64).to_numpy())
            return pl.Series(durations, dtype=pl.Float64, nan_to_null=True)
        if kind is ColumnKind.NUMBER:
            numbers = values.cast(pl.Float64)
            rounded = pl.Series(python_round(numbers.to_numpy(), 2), dtype=pl.Float64)
            return rounded.zip_with(numbers.is_not_null(), numbers)  # as `cell`: NaN stays
        return [self.cell(kind, value) for value in values.to_list()]
