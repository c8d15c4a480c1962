"""Wire shapes of the API (SPEC §2, §8.1), named by role; built from records and definitions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel, Field

from dwelltime.api.links import download_link, status_link
from dwelltime.definitions.search import Page
from dwelltime.exports.records import ExportRecord
from dwelltime.exports.status import ExportStatus
from dwelltime.sources.store.issue_store import ParamSet

T = TypeVar("T")


class ExportCreated(BaseModel):
    exportId: str
    statusLink: str


class ExportPublic(BaseModel):
    """One export's status; `downloadLink` is present only when Successful."""

    exportId: str
    status: ExportStatus
    created: int = Field(description="Epoch milliseconds when the export was started.")
    completed: int = Field(description="Issues processed so far.")
    total: int = Field(description="Issues to process; 0 until the selection is resolved.")
    message: str | None = Field(description="Why it failed; null when Aborted (see abortedBy).")
    abortedBy: str | None = Field(default=None, description="Who aborted it, when Aborted.")
    downloadLink: str | None = None
    fileName: str
    outputType: str
    size: int | None = Field(default=None, description="File size in bytes once Successful.")
    started: int | None = None
    finished: int | None = None


class ExportsPublic(BaseModel):
    elements: list[ExportPublic]
    pageNumber: int
    pageSize: int
    total: int
    last: bool


class SummaryGroup(BaseModel):
    groupBy: list[str | None] = Field(description="The group's groupByFields values.")
    issueCount: int
    average: list[float | None] = Field(description="Per column, as the Average sheet.")
    median: list[float | None] = Field(description="Per column, as the Median sheet.")


class HistogramBin(BaseModel):
    from_: float = Field(alias="from")
    to: float
    count: int


class IssueTotals(BaseModel):
    issues: int = Field(description="Issues with at least one value.")
    bins: list[HistogramBin]


class ExportSummary(BaseModel):
    """What the page's summary view draws; numbers are in `unit` (a viewFormat)."""

    unit: str
    groupByFields: list[str]
    columns: list[str]
    groups: list[SummaryGroup]
    issueCount: int
    totals: IssueTotals = Field(description="Histogram of each issue's sum over the columns.")


def export_public(record: ExportRecord, base: str) -> dict[str, Any]:
    """The status JSON of one export (key order as in SPEC §2, extras after)."""
    aborted = record.status is ExportStatus.ABORTED
    body: dict[str, Any] = {
        "exportId": record.id,
        "status": record.status.value,
        "created": record.created_ms,
        "completed": record.completed,
        "total": record.total,
        # As in Timepiece's example an aborted export's message is null; who aborted it is
        # an extra field. Only the owner can abort an export, so it is the owner.
        "message": None if aborted else record.message,
    }
    if aborted:
        body["abortedBy"] = record.owner
    if record.status is ExportStatus.SUCCESSFUL:
        body["downloadLink"] = download_link(base, record.id)
    body.update(
        fileName=record.file_name,
        outputType=record.output_type,
        size=record.size if record.status is ExportStatus.SUCCESSFUL else None,
        started=record.started_ms,
        finished=record.finished_ms,
    )
    return body


def export_created(record: ExportRecord, base: str) -> dict[str, Any]:
    return {"exportId": record.id, "statusLink": status_link(base, record.id)}


def page_public(page: Page[T], convert: Callable[[T], dict[str, Any]]) -> dict[str, Any]:
    """A search page in the shape of `GET /rest/export`'s listing."""
    return {
        "elements": [convert(element) for element in page.elements],
        "pageNumber": page.page_number,
        "pageSize": page.page_size,
        "total": page.total,
        "last": page.last,
    }


def param_set_public(saved: ParamSet) -> dict[str, Any]:
    """A parameter set: one value as text, several as an array (as they were saved)."""
    return {
        "id": saved.id,
        "name": saved.name,
        "owner": saved.owner,
        "public": saved.public,
        "parameters": {
            name: values[0] if len(values) == 1 else values for name, values in saved.params.items()
        },
    }
