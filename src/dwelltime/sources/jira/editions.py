"""The two Jira REST dialects behind one `SiteApi`: Cloud v3 and Data Center v2.

Each lists a JQL selection cheaply (ids, keys and dates only) and fetches issues with their
*complete* changelogs, shaped as a search response that `sources.jira_json` reads:
Cloud through search/jql pages plus /changelog/bulkfetch (the per-issue /changelog pages
when bulkfetch is missing), Data Center through /search?expand=changelog, completing
every changelog whose `total` exceeds what came back.
"""

from __future__ import annotations

import functools
import itertools
import operator
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

import polars as pl

from dwelltime.errors import InvalidParameters, SourceError
from dwelltime.sources.jira.client import JiraAnswer, JiraClient
from dwelltime.sources.jira_json.values import integer_id, offset_instant, optional_instant

#: Issues per full-fetch page (both editions cap pages of full issues at 100).
FETCH_PAGE = 100
#: Issues per listing page: Cloud gives up to 5,000 when only ids and dates are asked for.
CLOUD_LISTING_PAGE = 5000
DATACENTER_LISTING_PAGE = 1000
#: Changelog histories per bulkfetch page (Jira's maximum).
BULKFETCH_PAGE = 1000
#: Restarts of a listing whose page token expired before the listing is given up.
LISTING_RESTARTS = 3
#: What a listing always asks for: the mirror compares `updated` with the store's copy.
#: Date filters on `created` or `resolved` add that field (`listing_fields`).
LISTING_FIELDS = ("updated",)
#: What a listing of ids alone asks for (Cloud's search/jql pages are cheapest so: a
#: re-export whose store confirmed the selection before asks Jira only which ids it
#: holds and, in a second search, which of them changed since, `confirmed`).
ID_FIELDS = ("id",)
#: The Jira field of each date filter.
DATE_FIELDS = {"created": "created", "resolved": "resolutiondate", "updated": "updated"}


@dataclass(frozen=True, slots=True)
class Fetched:
    """A search-shaped response of issues; `fields`: the only fields whose histories it
    holds (bulkfetch with `fieldIds`), None when it holds every field's."""

    document: dict[str, Any]
    fields: frozenset[str] | None = None


class Listed(NamedTuple):
    """One issue of a listing: enough to decide whether the store's copy is current (a
    tuple: a re-export builds one per issue of its selection). A listing of `ID_FIELDS`
    holds ids only: its keys are "" and its dates None."""

    id: int
    key: str
    updated_ms: int | None
    created_ms: int | None
    resolved_ms: int | None


#: Told each page of a listing as it is read, in order, with the position of its first
#: entry; a page at 0 again means the listing started over (an expired page token), so
#: what was heard before it is void.
PageHook = Callable[[int, list[Listed]], None]


class SiteApi(Protocol):
    client: JiraClient
    #: Issues per id range when a listing is asked as ranges at once (`id_ranges`); None
    #: where the edition's own pages already go in parallel.
    listing_range: int | None
    #: A selection the store confirmed more issues of than this is listed by
    #: `ID_FIELDS` alone and a search of what changed since (`confirmed`); None: never,
    #: where a listing of ids is not much cheaper (Data Center's search sends id, key and
    #: self whatever is asked).
    ids_listing_from: int | None

    def listing(
        self, jql: str, fields: Sequence[str] = LISTING_FIELDS, on_page: PageHook | None = None
    ) -> list[Listed]:
        """Every issue `jql` selects for this user, in Jira's order, with `fields` (dates
        among `updated`, `created`, `resolutiondate`) and nothing more; `on_page` hears
        each page as it arrives, so a caller can work on it while the next is asked for."""
        ...

    def fetch(self, ids: Sequence[int], fields: frozenset[str] | None = None) -> Fetched:
        """`ids` with complete changelogs: of every field, or where the edition can cut
        them, of `fields` only (None: every field)."""
        ...

    def statuses(self) -> list[Any]: ...

    def filter_jql(self, filter_id: str) -> str | None:
        """A saved filter's JQL, or None when this user cannot see it."""
        ...

    def sprint(self, sprint_id: str) -> dict[str, Any] | None: ...

    def myself(self) -> dict[str, Any]:
        """The user the credentials authenticate as (raises JiraAnswer on 401/403)."""
        ...

    def approximate_count(self, jql: str) -> int | None:
        """Jira's estimate of how many issues `jql` selects, when the edition has one."""
        ...


