"""Read endpoints for what a report can name in the store: projects, statuses, saved
filters, sprints and fields (the page's pickers; any client may use them)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from dwelltime.api.deps import ServicesDep, current_user
from dwelltime.api.routes.exports import ERRORS
from dwelltime.engine.output.field_titles import field_title
from dwelltime.sources.fields import PROMOTED
from dwelltime.sources.store import catalog

#: Every read needs a valid token, like the export endpoints.
router = APIRouter(
    prefix="/rest",
    tags=["store"],
    dependencies=[Depends(current_user)],
    responses={401: ERRORS[401]},
)


class ProjectPublic(BaseModel):
    key: str
    name: str | None
    issueCount: int


class StatusCategory(BaseModel):
    key: str | None


class StatusPublic(BaseModel):
    id: str
    name: str
    statusCategory: StatusCategory


class FilterPublic(BaseModel):
    id: str
    name: str
    jql: str
    owner: str | None


class SprintPublic(BaseModel):
    id: int
    name: str
    state: str | None
    boardId: int | None
    startDate: int | None
    endDate: int | None


class FieldPublic(BaseModel):
    id: str
    name: str
    custom: bool


@router.get("/projects", summary="Projects with issues in the store, by key")
def list_projects(services: ServicesDep) -> list[ProjectPublic]:
    return [
        ProjectPublic(key=p.key, name=p.name, issueCount=p.issues)
        for p in catalog.projects(services.engine)
    ]


@router.get("/statuses", summary="The status catalog, in Jira's order")
def list_statuses(services: ServicesDep) -> list[StatusPublic]:
    return [
        StatusPublic(id=s.id, name=s.name, statusCategory=StatusCategory(key=s.category))
        for s in services.source.statuses()
    ]


@router.get("/filters", summary="Saved filters (jqlFilterID values)")
def list_filters(services: ServicesDep) -> list[FilterPublic]:
    return [
        FilterPublic(id=f.id, name=f.name, jql=f.jql, owner=f.owner)
        for f in catalog.saved_filters(services.engine)
    ]


@router.get("/sprints", summary="Sprints (sprintID values), newest first")
def list_sprints(services: ServicesDep) -> list[SprintPublic]:
    return [
        SprintPublic(
            id=s.id,
            name=s.name,
            state=s.state,
            boardId=s.board_id,
            startDate=s.start_ms,
            endDate=s.end_ms,
        )
        for s in catalog.sprints(services.engine)
    ]


@router.get(
    "/fields",
    summary="Fields a report can show or group by: Jira's system fields, then custom ones",
)
def list_fields(services: ServicesDep) -> list[FieldPublic]:
    # Key and Summary open every list already: offering them again would only repeat them.
    system = [f for f in PROMOTED if f not in ("key", "summary")]
    custom = [f for f in catalog.custom_field_ids(services.engine) if f not in PROMOTED]
    return [
        *(FieldPublic(id=f, name=field_title(f), custom=False) for f in system),
        *(FieldPublic(id=f, name=field_title(f), custom=True) for f in custom),
    ]
