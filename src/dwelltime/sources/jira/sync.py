"""`sync`: mirror a Jira selection into the store, incrementally and resumably.

After a complete sync the newest `updated` seen is kept per (site, JQL); the next sync
lists only issues updated since then (with a margin for clocks), and of those fetches only
what the store lacks or holds older. An interrupted sync keeps every page it wrote and
does not move the mark, so running it again lists the same issues and fetches the rest.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Protocol

import sqlalchemy as sa

from dwelltime.sources.jira.editions import SiteApi
from dwelltime.sources.jira.mirror import Mirror
from dwelltime.sources.jira.selection_jql import with_clauses
from dwelltime.sources.jira.tables import jira_syncs
from dwelltime.sources.store.issue_store import IssueStore

#: Minutes listed before the mark: covers clock skew between this machine and Jira, and
#: issues whose update committed while the previous listing ran.
OVERLAP_MINUTES = 10


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
    incremental: bool


def sync_site(
    store: IssueStore, api: SiteApi, jql: str, progress: SyncProgress | None = None
) -> SyncOutcome:
    """Bring the store's copy of what `jql` selects on the site up to date."""
    site = api.client.credentials.site_url
    mark = _mark(store.engine, site, jql)
    requests_before = api.client.requests
    mirror = Mirror(store, api)
    mirror.statuses()
    listed_jql = jql
    if mark is not None:
        minutes = math.ceil((time.time() * 1000 - mark) / 60_000) + OVERLAP_MINUTES
        listed_jql = with_clauses(jql, f"updated >= -{max(minutes, 1)}m")
    if progress is not None:
        progress.listing(api.approximate_count(listed_jql))
    listing = api.listing(listed_jql)
    stale = mirror.stale(listing)
    if progress is not None:
        progress.started(len(stale))
    fetched = mirror.complete(stale, progress.advanced if progress is not None else None)
    newest = max(
        (entry.updated_ms for entry in listing if entry.updated_ms is not None), default=None
    )
    _save_mark(store.engine, site, jql, max(newest or 0, mark or 0) or None)
    return SyncOutcome(
        listed=len(listing),
        fetched=fetched,
        requests=api.client.requests - requests_before,
        incremental=mark is not None,
    )


def _mark(engine: sa.Engine, site: str, jql: str) -> int | None:
    query = sa.select(jira_syncs.c.watermark_ms).where(
        jira_syncs.c.site_url == site, jira_syncs.c.jql == jql
    )
    with engine.connect() as connection:
        value = connection.scalar(query)
    return None if value is None else int(value)


def _save_mark(engine: sa.Engine, site: str, jql: str, mark: int | None) -> None:
    where = sa.and_(jira_syncs.c.site_url == site, jira_syncs.c.jql == jql)
    with engine.begin() as connection:
        connection.execute(jira_syncs.delete().where(where))
        connection.execute(
            jira_syncs.insert().values(
                site_url=site, jql=jql, watermark_ms=mark, synced_ms=time.time_ns() // 1_000_000
            )
        )