def site_api(client: JiraClient) -> SiteApi:
    """The API of the client's edition."""
    if client.credentials.edition == "cloud":
        return CloudApi(client)
    return DataCenterApi(client)


def listing_fields(date_field: str | None) -> tuple[str, ...]:
    """The fields a listing asks for: `updated`, and the date a filter bounds, if any."""
    extra = DATE_FIELDS.get(date_field or "", "updated")
    return LISTING_FIELDS if extra in LISTING_FIELDS else (*LISTING_FIELDS, extra)


def listed(raw: Any) -> Listed:
    """A listing entry from an issue object carrying listing fields (absent ones: None).

    A re-export parses one per issue of its selection: what Jira always sends (a string
    id of digits, ISO 8601 dates with an offset) takes a short path, anything else the
    full checks (and their messages)."""
    if not isinstance(raw, dict):
        raise SourceError(f"Jira listed something that is not an issue: {str(raw)[:80]}")
    key = str(raw.get("key"))
    fields = raw.get("fields")
    if not isinstance(fields, dict):
        fields = {}
    raw_id = raw.get("id")
    return Listed(
        int(raw_id) if type(raw_id) is str and raw_id.isdigit() else _id(raw_id, key),
        key,
        _listed_date(fields, "updated", key),
        _listed_date(fields, "created", key),
        _listed_date(fields, "resolutiondate", key),
    )


def listed_page(raws: Any) -> list[Listed]:
    """A listing page's entries, as `listed` reads each: a re-export reads one per issue
    of its selection, so what Jira always sends (issue objects with a string id of digits,
    a string key and a `fields` object) is read column by column, its dates parsed by
    polars at once; any other entry, or a date polars does not read, takes `listed`'s
    path with its checks and messages."""
    if not isinstance(raws, list):
        return []
    only_ids = _ids_only(raws)
    if only_ids is not None:
        return only_ids
    try:
        ids = [raw["id"] for raw in raws]
        # A listing of ids alone (`ID_FIELDS`) sends neither keys nor fields.
        keys = [raw.get("key", "") for raw in raws]
        fields = [raw.get("fields", _NO_FIELDS) for raw in raws]
        usual = all(type(i) is str and i.isdigit() for i in ids) and all(
            type(key) is str for key in keys
        )
        usual = usual and all(type(found) is dict for found in fields)
    except (TypeError, KeyError, AttributeError):
        usual = False
    if not usual:
        return [listed(raw) for raw in raws]
    dates = [_page_dates(raws, fields, name) for name in LISTED_DATES]
    # Built as the tuples they are: the named tuple's own constructor, a Python
    # function, was a third of reading a page.
    return list(map(_new_listed, zip(map(int, ids), keys, *dates, strict=True)))


def _ids_only(raws: list[Any]) -> list[Listed] | None:
    """A page of ids alone (`ID_FIELDS`: Cloud sends `{"id": "10001"}` per issue), read
    in passes that run in C, not Python, but for the entries' making; None for any other
    page (read as `listed_page` reads every page)."""
    try:
        if set(map(len, raws)) != {1}:
            return None
        ids = list(map(_ID_OF, raws))
        joined = "".join(ids)
        if not (all(ids) and joined.isascii() and joined.isdigit()):
            return None
    except (TypeError, KeyError):
        return None
    return [_new_listed((issue_id, "", None, None, None)) for issue_id in map(int, ids)]


_ID_OF = operator.itemgetter("id")
_new_listed = functools.partial(tuple.__new__, Listed)
_NO_FIELDS: dict[str, Any] = {}
#: The dates a listing entry holds, in `Listed`'s order.
LISTED_DATES = ("updated", "created", "resolutiondate")
#: Jira's date text (`2025-01-31T09:30:00.000+0100`) as polars reads it.
_JIRA_DATE = "%Y-%m-%dT%H:%M:%S%.f%z"


