"""What one write to the local store carries, and what it reports back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dwelltime.domain.issues import History, Issue, Project, SavedFilter, SprintRef, Status, User


@dataclass(frozen=True, slots=True)
class ChangelogPart:
    """Histories of one stored issue that add to the ones the store has (a changelog page).

    They are merged by history id: an entry with a known id replaces it, others are added.
    """

    issue_id: int
    histories: tuple[History, ...]


@dataclass(frozen=True, slots=True)
class StoreData:
    """What one write contains; every field but `site` defaults to ().

    `site` is where the issues and changelogs come from (`domain.sites`): ids and keys
    are looked up and stored within it. A write of catalogs alone needs none.
    `partial_issue_ids` names issues of `issues` whose histories are only part of their
    changelog (Jira truncated it): those are merged like a `ChangelogPart` instead of
    replacing the stored histories. Sprints named by issues are upserted with `sprints`.
    `from_site`: the issues are the site's own current answer (a Jira mirror), not a file,
    so an id under a new key is that issue moved to another project: its key follows.
    """

    site: str | None = None
    issues: Sequence[Issue] = ()
    statuses: Sequence[Status] = ()
    projects: Sequence[Project] = ()
    users: Sequence[User] = ()
    sprints: Sequence[SprintRef] = ()
    filters: Sequence[SavedFilter] = ()
    changelogs: Sequence[ChangelogPart] = ()
    partial_issue_ids: frozenset[int] = frozenset()
    from_site: bool = False


@dataclass(frozen=True, slots=True)
class WriteCounts:
    """What a write stored; `skipped` counts issue copies older than the one kept."""

    issues: int
    histories: int
    status_changes: int
    skipped: int = 0
    statuses: int = 0
