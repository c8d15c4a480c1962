"""Jira JSON files recognised by shape and read into one `StoreData` per file.

Shapes: search responses (v2/v3), arrays of issues, single issues, NDJSON, v3 changelog
pages, /changelog/bulkfetch responses and /status arrays. Pure except for reading the file.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dwelltime.domain.issues import Project, Status, User
from dwelltime.domain.sites import site_of_link
from dwelltime.errors import ImportRejected
from dwelltime.sources.jira_json.issues import ParsedIssue, parse_histories, parse_issue
from dwelltime.sources.jira_json.values import integer_id
from dwelltime.sources.store.issue_store import ChangelogPart, StoreData

_CHANGELOG_URL = re.compile(r"/issue/(\d+)/changelog")
_LEADING_ID = re.compile(r"^(\d+)")


@dataclass(frozen=True, slots=True)
class ParsedFile:
    """One file's content, ready for one write, and what the user should be told."""

    data: StoreData
    warnings: tuple[str, ...] = ()
    sites: frozenset[str] = frozenset()  # what the `self` links name (domain.sites)

    @property
    def is_changelog_only(self) -> bool:
        """Changelogs without issues: they join issues that must be stored first."""
        return bool(self.data.changelogs) and not self.data.issues


def read_file(path: Path, statuses_only: bool = False) -> ParsedFile:
    """Parse `path`; any problem raises ImportRejected naming the place (not the file)."""
    try:
        return parse_documents(_documents(path.read_bytes()), path.name, statuses_only)
    except RecursionError:
        # JSON nested thousands deep is no Jira response; Python's parser gives up first.
        raise ImportRejected("is nested too deeply to be Jira data") from None


def parse_documents(
    documents: list[Any], name: str = "response", statuses_only: bool = False
) -> ParsedFile:
    """Parsed JSON documents (a file's, or a live Jira's answers) read as one file would be.

    `name` stands in for a file name where a changelog page does not say its issue.
    """
    collector = _Collector(name)
    for document in documents:
        if statuses_only:
            collector.statuses(document)
        else:
            collector.document(document)
    return collector.result()


def _documents(raw: bytes) -> list[Any]:
    """The JSON document of the file, or each line's when the file is NDJSON."""
    bom = 3 if raw.startswith(b"\xef\xbb\xbf") else 0
    try:
        text = raw[bom:].decode("utf-8")
    except UnicodeDecodeError as error:
        raise ImportRejected(f"not UTF-8 at byte {error.start + bom}") from None
    try:
        return [json.loads(text)]
    except json.JSONDecodeError as error:
        if error.msg != "Extra data":
            raise _syntax_error(text, error, bom) from None
    documents = []
    offset = bom
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        if line.strip():
            try:
                documents.append(json.loads(line))
            except json.JSONDecodeError as error:
                raise ImportRejected(
                    f"line {number} is not JSON (NDJSON file) at byte "
                    f"{offset + len(line[: error.pos].encode())}: {error.msg}"
                ) from None
        offset += len(line.encode())
    return documents


def _syntax_error(text: str, error: json.JSONDecodeError, bom: int) -> ImportRejected:
    byte = bom + len(text[: error.pos].encode())
    # An unterminated string runs to the end of the text, so it too means a cut-off file.
    cut = error.pos >= len(text.rstrip()) or error.msg.startswith("Unterminated string")
    ending = " (the file ends early: truncated?)" if cut else ""
    return ImportRejected(
        f"not valid JSON at byte {byte} (line {error.lineno}, column {error.colno}): "
        f"{error.msg}{ending}"
    )


