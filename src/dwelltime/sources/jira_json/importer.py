"""`dwelltime import`: Jira JSON files into the local store, one transaction per file.

A rejected file stores nothing and does not stop the others. Changelog-only files are
written after every file that carries issues, so their issues can come in any order.
Each file's issues belong to one site (`domain.sites`): the one given, else the one their
`self` links name.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

from dwelltime.errors import DwelltimeError, ImportRejected, NotFound
from dwelltime.sources.jira_json.documents import ParsedFile, read_file
from dwelltime.sources.store.issue_store import IssueStore, WriteCounts

#: Files a directory argument contributes.
IMPORTABLE_SUFFIXES = (".json", ".ndjson", ".jsonl")


@dataclass(frozen=True, slots=True)
class FileResult:
    """The outcome of one file: counts when stored, the reason when rejected."""

    path: Path
    counts: WriteCounts | None
    warnings: tuple[str, ...] = ()
    error: ImportRejected | None = None


def import_files(
    store: IssueStore,
    paths: Iterable[Path],
    statuses: Path | None = None,
    site: str | None = None,
) -> Iterator[FileResult]:
    """Import each file in its own transaction, yielding each outcome as it is known.

    `site` (canonical, see `domain.sites.site_url`) overrides what the files' links say.
    """
    write = partial(_write, store, site)
    if statuses is not None:
        yield write(statuses, _read(statuses, statuses_only=True))
    deferred: list[tuple[Path, ParsedFile]] = []
    for path in expand_paths(paths):
        parsed = _read(path)
        if isinstance(parsed, ParsedFile) and parsed.is_changelog_only:
            deferred.append((path, parsed))
        else:
            yield write(path, parsed)
    for path, parsed in deferred:
        yield write(path, parsed)


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given; a directory stands for its JSON files (recursively, sorted)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.suffix.lower() in IMPORTABLE_SUFFIXES and p.is_file()
                )
            )
        else:
            files.append(path)
    return files


def _read(path: Path, statuses_only: bool = False) -> ParsedFile | FileResult:
    try:
        return read_file(path, statuses_only=statuses_only)
    except ImportRejected as error:
        return _rejected(path, error.message)
    except OSError as error:
        return _rejected(path, f"cannot be read: {error.strerror or error}")


def _write(
    store: IssueStore, site: str | None, path: Path, parsed: ParsedFile | FileResult
) -> FileResult:
    if isinstance(parsed, FileResult):
        return parsed
    try:
        data = replace(parsed.data, site=_file_site(store, site, parsed))
        counts = store.write(data)
    except NotFound as error:
        return _rejected(
            path,
            f"{error.message} Import the issue first (a changelog alone has no key, "
            "project or created date); nothing of this file was stored.",
        )
    except DwelltimeError as error:
        return _rejected(path, error.message)
    return FileResult(path, counts, parsed.warnings)


def _file_site(store: IssueStore, given: str | None, parsed: ParsedFile) -> str | None:
    """The site of a file's issues; None for a file of catalogs only.

    A changelog that names no site (bulkfetch responses never do) joins the site that
    holds its issues, when only one does.
    """
    data = parsed.data
    if given is not None or not (data.issues or data.changelogs):
        return given
    sites = parsed.sites
    if not sites and parsed.is_changelog_only:
        sites = frozenset(store.sites_holding({part.issue_id for part in data.changelogs}))
    if len(sites) == 1:
        return next(iter(sites))
    if sites:
        raise ImportRejected(
            "holds issues of several Jira sites (" + ", ".join(sorted(sites)) + "): "
            "import each site's issues separately, or name one site with --site URL"
        )
    raise ImportRejected(
        "does not say which Jira site its issues come from (no `self` links): "
        "name it with --site URL, e.g. --site https://your-company.atlassian.net"
    )


def _rejected(path: Path, message: str) -> FileResult:
    return FileResult(path, None, error=ImportRejected(f"{path}: {message}"))
