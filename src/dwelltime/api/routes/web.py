"""GET /: the page (a template filled with the parameter choices) and its /static files.

The choices come from the parameter model's enums, so the page never offers a value the
API would refuse, and a new report type shows up without touching the page.
"""

from __future__ import annotations

import json
from functools import cache
from html import escape
from string import Template
from typing import get_args

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from dwelltime import __version__
from dwelltime.domain.selection import DateRangeField
from dwelltime.params.filters import COMPANIONS
from dwelltime.params.model import DayLength, OutputType, ReportType, ViewFormat
from dwelltime.web import STATIC, TEMPLATES

router = APIRouter(include_in_schema=False)

#: The defaults the form opens with, so that Start works at once (with the first project).
DEFAULTS = {
    "columnsBy": ReportType.STATUS_DURATION.value,
    "outputType": OutputType.CSV.value,
    "viewFormat": ViewFormat.DAYS.value,
    "dayLength": DayLength.HOURS_24.value,
    "filterType": "project",
    "dateRangeField": "created",
}


def _options(name: str, values: list[str]) -> str:
    return "\n".join(
        f'<option value="{escape(v)}"{" selected" if DEFAULTS.get(name) == v else ""}>'
        f"{escape(v)}</option>"
        for v in values
    )


@cache
def render_page() -> str:
    choices: dict[str, list[str]] = {
        "filterType": list(COMPANIONS),
        "columnsBy": [r.value for r in ReportType],
        "outputType": [o.value for o in OutputType],
        "viewFormat": [v.value for v in ViewFormat],
        "dayLength": [d.value for d in DayLength],
        "dateRangeField": list(get_args(DateRangeField)),
    }
    template = Template((TEMPLATES / "index.html").read_text("utf-8"))
    return template.substitute(
        version=escape(__version__),
        companions=escape(json.dumps(COMPANIONS)),
        **{f"{name}_options": _options(name, values) for name, values in choices.items()},
    )


@router.get("/", response_class=HTMLResponse)
async def page() -> HTMLResponse:
    return HTMLResponse(render_page(), headers={"Cache-Control": "no-cache"})


def mount_page(app: FastAPI) -> None:
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
