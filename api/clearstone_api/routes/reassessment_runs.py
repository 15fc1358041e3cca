"""Re-assessment runs and their progress (analyst)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from clearstone_api.pagination import Page, PageParamsDep
from clearstone_api.routes.auth import AnalystReader, AuthorizedRoute
from clearstone_api.routes.dependencies import SessionDep
from clearstone_api.routes.responses import AUTH, problems
from clearstone_api.services import reassessment_runs
from clearstone_api.services.reassessment_runs import ReassessmentRunPublic

router = APIRouter(tags=["reference"], route_class=AuthorizedRoute)


@router.get(
    "/v1/reassessment-runs",
    operation_id="reassessment-runs-list",
    summary="Re-assessment runs, oldest first (analyst)",
    responses=problems(*AUTH, 422),
)
def list_runs(
    session: SessionDep,
    page: PageParamsDep,
    _principal: AnalystReader,
    change_id: Annotated[
        int | None,
        Query(ge=1, le=2**31 - 1, description="Only the runs of this reference change."),
    ] = None,
) -> Page[ReassessmentRunPublic]:
    after = page.after if isinstance(page.after, int) else None
    return page.page(reassessment_runs.list_runs(session, page.limit, after, change_id), "id")


@router.get(
    "/v1/reassessment-runs/{run_id}",
    operation_id="reassessment-runs-get",
    summary="One re-assessment run: stones done of the total, rate and estimated end (analyst)",
    responses=problems(*AUTH, 404, 422),
)
def get_run(
    run_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    session: SessionDep,
    _principal: AnalystReader,
) -> ReassessmentRunPublic:
    """A run starts with each reference change (``change_id``) and with each sweep of stale
    verdicts (``reason`` ``stale``); its batches run as jobs on the workers."""
    return reassessment_runs.run_public(session, reassessment_runs.get_run(session, run_id))