def _page_dates(raws: list[Any], fields: list[dict[str, Any]], name: str) -> list[int | None]:
    """Field `name` of every entry of a page in epoch ms; what polars does not read (a
    `Z` offset, epoch ms, a wrong date) is read as `listed` reads it."""
    texts = [found.get(name) for found in fields]
    if all(text is None for text in texts):
        return texts
    try:
        parsed = (
            pl.Series(texts, dtype=pl.String)
            .str.to_datetime(_JIRA_DATE, time_unit="ms", strict=False)
            .dt.epoch("ms")
            .to_list()
        )
    except (TypeError, pl.exceptions.PolarsError):
        parsed = [None] * len(texts)
    return [
        instant
        if instant is not None or text is None
        else _listed_date(found, name, str(raw.get("key")))
        for instant, text, found, raw in zip(parsed, texts, fields, raws, strict=True)
    ]


def _id(value: Any, key: str) -> int:
    return integer_id(value, f"issue {key} id")


def _listed_date(fields: dict[str, Any], name: str, key: str) -> int | None:
    """A listed date; the fields a listing did not ask for cost no call and no message."""
    value = fields.get(name)
    if value is None:
        return None
    instant = offset_instant(value)
    return instant if instant is not None else optional_instant(value, f"issue {key} {name}")


def ids_jql(ids: Sequence[int]) -> str:
    return f"id in ({','.join(map(str, ids))})"


def _ordered(issues: list[Any], ids: Sequence[int]) -> list[Any]:
    by_id = {str(issue.get("id")): issue for issue in issues if isinstance(issue, dict)}
    return [by_id[str(i)] for i in ids if str(i) in by_id]


def _is_expired_token(error: JiraAnswer) -> bool:
    return error.status == 400 and "token" in error.body.lower()


def _refused_selection(error: JiraAnswer) -> Exception:
    """A 400 to the selection's own search is JQL Jira cannot run (an unknown field, a typo):
    the caller's input, so it is refused as bad parameters with Jira's words, not a 502."""
    return InvalidParameters([str(error)]) if error.status == 400 else error


def _get_or_none(client: JiraClient, path: str) -> Any:
    try:
        return client.get(path)
    except JiraAnswer as error:
        if error.status in (400, 403, 404):
            return None
        raise


class _Catalogs:
    """What both editions serve alike but for the REST version in the path."""

    version = ""

    def __init__(self, client: JiraClient) -> None:
        self.client = client

    def statuses(self) -> list[Any]:
        return list(self.client.get(f"/rest/api/{self.version}/status") or [])

    def filter_jql(self, filter_id: str) -> str | None:
        found = _get_or_none(self.client, f"/rest/api/{self.version}/filter/{filter_id}")
        return str(found["jql"]) if isinstance(found, dict) and found.get("jql") else None

    def sprint(self, sprint_id: str) -> dict[str, Any] | None:
        found = _get_or_none(self.client, f"/rest/agile/1.0/sprint/{sprint_id}")
        return found if isinstance(found, dict) else None

    def myself(self) -> dict[str, Any]:
        found = self.client.get(f"/rest/api/{self.version}/myself")
        return found if isinstance(found, dict) else {}


