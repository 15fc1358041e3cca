"""``stones``: a supplier's stones and the check of their custody chains."""

from __future__ import annotations

from collections.abc import Sequence

from clearstone._base_client import AsyncAPIClient, SyncAPIClient
from clearstone._models import Page
from clearstone._pagination import AsyncPager, SyncPager
from clearstone._params import Carat, DocumentParam, GradingReportParam
from clearstone._resource import AsyncAPIResource, SyncAPIResource, path_param
from clearstone._sanctions_models import Jurisdiction, SanctionsEvidence
from clearstone._supplier_models import CustodyVerification, Stone, StoneSummary
from clearstone._types import NOT_GIVEN, NotGivenOr

__all__ = [
    "AsyncCustodyVerifications",
    "AsyncSanctionsEvidencePages",
    "AsyncSanctionsEvidences",
    "AsyncStoneSummaries",
    "AsyncStones",
    "CustodyVerifications",
    "SanctionsEvidencePages",
    "SanctionsEvidences",
    "StoneSummaries",
    "Stones",
]

_PATH = "/v1/stones"


def _verification_path(stone_id: str) -> str:
    return f"{_PATH}/{path_param(stone_id)}/custody/verification"


class CustodyVerifications(SyncAPIResource):
    def get(self, stone_id: str, *, budget: float | None = None) -> CustodyVerification:
        """Re-check every hash in the stone's custody chains (``custody-verifications-get``).

        Example::

            report = client.stones.custody_verifications.get("CS-7Q2K0000ABCD")
            assert report.valid, report.problems
        """
        path = _verification_path(stone_id)
        return self._client.request("GET", path, cast_to=CustodyVerification, budget=budget)


class AsyncCustodyVerifications(AsyncAPIResource):
    async def get(self, stone_id: str, *, budget: float | None = None) -> CustodyVerification:
        """Re-check a stone's custody chains (``custody-verifications-get``)."""
        path = _verification_path(stone_id)
        return await self._client.request("GET", path, cast_to=CustodyVerification, budget=budget)


class StoneSummaries(SyncAPIResource):
    def get(self, stone_id: str, *, budget: float | None = None) -> StoneSummary:
        """The retailer tier of any stone: verdicts and a custody summary, without prices or
        counterparty names (``stone-summaries-get``, retailers).

        Example::

            summary = client.stones.summaries.get(line.stone_id)
            for step in summary.custody:
                print(step.date, step.type, step.country)
        """
        path = f"{_PATH}/{path_param(stone_id)}/summary"
        return self._client.request("GET", path, cast_to=StoneSummary, budget=budget)


class AsyncStoneSummaries(AsyncAPIResource):
    async def get(self, stone_id: str, *, budget: float | None = None) -> StoneSummary:
        """The retailer tier of any stone (``stone-summaries-get``)."""
        path = f"{_PATH}/{path_param(stone_id)}/summary"
        return await self._client.request("GET", path, cast_to=StoneSummary, budget=budget)


def _evidence_path(stone_id: str, page: bool = False) -> str:
    suffix = "/print" if page else ""
    return f"{_PATH}/{path_param(stone_id)}/sanctions-evidence{suffix}"


class SanctionsEvidences(SyncAPIResource):
    def get(
        self, stone_id: str, *, jurisdiction: Jurisdiction, budget: float | None = None
    ) -> SanctionsEvidence:
        """What an importer into ``jurisdiction`` (EU, US, UK) must declare for the stone,
        prefilled from its chain, with what is missing and the rule that asks for it
        (``sanctions-evidence-get``). For the stone's supplier and retailers who screened it.
        It assists a declaration; it is not one. Also callable as
        ``client.stones.sanctions_evidence(stone_id, jurisdiction=...)``.

        Example::

            pack = client.stones.sanctions_evidence(line.stone_id, jurisdiction="EU")
            for item in pack.missing:
                print(item.title, item.rule_ids)
        """
        return self._client.request(
            "GET",
            _evidence_path(stone_id),
            params={"jurisdiction": jurisdiction},
            cast_to=SanctionsEvidence,
            budget=budget,
        )

    __call__ = get


class AsyncSanctionsEvidences(AsyncAPIResource):
    async def get(
        self, stone_id: str, *, jurisdiction: Jurisdiction, budget: float | None = None
    ) -> SanctionsEvidence:
        """The importer's evidence pack (``sanctions-evidence-get``); see
        :meth:`SanctionsEvidences.get`."""
        return await self._client.request(
            "GET",
            _evidence_path(stone_id),
            params={"jurisdiction": jurisdiction},
            cast_to=SanctionsEvidence,
            budget=budget,
        )

    __call__ = get


class SanctionsEvidencePages(SyncAPIResource):
    def get(self, stone_id: str, *, jurisdiction: Jurisdiction, budget: float | None = None) -> str:
        """The evidence pack as a printable HTML page (``sanctions-evidence-print``)."""
        return self._client.request(
            "GET",
            _evidence_path(stone_id, page=True),
            params={"jurisdiction": jurisdiction},
            cast_to=str,
            budget=budget,
        )


