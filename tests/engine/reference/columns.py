"""The reference model's column sets and titles (docs/reports.md "Columns").

Which statuses and assignees get a column, in which order, and what each is called.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from dwelltime.domain.issues import ASSIGNEE_FIELD, STATUS_FIELD, Issue, Status
from dwelltime.params.model import ReportParams
from tests.engine.reference.visits import ordered_histories

UNASSIGNED = "Unassigned"
OTHER_USERS = "<everyone else>"
OTHER_USERS_TITLE = "Other Users"


def list_fields(params: ReportParams) -> list[str]:
    """The field columns of the List sheet: `fields` except summary (always shown)."""
    return [field_id for field_id in params.fields if field_id != "summary"]


def disambiguated(ids: Sequence[str | None], names: Sequence[str]) -> list[str]:
    """Titles: a name shared by two columns becomes `Name (id)` on each of them."""
    counts = Counter(names)
    return [
        f"{name} ({ident})" if counts[name] > 1 else name
        for ident, name in zip(ids, names, strict=True)
    ]


def history_names(issues: Iterable[Issue], field_id: str) -> dict[str, str]:
    """For each id: the name the latest history (by created, history id) gave it."""
    named: list[tuple[int, int, str, str]] = []
    for issue in issues:
        for history in ordered_histories(issue):
            for item in history.items:
                if item.effective_field_id != field_id:
                    continue
                for ident, name in (
                    (item.from_value, item.from_string),
                    (item.to_value, item.to_string),
                ):
                    if ident is not None and name is not None:
                        named.append((history.created_ms, history.id, ident, name))
    return {ident: name for _, _, ident, name in sorted(named, key=lambda n: (n[0], n[1]))}


def status_counts(params: ReportParams, catalog: Sequence[Status], status_id: str | None) -> bool:
    """Whether time in `status_id` counts in this report."""
    if status_id is None:
        return False
    if params.statuses is not None:
        return status_id in params.statuses
    return params.include_deleted_statuses or any(s.id == status_id for s in catalog)


def status_columns(
    params: ReportParams,
    catalog: Sequence[Status],
    visited: set[str],
    issues: Sequence[Issue],
) -> list[tuple[str, str]]:
    """(status id, title) of every status column, in column order."""
    if params.statuses is not None:
        ids = list(params.statuses)
    else:
        ids = [status.id for status in catalog if status.id in visited]
        if params.include_deleted_statuses:
            known = {status.id for status in catalog}
            ids += sorted((s for s in visited if s not in known), key=int)
    return list(zip(ids, status_titles(ids, catalog, issues), strict=True))


def status_titles(
    ids: Sequence[str], catalog: Sequence[Status], issues: Sequence[Issue]
) -> list[str]:
    """Titles of these statuses shown together: catalog name, else the latest history name."""
    catalog_names = {status.id: status.name for status in catalog}
    seen_names = history_names(issues, STATUS_FIELD)
    names = [catalog_names.get(ident) or seen_names.get(ident) or ident for ident in ids]
    return disambiguated(ids, names)


def assignee_columns(
    issues: Sequence[Issue], visited: set[str | None], selected: Sequence[str] | None = None
) -> list[tuple[str | None, str]]:
    """(account id or None, title) of every visited assignee: by title, Unassigned last.

    With a selection: the selected people visited, in the selection's order, then
    OTHER_USERS (anyone else visited), then Unassigned."""
    names = history_names(issues, ASSIGNEE_FIELD)
    for issue in issues:
        if issue.assignee_id is not None and issue.assignee_name is not None:
            names[issue.assignee_id] = issue.assignee_name

    def title(ident: str) -> str:
        return names.get(ident, ident)

    if selected is not None:
        shown: list[str | None] = [ident for ident in selected if ident in visited]
        named = [title(str(ident)) for ident in shown]
        if any(ident is not None and ident not in selected for ident in visited):
            shown.append(OTHER_USERS)
            named.append(OTHER_USERS_TITLE)
        if None in visited:
            shown.append(None)
            named.append(UNASSIGNED)
        return list(zip(shown, disambiguated(shown, named), strict=True))
    people = sorted(
        (ident for ident in visited if ident is not None),
        key=lambda ident: (title(ident).lower(), title(ident), ident),
    )
    titles = disambiguated(people, [title(ident) for ident in people])
    columns: list[tuple[str | None, str]] = list(zip(people, titles, strict=True))
    if None in visited:
        columns.append((None, UNASSIGNED))
    return columns


def person_column(person: str | None, selected: Sequence[str] | None) -> str | None:
    """The column a person's time goes to: their own, or Other Users outside a selection."""
    if selected is None or person is None or person in selected:
        return person
    return OTHER_USERS
