"""The ParamContext parameters are validated against, answered by the local store:
calendars, saved filters, parameter sets (used by `dwelltime report` and the exports).

A `paramSetId` resolves only to a set its caller may read: another user's private set is
as unknown to a report as to `GET /rest/parameterSets/{id}`.
"""

from __future__ import annotations

from collections.abc import Mapping

from dwelltime.domain.calendars import CalendarSpec
from dwelltime.domain.caller import Caller
from dwelltime.domain.issues import SavedFilter
from dwelltime.sources.store.issue_store import IssueStore
from dwelltime.sources.store.source import LocalSource


class StoreParamContext:
    """Answers parse_params' lookups from the local issue store."""

    def __init__(self, store: IssueStore, caller: Caller | None = None) -> None:
        self.store = store
        self.source = LocalSource(store)
        self.caller = caller or Caller.operator()

    def for_caller(self, caller: Caller) -> StoreParamContext:
        """The same lookups on behalf of `caller`."""
        return StoreParamContext(self.store, caller)

    def calendar(self, calendar_id: str) -> CalendarSpec | None:
        return self.source.calendar(calendar_id)

    def saved_filter(self, filter_id: str) -> SavedFilter | None:
        return self.source.saved_filter(filter_id)

    def param_set(self, param_set_id: str) -> Mapping[str, list[str]] | None:
        saved = self.store.param_set(param_set_id)
        return saved.params if saved is not None and saved.readable_by(self.caller) else None
