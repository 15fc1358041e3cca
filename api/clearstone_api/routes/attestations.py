"""``GET /v1/attestations/{id}/status``: whether an attestation is still Clearstone's current
word on its stone. Public: whoever holds an attestation may ask."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from clearstone_api.routes.dependencies import SessionDep
from clearstone_api.routes.responses import problems
from clearstone_api.services.attestation_lifecycle import AttestationStatus, attestation_status

router = APIRouter(tags=["attestations"])

AttestationId = Annotated[
    str,
    Path(
        max_length=32,
        pattern=r"^AT-[0-9A-Z]{12}$",
        description="The attestation's id: its `jti` claim (`AT-...`).",
    ),
]


@router.get(
    "/v1/attestations/{attestation_id}/status",
    operation_id="attestation-statuses-get",
    summary="Is this attestation still current?",
    responses=problems(404, 422),
)
def get_attestation_status(
    attestation_id: AttestationId, session: SessionDep, response: Response
) -> AttestationStatus:
    """``current``, ``superseded`` (with the attestation that replaced it, and the stone's
    current one) or ``revoked``; ``expired`` once ``exp`` has passed. A valid signature says
    what Clearstone said; this says whether it still says it."""
    status = attestation_status(session, attestation_id)
    response.headers["Cache-Control"] = "public, max-age=60, stale-while-revalidate=60"
    return status
