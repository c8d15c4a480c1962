"""How an export lists its selection in Jira and compares it with the store: the two
modes of `Lister.listing`.

- **By `updated`**: every issue's `updated` (and the date a filter bounds) is listed and
  compared with the store's copy; the id ranges asked at once are cut from the store's
  own copy of the selection (`id_ranges`).
- **By ids** (a Cloud selection the store confirmed before, `confirmed`): ids alone, in
  ranges cut from the record, beside one search of what changed since; an issue neither
  changed nor new is as the store confirmed it.

Either way the pages are compared as they arrive (`ReadAhead`, which may read the first
batches meanwhile), and what was found current is recorded for the next export
(`Lister.record`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import structlog

from dwelltime.domain.issues import Status
from dwelltime.domain.selection import Selection
from dwelltime.errors import DwelltimeError, NotFound
from dwelltime.sources.jira import confirmed
from dwelltime.sources.jira.editions import ID_FIELDS, LISTING_FIELDS, SiteApi, listing_fields
from dwelltime.sources.jira.id_ranges import guessed_selection, range_bounds, ranged_listing
from dwelltime.sources.jira.mirror import Mirror
from dwelltime.sources.jira.read_ahead import ReadAhead
from dwelltime.sources.jira.selection_jql import (
    is_ordered,
    selection_jql,
    split_order_by,
    with_clauses,
    within_dates,
)
from dwelltime.sources.store.issue_store import IssueStore

_logger = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class ListingPlan:
    """One listing of a whole selection, decided before it is asked: its JQL, whether it
    has its own `ORDER BY` (else the report follows ids and Jira is asked for creation
    order), whether what it finds is recorded (`confirming`: Cloud, no date filter), and
    the record it goes by (`known`: then by ids, else by `updated`). `started_ms` and
    `at_generation` are taken before the listing begins: what it confirms is current at
    that time, and the rows it reads are the store's at that generation or a later one."""

    selection: Selection
    jql: str
    ordered: bool
    confirming: bool
    started_ms: int
    at_generation: int
    known: confirmed.Confirmed | None

    @property
    def by_ids(self) -> bool:
        return self.known is not None

    @property
    def listed_jql(self) -> str:
        """Unordered, the report follows issue ids: asking Jira for creation order (ids
        grow with it) lets batches be read while later pages arrive."""
        return self.jql if self.ordered else f"{self.jql} ORDER BY created ASC"

    @property
    def listed_fields(self) -> tuple[str, ...]:
        if self.by_ids:
            return ID_FIELDS
        dated = self.selection.start_ms is not None or self.selection.end_ms is not None
        return listing_fields(self.selection.date_field if dated else None)


@dataclass(frozen=True, slots=True)
class Compared:
    """A listing compared with the store: its ids in the report's order, those to fetch
    (`stale`), the store's rows of the current ones, and what was read ahead."""

    ids: list[int]
    stale: frozenset[int]
    rows: dict[int, int]
    read_ahead: ReadAhead


