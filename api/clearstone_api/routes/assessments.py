"""``POST /v1/assessments``: assess a record sent inline, without storing it."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from pydantic import BaseModel

from clearstone_api.db import SessionDep
from clearstone_api.domain.assessment import assess
from clearstone_api.domain.record_validation import parse_record
from clearstone_api.domain.records import ProvenanceRecord
from clearstone_api.domain.verdicts import Assessment
from clearstone_api.observability.metrics import count_assessments
from clearstone_api.routes.dependencies import current_reference
from clearstone_api.routes.responses import AUTH, problems
from clearstone_api.routes.strict_bodies import strict_body
from clearstone_api.security.principals import AuthorizedRoute, requires
from clearstone_api.security.scopes import Scope

router = APIRouter(tags=["assessments"], route_class=AuthorizedRoute)


class AssessmentCreate(BaseModel):
    """A provenance record to assess, and the date the assessment should speak for."""

    record: ProvenanceRecord
    as_of: dt.date | None = None
    """Default: today. Each event is judged by the rules and facts in force on its own date,
    as known on ``as_of``."""


@router.post(
    "/v1/assessments",
    dependencies=[requires(Scope.assessments), strict_body(AssessmentCreate)],
    operation_id="assessments-create",
    summary="Assess a provenance record sent inline (not stored)",
    responses=problems(*AUTH, 422),
)
def create_assessment(body: AssessmentCreate, request: Request, session: SessionDep) -> Assessment:
    """Both verdicts and the sanctions flag for the record; nothing is stored. A record whose
    references do not resolve is a 422 naming each problem by its path under ``body.record``."""
    record = parse_record(body.record.model_dump(mode="json"))
    reference = current_reference(request, session)
    assessment = assess(record, reference, body.as_of or dt.date.today())
    count_assessments("inline", [(assessment.kp.result, assessment.csc.result)])
    return assessment