class CloudApi(_Catalogs):
    """Jira Cloud, REST v3."""

    version = "3"
    #: A range a page: each range is then one request, as its page would have been.
    listing_range: int | None = CLOUD_LISTING_PAGE
    #: Up to a page, `updated` is listed in one request; ids and what changed take two.
    ids_listing_from: int | None = CLOUD_LISTING_PAGE

    def listing(
        self, jql: str, fields: Sequence[str] = LISTING_FIELDS, on_page: PageHook | None = None
    ) -> list[Listed]:
        for _ in range(LISTING_RESTARTS + 1):
            entries: list[Listed] = []
            try:
                for page in self._search_pages(jql, fields):
                    read = listed_page(page)
                    if on_page is not None:
                        on_page(len(entries), read)
                    entries.extend(read)
                return entries
            except JiraAnswer as error:
                if not _is_expired_token(error):
                    raise _refused_selection(error) from error
                # An expired token cannot be resumed: the listing starts over (it is cheap).
        raise SourceError(
            f"Jira at {self.client.credentials.site_url} kept expiring the search's page "
            f"token; the listing was restarted {LISTING_RESTARTS} times."
        )

    def _search_pages(self, jql: str, fields: Sequence[str]) -> Iterator[list[Any]]:
        """The listing's pages; each next page is asked for as soon as its token is known,
        so reading one page overlaps the round trip of the next (paging stays sequential)."""

        def page_after(token: str | None) -> Any:
            body: dict[str, Any] = {
                "jql": jql,
                "fields": list(fields),
                "maxResults": CLOUD_LISTING_PAGE,
            }
            if token:
                body["nextPageToken"] = token
            return self.client.post("/rest/api/3/search/jql", body)

        with ThreadPoolExecutor(1, thread_name_prefix="jira-listing") as ahead:
            coming: Future[Any] | None = ahead.submit(page_after, None)
            while coming is not None:
                page = coming.result()
                token = page.get("nextPageToken")
                more = bool(token) and page.get("isLast") is not True
                coming = ahead.submit(page_after, token) if more else None
                yield page.get("issues") or []

    def fetch(self, ids: Sequence[int], fields: frozenset[str] | None = None) -> Fetched:
        issues: list[Any] = []
        for start in range(0, len(ids), FETCH_PAGE):
            chunk = ids[start : start + FETCH_PAGE]
            page = self.client.post(
                "/rest/api/3/search/jql",
                {"jql": ids_jql(chunk), "fields": ["*all"], "maxResults": FETCH_PAGE},
            )
            issues.extend(page.get("issues") or [])
        histories, cut = self._changelogs([int(issue["id"]) for issue in issues], fields)
        for issue in issues:
            found = histories.get(int(issue["id"]), [])
            issue["changelog"] = {"startAt": 0, "total": len(found), "histories": found}
        return Fetched({"issues": _ordered(issues, ids)}, fields if cut else None)

    def _changelogs(
        self, ids: Sequence[int], fields: frozenset[str] | None
    ) -> tuple[dict[int, list[Any]], bool]:
        """Histories by issue, and whether they were cut to `fields` (bulkfetch only)."""
        found: dict[int, list[Any]] = {i: [] for i in ids}
        if not ids:
            return found, fields is not None
        try:
            for entry in self._bulkfetch(ids, fields):
                found[integer_id(entry.get("issueId"), "bulkfetch issueId")].extend(
                    entry.get("changeHistories") or []
                )
        except JiraAnswer as error:
            if error.status not in (404, 405):
                raise
            # A site without bulkfetch: each issue's /changelog (every field), pages in
            # parallel issues.
            with ThreadPoolExecutor(self.client.concurrency) as pool:
                for issue_id, histories in pool.map(self._issue_changelog, ids):
                    found[issue_id] = histories
            return found, False
        return found, fields is not None

    def _bulkfetch(
        self, ids: Sequence[int], fields: frozenset[str] | None
    ) -> Iterator[dict[str, Any]]:
        for start in range(0, len(ids), BULKFETCH_PAGE):
            body: dict[str, Any] = {
                "issueIdsOrKeys": [str(i) for i in ids[start : start + BULKFETCH_PAGE]],
                "maxResults": BULKFETCH_PAGE,
            }
            if fields is not None:
                body["fieldIds"] = sorted(fields)
            while True:
                page = self.client.post("/rest/api/3/changelog/bulkfetch", body)
                yield from page.get("issueChangeLogs") or []
                token = page.get("nextPageToken")
                if not token:
                    break
                body = {**body, "nextPageToken": token}

    def _issue_changelog(self, issue_id: int) -> tuple[int, list[Any]]:
        histories: list[Any] = []
        while True:
            page = self.client.get(
                f"/rest/api/3/issue/{issue_id}/changelog",
                {"startAt": len(histories), "maxResults": 100},
            )
            values = page.get("values") or []
            histories.extend(values)
            total = page.get("total")
            if (
                page.get("isLast", True)
                or not values
                or (isinstance(total, int) and len(histories) >= total)
            ):
                return issue_id, histories

    def approximate_count(self, jql: str) -> int | None:
        answer = self.client.post("/rest/api/3/search/approximate-count", {"jql": jql})
        count = answer.get("count") if isinstance(answer, dict) else None
        return count if isinstance(count, int) else None


