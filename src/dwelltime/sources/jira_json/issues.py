"""Jira REST issue and changelog JSON (v2 and v3) read into domain objects.

Pure: no files, no database. Every problem raises ImportRejected naming the issue and
the value; the importer adds the file name.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from dwelltime.domain.issues import ChangeItem, History, Issue, Project, SprintRef, User
from dwelltime.errors import ImportRejected
from dwelltime.sources.jira_json.values import (
    integer_id,
    is_sprint_value,
    optional_instant,
    parse_instant,
    parse_sprints,
    user_id,
    user_name,
    user_of,
)

#: Jira fields held in Issue's promoted attributes; every other field stays in `fields`.
PROMOTED_JIRA_FIELDS = frozenset(
    {
        "summary",
        "status",
        "issuetype",
        "priority",
        "assignee",
        "reporter",
        "project",
        "created",
        "updated",
        "resolutiondate",
        "resolution",
        "labels",
        "components",
        "fixVersions",
    }
)
_ITEM_TEXTS = ("from", "fromString", "to", "toString")


@dataclass(frozen=True, slots=True)
class ParsedIssue:
    """An issue read from JSON, with what it teaches the catalogs.

    `complete` is False when the JSON holds only part of the changelog (Jira truncated
    it, or it was fetched without expand=changelog): the store then merges these
    histories into the ones it has instead of replacing them.
    """

    issue: Issue
    complete: bool
    project: Project | None
    users: tuple[User, ...]
    warning: str | None = None


def parse_issue(raw: Any, where: str) -> ParsedIssue:
    """One issue object as /search, /issue/{key} or an export returns it."""
    if not isinstance(raw, dict):
        raise ImportRejected(f"{where}: an issue must be a JSON object, not {_kind(raw)}")
    key = raw.get("key")
    if not isinstance(key, str) or not key:
        raise ImportRejected(f"{where}: an issue has no key")
    what = f"issue {key}"
    fields = raw.get("fields")
    if not isinstance(fields, dict):
        raise ImportRejected(f"{what}: has no fields object")
    if fields.get("created") is None:
        raise ImportRejected(f"{what}: has no created date")
    histories, authors = _changelog(raw, what)
    project_raw = fields.get("project")
    project = _project(project_raw)
    status_raw = fields.get("status")
    status = status_raw if isinstance(status_raw, dict) else {}
    issue = Issue(
        id=integer_id(raw.get("id"), f"{what} id"),
        key=key,
        project_key=project.key if project else key.rsplit("-", 1)[0],
        project_name=project.name if project else None,
        summary=str(fields.get("summary") or ""),
        created_ms=parse_instant(fields.get("created"), f"{what} created"),
        updated_ms=optional_instant(fields.get("updated"), f"{what} updated"),
        resolution_date_ms=optional_instant(fields.get("resolutiondate"), f"{what} resolutiondate"),
        status_id=_text(status.get("id")),
        status_name=_text(status.get("name")),
        issue_type=_name(fields.get("issuetype")),
        priority=_name(fields.get("priority")),
        resolution=_name(fields.get("resolution")),
        assignee_id=user_id(fields.get("assignee")),
        assignee_name=user_name(fields.get("assignee")),
        reporter_id=user_id(fields.get("reporter")),
        reporter_name=user_name(fields.get("reporter")),
        labels=_labels(fields.get("labels")),
        components=_names(fields.get("components")),
        fix_versions=_names(fields.get("fixVersions")),
        sprints=_sprints(fields, what),
        fields={name: value for name, value in fields.items() if name not in PROMOTED_JIRA_FIELDS},
        histories=histories,
    )
    people = [fields.get(name) for name in ("assignee", "reporter", "creator")]
    changelog = raw.get("changelog")
    total = changelog.get("total") if isinstance(changelog, dict) else None
    warning = None
    if changelog is None:
        warning = f"{key}: no changelog in the file (fetch it with expand=changelog)"
    elif isinstance(total, int) and total > len(histories):
        warning = (
            f"{key}: the file holds {len(histories)} of {total} histories (Jira truncated the "
            f"changelog); import /rest/api/3/issue/{issue.id}/changelog pages to complete it"
        )
    return ParsedIssue(
        issue=issue,
        complete=warning is None,
        project=project,
        users=tuple({user.id: user for user in (*_users(people), *authors)}.values()),
        warning=warning,
    )


def parse_histories(raw: Any, what: str) -> tuple[tuple[History, ...], tuple[User, ...]]:
    """A list of changelog entries (any order) and the users who authored them."""
    if not isinstance(raw, list):
        raise ImportRejected(f"{what}: histories must be a list, not {_kind(raw)}")
    histories = tuple(
        sorted(
            (_history(entry, what) for entry in raw),
            key=lambda history: (history.created_ms, history.id),
        )
    )
    return histories, _users(entry.get("author") for entry in raw)


def _changelog(raw: dict[str, Any], what: str) -> tuple[tuple[History, ...], tuple[User, ...]]:
    changelog = raw.get("changelog")
    if changelog is None:
        return (), ()
    if not isinstance(changelog, dict):
        raise ImportRejected(f"{what}: changelog must be an object, not {_kind(changelog)}")
    return parse_histories(changelog.get("histories", []), what)


def _history(entry: Any, what: str) -> History:
    if not isinstance(entry, dict):
        raise ImportRejected(f"{what}: a history must be an object, not {_kind(entry)}")
    history_id = integer_id(entry.get("id"), f"{what} history id")
    where = f"{what} history {history_id}"
    items = entry.get("items")
    if not isinstance(items, list):
        raise ImportRejected(f"{where}: items must be a list, not {_kind(items)}")
    author = entry.get("author")
    return History(
        id=history_id,
        created_ms=parse_instant(entry.get("created"), f"{where} created"),
        author_id=user_id(author),
        author_name=user_name(author),
        items=tuple(_item(item, where) for item in items),
    )


def _item(item: Any, where: str) -> ChangeItem:
    if not isinstance(item, dict) or not isinstance(item.get("field"), str):
        raise ImportRejected(f"{where}: a change item of unknown shape: {str(item)[:120]}")
    texts: dict[str, str | None] = {}
    for name in _ITEM_TEXTS:
        value = item.get(name)
        if isinstance(value, dict | list):
            raise ImportRejected(
                f"{where}: change item {item['field']!r} has a {_kind(value)} as {name!r}"
            )
        texts[name] = None if value is None else str(value)
    field_id = item.get("fieldId")
    field_type = item.get("fieldtype")
    return ChangeItem(
        field=item["field"],
        field_id=field_id if isinstance(field_id, str) and field_id else None,
        field_type=field_type if isinstance(field_type, str) else None,
        from_value=texts["from"],
        from_string=texts["fromString"],
        to_value=texts["to"],
        to_string=texts["toString"],
    )


def _sprints(fields: dict[str, Any], what: str) -> tuple[SprintRef, ...]:
    # The Sprint field's id differs per site (customfield_10020 on most Cloud sites), so it
    # is recognised by the shape of its value.
    found: dict[int, SprintRef] = {}
    for name, value in fields.items():
        if name not in PROMOTED_JIRA_FIELDS and is_sprint_value(value):
            for sprint in parse_sprints(value, f"{what} {name}"):
                found.setdefault(sprint.id, sprint)
    # Listed in id order (Jira's creation order), as the store reads them back.
    return tuple(sorted(found.values(), key=lambda sprint: sprint.id))


def _project(raw: Any) -> Project | None:
    if not isinstance(raw, dict) or not raw.get("key"):
        return None
    key = str(raw["key"])
    return Project(id=str(raw.get("id") or key), key=key, name=str(raw.get("name") or key))


def _users(people: Iterable[Any]) -> tuple[User, ...]:
    found: dict[str, User] = {}
    for person in people:
        user = user_of(person)
        if user is not None:
            found[user.id] = user
    return tuple(found.values())


def _labels(values: Any) -> tuple[str, ...]:
    return tuple(str(label) for label in values) if isinstance(values, list) else ()


def _name(value: Any) -> str | None:
    return _text(value.get("name")) if isinstance(value, dict) else None


def _names(values: Any) -> tuple[str, ...]:
    if not isinstance(values, list):
        return ()
    return tuple(name for name in (_name(value) for value in values) if name)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", type(None): "null"}.get(
        type(value), type(value).__name__
    )
