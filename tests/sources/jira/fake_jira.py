"""A fake Jira (Cloud v3 and Data Center v2 on one ASGI app) serving issues from fixtures.

It answers with the real response shapes and the behaviours that break naive clients:
search changelogs truncated to 40 histories, newest first (the changelog endpoints give
them oldest first), nextPageToken paging with tokens that can expire, 429 bursts with
Retry-After, 503s, a token-bucket rate limit as Jira Cloud's burst limits (X-RateLimit-*
headers on every answer, 429 with Retry-After when the bucket is empty), latency, and a
permission filter per credential. `requests` logs every request for the tests to count.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import itertools
import math
import operator
import re
import threading
import time
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from tests.sources.jira.fixtures import STATUSES, jira_time

SEARCH_CHANGELOG_LIMIT = 40
FULL_PAGE = 100
ID_PAGE = 5000


@dataclass
class Fault:
    """The next `count` requests answer `status` with `headers`."""

    status: int
    count: int
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class FakeJira:
    issues: list[dict[str, Any]]
    #: Authorization header value -> (user name, projects the user may see).
    grants: dict[str, tuple[str, frozenset[str]]] = field(default_factory=dict)
    filters: dict[str, str] = field(default_factory=dict)
    #: Sprint id -> the issue keys in it (the Sprint field is customfield_10020).
    sprints: dict[str, set[str]] = field(default_factory=dict)
    latency_s: float = 0.0
    rate_limit: int | None = None  # requests per second, refilling a bucket of that many
    faults: list[Fault] = field(default_factory=list)
    dead: bool = False
    #: After this many requests the site dies (an interruption in the middle of a sync).
    dies_after: int | None = None
    expire_tokens: int = 0
    bulkfetch: bool = True
    listing_page: int = ID_PAGE
    #: approximate-count answers this many more than the selection holds (it is an estimate).
    count_error: int = 0
    #: Listing pages after the first wait until approximate-count has answered.
    hold_listing: bool = False
    #: approximate-count answers only after this many seconds (a slow estimate).
    count_delay_s: float = 0.0
    #: `id in (...)` naming an issue the user cannot see (or deleted) is refused with a 400,
    #: as Jira's strict JQL validation does.
    strict_ids: bool = False
    #: Runs once, when a listing's last page has been answered (an issue deleted between
    #: the listing and the fetch).
    after_listing: Callable[[], None] | None = None
    #: How far the site's clock runs ahead of this machine's: its relative dates
    #: (`updated >= -5m`) count from its own now, as a Jira whose clock differs does.
    clock_offset_ms: int = 0
    #: Hears every bulkfetch request body (the tests check its `fieldIds`).
    on_bulkfetch: Callable[[dict[str, Any]], None] | None = None
    requests: list[str] = field(default_factory=list)
    #: The JQL of every Cloud search the fake ran (a later page reuses its first's).
    searches: list[str] = field(default_factory=list)
    max_in_flight: int = 0
    throttled: int = 0  # 429s the rate limit answered

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._tokens = 0.0
        self._refilled: float | None = None  # the bucket starts full at the first request
        self._in_flight = 0
        self._counted = asyncio.Event()
        # What a real Jira's indexes give for free and a list scan per request does not:
        # each credential's visible issues by id, kept until the issues change (`_changed`);
        # a search's results kept for its later pages (its nextPageToken names them); the
        # bulkfetch `fieldIds` cut of each issue's histories. The bench's fake shares the
        # machine's cores with the client it measures, so its own cost must stay small.
        self._version = 0
        self._visible_cache: dict[frozenset[str], tuple[Any, dict[str, dict[str, Any]]]] = {}
        self._searches: dict[int, list[dict[str, Any]]] = {}
        self._search_ids = itertools.count(1)
        self._cuts: dict[tuple[str, frozenset[str]], tuple[int, list[Any]]] = {}
        #: Of each visible set (`_by_id`'s): its ids sorted, and its issues in that order.
        self._id_index: dict[frozenset[str], tuple[Any, list[int], list[dict[str, Any]]]] = {}
        #: Every issue sorted by `updated`, and those instants (`_updated_since`).
        self._updated_index: tuple[Any, list[float], list[dict[str, Any]]] | None = None

    def _changed(self) -> None:
        """The issues changed: what was derived from them is read again."""
        self._version += 1
        self._searches.clear()

    def grant(self, user: str, projects: set[str], *, email: str = "", token: str = "") -> str:
        """Register a credential; returns its token (PAT or API token)."""
        secret = token or f"token-{user}"
        if email:
            header = "Basic " + base64.b64encode(f"{email}:{secret}".encode()).decode()
        else:
            header = f"Bearer {secret}"
        self.grants[header] = (user, frozenset(projects))
        return secret

    def touch(self, key: str, at_ms: int, to_status: int = 1) -> None:
        """Give issue `key` a new status change at `at_ms` (and that `updated`)."""
        issue = next(i for i in self.issues if i["key"] == key)
        old = issue["fields"]["status"]
        new = STATUSES[to_status]
        issue["histories"].append(
            {
                "id": str(90_000 + len(self.requests) + len(issue["histories"])),
                "author": {"accountId": "acc-ada", "displayName": "Ada"},
                "created": jira_time(at_ms),
                "items": [
                    {
                        "field": "status",
                        "fieldtype": "jira",
                        "fieldId": "status",
                        "from": old["id"],
                        "fromString": old["name"],
                        "to": new["id"],
                        "toString": new["name"],
                    }
                ],
            }
        )
        issue["fields"]["status"] = new
        issue["fields"]["updated"] = jira_time(at_ms)
        self._changed()

    def delete(self, key: str) -> None:
        """Delete issue `key` from Jira."""
        self.issues = [issue for issue in self.issues if issue["key"] != key]
        self._changed()

    def move(self, key: str, project: str, number: int, at_ms: int) -> str:
        """Move issue `key` to `project` as its issue `number` at `at_ms`, as Jira does: the
        id stays, the key changes (and `updated`). Returns the new key."""
        issue = next(i for i in self.issues if i["key"] == key)
        known = {i["fields"]["project"]["key"]: i["fields"]["project"] for i in self.issues}
        issue["key"] = f"{project}-{number}"
        issue["fields"]["project"] = dict(known.get(project) or {"id": "999", "key": project})
        issue["fields"]["updated"] = jira_time(at_ms)
        self._changed()
        return str(issue["key"])

    def now_ms(self) -> int:
        """The site's own time (`clock_offset_ms` ahead of this machine's)."""
        return time.time_ns() // 1_000_000 + self.clock_offset_ms

    def set_clock_after_issues(self) -> None:
        """Set the site's clock just past its issues' newest `updated`, if that lies ahead
        of this machine's: generated data run years on (an issue an hour), and no Jira
        holds a change later than its own now."""
        newest = max((_instant(i["fields"]["updated"]) for i in self.issues), default=0.0)
        ahead = int(newest) + 60_000 - time.time_ns() // 1_000_000
        self.clock_offset_ms = max(0, ahead)

    def count(self, prefix: str) -> int:
        return sum(1 for line in self.requests if line.split(" ", 1)[1].startswith(prefix))

    # -- the ASGI app -------------------------------------------------------------------

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.middleware("http")
        async def gate(request: Request, call_next: Any) -> Any:
            if request.url.path.startswith("/_fake/"):
                return await call_next(request)
            with self._lock:
                self.requests.append(f"{request.method} {request.url.path}")
                self._in_flight += 1
                self.max_in_flight = max(self.max_in_flight, self._in_flight)
            try:
                return await answer(request, call_next)
            finally:
                with self._lock:
                    self._in_flight -= 1

        async def answer(request: Request, call_next: Any) -> Any:
            if self.latency_s:
                await asyncio.sleep(self.latency_s)
            if self.dies_after is not None and len(self.requests) > self.dies_after:
                self.dead = True
            if self.dead:
                return JSONResponse({"errorMessages": ["Service Unavailable"]}, 503)
            limited = self._rate_limited()
            if limited is not None:
                return limited
            with self._lock:
                fault = self.faults[0] if self.faults else None
                if fault is not None:
                    fault.count -= 1
                    if fault.count <= 0:
                        self.faults.pop(0)
            if fault is not None:
                return JSONResponse({"errorMessages": ["fault"]}, fault.status, fault.headers)
            if request.headers.get("authorization") not in self.grants:
                return JSONResponse({"errorMessages": ["You are not authenticated."]}, 401)
            response = await call_next(request)
            response.headers.update(self._rate_headers())
            return response

        @app.get("/_fake/stats")
        async def stats() -> Any:
            """For a fake served in another process (bench/): what it was asked."""
            return {"requests": len(self.requests), "throttled": self.throttled}

        @app.post("/rest/api/3/search/jql")
        async def cloud_search(request: Request) -> Any:
            body = await request.json()
            token = body.get("nextPageToken")
            if token and self._expire():
                return _error(400, "The provided next page token is invalid or expired.")
            if token and self.hold_listing:
                await self._counted.wait()
            # A page token names its search's results ("t:<start>:<search>"), kept from the
            # first page (Jira pages one search; the fake need not run it again per page).
            search = int(token.split(":")[2]) if token and token.count(":") == 2 else 0
            found = self._searches.get(search)
            if found is None:
                self.searches.append(body.get("jql", ""))
                selected = self._select(request, body.get("jql", ""))
                if isinstance(selected, JSONResponse):
                    return selected
                found, search = selected, next(self._search_ids)
            fields = body.get("fields") or []
            listing = all(
                name in {"updated", "created", "resolutiondate", "id", "key"} for name in fields
            )
            size = min(int(body.get("maxResults", 50)), self.listing_page if listing else FULL_PAGE)
            start = int(token.split(":")[1]) if token else 0
            page = found[start : start + size]
            # Asked for ids alone (search/jql's default), Cloud sends nothing else.
            ids_only = not fields or fields == ["id"]
            answer: dict[str, Any] = {
                "issues": [
                    {"id": i["id"]}
                    if ids_only
                    else self._shape(i, fields, "changelog" in body.get("expand", ""))
                    for i in page
                ],
                "isLast": start + size >= len(found),
            }
            if start + size < len(found):
                self._searches[search] = found
                answer["nextPageToken"] = f"t:{start + size}:{search}"
            else:
                self._searches.pop(search, None)
                if listing:
                    self._listed()
            return JSONResponse(answer)

        @app.post("/rest/api/3/search/approximate-count")
        async def approximate(request: Request) -> Any:
            found = self._select(request, (await request.json()).get("jql", ""))
            if isinstance(found, JSONResponse):
                return found
            if self.count_delay_s:
                await asyncio.sleep(self.count_delay_s)
            self._counted.set()
            return {"count": len(found) + self.count_error}

        @app.post("/rest/api/3/changelog/bulkfetch")
        async def bulkfetch(request: Request) -> Any:
            if not self.bulkfetch:
                return _error(404, "Not found")
            body = await request.json()
            if self.on_bulkfetch is not None:
                self.on_bulkfetch(body)
            visible = self._by_id(request)
            wanted = [visible[str(i)] for i in body.get("issueIdsOrKeys", []) if str(i) in visible]
            limit = min(int(body.get("maxResults", 1000)), 1000)
            token = body.get("nextPageToken")
            skip = int(token.split(":")[1]) if token else 0
            only = set(body["fieldIds"]) if body.get("fieldIds") else None
            pairs = [(i, h) for i in wanted for h in self._histories_of(i, only)]
            page = pairs[skip : skip + limit]
            logs: dict[str, list[Any]] = {}
            for issue, history in page:
                logs.setdefault(issue["id"], []).append(history)
            answer: dict[str, Any] = {
                "issueChangeLogs": [{"issueId": k, "changeHistories": v} for k, v in logs.items()]
            }
            if skip + limit < len(pairs):
                answer["nextPageToken"] = f"b:{skip + limit}"
            return JSONResponse(answer)

        @app.get("/rest/api/3/issue/{issue_id}/changelog")
        async def changelog(request: Request, issue_id: str) -> Any:
            issue = self._issue(request, issue_id)
            if issue is None:
                return _error(404, "Issue does not exist or you do not have permission to see it.")
            start = int(request.query_params.get("startAt", 0))
            size = min(int(request.query_params.get("maxResults", 100)), 100)
            values = issue["histories"][start : start + size]
            total = len(issue["histories"])
            return {
                "startAt": start,
                "maxResults": size,
                "total": total,
                "isLast": start + size >= total,
                "values": values,
            }

        @app.get("/rest/api/2/search")
        async def dc_search(request: Request) -> Any:
            query = request.query_params
            found = self._select(request, query.get("jql", ""))
            if isinstance(found, JSONResponse):
                return found
            fields = [f for f in query.get("fields", "*navigable").split(",") if f]
            expand = "changelog" in query.get("expand", "")
            start = int(query.get("startAt", 0))
            size = min(int(query.get("maxResults", 50)), 1000 if not expand else FULL_PAGE)
            answer = {
                "startAt": start,
                "maxResults": size,
                "total": len(found),
                "issues": [self._shape(i, fields, expand) for i in found[start : start + size]],
            }
            if not expand and start + size >= len(found):
                self._listed()
            return answer

        @app.get("/rest/api/2/issue/{issue_id}")
        async def dc_issue(request: Request, issue_id: str) -> Any:
            issue = self._issue(request, issue_id)
            if issue is None:
                return _error(404, "Issue Does Not Exist")
            shaped = self._shape(issue, ["created"], False)
            shaped["changelog"] = _changelog(issue["histories"], len(issue["histories"]))
            return JSONResponse(shaped)

        @app.get("/rest/api/{version}/myself")
        async def myself(request: Request, version: str) -> Any:
            user, _ = self.grants[request.headers["authorization"]]
            return {"accountId": f"acc-{user}", "displayName": user.title(), "active": True}

        @app.get("/rest/api/{version}/status")
        async def status(version: str) -> Any:
            return STATUSES

        @app.get("/rest/api/{version}/filter/{filter_id}")
        async def saved_filter(version: str, filter_id: str) -> Any:
            if filter_id not in self.filters:
                return _error(404, "The selected filter is not available to you.")
            return {"id": filter_id, "name": f"Filter {filter_id}", "jql": self.filters[filter_id]}

        @app.get("/rest/agile/1.0/sprint/{sprint_id}")
        async def sprint(sprint_id: str) -> Any:
            if sprint_id not in self.sprints:
                return _error(404, "Sprint does not exist")
            return {"id": int(sprint_id), "name": f"Sprint {sprint_id}", "state": "active"}

        return app

    # -- helpers ------------------------------------------------------------------------

    def _listed(self) -> None:
        """A listing ended: run `after_listing`, once."""
        hook, self.after_listing = self.after_listing, None
        if hook is not None:
            hook()

    def _expire(self) -> bool:
        with self._lock:
            if self.expire_tokens > 0:
                self.expire_tokens -= 1
                return True
        return False

    def _rate_limited(self) -> JSONResponse | None:
        """Take a token from the bucket (refilled at `rate_limit` per second), or answer 429."""
        if self.rate_limit is None:
            return None
        with self._lock:
            now = time.monotonic()
            rate = float(self.rate_limit)
            since = rate if self._refilled is None else (now - self._refilled) * rate
            self._tokens = min(rate, self._tokens + since)
            self._refilled = now
            if self._tokens >= 1:
                self._tokens -= 1
                return None
            self.throttled += 1
            wait = (1 - self._tokens) / rate
        return JSONResponse(
            {"errorMessages": ["Rate limit exceeded."]},
            429,
            {"Retry-After": str(math.ceil(wait)), **self._rate_headers()},
        )

    def _rate_headers(self) -> dict[str, str]:
        """Jira's headers: the bucket's size, what is left, when it is full again."""
        if self.rate_limit is None:
            return {}
        with self._lock:
            tokens, rate = self._tokens, float(self.rate_limit)
        full_at = time.time() + (rate - tokens) / rate
        reset = datetime.fromtimestamp(full_at, UTC).isoformat().replace("+00:00", "Z")
        headers = {
            "X-RateLimit-Limit": str(self.rate_limit),
            "X-RateLimit-Remaining": str(max(0, math.floor(tokens))),
            "X-RateLimit-Reset": reset,
        }
        if tokens < 0.2 * rate:
            headers["X-RateLimit-NearLimit"] = "true"
        return headers

    def _by_id(self, request: Request) -> dict[str, dict[str, Any]]:
        """The issues the request's credential may see, by id, in the fixtures' order."""
        _, projects = self.grants[request.headers["authorization"]]
        # Also keyed by the list itself: a test may replace or extend `issues` directly.
        version = (self._version, id(self.issues), len(self.issues))
        cached = self._visible_cache.get(projects)
        if cached is None or cached[0] != version:
            seen = {i["id"]: i for i in self.issues if i["fields"]["project"]["key"] in projects}
            cached = self._visible_cache[projects] = (version, seen)
        return cached[1]

    def _in_id_range(self, request: Request, jql: str) -> list[dict[str, Any]]:
        """The visible issues within the JQL's id bounds (`id >= a AND id < b`), in id
        order (else all, in the fixtures' order): found through a sorted index, as Jira's
        own index finds them, not by testing every issue (`select` applies every other
        clause; these bounds it need not test again)."""
        by_id = self._by_id(request)
        where = re.split(r"(?i)\border\s+by\b", jql, maxsplit=1)[0]
        bounds = _ID_BOUND.findall(where)
        if not bounds:
            return list(by_id.values())
        _, projects = self.grants[request.headers["authorization"]]
        cached = self._id_index.get(projects)
        if cached is None or cached[0] is not by_id:
            ordered = sorted(by_id.values(), key=lambda issue: int(issue["id"]))
            cached = self._id_index[projects] = (by_id, [int(i["id"]) for i in ordered], ordered)
        _, ids, ordered = cached
        low, high = 0, len(ids)
        for op, value in bounds:
            number = int(value)
            if op in (">=", ">"):
                low = max(low, (bisect_left if op == ">=" else bisect_right)(ids, number))
            else:
                high = min(high, (bisect_right if op == "<=" else bisect_left)(ids, number))
        return ordered[low:high]

    def _updated_since(self, visible: list[dict[str, Any]], bound_ms: int) -> list[dict[str, Any]]:
        """Those of `visible` updated at `bound_ms` or later, found through an index sorted
        by `updated` (kept until the issues change), as Jira's index finds a relative
        `updated >= -Nm` clause; `select` still applies it."""
        version = (self._version, id(self.issues), len(self.issues))
        if self._updated_index is None or self._updated_index[0] != version:
            ordered = sorted(self.issues, key=lambda issue: _instant(issue["fields"]["updated"]))
            instants = [_instant(issue["fields"]["updated"]) for issue in ordered]
            self._updated_index = (version, instants, ordered)
        _, instants, ordered = self._updated_index
        seen = {id(issue) for issue in visible}
        return [i for i in ordered[bisect_left(instants, bound_ms) :] if id(i) in seen]

    def _issue(self, request: Request, issue_id: str) -> dict[str, Any] | None:
        found = self._by_id(request).get(issue_id)
        if found is not None:
            return found
        return next((i for i in self._by_id(request).values() if issue_id == i["key"]), None)

    def _histories_of(self, issue: dict[str, Any], only: set[str] | None) -> list[Any]:
        """`_histories_of`, kept per issue and fields until the issue gains a history."""
        histories: list[Any] = issue["histories"]
        if only is None:
            return histories
        key = (issue["id"], frozenset(only))
        cached = self._cuts.get(key)
        if cached is None or cached[0] != len(histories):
            cached = self._cuts[key] = (len(histories), _histories_of(histories, only))
        return cached[1]

    def _select(self, request: Request, jql: str) -> list[dict[str, Any]] | JSONResponse:
        by_id = self._by_id(request)
        named = re.search(r"(?i)\bid\s+in\s*\(([^)]*)\)", jql)
        if named:
            names = [v.strip() for v in named[1].split(",")]
            for issue_id in names if self.strict_ids else ():
                if issue_id not in by_id:
                    unknown = f"An issue with key '{issue_id}' does not exist for field 'id'."
                    return _error(400, unknown)
            # The clause is ANDed with the rest (the fake reads no OR): only the named
            # issues can match.
            visible = [by_id[name] for name in dict.fromkeys(names) if name in by_id]
        else:
            visible = self._in_id_range(request, jql)
            since = _UPDATED_SINCE.search(re.split(r"(?i)\border\s+by\b", jql, maxsplit=1)[0])
            if since is not None:
                visible = self._updated_since(visible, self.now_ms() - int(since[1]) * 60_000)
        try:
            # The id bounds were applied through the index (a range of 5,000 tested twice
            # per issue cost the bench's fake ~25 ms of the cores it shares).
            return select(visible, jql, self.sprints, self.now_ms(), indexed=not named)
        except ValueError as error:
            return _error(400, str(error))

    def _shape(self, issue: dict[str, Any], fields: list[str], expand: bool) -> dict[str, Any]:
        every = "*all" in fields or "*navigable" in fields
        shaped: dict[str, Any] = {
            "id": issue["id"],
            "key": issue["key"],
            "self": f"http://fake/rest/api/2/issue/{issue['id']}",
            "fields": {k: v for k, v in issue["fields"].items() if every or k in fields},
        }
        if expand:
            shaped["changelog"] = _changelog(issue["histories"], SEARCH_CHANGELOG_LIMIT)
        return shaped


def _changelog(histories: list[Any], limit: int) -> dict[str, Any]:
    """As search results carry it: the newest `limit` histories, newest first."""
    shown = list(reversed(histories))[:limit]
    return {"startAt": 0, "maxResults": len(shown), "total": len(histories), "histories": shown}


def _histories_of(histories: list[Any], only: set[str] | None) -> list[Any]:
    """Bulkfetch's `fieldIds`: each history keeps only those fields' items, or is left out."""
    if only is None:
        return histories
    kept = []
    for history in histories:
        items = [item for item in history["items"] if item.get("fieldId") in only]
        if items:
            kept.append({**history, "items": items})
    return kept


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"errorMessages": [message], "errors": {}}, status)


_UPDATED_SINCE = re.compile(r"(?i)\bupdated\s*>=\s*-(\d+)m\b")
_ID_BOUND = re.compile(r"(?i)\bid\s*(>=|<=|<|>)\s*(\d+)")
_CLAUSE = re.compile(
    r"^(?P<field>\w+)\s*(?P<op>>=|<=|=|<|>|\bin\b|\bwas\b)\s*(?P<value>.+)$", re.IGNORECASE
)


def select(
    issues: list[dict[str, Any]],
    jql: str,
    sprints: dict[str, set[str]],
    now_ms: int,
    *,
    indexed: bool = False,
) -> list[dict[str, Any]]:
    """The fake's JQL: clauses joined by AND over a few fields (ids compared as Jira
    compares them: `id >= 10020`; relative dates, `updated >= -5m`, from `now_ms`), and
    ORDER BY created/key. `indexed`: `issues` already lie within the JQL's id bounds
    (`FakeJira._in_id_range`), which are then not tested again.

    Each clause is read once into a test of an issue, so a search costs one pass over the
    issues rather than parsing its JQL per issue (the bench's fake shares the machine's
    cores with the client it measures)."""
    parts = re.split(r"(?i)\border\s+by\b", jql, maxsplit=1)
    where, order = parts[0], parts[1] if len(parts) > 1 else ""
    found = list(issues)
    for clause in re.split(r"(?i)\s+and\s+", where.strip()):
        clause = clause.strip().strip("()").strip()
        if clause and not (indexed and _ID_BOUND.fullmatch(clause)):
            test = _clause_test(clause, sprints, now_ms)
            found = [issue for issue in found if test(issue)]
    order = order.strip().lower()
    if order.startswith("key"):
        found.sort(key=lambda i: int(i["key"].split("-")[1]), reverse="desc" in order)
    else:  # Jira's default: newest created first
        found.sort(key=lambda i: i["fields"]["created"], reverse="asc" not in order)
    return found


def _clause_test(
    clause: str, sprints: dict[str, set[str]], now_ms: int
) -> Callable[[dict[str, Any]], bool]:
    """Whether an issue meets one JQL clause of the few the fake reads."""
    match = _CLAUSE.match(clause)
    if match is None:
        raise ValueError(f"The fake Jira cannot read the JQL clause {clause!r}.")
    name, op, value = match["field"].lower(), match["op"].lower(), match["value"].strip()
    text = value.strip('"')
    if name == "id" and op == "in":
        ids = {v.strip() for v in value.strip("()").split(",")}
        return lambda issue: issue["id"] in ids
    if name == "id" and op in _ORDERINGS:
        number, holds = int(text), _ORDERINGS[op]
        return lambda issue: holds(int(issue["id"]), number)
    if name == "key" and op == "=":
        return lambda issue: bool(issue["key"] == text.upper())
    if name == "project" and op == "=":
        return lambda issue: bool(issue["fields"]["project"]["key"] == text)
    if name == "project" and op == "in":
        keys = {v.strip().strip('"') for v in value.strip("()").split(",")}
        return lambda issue: bool(issue["fields"]["project"]["key"] in keys)
    if name == "sprint" and op == "=":
        members = sprints.get(text, set())
        return lambda issue: issue["key"] in members
    if name == "status" and op == "=":
        return lambda issue: bool(issue["fields"]["status"]["name"].lower() == text.lower())
    if name == "assignee" and op == "was":
        return lambda issue: text in _assignees_ever(issue)
    if name in ("created", "updated") and op in (">=", "<"):
        if text.startswith("-") and text.endswith("m"):
            bound = float(now_ms - int(text[1:-1]) * 60_000)
        else:
            bound = datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=UTC).timestamp() * 1000
        if op == ">=":
            return lambda issue: _instant(issue["fields"][name]) >= bound
        return lambda issue: _instant(issue["fields"][name]) < bound
    raise ValueError(f"The fake Jira cannot read the JQL clause {clause!r}.")


_ORDERINGS: dict[str, Callable[[int, int], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
}


def _assignees_ever(issue: dict[str, Any]) -> set[Any]:
    people = {(issue["fields"].get("assignee") or {}).get("accountId")}
    for history in issue["histories"]:
        for item in history["items"]:
            if item["field"] == "assignee":
                people.update((item["from"], item["to"]))
    return people


@functools.cache
def _instant(text: str) -> float:
    """Kept per text: a search by `updated` tests every issue, as Jira's index would not."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z").timestamp() * 1000
