"""A listing asked of Jira in id ranges at once, where its pages would follow each other.

Cloud's listing pages are sequential (each page token comes with the page before), so an
unchanged re-export of 30,000 issues waited for six round trips one after another. The
same selection ANDed with disjoint id ranges (`id < b1`, `b1 <= id < b2`, …, `id >= bk`)
lists the same issues, whatever the JQL, as several searches that run at once: every id
falls in exactly one range, and each search is Jira's, with the user's permissions.

Only the *bounds* come from the store (its own copy of the selection, cut into ranges of
a page each), so they are a guess that costs nothing when wrong: an issue the store does
not hold, or holds elsewhere, still lands in one range, which only pages further. Ranges
are concatenated in id order, so they stand for the listing only when the report follows
issue ids, i.e. when the JQL has no `ORDER BY` of its own (`is_ordered`).
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from itertools import pairwise

import sqlalchemy as sa

from dwelltime.domain.selection import Selection
from dwelltime.errors import DwelltimeError
from dwelltime.sources.jira.editions import Listed, PageHook, SiteApi
from dwelltime.sources.jira.selection_jql import with_clauses
from dwelltime.sources.store import schema
from dwelltime.sources.store.filters import selection_where
from dwelltime.sources.store.issue_store import IssueStore


def range_bounds(store: IssueStore, selection: Selection, size: int) -> list[int]:
    """The Jira ids that cut the store's copy of `selection` (of its `site`) into ranges of
    `size` issues: the first issue of each range but the first; none when the store holds
    no more than one range, or cannot run the selection itself (JQL the local store does
    not read: the listing then goes as one search)."""
    issues = schema.issues
    try:
        with store.engine.connect() as connection:
            where = selection_where(connection, selection)
            place = sa.func.row_number().over(order_by=issues.c.jira_id) - 1
            numbered = sa.select(issues.c.jira_id, place.label("place")).where(where).subquery()
            query = (
                sa.select(numbered.c.jira_id)
                .where(numbered.c.place > 0, numbered.c.place % size == 0)
                .order_by(numbered.c.jira_id)
            )
            return list(connection.execute(query).scalars())
    except DwelltimeError:
        return []


def guessed_selection(selection: Selection, site: str, jql: str) -> Selection:
    """What the store is asked for the bounds: `selection` on `site`; a saved filter of
    Jira's by its JQL (the store's saved filters are its own)."""
    guess = replace(selection.whole(), site=site, ceiling=None)
    if guess.filter_type == "jqlfilter":
        guess = replace(guess, filter_type="customjql", filter_value=jql)
    return guess


def ranged_listing(
    api: SiteApi,
    jql: str,
    fields: Sequence[str],
    bounds: Sequence[int],
    on_page: PageHook | None = None,
) -> list[Listed]:
    """`api.listing(jql)` as one search per id range (`bounds`), asked at once (the
    client bounds how many are in flight); `on_page` hears each range whole, in id order,
    once it is listed (a range restarted by an expired token is heard once, complete)."""
    if not bounds:
        return api.listing(jql, fields, on_page=on_page)
    edges: list[int | None] = [None, *bounds, None]
    searches = [with_clauses(jql, *_range_clauses(low, high)) for low, high in pairwise(edges)]
    entries: list[Listed] = []
    with ThreadPoolExecutor(
        min(len(searches), api.client.concurrency), thread_name_prefix="jira-ranges"
    ) as pool:
        parts: list[Future[list[Listed]]] = [
            pool.submit(api.listing, search, fields) for search in searches
        ]
        try:
            for part in parts:
                listed = part.result()
                if on_page is not None:
                    on_page(len(entries), listed)
                entries.extend(listed)
        finally:
            for part in parts:
                part.cancel()  # those not begun, when a range failed or the caller did
    return entries


def _range_clauses(low: int | None, high: int | None) -> list[str]:
    clauses = [] if low is None else [f"id >= {low}"]
    return clauses if high is None else [*clauses, f"id < {high}"]
