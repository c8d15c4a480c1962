"""The site budget: paced slots, slowing before the 429, pauses shared across processes."""

from __future__ import annotations

from pathlib import Path

import pytest

from dwelltime.sources.jira.budget import RateHints, SiteBudget, budget_file, rate_hints
from tests.sources.jira.test_client import FakeClock


def _budget(clock: FakeClock, path: Path | None = None, rate: float = 10.0) -> SiteBudget:
    return SiteBudget(path, rate, clock=clock.time, sleep=clock.sleep)


def test_slots_are_spaced_by_the_rate() -> None:
    clock = FakeClock()
    budget = _budget(clock)
    for _ in range(11):
        budget.acquire()
    assert abs(clock.slept - 1.0) < 1e-9


def test_low_remaining_points_spread_what_is_left_until_the_reset() -> None:
    clock = FakeClock()
    budget = _budget(clock, rate=1000.0)
    budget.observe(RateHints(remaining=4, reset_at=clock.now + 2.0))
    for _ in range(4):
        budget.acquire()
    # 4 left for 2 s: each slot gets a share of what is left, far slower than 1000/s.
    assert clock.slept == pytest.approx(1.5)
    plenty_clock = FakeClock()
    plenty = _budget(plenty_clock, rate=1000.0)
    plenty.observe(RateHints(remaining=500, reset_at=plenty_clock.now + 2.0))
    for _ in range(4):
        plenty.acquire()
    assert plenty_clock.slept == pytest.approx(0.003)


def test_a_pause_holds_every_budget_sharing_the_file(tmp_path: Path) -> None:
    clock = FakeClock()
    path = budget_file(tmp_path / "budgets", "https://acme.atlassian.net")
    first, second = _budget(clock, path), _budget(clock, path)
    first.observe(RateHints(pause_s=5.0))
    assert second.acquire() == 5.0
    # …and the slot the second took is one the first cannot have.
    assert first.acquire() == pytest.approx(0.1)


def test_other_sites_keep_their_own_budget(tmp_path: Path) -> None:
    clock = FakeClock()
    one = _budget(clock, budget_file(tmp_path, "https://one.atlassian.net"))
    other = _budget(clock, budget_file(tmp_path, "https://other.atlassian.net"))
    one.observe(RateHints(pause_s=5.0))
    assert other.acquire() == 0.0


def test_a_torn_budget_file_starts_afresh(tmp_path: Path) -> None:
    path = tmp_path / "site.json"
    path.write_text('{"next": 12')
    assert _budget(FakeClock(), path).acquire() == 0.0


def test_atlassian_headers_are_read() -> None:
    now = 1_700_000_000.0
    hints = rate_hints(
        {
            "retry-after": "7",
            "beta-retry-after": "9",
            "x-ratelimit-remaining": "12",
            "x-ratelimit-reset": "2023-11-14T22:13:30Z",
        },
        now,
    )
    assert hints == RateHints(pause_s=9.0, remaining=12, reset_at=1_700_000_010.0)
    assert rate_hints({"retry-after": "Tue, 14 Nov 2023 22:13:25 GMT"}, now).pause_s == 5.0
    assert rate_hints({"retry-after": "soon", "x-ratelimit-remaining": "x"}, now) == RateHints()


def test_a_used_up_window_waits_for_its_reset_then_has_the_limit_again() -> None:
    clock = FakeClock()
    budget = _budget(clock, rate=1000.0)
    budget.observe(RateHints(remaining=2, limit=3, reset_at=clock.now + 1.0))
    waits = [budget.acquire() for _ in range(5)]
    # Two spread over the window, then the wait for the reset; then a fresh window, paced
    # at 90% of the limit per second.
    assert waits[0] == 0.0 and waits[1] == pytest.approx(0.5)
    assert waits[2] == pytest.approx(0.5) and waits[3:] == pytest.approx([1 / 2.7, 1 / 2.7])
    assert clock.slept == pytest.approx(1.0 + 2 / 2.7)


def test_the_limit_jira_sends_paces_slots_below_it() -> None:
    clock = FakeClock()
    budget = _budget(clock, rate=1000.0)
    budget.observe(RateHints(limit=50))
    for _ in range(46):
        budget.acquire()
    # 45 more slots at 90% of 50/s: one second, where the configured 1000/s gave 0.045 s.
    assert clock.slept == pytest.approx(1.0)


def test_an_answer_from_before_later_slots_does_not_give_them_back() -> None:
    clock = FakeClock()
    budget = _budget(clock, rate=1000.0)
    reset = clock.now + 10.0
    budget.observe(RateHints(remaining=100, limit=100, reset_at=reset))
    for _ in range(95):
        budget.acquire()
    # An answer to the first request (sent when 99 were left) arrives now.
    budget.observe(RateHints(remaining=99, limit=100, reset_at=reset))
    before = clock.now
    budget.acquire()
    budget.acquire()
    assert clock.now - before > 0.5  # 5 left for the rest of the window: spread, not a burst


def test_a_late_request_takes_back_two_missed_slots_at_most() -> None:
    clock = FakeClock()
    budget = _budget(clock)
    budget.acquire()
    clock.now += 1.0  # ten slots at 10/s went unused (threads busy, a slow answer)
    waits = [budget.acquire() for _ in range(5)]
    # Two missed slots and the current one at once, then the pace again: no burst of ten.
    assert waits == pytest.approx([0.0, 0.0, 0.0, 0.1, 0.1])


def test_no_missed_slot_is_taken_back_while_jira_says_the_window_runs_out() -> None:
    clock = FakeClock()
    budget = _budget(clock, rate=10.0)
    budget.acquire()
    clock.now += 1.0
    budget.observe(RateHints(remaining=4, reset_at=clock.now + 2.0))
    waits = [budget.acquire() for _ in range(3)]
    # Spread over what is left from now on (a missed slot taken would make it 0.3 s).
    assert waits == pytest.approx([0.0, 0.5, 0.5])
