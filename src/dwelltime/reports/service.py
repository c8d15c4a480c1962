"""`ReportService`: the synchronous endpoints' work (SPEC §8.1), each a call of the one
pipeline over a window of the selection, within the time budget, answered in a spooled
file the API streams back."""

from __future__ import annotations

import re
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, BinaryIO, cast

import polars as pl

from dwelltime.config import Settings
from dwelltime.domain.calendar_json import calendar_summary
from dwelltime.domain.caller import Caller
from dwelltime.domain.issue_batch import TRANSITION_COLUMNS, VISITED_STATUS_COLUMNS
from dwelltime.domain.issues import Status
from dwelltime.engine.output.field_titles import list_fields
from dwelltime.engine.table import AggregateKind, Sheet
from dwelltime.errors import ExportAborted, InvalidParameters, NotFound
from dwelltime.params.model import OutputType, ReportParams, ReportType, ViewFormat
from dwelltime.params.parsing import effective_parameters, parse_params
from dwelltime.pipeline import ComputedReport, computed_report
from dwelltime.reports.budget import Deadline
from dwelltime.reports.page_tokens import PagePosition, PageTokens, fingerprint
from dwelltime.reports.wire import (
    AGGREGATION_TYPES,
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    Answer,
    answer,
    number,
    value,
    without,
)
from dwelltime.sources.jira.param_context import JiraParamContext, param_context
from dwelltime.sources.store.issue_store import IssueStore
from dwelltime.sources.store.param_context import StoreParamContext
from dwelltime.writers import CSV_CONTENT_TYPE, content_type, report_file_name, write_report
from dwelltime.writers.csv import DATE_PATTERN, write_sheet_csv
from dwelltime.writers.json import CONTENT_TYPE as JSON_CONTENT_TYPE
from dwelltime.writers.json import Role, write_simplified_json, write_table_json

#: Answers stay in memory up to this size, then spill to a temporary file.
SPOOL_BYTES = 8 * 1024 * 1024
_ISSUE_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_]*-[0-9]+")
_AGGREGATE_KINDS = {
    OutputType.CSV_AVERAGE: AggregateKind.AVERAGE,
    OutputType.CSV_SUM: AggregateKind.SUM,
    OutputType.CSV_MEDIAN: AggregateKind.MEDIAN,
    OutputType.CSV_STANDARD_DEVIATION: AggregateKind.STANDARD_DEVIATION,
}
_EVERY_ANSWER = (Answer.JSON, Answer.SIMPLIFIED, Answer.CSV)
#: Reports whose cells are no visits of anything, so they carry no `count` (SPEC §8.2).
_WITHOUT_COUNTS = (ReportType.DURATION_BETWEEN_STATUSES,)
#: The parameters a single-issue request replaces with its own filter.
_FILTER_PARAMETERS = ("filterType", "projectKey", "user", "jqlFilterID", "customjql", "sprintID")

#: Writes the answer; returns what a CSV answer's headers should say about paging.
Writer = Callable[[ComputedReport, ReportParams, BinaryIO], Mapping[str, Any] | None]
#: What a request reads through: the token's site of the store, or its Jira site.
_Context = StoreParamContext | JiraParamContext
#: Paging facts as headers, for answers (CSV) that have no place for them in the body.
_PAGING_HEADERS = {"total": "X-Total-Count", "nextPageToken": "X-Next-Page-Token"}


@dataclass
class SyncAnswer:
    """A finished answer: its bytes (spooled, at position 0) and how to present them."""

    content: BinaryIO
    content_type: str
    file_name: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def chunks(self, size: int = 65_536) -> Iterator[bytes]:
        """The answer in chunks for a streaming response; closes the spool at the end."""
        try:
            while chunk := self.content.read(size):
                yield chunk
        finally:
            self.content.close()


@dataclass(frozen=True, slots=True)
class _Window:
    """Which issues of the selection an answer computes (a keyset page: after `after`,
    among those up to `ceiling`), and what it stages beside them: a list page has the
    whole selection's columns, a JSON listing each issue's open visit."""

    start_index: int = 0
    max_issues: int | None = None
    whole_columns: bool = False
    open_visits: bool = False
    known_statuses: pl.DataFrame | None = None
    known_transitions: pl.DataFrame | None = None
    after: tuple[Any, ...] | None = None
    ceiling: int | None = None

    @property
    def in_memory(self) -> bool:
        """A page (at most `MAX_PAGE_SIZE` issues) is staged in memory, more in files."""
        return self.max_issues is not None and self.max_issues <= MAX_PAGE_SIZE


