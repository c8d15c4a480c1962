"""`ReadAhead`: an export's listing compared with the store page by page as Jira sends it,
and its first batches read from the store while later pages are still on their way.

An unchanged re-export spends most of its time waiting for the listing's pages (Cloud
pages are sequential: each token comes with the page before) and then reading the same
issues from the store as a local export does. Both overlap here: each page is compared
with the store as it arrives, and while every issue heard so far is current and the pages
come in the report's order, the page's issues are read into batches on a thread of their
own. The report's order is the JQL's own `ORDER BY`, else issue id order: the listing
then asks Jira for `created` order (ids grow with creation) and the read-ahead holds only
while ids grow; should they not (an imported issue, a tie), what was read is dropped and
the export reads as before, after the listing.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from concurrent.futures import Future, ThreadPoolExecutor

from dwelltime.domain.issue_batch import IssueBatch
from dwelltime.domain.selection import Selection
from dwelltime.sources.jira.confirmed import Changes
from dwelltime.sources.jira.editions import Listed
from dwelltime.sources.jira.mirror import Mirror
from dwelltime.sources.jira.selection_jql import within_dates
from dwelltime.sources.store.batches import read_batch
from dwelltime.sources.store.issue_store import IssueStore

#: Issues read ahead at most, in batch sizes: they wait in memory until the listing ends
#: and the engine takes them, so an export holds at most this many batches' worth more
#: than it would.
READ_AHEAD_BATCHES = 4


class ReadAhead:
    """The page hook of one listing (`SiteApi.listing(on_page=...)`).

    After the listing: `stale` and `rows` are the comparison of everything listed (as
    `Mirror.compare` gives it), and `take` hands over the batches read, when they begin
    the final order.
    """

    def __init__(
        self,
        store: IssueStore,
        mirror: Mirror,
        selection: Selection,
        fields: Collection[str],
        batch_size: int | None,
        *,
        ascending: bool,
        changes: Future[Changes] | None = None,
    ) -> None:
        """`batch_size` None: compare only, read nothing (a window of the selection).
        `ascending`: the report's order is id order, which the pages must follow.
        `changes`: what pages of ids alone are compared by (`Mirror.compare`), once known."""
        self._store = store
        self._mirror = mirror
        self._selection = selection
        self._fields = fields
        self._batch_size = batch_size
        self._ascending = ascending
        self._changes = changes
        self._pool: ThreadPoolExecutor | None = None
        # The marks that fall short are read once for the whole listing, not per page.
        self._short = mirror.short_marks(fields)
        self.stale: list[int] = []
        self.rows: dict[int, int] = {}
        self._read: list[tuple[list[int], Future[IssueBatch]]] = []
        self._reading = batch_size is not None
        self._held = 0  # issues read ahead
        self._last = -1  # the last id listed while reading ahead
        self._pending: list[int] = []  # listed and current, not yet a whole batch

    def _start_over(self) -> None:
        """Forget what the listing heard and read so far: it started over."""
        self.close()
        self.stale.clear()
        self.rows.clear()
        self._read.clear()
        self._reading = self._batch_size is not None
        self._held = 0
        self._last = -1
        self._pending.clear()

    def page(self, start: int, entries: list[Listed]) -> None:
        if start == 0 and (self.rows or self.stale):
            self._start_over()
        entries = within_dates(self._selection, entries)
        changes = None if self._changes is None else self._changes.result()
        stale, rows = self._mirror.compare(entries, self._fields, self._short, changes)
        self.stale.extend(stale)
        self.rows.update(rows)
        if not self._reading or not entries:
            return
        ids = [entry.id for entry in entries]
        if stale or (self._ascending and not _ascends(self._last, ids)):
            # What follows must be fetched first, or the order is not known yet.
            self._reading = False
            if not stale:
                self.close()
                self._read = []
            return
        self._last = ids[-1]
        self._pending.extend(ids)
        # Whole batches only, as the store's own export reads them (pages are smaller:
        # a batch per page read and computed a third more slowly, bench/RESULTS.md).
        assert self._batch_size is not None
        while self._reading and len(self._pending) >= self._batch_size:
            self._read_pending(self._batch_size)

    def _read_pending(self, size: int) -> None:
        """Read the first `size` pending issues on the read-ahead's thread, unless that
        would hold more than `READ_AHEAD_BATCHES` (reading ahead then ends)."""
        assert self._batch_size is not None
        chunk, self._pending = self._pending[:size], self._pending[size:]
        if self._held + len(chunk) > READ_AHEAD_BATCHES * self._batch_size:
            self._reading = False
            return
        self._held += len(chunk)
        if self._pool is None:
            self._pool = ThreadPoolExecutor(1, thread_name_prefix="jira-read-ahead")
        rows_of = [self.rows[issue_id] for issue_id in chunk]
        self._read.append((chunk, self._pool.submit(self._batch, rows_of)))

    def _batch(self, rows: Sequence[int]) -> IssueBatch:
        with self._store.engine.connect() as connection:
            return read_batch(connection, rows, self._selection)

    def take(self, ids: Sequence[int]) -> list[Future[IssueBatch]]:
        """The batches read ahead, if they begin `ids` (the selection's final order) in
        that order; none otherwise. Either way the read-ahead is over. The listing's
        last issues, short of a batch, are read now, while the engine takes the first."""
        if self._reading and self._pending:
            self._read_pending(len(self._pending))
        taken: list[Future[IssueBatch]] = []
        position = 0
        for chunk, future in self._read:
            if list(ids[position : position + len(chunk)]) != chunk:
                taken = []
                break
            taken.append(future)
            position += len(chunk)
        if taken and self._pool is not None:
            self._pool.shutdown(wait=False)  # its thread ends once the last is read
            self._pool = None
        self.close()
        self._read = []
        return taken

    def close(self) -> None:
        """Drop what is read or queued (the threads end; a read in progress finishes)."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


def _ascends(last: int, ids: Sequence[int]) -> bool:
    return all(before < after for before, after in zip((last, *ids), ids, strict=False))
