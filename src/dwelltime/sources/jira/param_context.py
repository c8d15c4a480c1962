"""The ParamContext of a token bound to a Jira site: Jira runs the JQL (all of it), saved
filters are Jira's, calendars and parameter sets stay dwelltime's own (the store's)."""

from __future__ import annotations

from collections.abc import Mapping

from dwelltime.config import Settings
from dwelltime.domain.calendars import CalendarSpec
from dwelltime.domain.caller import Caller
from dwelltime.domain.issues import SavedFilter
from dwelltime.sources.jira.bindings import Bindings, credentials_cipher
from dwelltime.sources.jira.credentials import JiraCredentials
from dwelltime.sources.jira.site import open_site
from dwelltime.sources.jira.source import JiraSource
from dwelltime.sources.store.calendars import load_calendar
from dwelltime.sources.store.issue_store import IssueStore
from dwelltime.sources.store.param_context import StoreParamContext, readable_param_set


class JiraParamContext:
    """Validation without calling Jira (POST answers at once); Jira judges the filter later."""

    checks_jql = False

    def __init__(
        self,
        store: IssueStore,
        credentials: JiraCredentials,
        settings: Settings,
        caller: Caller | None = None,
    ) -> None:
        self.store = store
        self.credentials = credentials
        self.caller = caller or Caller.operator()
        self._settings = settings
        self._source: JiraSource | None = None

    @property
    def source(self) -> JiraSource:
        """The site's source, opened on first use (validation alone never connects)."""
        if self._source is None:
            site = open_site(self.credentials, self._settings)
            self._source = JiraSource(self.store, site, self._settings.batch_size)
        return self._source

    def calendar(self, calendar_id: str) -> CalendarSpec | None:
        return load_calendar(self.store.engine, calendar_id)

    def saved_filter(self, filter_id: str) -> SavedFilter | None:
        # Whether the user may see the filter is Jira's to say when the export runs.
        return SavedFilter(id=filter_id, name=f"filter {filter_id}", jql="")

    def param_set(self, param_set_id: str) -> Mapping[str, list[str]] | None:
        return readable_param_set(self.store, param_set_id, self.caller)


def param_context(
    store: IssueStore, settings: Settings, token_id: str | None, caller: Caller | None = None
) -> StoreParamContext | JiraParamContext:
    """The context of a token: its Jira site when it has credentials for one, else the
    local store (only the token's site when it is bound to one, else every site)."""
    binding = Bindings(store.engine, credentials_cipher(settings)).binding(token_id)
    if binding is None:
        return StoreParamContext(store, caller=caller)
    if binding.credentials is None:
        return StoreParamContext(store, binding.site, caller)
    return JiraParamContext(store, binding.credentials, settings, caller)