class Lister:
    """Lists whole selections of one site as one reader and compares them with the store."""

    def __init__(self, store: IssueStore, api: SiteApi, mirror: Mirror, batch_size: int) -> None:
        """`batch_size`: of the batches read ahead while Jira lists (`ReadAhead`)."""
        self._store = store
        self._api = api
        self._mirror = mirror
        self._batch_size = batch_size

    def plan(self, whole: Selection) -> ListingPlan:
        """The listing of `whole` (an unknown sprint fails here, in dwelltime's words)."""
        self._check_sprint(whole)
        jql = selection_jql(whole, self._api.filter_jql)
        dated = whole.start_ms is not None or whole.end_ms is not None
        # Only undated selections are confirmed: a date filter is applied to the listed
        # dates (`within_dates`), which a listing of ids does not hold.
        confirming = self._api.ids_listing_from is not None and not dated
        started_ms = confirmed.now_ms()
        at_generation = confirmed.store_generation(self._store.engine)
        known = self._confirmed(jql, started_ms) if confirming else None
        return ListingPlan(
            whole, jql, is_ordered(jql), confirming, started_ms, at_generation, known
        )

    def listing(
        self,
        plan: ListingPlan,
        *,
        reads_ahead: bool,
        fields: tuple[str, ...],
        on_estimate: Callable[[int], None] | None = None,
    ) -> Compared:
        """The selection as Jira lists it now, compared with the store (histories of
        `fields` needed); `reads_ahead`: batches are read while the pages arrive (a
        window's page reads a few issues: it reads none ahead)."""
        with ThreadPoolExecutor(1, thread_name_prefix="jira-changed") as asking:
            known = plan.known
            changes = None if known is None else asking.submit(self._changes, plan.jql, known)
            reading = ReadAhead(
                self._store,
                self._mirror,
                plan.selection,
                fields,
                self._batch_size if reads_ahead else None,
                ascending=not plan.ordered,
                changes=changes,
            )
            try:
                with _Estimate(self._api, plan.jql, on_estimate):
                    listing = ranged_listing(
                        self._api,
                        plan.listed_jql,
                        plan.listed_fields,
                        self._bounds(plan),
                        on_page=reading.page,
                    )
                if changes is not None:
                    changes.result()  # its failure fails the listing, even of no issue
            except BaseException:
                reading.close()
                raise
        listing = within_dates(plan.selection, listing)
        if not plan.ordered:
            listing.sort(key=lambda entry: entry.id)
        ids = [entry.id for entry in listing]
        return Compared(ids, frozenset(reading.stale), reading.rows, reading)

    def record(self, plan: ListingPlan, compared: Compared, statuses: Sequence[Status]) -> None:
        """Record what `compared` found current (the issues it fetches are added once
        written, `confirmed.extend`), with Jira's catalog `statuses`."""
        rows = compared.rows
        current = {issue_id: rows[issue_id] for issue_id in compared.ids if issue_id in rows}
        confirmed.save(
            self._store.engine,
            self._mirror.site,
            plan.jql,
            self.reader,
            plan.started_ms,
            current,
            plan.at_generation,
            statuses,
            plan.known,
        )

    def confirm_fetched(self, plan: ListingPlan, fetched: Sequence[int]) -> None:
        """The stale issues of the listing, now written, are current too."""
        if fetched and plan.confirming:
            confirmed.extend(
                self._store.engine,
                self._mirror.site,
                plan.jql,
                self.reader,
                plan.started_ms,
                fetched,
            )

    @property
    def reader(self) -> str:
        """Whose listings a confirmation is recorded for: the Cloud account's email."""
        return self._api.client.credentials.email or ""

    def _check_sprint(self, selection: Selection) -> None:
        """`sprint = ID` of an unknown sprint is a Jira error; say it in dwelltime's words."""
        if selection.filter_type == "sprint" and self._api.sprint(selection.filter_value) is None:
            raise NotFound(
                f"Sprint {selection.filter_value} does not exist in Jira or you may not see it."
            )

    def _confirmed(self, jql: str, now_ms: int) -> confirmed.Confirmed | None:
        """What the store last confirmed of `jql`, if the listing may go by ids: above
        `ids_listing_from` issues (below, `updated` comes in the one request the ids
        and the changed search would take two for)."""
        least = self._api.ids_listing_from
        known = confirmed.load(self._store.engine, self._mirror.site, jql, self.reader, now_ms)
        return known if known is not None and least is not None and len(known.ids) > least else None

    def _changes(self, jql: str, known: confirmed.Confirmed) -> confirmed.Changes:
        """What Jira lists of the selection as changed since `known` was confirmed."""
        since = with_clauses(split_order_by(jql)[0], known.since_clause(confirmed.now_ms()))
        return confirmed.Changes.of(known, self._api.listing(since, LISTING_FIELDS))

    def _bounds(self, plan: ListingPlan) -> list[int]:
        """Where an id-ordered listing is cut into ranges asked at once, on the editions
        whose pages are sequential: from the record when it goes by ids, else from the
        store's own copy of the selection."""
        size = self._api.listing_range
        if plan.ordered or size is None:
            return []
        if plan.known is not None:
            return plan.known.bounds(size)
        guess = guessed_selection(plan.selection, self._mirror.site, plan.jql)
        return range_bounds(self._store, guess, size)


class _Estimate:
    """Asks Jira's approximate-count beside the listing and tells `on_estimate`, unless the
    listing finished first (the exact count then follows at once, and must not be
    overwritten by the estimate). A failed estimate only loses the early total.

    Leaving waits for the request to end: a thread left running would use the site's
    client and budget after the export that asked has moved on (or closed the client). One
    small request, nearly always done before the listing; its retries are bounded."""

    def __init__(self, api: SiteApi, jql: str, on_estimate: Callable[[int], None] | None) -> None:
        self._api = api
        self._jql = jql
        self._on_estimate = on_estimate
        self._lock = threading.Lock()
        self._listed = False
        self._thread: threading.Thread | None = None

    def __enter__(self) -> None:
        if self._on_estimate is not None:
            self._thread = threading.Thread(target=self._ask, name="jira-estimate")
            self._thread.start()

    def __exit__(self, *_: object) -> None:
        with self._lock:
            self._listed = True
        if self._thread is not None:
            self._thread.join()

    def _ask(self) -> None:
        try:
            estimate = self._api.approximate_count(self._jql)
        except DwelltimeError as error:
            _logger.info("jira_estimate_failed", reason=str(error))
            return
        with self._lock:
            if estimate is not None and not self._listed and self._on_estimate is not None:
                self._on_estimate(estimate)
