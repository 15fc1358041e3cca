"""``POST /v1/assessments``: assess a record sent inline, without storing it."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, field_validator

from clearstone_api.domain.records import ProvenanceRecord
from clearstone_api.routes.auth import AuthorizedRoute, requires
from clearstone_api.routes.dependencies import SessionDep, current_reference
from clearstone_api.routes.responses import AUTH, problems
from clearstone_api.routes.strict_bodies import strict_body
from clearstone_api.security.scopes import Scope
from clearstone_api.services.assessments import InlineAssessment, assess_inline

router = APIRouter(tags=["assessments"], route_class=AuthorizedRoute)


EARLIEST_AS_OF = dt.date(1900, 1, 1)
"""No reference fact predates it: an earlier date is a typo, not a question."""


class AssessmentCreate(BaseModel):
    """A provenance record to assess, and the date the assessment should speak for."""

    model_config = ConfigDict(extra="forbid")

    record: ProvenanceRecord
    as_of: dt.date | None = None
    """A what-if: the assessment as Clearstone would have made it on this date (default: today,
    UTC). From 1900-01-01 to today; a later or earlier date is a 422. Stored nowhere: a stored
    stone's verdict always speaks for the day it was assessed."""

    @field_validator("as_of")
    @classmethod
    def _bounded(cls, value: dt.date | None) -> dt.date | None:
        if value is None:
            return value
        today = dt.datetime.now(dt.UTC).date()
        if value > today:
            raise ValueError(f"as_of may not be after today ({today.isoformat()})")
        if value < EARLIEST_AS_OF:
            raise ValueError(f"as_of may not be before {EARLIEST_AS_OF.isoformat()}")
        return value


@router.post(
    "/v1/assessments",
    dependencies=[requires(Scope.assessments), strict_body(AssessmentCreate)],
    operation_id="assessments-create",
    summary="Assess a provenance record sent inline (not stored)",
    responses=problems(*AUTH, 422),
)
def create_assessment(
    body: AssessmentCreate, request: Request, session: SessionDep
) -> InlineAssessment:
    """Both verdicts and the sanctions flag for the record; nothing is stored. A record whose
    references do not resolve is a 422 naming each problem by its path under ``body.record``.
    With ``as_of`` the answer is labelled a what-if (``what_if: true``)."""
    return assess_inline(body.record, current_reference(request, session), body.as_of)
