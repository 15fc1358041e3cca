"""``lab`` and ``certificate_numbers``: who owns a grading-report number.

A grading laboratory's client (role ``lab``, tenant = the lab's code) lists suppliers' claims on
its numbers and confirms or rejects them; operators list every dispute.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from clearstone._base_client import AsyncAPIClient, SyncAPIClient
from clearstone._models import BaseModel, Page
from clearstone._pagination import AsyncPager, SyncPager
from clearstone._resource import AsyncAPIResource, SyncAPIResource, path_param
from clearstone._types import NOT_GIVEN, NotGivenOr

__all__ = [
    "AsyncCertificateNumbers",
    "AsyncLab",
    "CertificateNumbers",
    "Lab",
    "NumberClaim",
]

ClaimStatusParam = Literal["claimed", "confirmed", "disputed", "rejected"]
ClaimDecisionParam = Literal["confirm", "reject"]


class NumberClaim(BaseModel):
    """A supplier's claim that a lab's report number belongs to its stone."""

    id: str
    number: str
    """The lab-qualified number (``GIA-2141438167``)."""
    lab: str
    stone_id: str
    status: ClaimStatusParam | str
    created_at: dt.datetime
    decided_at: dt.datetime | None = None


class LabClaims(SyncAPIResource):
    def list(
        self,
        *,
        status: NotGivenOr[ClaimStatusParam] = NOT_GIVEN,
        limit: NotGivenOr[int] = NOT_GIVEN,
        budget: float | None = None,
    ) -> SyncPager[NumberClaim]:
        """Claims on your laboratory's numbers (``lab-claims-list``).

        Example::

            for claim in client.lab.claims.list(status="disputed"):
                print(claim.number, claim.stone_id)
        """
        return self._client._paginate(
            "/v1/lab/claims",
            page_type=Page[NumberClaim],
            params={"status": status},
            limit=limit,
            budget=budget,
        )


class LabClaimDecisions(SyncAPIResource):
    def create(
        self, claim_id: str, *, decision: ClaimDecisionParam, budget: float | None = None
    ) -> NumberClaim:
        """Confirm (rejecting every other claim on the number) or reject a claim
        (``lab-claim-decisions-create``)."""
        path = f"/v1/lab/claims/{path_param(claim_id)}/decisions"
        return self._client.request(
            "POST", path, json={"decision": decision}, cast_to=NumberClaim, budget=budget
        )


class Lab(SyncAPIResource):
    def __init__(self, client: SyncAPIClient) -> None:
        super().__init__(client)
        self.claims = LabClaims(client)
        self.claim_decisions = LabClaimDecisions(client)


class Disputes(SyncAPIResource):
    def list(
        self, *, limit: NotGivenOr[int] = NOT_GIVEN, budget: float | None = None
    ) -> SyncPager[NumberClaim]:
        """Every claim in dispute, across labs (``number-disputes-list``; analysts)."""
        return self._client._paginate(
            "/v1/certificate-numbers/disputes",
            page_type=Page[NumberClaim],
            limit=limit,
            budget=budget,
        )


class CertificateNumbers(SyncAPIResource):
    def __init__(self, client: SyncAPIClient) -> None:
        super().__init__(client)
        self.disputes = Disputes(client)


class AsyncLabClaims(AsyncAPIResource):
    def list(
        self,
        *,
        status: NotGivenOr[ClaimStatusParam] = NOT_GIVEN,
        limit: NotGivenOr[int] = NOT_GIVEN,
        budget: float | None = None,
    ) -> AsyncPager[NumberClaim]:
        """Claims on your laboratory's numbers (``lab-claims-list``)."""
        return self._client._paginate(
            "/v1/lab/claims",
            page_type=Page[NumberClaim],
            params={"status": status},
            limit=limit,
            budget=budget,
        )


class AsyncLabClaimDecisions(AsyncAPIResource):
    async def create(
        self, claim_id: str, *, decision: ClaimDecisionParam, budget: float | None = None
    ) -> NumberClaim:
        """Confirm or reject a claim (``lab-claim-decisions-create``)."""
        path = f"/v1/lab/claims/{path_param(claim_id)}/decisions"
        return await self._client.request(
            "POST", path, json={"decision": decision}, cast_to=NumberClaim, budget=budget
        )


class AsyncLab(AsyncAPIResource):
    def __init__(self, client: AsyncAPIClient) -> None:
        super().__init__(client)
        self.claims = AsyncLabClaims(client)
        self.claim_decisions = AsyncLabClaimDecisions(client)


class AsyncDisputes(AsyncAPIResource):
    def list(
        self, *, limit: NotGivenOr[int] = NOT_GIVEN, budget: float | None = None
    ) -> AsyncPager[NumberClaim]:
        """Every claim in dispute (``number-disputes-list``)."""
        return self._client._paginate(
            "/v1/certificate-numbers/disputes",
            page_type=Page[NumberClaim],
            limit=limit,
            budget=budget,
        )


class AsyncCertificateNumbers(AsyncAPIResource):
    def __init__(self, client: AsyncAPIClient) -> None:
        super().__init__(client)
        self.disputes = AsyncDisputes(client)