class ReportService:
    """The synchronous reports of one store on behalf of the token's user, read as an
    export of that token reads: the token's site only, through Jira when it is bound to
    Jira credentials (`param_context`, the exports' choice)."""

    def __init__(self, store: IssueStore, settings: Settings, secret: str) -> None:
        self._store = store
        self._settings = settings
        self._tokens = PageTokens(secret, settings.retention)
        self._lock = threading.Lock()
        self._running = 0

    @property
    def running(self) -> int:
        """Synchronous reports computing right now (0 once every answer has been given)."""
        with self._lock:
            return self._running

    def issue(
        self, user: str, raw: Mapping[str, Sequence[str]], token_id: str | None
    ) -> SyncAnswer:
        """`/rest/issue`: one issue's report row."""
        return self._single(user, raw, token_id, expanded=False)

    def expanded_issue(
        self, user: str, raw: Mapping[str, Sequence[str]], token_id: str | None
    ) -> SyncAnswer:
        """`/rest/issue/expanded`: one issue, one row per visit."""
        return self._single(user, raw, token_id, expanded=True)

    def _single(
        self,
        user: str,
        raw: Mapping[str, Sequence[str]],
        token_id: str | None,
        *,
        expanded: bool,
    ) -> SyncAnswer:
        key = value(raw, "issueKey")
        if key is None or not _ISSUE_KEY.fullmatch(key):
            raise InvalidParameters([f"issueKey: an issue key like ABC-1 is required, got {key!r}"])
        form = answer(raw, _EVERY_ANSWER if expanded else (Answer.JSON, Answer.CSV))
        params_raw = without(raw, "issueKey", "outputType", *_FILTER_PARAMETERS)
        params_raw |= {"filterType": ["customjql"], "customjql": [f'key = "{key.upper()}"']}
        if expanded:
            params_raw.setdefault("columnsBy", [ReportType.STATUS_DURATION_EXPANDED.value])
        params_raw["outputType"] = [OutputType.CSV.value]
        now = _now_ms()

        def write(
            report: ComputedReport, params: ReportParams, out: BinaryIO
        ) -> Mapping[str, Any] | None:
            if report.issues == 0:
                raise NotFound(f"No issue {key.upper()!r} in the store.")
            self._write_listing(form, report, params, out, {})
            return None

        window = _Window(open_visits=form is Answer.JSON)
        context = self._for(user, token_id)
        return self._answer(context, params_raw, now, window, write, _content_type(form))

    def page(self, user: str, raw: Mapping[str, Sequence[str]], token_id: str | None) -> SyncAnswer:
        """`/rest/issues`: the page at `startIssueIndex` of the list report."""
        form = answer(raw, _EVERY_ANSWER)
        size = number(raw, "pageSize", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)
        start = number(raw, "startIssueIndex", 0, 0, 2_000_000_000)
        params_raw = self._list_params(raw)

        def write(
            report: ComputedReport, params: ReportParams, out: BinaryIO
        ) -> Mapping[str, Any] | None:
            total = report.selected()
            info = {"startIssueIndex": start, "pageSize": size, "total": total}
            info["isLast"] = start + size >= total
            self._write_listing(form, report, params, out, info)
            return info

        window = _Window(start, size, whole_columns=True, open_visits=form is Answer.JSON)
        return self._answer(
            self._for(user, token_id), params_raw, _now_ms(), window, write, _content_type(form)
        )

    def token_page(
        self, user: str, raw: Mapping[str, Sequence[str]], token_id: str | None
    ) -> SyncAnswer:
        """`/rest/issues/v2`: the page a `nextPageToken` points to (the first without)."""
        form = answer(raw, _EVERY_ANSWER)
        size = number(raw, "pageSize", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)
        params_raw = self._list_params(raw)
        context = self._for(user, token_id)
        effective = effective_parameters(params_raw, context)
        digest = fingerprint(effective)
        token = value(raw, "nextPageToken")
        position = (
            self._tokens.read(token, digest)
            if token
            else PagePosition(0, _now_ms(), ceiling=context.source.newest_row())
        )
        # The page is computed from the effective parameters the token was signed for, so a
        # change to a parameter set mid-walk cannot mix two reports.

        def write(
            report: ComputedReport, params: ReportParams, out: BinaryIO
        ) -> Mapping[str, Any] | None:
            # Later pages show the total and columns the first page learnt (the token's).
            total = report.selected() if position.total is None else position.total
            following = position.start_index + report.issues
            info: dict[str, Any] = {"pageSize": size, "total": total}
            key = report.resume_key() if report.issues == size and following < total else None
            if key is not None:
                engine = report.engine
                following_page = PagePosition(
                    following,
                    position.now_ms,
                    total,
                    _rows(engine.known_statuses),
                    _rows(engine.known_transitions),
                    key,
                    position.ceiling,
                )
                info["nextPageToken"] = self._tokens.sign(following_page, digest)
            self._write_listing(form, report, params, out, info)
            return info

        # A walk ends with the issues held at its first page (`ceiling`): issues imported
        # since are a new walk's.
        window = _Window(
            position.start_index,
            size,
            whole_columns=True,
            open_visits=form is Answer.JSON,
            known_statuses=_frame(position.statuses, VISITED_STATUS_COLUMNS),
            known_transitions=_frame(position.transitions, TRANSITION_COLUMNS),
            after=position.after,
            ceiling=position.ceiling,
        )
        return self._answer(context, effective, position.now_ms, window, write, _content_type(form))

    def aggregation(
        self, user: str, raw: Mapping[str, Sequence[str]], token_id: str | None
    ) -> SyncAnswer:
        """`/rest/aggregation`: one aggregate table; its CSV is the export's CSVAVERAGE…"""
        form = answer(raw, _EVERY_ANSWER)
        kind = value(raw, "aggregationType")
        output_type = AGGREGATION_TYPES.get((kind or "").casefold())
        if output_type is None:
            choices = "average, sum, median, standardDeviation"
            raise InvalidParameters(
                [f"aggregationType: one of {choices} is required, got {kind!r}"]
            )
        params_raw = without(raw, "outputType", "aggregationType") | {
            "outputType": [output_type.value]
        }

        def write(
            report: ComputedReport, params: ReportParams, out: BinaryIO
        ) -> Mapping[str, Any] | None:
            aggregate = _AGGREGATE_KINDS[params.output_type]
            sheet = report.table.aggregates.get(aggregate)
            if form is Answer.CSV or sheet is None:
                # The export's own writer: the same file, or the same refusal without a table.
                write_report(report.table, params.output_type, out)
                return None
            if form is Answer.SIMPLIFIED:
                write_simplified_json(sheet, {}, out)
                return None
            raw_sheet = report.rendered_as(ViewFormat.SECONDS).aggregates[aggregate]
            groups = len(params.group_by_fields)
            roles = [Role.GROUP_BY] * groups + [Role.ISSUE_COUNT]
            roles += [Role.VALUE] * (len(sheet.columns) - len(roles))
            info = {"aggregationType": aggregate.value}
            write_table_json(
                sheet,
                raw_sheet,
                roles,
                _prelude(report, params, info),
                out,
                consolidated=params.columns_by is ReportType.GROUP_DURATION,
            )
            return None

        return self._answer(
            self._for(user, token_id), params_raw, _now_ms(), _Window(), write, _content_type(form)
        )

    def small_export(
        self, user: str, raw: Mapping[str, Sequence[str]], token_id: str | None
    ) -> SyncAnswer:
        """`/rest/smallexport`: the export's file itself, for selections up to the limit."""
        limit = self._settings.small_export_max_issues
        now = _now_ms()

        def write(
            report: ComputedReport, params: ReportParams, out: BinaryIO
        ) -> Mapping[str, Any] | None:
            write_report(report.table, params.output_type, out)
            return None

        # One issue more than the limit is read, so a larger selection is refused without
        # computing more than the limit (and without a separate count).
        result, params = self._run(
            self._for(user, token_id), raw, now, _Window(0, limit + 1), write, check=limit
        )
        result.content_type = content_type(params.output_type)
        result.file_name = report_file_name(params, now)
        return result

    # -- the one path -----------------------------------------------------------------------

    def _for(self, user: str, token_id: str | None) -> _Context:
        """Once per request: the binding's lookup reads the store and decrypts credentials."""
        return param_context(self._store, self._settings, token_id, Caller(user))

    def _list_params(self, raw: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
        reserved = ("outputType", "pageSize", "startIssueIndex", "nextPageToken")
        return without(raw, *reserved) | {"outputType": [OutputType.CSV.value]}

    def _answer(
        self,
        context: _Context,
        raw: Mapping[str, Sequence[str]],
        now_ms: int,
        window: _Window,
        write: Writer,
        media_type: str,
    ) -> SyncAnswer:
        result, _ = self._run(context, raw, now_ms, window, write)
        result.content_type = media_type
        return result

    def _run(
        self,
        context: _Context,
        raw: Mapping[str, Sequence[str]],
        now_ms: int,
        window: _Window,
        write: Writer,
        *,
        check: int | None = None,
    ) -> tuple[SyncAnswer, ReportParams]:
        """Validate, compute the window within the budget, write the answer into a spool."""
        params = parse_params(raw, context)
        deadline = Deadline(self._settings.sync_budget_seconds)
        # Not a `with`: the spool outlives this call, the response streams and closes it.
        spool = cast(BinaryIO, tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES))  # noqa: SIM115
        with self._lock:
            self._running += 1
        try:
            with computed_report(
                params,
                context.source,
                now_ms,
                deadline,
                batch_size=self._settings.batch_size,
                workdir=self._settings.staging_dir,
                start_index=window.start_index,
                max_issues=window.max_issues,
                open_visits=window.open_visits,
                whole_columns=window.whole_columns,
                known_statuses=window.known_statuses,
                known_transitions=window.known_transitions,
                in_memory=window.in_memory,
                after=window.after,
                ceiling=window.ceiling,
            ) as report:
                if check is not None and report.issues > check:
                    raise InvalidParameters(
                        [
                            f"The selection has more than {check:,} issues, too many for "
                            "/rest/smallexport; start it with POST /rest/export instead."
                        ]
                    )
                info = write(report, params, spool) or {}
        except ExportAborted as error:
            spool.close()
            raise deadline.timeout() from error
        except BaseException:
            spool.close()
            raise
        finally:
            with self._lock:
                self._running -= 1
        spool.seek(0)
        headers = {_PAGING_HEADERS[k]: str(v) for k, v in info.items() if k in _PAGING_HEADERS}
        headers["X-Report-Now"] = str(now_ms)
        return SyncAnswer(spool, JSON_CONTENT_TYPE, headers=headers), params

    def _write_listing(
        self,
        form: Answer,
        report: ComputedReport,
        params: ReportParams,
        out: BinaryIO,
        info: Mapping[str, Any],
    ) -> None:
        if form is Answer.CSV:
            write_sheet_csv(report.listing, out)
        elif form is Answer.SIMPLIFIED:
            write_simplified_json(report.listing, info, out)
        else:
            # JSON rows also carry their group's values (groupByColumns, SPEC §8.2): the
            # same staged issues shown with the group fields before the field columns.
            groups = list_fields(params.group_by_fields)
            shown = report.showing((*groups, *params.fields)) if groups else report
            sheet = shown.listing
            by_issue = not params.columns_by.is_expanded  # expanded rows are visits
            counted = by_issue and params.columns_by not in _WITHOUT_COUNTS
            write_table_json(
                sheet,
                shown.in_view(ViewFormat.SECONDS).listing,
                _listing_roles(sheet, len(groups), len(list_fields(params.fields))),
                _prelude(report, params, info),
                out,
                consolidated=params.columns_by is ReportType.GROUP_DURATION,
                counts=shown.counts() if counted else None,
                current=shown.current_states() if by_issue else None,
            )


