"""`sync`: mirror a Jira selection into the store, incrementally and resumably, and forget
what left it.

Every sync lists the whole selection (ids, keys and `updated`: pages of thousands) and
fetches only what the store lacks or holds older. Ids the last complete listing of the
same (site, JQL, account) held but this one lacks are asked for by id, without the JQL:
those Jira still returns moved out of the selection (or changed so the JQL no longer
selects them) and are refetched when older; those it does not return were deleted, or
the account lost access to them, and are removed from the store unless another
account's listing of the site still holds them (`listed`). Issues of the site that no
recorded listing holds (only Jira-bound exports fetched them) are asked for the same way,
unless a sync got them back less than `listed.RECHECK_AFTER_MS` ago.

Vanished issues are deleted only after the fetch has written everything Jira still
returns, so a sync that fails while fetching has removed nothing. The recorded listing and
the mark are replaced together, in one transaction, only once everything before
succeeded: an interrupted sync keeps every page it wrote, and the next run compares with
the same old listing, so it finds the same vanished issues again.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

import sqlalchemy as sa

from dwelltime.errors import InvalidParameters
from dwelltime.sources.jira import listed
from dwelltime.sources.jira.editions import Listed, SiteApi, ids_jql
from dwelltime.sources.jira.mirror import Mirror
from dwelltime.sources.jira.tables import jira_checked, jira_history_fields, jira_syncs
from dwelltime.sources.store.issue_store import IssueStore
from dwelltime.sources.store.sql_lists import id_chunks

#: Ids per search for issues that left the listing (`id in (...)`): a few hundred keep
#: the JQL short enough for Data Center's GET URLs.
VANISHED_PAGE = 200


class SyncProgress(Protocol):
    def listing(self, estimate: int | None) -> None:
        """Jira's estimate of how many issues the listing covers (approximate-count)."""
        ...

    def started(self, total: int) -> None:
        """`total`: issues to fetch (the listed ones the store lacks or holds older)."""
        ...

    def advanced(self, count: int) -> None:
        """`count` more issues were written."""
        ...


@dataclass(frozen=True, slots=True)
class SyncOutcome:
    listed: int
    fetched: int
    requests: int
    #: Listed issues updated since the last complete sync (None: there was none).
    changed: int | None = None
    #: Issues the last listing held that Jira still has outside the selection.
    moved_out: int = 0
    #: Issues Jira no longer returns to this account, removed from the store.
    deleted: int = 0
    #: Issues Jira no longer returns to this account but another's listing holds: kept.
    kept: int = 0
    #: Issues of the site no sync had listed (fetched by Jira-bound exports only), asked
    #: for by id like the vanished ones: deleted when not returned (counted in `deleted`).
    unlisted: int = 0

    @property
    def incremental(self) -> bool:
        """Whether an earlier complete sync of the selection was there to compare with."""
        return self.changed is not None


def sync_site(
    store: IssueStore, api: SiteApi, jql: str, progress: SyncProgress | None = None
) -> SyncOutcome:
    """Bring the store's copy of what `jql` selects on the site up to date."""
    site = api.client.credentials.site_url
    mark = _mark(store.engine, site, jql)
    requests_before = api.client.requests
    mirror = Mirror(store, api)
    mirror.statuses()
    account = account_of(api.myself())
    if progress is not None:
        progress.listing(api.approximate_count(jql))
    listing = api.listing(jql)
    ids = {entry.id for entry in listing}
    vanished = sorted(listed.recorded(store.engine, site, jql, account) - ids)
    checked_at = time.time_ns() // 1_000_000
    unlisted = sorted(
        listed.unlisted(store.engine, site, checked_at - listed.RECHECK_AFTER_MS) - ids
    )
    still = _still_there(api, [*vanished, *unlisted])
    returned = {entry.id for entry in still}
    gone = sorted({*vanished, *unlisted} - returned)
    stale = mirror.stale([*listing, *still])
    if progress is not None:
        progress.started(len(stale))
    fetched = mirror.complete(stale, progress.advanced if progress is not None else None)
    # Only once everything Jira still returns is written: a fetch that fails deletes nothing.
    kept = listed.held_elsewhere(store.engine, site, jql, account, gone)
    deleted = store.delete_issues(
        site, [i for i in gone if i not in kept], also=[jira_history_fields, jira_checked]
    )
    if unlisted:
        listed.record_checked(store.engine, site, account, unlisted, returned, checked_at)
    newest = max(
        (entry.updated_ms for entry in listing if entry.updated_ms is not None), default=None
    )
    with store.engine.begin() as connection:
        listed.record(connection, site, jql, account, ids)
        _save_mark(connection, site, jql, max(newest or 0, mark or 0) or None)
    return SyncOutcome(
        listed=len(listing),
        fetched=fetched,
        requests=api.client.requests - requests_before,
        changed=None if mark is None else _updated_after(listing, mark),
        moved_out=len(set(vanished).intersection(entry.id for entry in still)),
        unlisted=len(unlisted),
        deleted=deleted,
        kept=len(kept),
    )


def account_of(me: dict[str, Any]) -> str:
    """Who Jira says the credentials are: Cloud's accountId, Data Center's key or name."""
    for name in ("accountId", "key", "name"):
        if me.get(name):
            return str(me[name])
    return "?"


def _still_there(api: SiteApi, ids: Sequence[int]) -> list[Listed]:
    """Those of `ids` Jira still returns to these credentials, whatever the selection."""
    pages = list(id_chunks(ids, VANISHED_PAGE))
    with ThreadPoolExecutor(api.client.concurrency) as pool:
        answers = pool.map(lambda page: _returned(api, page), pages)
        return [entry for answer in answers for entry in answer]


def _returned(api: SiteApi, ids: Sequence[int]) -> list[Listed]:
    """Those of `ids` one search returns. Jira's strict JQL validation refuses a whole
    search (400) that names an issue it does not know or lets the user see; the ids are
    then asked for in halves, down to the refused ones, which are not returned."""
    try:
        return api.listing(ids_jql(ids))
    except InvalidParameters:
        if len(ids) == 1:
            return []
        half = len(ids) // 2
        return _returned(api, ids[:half]) + _returned(api, ids[half:])


def _updated_after(listing: Sequence[Listed], mark: int) -> int:
    return sum(1 for entry in listing if entry.updated_ms is not None and entry.updated_ms > mark)


def _mark(engine: sa.Engine, site: str, jql: str) -> int | None:
    query = sa.select(jira_syncs.c.watermark_ms).where(
        jira_syncs.c.site_url == site, jira_syncs.c.jql == jql
    )
    with engine.connect() as connection:
        value = connection.scalar(query)
    return None if value is None else int(value)


def _save_mark(connection: sa.Connection, site: str, jql: str, mark: int | None) -> None:
    where = sa.and_(jira_syncs.c.site_url == site, jira_syncs.c.jql == jql)
    connection.execute(jira_syncs.delete().where(where))
    connection.execute(
        jira_syncs.insert().values(
            site_url=site, jql=jql, watermark_ms=mark, synced_ms=time.time_ns() // 1_000_000
        )
    )