class AsyncSanctionsEvidencePages(AsyncAPIResource):
    async def get(
        self, stone_id: str, *, jurisdiction: Jurisdiction, budget: float | None = None
    ) -> str:
        """The evidence pack as a printable HTML page (``sanctions-evidence-print``)."""
        return await self._client.request(
            "GET",
            _evidence_path(stone_id, page=True),
            params={"jurisdiction": jurisdiction},
            cast_to=str,
            budget=budget,
        )


class Stones(SyncAPIResource):
    def __init__(self, client: SyncAPIClient) -> None:
        super().__init__(client)
        self.custody_verifications = CustodyVerifications(client)
        self.summaries = StoneSummaries(client)
        self.sanctions_evidence = SanctionsEvidences(client)
        self.sanctions_evidence_pages = SanctionsEvidencePages(client)

    def create(
        self,
        stone_id: str,
        *,
        origin: str,
        carat: Carat,
        form: NotGivenOr[str] = NOT_GIVEN,
        grading_report: NotGivenOr[GradingReportParam | None] = NOT_GIVEN,
        parent_lot_ids: NotGivenOr[Sequence[str]] = NOT_GIVEN,
        description: NotGivenOr[str | None] = NOT_GIVEN,
        aliases: NotGivenOr[Sequence[str]] = NOT_GIVEN,
        documents: NotGivenOr[Sequence[DocumentParam]] = NOT_GIVEN,
        idempotency_key: str | None = None,
        budget: float | None = None,
    ) -> Stone:
        """Register a stone under your own id ``stone_id``, link it to its rough lots and assess
        it (``stones-create``); the certificate lookup finds it at once by its grading-report
        number, ``aliases`` and Clearstone's id.

        Example::

            stone = client.stones.create(
                "S1",
                origin="natural",
                carat="1.01",
                grading_report={"lab": "GIA", "number": "7770001"},
                parent_lot_ids=["L1"],
            )
        """
        body = {
            "id": stone_id,
            "origin": origin,
            "carat": carat,
            "form": form,
            "grading_report": grading_report,
            "parent_lot_ids": parent_lot_ids,
            "description": description,
            "aliases": aliases,
            "documents": documents,
        }
        return self._client.request(
            "POST", _PATH, json=body, cast_to=Stone, idempotency_key=idempotency_key, budget=budget
        )

    def get(self, stone_id: str, *, budget: float | None = None) -> Stone:
        """One of your stones by Clearstone's id (``CS-...``) or by your own id, the ``stone_id``
        you registered it under (``stones-get``)."""
        path = f"{_PATH}/{path_param(stone_id)}"
        return self._client.request("GET", path, cast_to=Stone, budget=budget)

    def list(
        self, *, limit: NotGivenOr[int] = NOT_GIVEN, budget: float | None = None
    ) -> SyncPager[Stone]:
        """Every stone you registered, oldest first (``stones-list``).

        Example::

            for stone in client.stones.list(limit=100):
                print(stone.id, stone.assessment and stone.assessment.kp_result)
        """
        return self._client._paginate(_PATH, page_type=Page[Stone], limit=limit, budget=budget)


class AsyncStones(AsyncAPIResource):
    def __init__(self, client: AsyncAPIClient) -> None:
        super().__init__(client)
        self.custody_verifications = AsyncCustodyVerifications(client)
        self.summaries = AsyncStoneSummaries(client)
        self.sanctions_evidence = AsyncSanctionsEvidences(client)
        self.sanctions_evidence_pages = AsyncSanctionsEvidencePages(client)

    async def create(
        self,
        stone_id: str,
        *,
        origin: str,
        carat: Carat,
        form: NotGivenOr[str] = NOT_GIVEN,
        grading_report: NotGivenOr[GradingReportParam | None] = NOT_GIVEN,
        parent_lot_ids: NotGivenOr[Sequence[str]] = NOT_GIVEN,
        description: NotGivenOr[str | None] = NOT_GIVEN,
        aliases: NotGivenOr[Sequence[str]] = NOT_GIVEN,
        documents: NotGivenOr[Sequence[DocumentParam]] = NOT_GIVEN,
        idempotency_key: str | None = None,
        budget: float | None = None,
    ) -> Stone:
        """Register a stone (``stones-create``); see :meth:`Stones.create`."""
        body = {
            "id": stone_id,
            "origin": origin,
            "carat": carat,
            "form": form,
            "grading_report": grading_report,
            "parent_lot_ids": parent_lot_ids,
            "description": description,
            "aliases": aliases,
            "documents": documents,
        }
        return await self._client.request(
            "POST", _PATH, json=body, cast_to=Stone, idempotency_key=idempotency_key, budget=budget
        )

    async def get(self, stone_id: str, *, budget: float | None = None) -> Stone:
        """One of your stones by Clearstone's id or your own (``stones-get``)."""
        path = f"{_PATH}/{path_param(stone_id)}"
        return await self._client.request("GET", path, cast_to=Stone, budget=budget)

    def list(
        self, *, limit: NotGivenOr[int] = NOT_GIVEN, budget: float | None = None
    ) -> AsyncPager[Stone]:
        """Every stone you registered, for ``async for`` (``stones-list``)."""
        return self._client._paginate(_PATH, page_type=Page[Stone], limit=limit, budget=budget)