class DataCenterApi(_Catalogs):
    """Jira Data Center (and Server), REST v2."""

    version = "2"
    #: Its pages (by startAt) are asked in parallel once the first tells the total.
    listing_range: int | None = None
    ids_listing_from: int | None = None

    def listing(
        self, jql: str, fields: Sequence[str] = LISTING_FIELDS, on_page: PageHook | None = None
    ) -> list[Listed]:
        """The first page tells the total; the others (by startAt) are asked in parallel
        and heard in order."""
        names = ",".join(fields)
        try:
            first = self._search(jql, 0, DATACENTER_LISTING_PAGE, names)
        except JiraAnswer as error:
            raise _refused_selection(error) from error
        entries: list[Listed] = []
        size = len(first.get("issues") or [])
        total = int(first.get("total") or 0)
        starts = range(size, total, size) if size else range(0)
        with ThreadPoolExecutor(self.client.concurrency) as pool:
            rest = pool.map(lambda start: self._search(jql, start, size, names), starts)
            for page in itertools.chain([first], rest):
                read = listed_page(page.get("issues") or [])
                if on_page is not None:
                    on_page(len(entries), read)
                entries.extend(read)
        return entries

    def _search(self, jql: str, start: int, size: int, fields: str, expand: str = "") -> Any:
        params: dict[str, str | int] = {
            "jql": jql,
            "startAt": start,
            "maxResults": size,
            "fields": fields,
        }
        if expand:
            params["expand"] = expand
        return self.client.get("/rest/api/2/search", params)

    def fetch(self, ids: Sequence[int], fields: frozenset[str] | None = None) -> Fetched:
        """Data Center cannot cut changelogs to fields: `fields` is ignored."""
        del fields
        issues: list[Any] = []
        for start in range(0, len(ids), FETCH_PAGE):
            chunk = ids[start : start + FETCH_PAGE]
            page = self._search(ids_jql(chunk), 0, FETCH_PAGE, "*all", "changelog")
            issues.extend(page.get("issues") or [])
        truncated = [issue for issue in issues if _is_truncated(issue)]
        with ThreadPoolExecutor(self.client.concurrency) as pool:
            for issue, complete in zip(
                truncated, pool.map(self._full_changelog, truncated), strict=True
            ):
                issue["changelog"] = complete
        return Fetched({"issues": _ordered(issues, ids)})

    def _full_changelog(self, issue: dict[str, Any]) -> Any:
        # Data Center has no changelog pages: the issue resource expands all of it at once.
        full = self.client.get(
            f"/rest/api/2/issue/{issue['id']}", {"fields": "created", "expand": "changelog"}
        )
        changelog = full.get("changelog") if isinstance(full, dict) else None
        if not isinstance(changelog, dict) or _is_truncated(full):
            raise SourceError(
                f"Jira at {self.client.credentials.site_url} returned an incomplete changelog "
                f"for issue {issue.get('key')} even on its own."
            )
        return changelog

    def approximate_count(self, jql: str) -> int | None:
        page = self._search(jql, 0, 0, "id")
        total = page.get("total") if isinstance(page, dict) else None
        return total if isinstance(total, int) else None


def _is_truncated(issue: dict[str, Any]) -> bool:
    changelog = issue.get("changelog")
    if not isinstance(changelog, dict):
        return True
    total = changelog.get("total")
    histories = changelog.get("histories") or []
    return isinstance(total, int) and total > len(histories)