class _Collector:
    """Gathers what a file's documents hold into one StoreData."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._issues: list[ParsedIssue] = []
        self._statuses: dict[str, Status] = {}
        self._changelogs: list[ChangelogPart] = []
        self._users: dict[str, User] = {}
        self._sites: set[str] = set()

    def document(self, document: Any) -> None:
        if isinstance(document, list):
            self._list(document)
        elif not isinstance(document, dict):
            raise ImportRejected("holds neither an object nor an array of Jira data")
        elif isinstance(document.get("issues"), list):
            self._list(document["issues"], "issues")
        elif isinstance(document.get("issueChangeLogs"), list):
            for index, entry in enumerate(document["issueChangeLogs"]):
                self._bulk_changelog(entry, index)
        elif isinstance(document.get("values"), list):
            self._changelog_page(document)
        elif "key" in document or "fields" in document:
            self._issue(document, "the issue")
        else:
            raise ImportRejected(
                "is not a Jira response this import knows (search results, issues, "
                "changelog pages, bulkfetch changelogs or statuses)"
            )

    def statuses(self, document: Any) -> None:
        if not isinstance(document, list):
            raise ImportRejected("a status list must be a JSON array (/rest/api/2/status)")
        for index, entry in enumerate(document):
            self._status(entry, index)

    def result(self) -> ParsedFile:
        projects: dict[str, Project] = {}
        for parsed in self._issues:
            if parsed.project is not None:
                projects[parsed.project.id] = parsed.project
            self._users.update((user.id, user) for user in parsed.users)
        data = StoreData(
            issues=[parsed.issue for parsed in self._issues],
            statuses=list(self._statuses.values()),
            projects=list(projects.values()),
            users=list(self._users.values()),
            changelogs=self._changelogs,
            partial_issue_ids=frozenset(p.issue.id for p in self._issues if not p.complete),
        )
        warnings = tuple(p.warning for p in self._issues if p.warning is not None)
        return ParsedFile(data=data, warnings=warnings, sites=frozenset(self._sites))

    def _list(self, items: list[Any], name: str = "array") -> None:
        if items and all(_is_status(item) for item in items):
            self.statuses(items)
            return
        for index, item in enumerate(items):
            self._issue(item, f"{name}[{index}]")

    def _issue(self, raw: Any, where: str) -> None:
        self._issues.append(parse_issue(raw, where))
        self._note_site(raw.get("self"))

    def _note_site(self, link: Any) -> None:
        site = site_of_link(link)
        if site is not None:
            self._sites.add(site)

    def _status(self, entry: Any, index: int) -> None:
        if not isinstance(entry, dict) or entry.get("id") is None or not entry.get("name"):
            raise ImportRejected(f"status [{index}] has no id or name")
        category = entry.get("statusCategory")
        key = category.get("key") if isinstance(category, dict) else None
        status = Status(id=str(entry["id"]), name=str(entry["name"]), category=key)
        self._statuses[status.id] = status

    def _bulk_changelog(self, entry: Any, index: int) -> None:
        if not isinstance(entry, dict):
            raise ImportRejected(f"issueChangeLogs[{index}] is not an object")
        issue_id = integer_id(entry.get("issueId"), f"issueChangeLogs[{index}] issueId")
        self._add_changelog(issue_id, entry.get("changeHistories"))

    def _changelog_page(self, page: dict[str, Any]) -> None:
        # The page itself does not say whose it is: its `self` URL or the file name does.
        # Other paged Jira lists ({"self": ".../project/search", "values": [...]}) share
        # the shape, so a `self` URL that is not a changelog's settles it.
        self_url = page.get("self")
        if isinstance(self_url, str) and "/changelog" not in self_url:
            raise ImportRejected(f"is a paged list of {self_url}, not issues or changelogs")
        found = _CHANGELOG_URL.search(str(self_url or ""))
        found = found or _LEADING_ID.match(self._name)
        if found is None:
            raise ImportRejected(
                "is a changelog page that does not say its issue: its `self` URL has no "
                "/issue/{id}/changelog and the file name does not start with the issue id"
            )
        self._note_site(self_url)
        self._add_changelog(int(found.group(1)), page["values"])

    def _add_changelog(self, issue_id: int, entries: Any) -> None:
        histories, users = parse_histories(entries, f"changelog of issue {issue_id}")
        self._changelogs.append(ChangelogPart(issue_id, histories))
        self._users.update((user.id, user) for user in users)


def _is_status(item: Any) -> bool:
    return isinstance(item, dict) and "statusCategory" in item and "fields" not in item
