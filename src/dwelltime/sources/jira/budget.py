"""The request budget of one Jira site, shared by every client of this server.

Exports run in their own processes, so the budget lives in a small JSON file under the
home, read and written under an exclusive `flock`: every request of every export to the
site takes the next slot from it. Slots are spaced by the configured rate or, when Jira
sends `X-RateLimit-Limit`, by 90% of that many per second (Jira Cloud's burst limits are
per second; a request late for its slot may take one of the last two it missed), widened
when `X-RateLimit-Remaining` runs low before `X-RateLimit-Reset` (slowing down *before*
the 429), and a `Retry-After` pauses the whole site, not just the request that got it.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import math
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

#: Below this many remaining points of Jira's window, requests are spread over what is left.
LOW_REMAINING = 20
#: Share of a fresh window's limit taken as available (see `_fresh_window`), and of
#: `X-RateLimit-Limit` per second that slots are paced at: the margin absorbs requests in
#: flight and clocks that disagree, so the pace stays under the limit, not at it.
WINDOW_SHARE = 0.9
#: Paced slots a late request may still take (it goes at once, and the pace resumes from
#: the slot it took): a thread held up by the GIL or a slow answer would otherwise lose
#: its slot for good, and at 20 req/s those losses cost a tenth of the budget. A burst of
#: this many stays far inside the bucket of `X-RateLimit-Limit` that the slower pace
#: leaves filling.
CATCH_UP_SLOTS = 2


@dataclass(frozen=True, slots=True)
class RateHints:
    """What a response said about the site's budget; None where Jira said nothing."""

    pause_s: float | None = None  # Retry-After / Beta-Retry-After: wait this long
    remaining: int | None = None  # X-RateLimit-Remaining
    limit: int | None = None  # X-RateLimit-Limit: the points of a whole window
    reset_at: float | None = None  # X-RateLimit-Reset, epoch seconds


def rate_hints(headers: Mapping[str, str], now: float) -> RateHints:
    """Atlassian's rate-limit headers read into `RateHints` (unreadable values ignored)."""
    pause = _seconds(headers.get("retry-after"), now)
    beta = _seconds(headers.get("beta-retry-after"), now)
    if beta is not None:
        pause = max(pause or 0.0, beta)
    return RateHints(
        pause_s=pause,
        remaining=_count(headers.get("x-ratelimit-remaining")),
        limit=_count(headers.get("x-ratelimit-limit")),
        reset_at=_instant(headers.get("x-ratelimit-reset"), now),
    )


def _count(text: str | None) -> int | None:
    return int(text) if text is not None and text.strip().isdigit() else None


def _seconds(text: str | None, now: float) -> float | None:
    """Retry-After is seconds or an HTTP date."""
    if text is None:
        return None
    try:
        return max(0.0, float(text))
    except ValueError:
        at = _instant(text, now)
        return None if at is None else max(0.0, at - now)


def _instant(text: str | None, now: float) -> float | None:
    """X-RateLimit-Reset: an ISO 8601 instant (Cloud) or epoch seconds."""
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        pass
    else:
        return value if value > 1e9 else now + value
    try:
        parsed = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
    return parsed.timestamp() if parsed.tzinfo is not None else None


