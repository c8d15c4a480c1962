"""The nouns every layer shares: issues with their histories, statuses, people, saved filters.

Plain frozen dataclasses with no behaviour that touches I/O, so the importer, the demo
generator, the store and the engine's reference tests can all speak them. Instants are
integer epoch milliseconds (UTC) everywhere: Jira's offsets are resolved at the edge.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

STATUS_FIELD = "status"
ASSIGNEE_FIELD = "assignee"


@dataclass(frozen=True, slots=True)
class ChangeItem:
    """One changed field inside a history, exactly as Jira reports it."""

    field: str
    field_id: str | None
    field_type: str | None
    from_value: str | None
    from_string: str | None
    to_value: str | None
    to_string: str | None

    @property
    def effective_field_id(self) -> str:
        """Jira omits fieldId on old items (Server); the field name then identifies it."""
        return self.field_id or self.field


@dataclass(frozen=True, slots=True)
class History:
    """One changelog entry: who changed what, when."""

    id: int
    created_ms: int
    author_id: str | None
    author_name: str | None
    items: tuple[ChangeItem, ...]


@dataclass(frozen=True, slots=True)
class SprintRef:
    """A sprint as the Sprint field of an issue names it."""

    id: int
    name: str
    state: str | None = None
    board_id: int | None = None
    start_ms: int | None = None
    end_ms: int | None = None
    complete_ms: int | None = None


@dataclass(frozen=True, slots=True)
class Issue:
    """An issue with its complete history; the fields reports use are promoted."""

    id: int
    key: str
    project_key: str
    summary: str
    created_ms: int
    status_id: str | None
    status_name: str | None = None
    issue_type: str | None = None
    priority: str | None = None
    assignee_id: str | None = None
    assignee_name: str | None = None
    reporter_id: str | None = None
    reporter_name: str | None = None
    updated_ms: int | None = None
    resolution_date_ms: int | None = None
    resolution: str | None = None
    labels: tuple[str, ...] = ()
    components: tuple[str, ...] = ()
    fix_versions: tuple[str, ...] = ()
    sprints: tuple[SprintRef, ...] = ()
    project_name: str | None = None
    fields: Mapping[str, Any] = field(default_factory=dict)
    histories: tuple[History, ...] = ()


@dataclass(frozen=True, slots=True)
class Status:
    """A status of the catalog; `category` is Jira's key: new, indeterminate, done."""

    id: str
    name: str
    category: str | None = None


@dataclass(frozen=True, slots=True)
class Project:
    id: str
    key: str
    name: str


@dataclass(frozen=True, slots=True)
class User:
    """A person; `id` is the Cloud accountId or the Data Center user key/name."""

    id: str
    display_name: str
    email: str | None = None


@dataclass(frozen=True, slots=True)
class SavedFilter:
    id: str
    name: str
    jql: str
    owner: str | None = None
