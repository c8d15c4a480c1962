"""The changes of an issue's fields besides status, assignee and resolution, drawn once
its workflow walk is known: a reporter re-prioritising it, adding a label, adding or
removing a component or changing its Risk at a working instant of theirs within the
issue's life.

Every draw comes from the issue's shared `random.Random`, in a fixed order, so the demo
data stay the same for a seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from dwelltime.domain.issues import ChangeItem, User
from dwelltime.sources.demo.clock import WorkingClock
from dwelltime.sources.demo.fields import (
    LABELS,
    PRIORITIES,
    RISK_FIELD_ID,
    RISK_OPTIONS,
    field_item,
    risk_name,
)


@dataclass(slots=True)
class Event:
    """A change before it becomes a numbered history: when, who, which items."""

    at_ms: int
    author: User
    items: tuple[ChangeItem, ...]


class FieldChanges:
    """Draws one issue's field changes by its reporter into `events`."""

    def __init__(
        self,
        rng: random.Random,
        reporter_clock: WorkingClock,
        created_ms: int,
        reporter: User,
        events: list[Event],
    ) -> None:
        self._rng = rng
        self._clock = reporter_clock
        self._created_ms = created_ms
        self._reporter = reporter
        self._events = events

    def _random_instant(self, end_ms: int) -> int | None:
        """A working instant of the reporter in [created, end), or None when there is no room."""
        first, last = self._created_ms, end_ms - 1
        if last < first:
            return None
        point = self._clock.random_point(first, last, self._rng.random())
        return min(max(point, first), last)

    def priority(self, priority: int, end_ms: int) -> int:
        """A new priority set once before `end_ms` (the old one when there is no room)."""
        at = self._random_instant(end_ms)
        if at is None:
            return priority
        new = self._rng.choice([p for p in range(len(PRIORITIES)) if p != priority])
        old_name, old_id = PRIORITIES[priority][:2]
        new_name, new_id = PRIORITIES[new][:2]
        item = field_item("priority", old_id, old_name, new_id, new_name)
        self._events.append(Event(at, self._reporter, (item,)))
        return new

    def label(self, labels: tuple[str, ...], end_ms: int) -> tuple[str, ...]:
        """`labels` with one more, added before `end_ms` (unchanged when there is no room)."""
        at = self._random_instant(end_ms)
        if at is None:
            return labels
        missing = [label for label in LABELS if label not in labels]
        added = tuple(sorted((*labels, self._rng.choice(missing))))
        # Jira records labels as space-separated strings with null ids.
        item = field_item("labels", None, " ".join(labels), None, " ".join(added))
        self._events.append(Event(at, self._reporter, (item,)))
        return added

    def component(
        self, held: tuple[int, ...], names: tuple[str, ...], ids: tuple[str, ...], end_ms: int
    ) -> tuple[int, ...]:
        """`held` (indexes into the project's components) with one added or removed; Jira
        records one item per component, with its id."""
        at = self._random_instant(end_ms)
        if at is None:
            return held
        index = self._rng.randrange(len(names))
        if index in held:
            item = ChangeItem(
                "Component", "components", "jira", ids[index], names[index], None, None
            )
            changed = tuple(i for i in held if i != index)
        else:
            item = ChangeItem(
                "Component", "components", "jira", None, None, ids[index], names[index]
            )
            changed = tuple(sorted((*held, index)))
        self._events.append(Event(at, self._reporter, (item,)))
        return changed

    def risk(self, option: int | None, end_ms: int, renamed_ms: int) -> int | None:
        """Another Risk option (or none) set once before `end_ms`."""
        at = self._random_instant(end_ms)
        if at is None:
            return option
        choices: list[int | None] = [o for o in (None, *range(len(RISK_OPTIONS))) if o != option]
        new = choices[self._rng.randrange(len(choices))]

        def side(chosen: int | None) -> tuple[str | None, str | None]:
            if chosen is None:
                return None, None
            return RISK_OPTIONS[chosen][0], risk_name(chosen, at, renamed_ms)

        item = ChangeItem("Risk", RISK_FIELD_ID, "custom", *side(option), *side(new))
        self._events.append(Event(at, self._reporter, (item,)))
        return new
