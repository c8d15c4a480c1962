"""Sprint membership of a demo issue: planned into the sprint running when work starts,
carried over into the next one while unfinished when a sprint completes."""

from __future__ import annotations

from bisect import bisect_right

from dwelltime.domain.issues import ChangeItem, SprintRef
from dwelltime.sources.demo.catalog import DemoProject
from dwelltime.sources.demo.clock import MINUTE_MS
from dwelltime.sources.demo.fields import sprint_item

#: Teams give up carrying an issue over after this many sprints (it keeps them listed).
MAX_CARRY_OVERS = 3


def plan_sprints(
    project: DemoProject, created_ms: int, started_ms: int, finished_ms: int
) -> tuple[tuple[SprintRef, ...], list[tuple[int, ChangeItem]]]:
    """The sprints of an issue whose work started at `started_ms` and finished (or is
    still open) at `finished_ms`, and the Sprint field changes that put it there."""
    sprints = project.sprints
    if not sprints:
        return (), []
    index = bisect_right(project.sprint_starts, started_ms) - 1
    added_at = max(created_ms + MINUTE_MS, sprints[index].start_ms or 0)
    member = [sprints[index]]
    changes = [(min(added_at, started_ms), sprint_item((), member))]
    for _ in range(MAX_CARRY_OVERS):
        completed = member[-1].complete_ms
        # Work that started after its sprint closed (a weekend start) is not carried.
        if completed is None or not started_ms < completed < finished_ms:
            break
        if index + 1 >= len(sprints):
            break
        index += 1
        before = tuple(member)
        member.append(sprints[index])
        changes.append((completed, sprint_item(before, member)))
    return tuple(member), changes
