"""The ParamContext parameters are validated against, answered by the local store:
calendars, saved filters, parameter sets (used by `dwelltime report` and the exports)."""

from __future__ import annotations

from collections.abc import Mapping

from dwelltime.domain.calendars import CalendarSpec
from dwelltime.domain.issues import SavedFilter
from dwelltime.sources.store.issue_store import IssueStore
from dwelltime.sources.store.source import LocalSource


class StoreParamContext:
    """Answers parse_params' lookups from the local issue store."""

    checks_jql = True  # the store runs only dwelltime's JQL subset

    def __init__(self, store: IssueStore, site: str | None = None) -> None:
        self.store = store
        self.source = LocalSource(store, site)

    def calendar(self, calendar_id: str) -> CalendarSpec | None:
        return self.source.calendar(calendar_id)

    def saved_filter(self, filter_id: str) -> SavedFilter | None:
        return self.source.saved_filter(filter_id)

    def param_set(self, param_set_id: str) -> Mapping[str, list[str]] | None:
        return self.store.param_set(param_set_id)