def _listing_roles(sheet: Sheet, groups: int, fields: int) -> list[Role]:
    """Key and Summary, the `groups` group fields, the `fields` field columns, then values."""
    roles = [Role.HEADER, Role.HEADER, *[Role.GROUP_BY] * groups, *[Role.FIELD] * fields]
    return roles + [Role.VALUE] * (len(sheet.columns) - len(roles))


def _frame(
    rows: Sequence[tuple[Any, ...]] | None, schema: Mapping[str, type[pl.DataType]]
) -> pl.DataFrame | None:
    """The visited statuses (or transitions) a token carries, as the source lists them."""
    if rows is None:
        return None
    return pl.DataFrame(list(rows), schema=dict(schema), orient="row")


def _rows(frame: pl.DataFrame | None) -> Any:
    """A known statuses' (or transitions') frame as the token's rows."""
    return None if frame is None else tuple(frame.iter_rows())


def _prelude(
    report: ComputedReport, params: ReportParams, info: Mapping[str, Any]
) -> dict[str, Any]:
    """The fields before `table` in a §8.2 answer: zone, formats, calendar, statuses."""
    context = report.engine.context
    summary = calendar_summary(context.calendar)
    chosen = set(params.statuses) if params.statuses is not None else None
    included = [s for s in context.statuses if chosen is None or s.id in chosen]
    excluded = [s for s in context.statuses if chosen is not None and s.id not in chosen]
    return {
        "timeZone": summary["timeZone"],
        "viewFormat": params.view_format.value,
        "dayLength": params.day_length.value,
        "dateFormat": DATE_PATTERN,
        "calendar": summary,
        "now": context.now_ms,
        "includedStatuses": [_status(s) for s in included],
        "excludedStatuses": [_status(s) for s in excluded],
        **info,
    }


def _status(status: Status) -> dict[str, Any]:
    return {"id": status.id, "name": status.name, "statusCategory": {"name": status.category}}


def _content_type(form: Answer) -> str:
    return CSV_CONTENT_TYPE if form is Answer.CSV else JSON_CONTENT_TYPE


def _now_ms() -> int:
    return time.time_ns() // 1_000_000
