"""`FetchAhead`: an export's stale issues fetched on a thread of their own, in one run,
while the engine computes the batches whose issues are already written.

Fetching batch by batch drained the request pool at the end of every batch (its last page
alone in flight, then nothing until the next batch began): at 20 requests/s that lost
0.2–0.3 s per batch of 500 (bench/RESULTS.md). One run keeps every request slot the
client may use busy from the first page to the last; a batch waits only for its own
issues.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType

from dwelltime.sources.jira.mirror import Mirror


class FetchAhead:
    """Fetches `ids` in their order (`Mirror.complete`); `wait_for` blocks until those of
    a batch are written. Leaving the block stops the run: pages in flight end, no new one
    is asked for (an export stopped or failed does not go on reading Jira)."""

    def __init__(self, mirror: Mirror, ids: Sequence[int], fields: Collection[str]) -> None:
        self._position = {issue_id: index for index, issue_id in enumerate(ids)}
        self._written = 0  # how many of `ids`, from the first, are written
        self._changed = threading.Condition()
        self._stop = threading.Event()
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="jira-fetch")
        self._run: Future[int] | None = None  # none to fetch: no run (a re-export)
        if ids:
            self._run = self._pool.submit(
                mirror.complete, ids, fields=fields, on_page=self._page_written, stop=self._stop
            )
            self._run.add_done_callback(lambda _: self._notify())

    def __enter__(self) -> FetchAhead:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._pool.shutdown(wait=True)

    def wait_for(self, chunk: Sequence[int]) -> None:
        """Until every issue of `chunk` this run fetches is written; raises what the run
        failed with."""
        needed = max((self._position.get(issue_id, -1) for issue_id in chunk), default=-1) + 1
        run = self._run
        if needed == 0 or run is None:
            return
        with self._changed:
            self._changed.wait_for(lambda: self._written >= needed or run.done())
            if self._written >= needed:
                return
        run.result()  # raises the run's error
        raise RuntimeError("the fetch ended before writing every issue")  # stopped only

    def _page_written(self, page: Sequence[int]) -> None:
        with self._changed:
            self._written += len(page)
            self._changed.notify_all()

    def _notify(self) -> None:
        with self._changed:
            self._changed.notify_all()