class SiteBudget:
    """Hands out request slots for one site: `acquire` waits for the next, `observe` learns.

    `path` None keeps the state in this process only (tests, one-off commands).
    """

    def __init__(
        self,
        path: Path | None,
        requests_per_second: float,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._path = path
        self._interval = 1.0 / requests_per_second
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._memory: dict[str, float] = {}

    def acquire(self) -> float:
        """Wait for this request's slot; returns the seconds waited."""
        with self._state() as state:
            now = self._clock()
            start = max(now, *_holds(state))
            spacing = self._interval
            if "limit" in state:
                spacing = max(spacing, 1.0 / (state["limit"] * WINDOW_SHARE))
            paced = True  # by the rate alone, not by what Jira's window has left
            if "remaining" in state and "reset_at" in state:
                reset_at = state["reset_at"]
                if reset_at <= start:
                    # The window Jira told of is over; the next holds the limit, if known,
                    # and its reset is learnt from the next answer.
                    del state["reset_at"]
                    if "limit" in state:
                        state["remaining"] = _fresh_window(state["limit"])
                    else:
                        del state["remaining"]
                elif state["remaining"] < 1:
                    start = reset_at  # nothing left in this window: wait for the next
                    paced = False
                    del state["reset_at"]
                    state["remaining"] = _fresh_window(state.get("limit", 1.0))
                elif state["remaining"] < LOW_REMAINING:
                    spread = (reset_at - start) / state["remaining"]
                    if spread > spacing:
                        spacing, paced = spread, False
            if paced and start == now and "next" in state:
                # Late for the pace: take a missed slot, of the last CATCH_UP_SLOTS at most.
                start = max(now - CATCH_UP_SLOTS * spacing, *_holds(state))
            if "remaining" in state:
                state["remaining"] -= 1
            state["next"] = start + spacing
        waited = max(0.0, start - now)
        if waited > 0:
            self._sleep(waited)
        return waited

    def observe(self, hints: RateHints) -> None:
        """Take in what a response said: pause the site, or note how much is left."""
        if hints.pause_s is None and hints.remaining is None and hints.limit is None:
            return
        with self._state() as state:
            now = self._clock()
            if hints.pause_s is not None:
                state["paused_until"] = max(state.get("paused_until", 0.0), now + hints.pause_s)
            if hints.remaining is not None and hints.reset_at is not None:
                remaining = float(hints.remaining)
                if state.get("reset_at") == hints.reset_at and "remaining" in state:
                    # Same window: the slots taken since this request left count too.
                    remaining = min(remaining, state["remaining"])
                state["remaining"] = remaining
                state["reset_at"] = hints.reset_at
            if hints.limit is not None:
                state["limit"] = float(hints.limit)

    def _state(self) -> _LockedState:
        return _LockedState(self._lock, self._path, self._memory)


class _LockedState:
    """The budget's state under the thread lock and, with a file, the file lock."""

    def __init__(self, lock: threading.Lock, path: Path | None, memory: dict[str, float]) -> None:
        self._lock = lock
        self._path = path
        self._memory = memory
        self._fd = -1

    def __enter__(self) -> dict[str, float]:
        self._lock.acquire()
        if self._path is None:
            return self._memory
        try:
            self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            raw = os.read(self._fd, 4096)
        except BaseException:
            self._release()
            raise
        try:
            loaded = json.loads(raw) if raw else {}
        except ValueError:  # a torn file from a killed process: start afresh
            loaded = {}
        self._memory.clear()
        self._memory.update(
            {k: float(v) for k, v in loaded.items() if isinstance(v, int | float)}
            if isinstance(loaded, dict)
            else {}
        )
        return self._memory

    def __exit__(self, *_: object) -> None:
        try:
            if self._fd >= 0:
                data = json.dumps(self._memory).encode()
                os.lseek(self._fd, 0, os.SEEK_SET)
                os.ftruncate(self._fd, 0)
                os.write(self._fd, data)
        finally:
            self._release()

    def _release(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)  # closing drops the flock
            self._fd = -1
        self._lock.release()


def _holds(state: dict[str, float]) -> tuple[float, float]:
    """The earliest a request may go: the next paced slot, and the end of a pause."""
    return state.get("next", 0.0), state.get("paused_until", 0.0)


def _fresh_window(limit: float) -> float:
    """What a new window is taken to hold: its limit less a margin for the requests of
    the last window still in flight (Jira counts them in the new one)."""
    return max(1.0, math.floor(limit * WINDOW_SHARE))


def budget_file(folder: Path, site_url: str) -> Path:
    """Where `site_url`'s shared budget lives under `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    return folder / (hashlib.sha256(site_url.encode()).hexdigest()[:24] + ".json")
