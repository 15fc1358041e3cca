"""The printable sanctions evidence pack: one self-contained HTML page (styles inline, no
scripts), served to the same callers as the JSON pack (a bearer token: this is not a consumer
page)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import jinja2
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from clearstone_api.routes.auth import AuthorizedRoute, EvidenceReader, requires
from clearstone_api.routes.dependencies import SessionDep, current_reference
from clearstone_api.routes.responses import AUTH, problems
from clearstone_api.routes.stones import JurisdictionQuery, StoneId
from clearstone_api.security.scopes import Scope
from clearstone_api.services.sanctions_evidence import SanctionsEvidence, get_sanctions_evidence

__all__ = ["render_evidence_page", "router"]

router = APIRouter(tags=["stones"], route_class=AuthorizedRoute)

TEMPLATE = Path(__file__).parent / "templates" / "sanctions_evidence.html"

_STATUS = {
    "prefilled": "Prefilled from the chain",
    "importer_to_complete": "For the importer to complete",
    "missing": "Missing",
    "prohibited": "Prohibited",
}


@cache
def _template() -> jinja2.Template:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE.parent),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    return environment.get_template(TEMPLATE.name)


def render_evidence_page(pack: SanctionsEvidence) -> str:
    return _template().render(pack=pack, status_label=_STATUS)


@router.get(
    "/v1/stones/{stone_id}/sanctions-evidence/print",
    operation_id="sanctions-evidence-print",
    summary="The evidence pack as a printable HTML page",
    response_class=HTMLResponse,
    dependencies=[requires(Scope.sanctions_evidence)],
    responses=problems(*AUTH, 404, 422),
)
def print_sanctions_evidence(
    stone_id: StoneId,
    jurisdiction: JurisdictionQuery,
    request: Request,
    session: SessionDep,
    principal: EvidenceReader,
) -> HTMLResponse:
    """The same pack as ``GET /v1/stones/{stone_id}/sanctions-evidence``, server-rendered for
    printing or saving as PDF, for the same callers. It assists a declaration; it is not one."""
    pack = get_sanctions_evidence(
        session, principal, current_reference(request, session), stone_id, jurisdiction
    )
    return HTMLResponse(render_evidence_page(pack))
