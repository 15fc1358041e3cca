"""Reference-data reads: participants, incidents, the abuse taxonomy."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from pydantic import WithJsonSchema

from clearstone_api.domain.reference_rows import (
    Criterion,
    Incident,
    IncidentStatus,
    StatusPeriod,
)
from clearstone_api.errors import FieldError, Unprocessable
from clearstone_api.pagination import Page, PageParamsDep
from clearstone_api.routes.dependencies import SessionDep, current_reference
from clearstone_api.routes.responses import problems
from clearstone_api.services import reference_data
from clearstone_api.services.reference_data import IncidentFilter, ParticipantPublic

router = APIRouter(tags=["reference"])

IncidentId = Annotated[str, Path(max_length=128, pattern=r"^INC-[A-Z0-9-]+$")]
_FULL_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _date(value: str | None) -> dt.date:
    """Parsed by hand: pydantic's lax mode would read ``on=0`` as 1970-01-01.

    The contract says ``format: date`` (RFC 3339 full-date): ``YYYY-MM-DD`` and nothing of the
    other ISO 8601 spellings ``fromisoformat`` accepts (``20260101``).
    """
    if value is None:
        return dt.date.today()
    try:
        if not _FULL_DATE.fullmatch(value):
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError:
        raise Unprocessable(
            "Not a calendar date.",
            errors=[
                FieldError(path="query.on", message="not a calendar date", type="date_parsing")
            ],
        ) from None


def _after(page_after: str | int | None) -> str | None:
    return page_after if isinstance(page_after, str) else None


@router.get(
    "/v1/reference/participants",
    operation_id="participants-list",
    summary="KP participants and their standing on a date",
    responses=problems(422),
)
def list_participants(
    request: Request,
    session: SessionDep,
    page: PageParamsDep,
    on: Annotated[
        str | None,
        Query(max_length=10, description="A date, `YYYY-MM-DD`; default today."),
        WithJsonSchema({"type": "string", "format": "date"}),  # checked by _date, not pydantic
    ] = None,
) -> Page[ParticipantPublic]:
    rows = reference_data.list_participants(
        current_reference(request, session), _date(on), page.limit, _after(page.after)
    )
    return page.page(rows, "id")


@router.get(
    "/v1/reference/incidents",
    operation_id="incidents-list",
    summary="The incident registry, filtered",
    responses=problems(422),
)
def list_incidents(
    request: Request,
    session: SessionDep,
    page: PageParamsDep,
    country: Annotated[str | None, Query(pattern=r"^[A-Za-z]{2}$")] = None,
    site: Annotated[str | None, Query(max_length=128)] = None,
    category: Annotated[str | None, Query(pattern=r"^[Cc]\d{2}$")] = None,
    status: IncidentStatus | None = None,
) -> Page[Incident]:
    where = IncidentFilter(country=country, site=site, category=category, status=status)
    rows = reference_data.list_incidents(
        current_reference(request, session), where, page.limit, _after(page.after)
    )
    return page.page(rows, "id")


@router.get(
    "/v1/reference/incidents/{incident_id}",
    operation_id="incidents-get",
    summary="One incident with its sources",
    responses=problems(404, 422),
)
def get_incident(incident_id: IncidentId, request: Request, session: SessionDep) -> Incident:
    return reference_data.get_incident(current_reference(request, session), incident_id)


PeriodId = Annotated[str, Path(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:-]+$")]


@router.get(
    "/v1/reference/status-periods/{period_id}",
    operation_id="status-periods-get",
    summary="One KP status period (a suspension, a removal) with its source",
    responses=problems(404, 422),
)
def get_status_period(period_id: PeriodId, request: Request, session: SessionDep) -> StatusPeriod:
    return reference_data.get_status_period(current_reference(request, session), period_id)


@router.get(
    "/v1/reference/taxonomy",
    operation_id="taxonomy-list",
    summary="The abuse taxonomy (criteria C01-C15)",
    responses=problems(422),
)
def list_taxonomy(request: Request, session: SessionDep, page: PageParamsDep) -> Page[Criterion]:
    rows = reference_data.list_taxonomy(
        current_reference(request, session), page.limit, _after(page.after)
    )
    return page.page(rows, "code")
