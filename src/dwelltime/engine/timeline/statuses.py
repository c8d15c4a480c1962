"""Which statuses a report counts and how their columns are ordered and titled
(docs/reports.md, "Columns": identity is the id)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import polars as pl

from dwelltime.domain.issues import Status


class StatusRules:
    """The status columns of one report: selection, order, titles."""

    def __init__(
        self,
        catalog: Sequence[Status],
        selected: Sequence[str] | None,
        include_deleted: bool,
    ) -> None:
        self._catalog_order = {status.id: index for index, status in enumerate(catalog)}
        self._catalog_names = {status.id: status.name for status in catalog}
        self.selected = tuple(selected) if selected is not None else None
        self._include_deleted = include_deleted

    def counted(self, column: str) -> pl.Expr:
        """True for visits whose status has (or may have) a column."""
        if self.selected is not None:
            return pl.col(column).is_in(list(self.selected))
        if self._include_deleted:
            return pl.col(column).is_not_null()
        return pl.col(column).is_in(list(self._catalog_order))

    def ordered(self, seen: Iterable[str]) -> list[str]:
        """The status columns: the selection as given, else the seen ones in catalog order
        then deleted ones by numeric id."""
        if self.selected is not None:
            return list(self.selected)
        return sorted(set(seen), key=self.sort_key)

    def sort_key(self, status_id: str) -> tuple[int, int, str]:
        index = self._catalog_order.get(status_id)
        if index is not None:
            return (0, index, "")
        numeric = status_id.isdigit()
        return (1 if numeric else 2, int(status_id) if numeric else 0, status_id)

    def titles(self, ids: Sequence[str], history_names: Mapping[str, str]) -> dict[str, str]:
        """Catalog name, else the last name the histories gave; shared titles get `(id)`."""
        plain = {
            status_id: self._catalog_names.get(status_id)
            or history_names.get(status_id)
            or status_id
            for status_id in ids
        }
        return disambiguate(plain)


def disambiguate(titles: Mapping[str, str]) -> dict[str, str]:
    """`Name (id)` for every id whose title another id shares."""
    counts: dict[str, int] = {}
    for title in titles.values():
        counts[title] = counts.get(title, 0) + 1
    return {
        key: f"{title} ({key})" if counts[title] > 1 else title for key, title in titles.items()
    }
