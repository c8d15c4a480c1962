"""GET /: the page (a template whose form fields are built here) and its /static files.

The choices come from the parameter model's enums, so the page never offers a value the
API would refuse and a new report type shows up without touching the page; every field is
built by `_field`, so each has its label and its slot for the server's message.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from html import escape
from string import Template
from typing import Literal, get_args

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from dwelltime import __version__
from dwelltime.domain.selection import DateRangeField
from dwelltime.params.filters import COMPANIONS
from dwelltime.params.model import DayLength, OutputType, ReportType, ViewFormat
from dwelltime.web import STATIC, TEMPLATES

router = APIRouter(include_in_schema=False)

Kind = Literal["select", "multiple", "text", "textarea"]


@dataclass(frozen=True, slots=True)
class Field:
    """One form control named by its wire parameter; `choices` are (value, label) pairs,
    the first selected unless `default` names another; pickers are filled by app.js."""

    name: str
    label: str
    kind: Kind = "select"
    choices: tuple[tuple[str, str], ...] = ()
    default: str | None = None
    placeholder: str = ""
    #: shown only while filterType is the one this is the companion of
    companion: bool = False


def _values(values: list[str]) -> tuple[tuple[str, str], ...]:
    return tuple((value, value) for value in values)


#: The defaults make Start work at once (with the store's first project, filled by app.js).
ISSUES = (
    Field("filterType", "Filter type", choices=_values(list(COMPANIONS)), default="project"),
    Field("projectKey", "Project", companion=True),
    Field("user", "User (account id or user key)", "text", companion=True),
    Field("jqlFilterID", "Saved filter", companion=True),
    Field("customjql", "JQL", "textarea", companion=True),
    Field("sprintID", "Sprint", companion=True),
    Field("paramSetId", "Parameter set (optional)", choices=(("", "none"),)),
)
REPORT = (
    Field("columnsBy", "Report type", choices=_values([r.value for r in ReportType])),
    Field(
        "outputType", "Output type", choices=_values([o.value for o in OutputType]), default="CSV"
    ),
    Field(
        "viewFormat", "View format", choices=_values([v.value for v in ViewFormat]), default="days"
    ),
    Field("calendar", "Calendar", choices=(("normalHours", "normalHours (24/7)"),)),
    Field("dayLength", "Day length", choices=_values([d.value for d in DayLength])),
    Field("statuses", "Statuses (none selected: all)", "multiple"),
    Field("fields", "Extra fields", "multiple"),
    Field("groupByFields", "Group by", "multiple"),
)
DATES = (
    Field("startDate", "Issues from", "text", placeholder="2026-01-01"),
    Field("endDate", "Issues until", "text", placeholder="2026-12-31"),
    Field("dateRangeField", "By date field", choices=_values(list(get_args(DateRangeField)))),
    Field("trimHistoryStartDate", "Trim history from", "text"),
    Field("trimHistoryEndDate", "Trim history until", "text"),
)


def _control(field: Field) -> str:
    common = f'id="{field.name}" name="{field.name}" aria-describedby="{field.name}-error"'
    if field.kind == "text":
        hint = f' placeholder="{escape(field.placeholder)}"' if field.placeholder else ""
        return f'<input {common} type="text"{hint}>'
    if field.kind == "textarea":
        return f'<textarea {common} rows="2"></textarea>'
    default = field.default if field.default is not None else next(iter(field.choices), ("",))[0]
    options = "".join(
        f'<option value="{escape(value)}"{" selected" if value == default else ""}>'
        f"{escape(label)}</option>"
        for value, label in field.choices
    )
    multiple = ' multiple size="5"' if field.kind == "multiple" else ""
    return f"<select {common}{multiple}>{options}</select>"


def _field(field: Field) -> str:
    wide = " wide" if field.kind == "textarea" else ""
    # Only the companion of the default filter type shows before app.js runs.
    shown = not field.companion or COMPANIONS["project"] == field.name
    companion = f' data-companion="{field.name}"' if field.companion else ""
    return (
        f'<div class="field{wide}"{companion}{"" if shown else " hidden"}>'
        f'<label for="{field.name}">{escape(field.label)}</label>'
        f"{_control(field)}"
        f'<p class="error" id="{field.name}-error"></p></div>'
    )


@cache
def render_page() -> str:
    template = Template((TEMPLATES / "index.html").read_text("utf-8"))
    return template.substitute(
        version=escape(__version__),
        companions=escape(json.dumps(COMPANIONS)),
        issue_fields="\n".join(map(_field, ISSUES)),
        report_fields="\n".join(map(_field, REPORT)),
        date_fields="\n".join(map(_field, DATES)),
    )


@router.get("/", response_class=HTMLResponse)
async def page() -> HTMLResponse:
    return HTMLResponse(render_page(), headers={"Cache-Control": "no-cache"})


def mount_page(app: FastAPI) -> None:
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
