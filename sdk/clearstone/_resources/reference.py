"""``reference``: reference data (participants, incidents, the taxonomy) and analyst changes.

Reads are public; writes need analyst credentials and are versioned and audited, and every
stored stone a change can affect is re-assessed in the background (follow
``reference.changes.get`` for progress).
"""

from __future__ import annotations

import datetime as dt

from clearstone._base_client import AsyncAPIClient, SyncAPIClient
from clearstone._models import Page
from clearstone._pagination import AsyncPager, SyncPager
from clearstone._params import DateParam, IncidentParam, StatusPeriodParam
from clearstone._reference_models import (
    Criterion,
    Incident,
    IncidentStatus,
    Participant,
    ReassessmentRun,
    ReferenceChange,
    ReferenceRowCreated,
    StatusPeriod,
)
from clearstone._resource import AsyncAPIResource, SyncAPIResource, path_param
from clearstone._types import NOT_GIVEN, NotGivenOr

__all__ = [
    "AsyncChanges",
    "AsyncIncidents",
    "AsyncParticipants",
    "AsyncReassessmentRuns",
    "AsyncReference",
    "AsyncStatusPeriods",
    "AsyncTaxonomy",
    "Changes",
    "Incidents",
    "Participants",
    "ReassessmentRuns",
    "Reference",
    "StatusPeriods",
    "Taxonomy",
]

_INCIDENTS = "/v1/reference/incidents"
_PERIODS = "/v1/reference/status-periods"
_CHANGES = "/v1/reference/changes"
_RUNS = "/v1/reassessment-runs"


def _on(on: NotGivenOr[DateParam]) -> NotGivenOr[str]:
    return on.isoformat() if isinstance(on, dt.date) else on


class Participants(SyncAPIResource):
    def list(
        self,
        *,
        on: NotGivenOr[DateParam] = NOT_GIVEN,
        limit: NotGivenOr[int] = NOT_GIVEN,
        budget: float | None = None,
    ) -> SyncPager[Participant]:
        """KP participants and their standing on ``on`` (default today) (``participants-list``).

        Example::

            for p in client.reference.participants.list(on="2019-06-01"):
                print(p.id, p.in_good_standing)
        """
        return self._client._paginate(
            "/v1/reference/participants",
            page_type=Page[Participant],
            params={"on": _on(on)},
            limit=limit,
            budget=budget,
        )


class Incidents(SyncAPIResource):
    def list(
        self,
        *,
        country: NotGivenOr[str] = NOT_GIVEN,
        site: NotGivenOr[str] = NOT_GIVEN,
        category: NotGivenOr[str] = NOT_GIVEN,
        status: NotGivenOr[IncidentStatus] = NOT_GIVEN,
        limit: NotGivenOr[int] = NOT_GIVEN,
        budget: float | None = None,
    ) -> SyncPager[Incident]:
        """The incident registry, filtered (``incidents-list``).

        Example::

            for incident in client.reference.incidents.list(country="ZW", category="C02"):
                print(incident.id, incident.status)
        """
        params = {"country": country, "site": site, "category": category, "status": status}
        return self._client._paginate(
            _INCIDENTS, page_type=Page[Incident], params=params, limit=limit, budget=budget
        )

    def get(self, incident_id: str, *, budget: float | None = None) -> Incident:
        """One incident with its sources (``incidents-get``)."""
        path = f"{_INCIDENTS}/{path_param(incident_id)}"
        return self._client.request("GET", path, cast_to=Incident, budget=budget)

    def create(
        self,
        incident: IncidentParam,
        *,
        note: str,
        idempotency_key: str | None = None,
        budget: float | None = None,
    ) -> ReferenceRowCreated:
        """Add an incident, with a note saying why (``incidents-create``, analyst)."""
        return self._client.request(
            "POST",
            _INCIDENTS,
            json={"incident": incident, "note": note},
            cast_to=ReferenceRowCreated,
            idempotency_key=idempotency_key,
            budget=budget,
        )

    def update(
        self, incident_id: str, incident: IncidentParam, *, note: str, budget: float | None = None
    ) -> ReferenceChange:
        """Correct an incident (``incidents-update``, analyst); the path's id wins over the
        body's."""
        return self._client.request(
            "PUT",
            f"{_INCIDENTS}/{path_param(incident_id)}",
            json={"incident": incident, "note": note},
            cast_to=ReferenceChange,
            budget=budget,
        )


class StatusPeriods(SyncAPIResource):
    def get(self, period_id: str, *, budget: float | None = None) -> StatusPeriod:
        """One KP status period with its source (``status-periods-get``, public)."""
        path = f"{_PERIODS}/{path_param(period_id)}"
        return self._client.request("GET", path, cast_to=StatusPeriod, budget=budget)

    def create(
        self,
        status_period: StatusPeriodParam,
        *,
        note: str,
        idempotency_key: str | None = None,
        budget: float | None = None,
    ) -> ReferenceRowCreated:
        """Add a KP status period (``status-periods-create``, analyst)."""
        return self._client.request(
            "POST",
            _PERIODS,
            json={"status_period": status_period, "note": note},
            cast_to=ReferenceRowCreated,
            idempotency_key=idempotency_key,
            budget=budget,
        )

    def update(
        self,
        period_id: str,
        status_period: StatusPeriodParam,
        *,
        note: str,
        budget: float | None = None,
    ) -> ReferenceChange:
        """Correct a KP status period (``status-periods-update``, analyst)."""
        return self._client.request(
            "PUT",
            f"{_PERIODS}/{path_param(period_id)}",
            json={"status_period": status_period, "note": note},
            cast_to=ReferenceChange,
            budget=budget,
        )


class Taxonomy(SyncAPIResource):
    def list(
        self, *, limit: NotGivenOr[int] = NOT_GIVEN, budget: float | None = None
    ) -> SyncPager[Criterion]:
        """The abuse taxonomy, criteria C01-C15 (``taxonomy-list``)."""
        return self._client._paginate(
            "/v1/reference/taxonomy", page_type=Page[Criterion], limit=limit, budget=budget
        )


class Changes(SyncAPIResource):
    def get(self, change_id: int, *, budget: float | None = None) -> ReferenceChange:
        """One change and its re-assessment progress (``reference-changes-get``)."""
        path = f"{_CHANGES}/{int(change_id)}"
        return self._client.request("GET", path, cast_to=ReferenceChange, budget=budget)

    def list(
        self, *, limit: NotGivenOr[int] = NOT_GIVEN, budget: float | None = None
    ) -> SyncPager[ReferenceChange]:
        """The audit trail, oldest first (``reference-changes-list``)."""
        return self._client._paginate(
            _CHANGES, page_type=Page[ReferenceChange], limit=limit, budget=budget
        )


class ReassessmentRuns(SyncAPIResource):
    def get(self, run_id: int, *, budget: float | None = None) -> ReassessmentRun:
        """One run: stones done of the total, rate and estimated end
        (``reassessment-runs-get``, analyst).

        Example::

            run = client.reference.reassessment_runs.get(7)
            print(f"{run.done}/{run.total} at {run.rate} stones/s, done by {run.estimated_end}")
        """
        path = f"{_RUNS}/{int(run_id)}"
        return self._client.request("GET", path, cast_to=ReassessmentRun, budget=budget)

    def list(
        self,
        *,
        change_id: NotGivenOr[int] = NOT_GIVEN,
        limit: NotGivenOr[int] = NOT_GIVEN,
        budget: float | None = None,
    ) -> SyncPager[ReassessmentRun]:
        """Runs, oldest first; only those of ``change_id`` when given
        (``reassessment-runs-list``, analyst)."""
        return self._client._paginate(
            _RUNS,
            page_type=Page[ReassessmentRun],
            params={"change_id": change_id},
            limit=limit,
            budget=budget,
        )


class Reference(SyncAPIResource):
    """Reference data: ``participants``, ``incidents``, ``status_periods``, ``taxonomy``,
    ``changes`` and the ``reassessment_runs`` they cause."""

    def __init__(self, client: SyncAPIClient) -> None:
        super().__init__(client)
        self.participants = Participants(client)
        self.incidents = Incidents(client)
        self.status_periods = StatusPeriods(client)
        self.taxonomy = Taxonomy(client)
        self.changes = Changes(client)
        self.reassessment_runs = ReassessmentRuns(client)


class AsyncParticipants(AsyncAPIResource):
    def list(
        self,
        *,
        on: NotGivenOr[DateParam] = NOT_GIVEN,
        limit: NotGivenOr[int] = NOT_GIVEN,
        budget: float | None = None,
    ) -> AsyncPager[Participant]:
        """KP participants and their standing (``participants-list``)."""
        return self._client._paginate(
            "/v1/reference/participants",
            page_type=Page[Participant],
            params={"on": _on(on)},
            limit=limit,
            budget=budget,
        )


class AsyncIncidents(AsyncAPIResource):
    def list(
        self,
        *,
        country: NotGivenOr[str] = NOT_GIVEN,
        site: NotGivenOr[str] = NOT_GIVEN,
        category: NotGivenOr[str] = NOT_GIVEN,
        status: NotGivenOr[IncidentStatus] = NOT_GIVEN,
        limit: NotGivenOr[int] = NOT_GIVEN,
        budget: float | None = None,
    ) -> AsyncPager[Incident]:
        """The incident registry, filtered (``incidents-list``)."""
        params = {"country": country, "site": site, "category": category, "status": status}
        return self._client._paginate(
            _INCIDENTS, page_type=Page[Incident], params=params, limit=limit, budget=budget
        )

    async def get(self, incident_id: str, *, budget: float | None = None) -> Incident:
        """One incident with its sources (``incidents-get``)."""
        path = f"{_INCIDENTS}/{path_param(incident_id)}"
        return await self._client.request("GET", path, cast_to=Incident, budget=budget)

    async def create(
        self,
        incident: IncidentParam,
        *,
        note: str,
        idempotency_key: str | None = None,
        budget: float | None = None,
    ) -> ReferenceRowCreated:
        """Add an incident (``incidents-create``, analyst)."""
        return await self._client.request(
            "POST",
            _INCIDENTS,
            json={"incident": incident, "note": note},
            cast_to=ReferenceRowCreated,
            idempotency_key=idempotency_key,
            budget=budget,
        )

    async def update(
        self, incident_id: str, incident: IncidentParam, *, note: str, budget: float | None = None
    ) -> ReferenceChange:
        """Correct an incident (``incidents-update``, analyst)."""
        return await self._client.request(
            "PUT",
            f"{_INCIDENTS}/{path_param(incident_id)}",
            json={"incident": incident, "note": note},
            cast_to=ReferenceChange,
            budget=budget,
        )


class AsyncStatusPeriods(AsyncAPIResource):
    async def get(self, period_id: str, *, budget: float | None = None) -> StatusPeriod:
        """One KP status period with its source (``status-periods-get``, public)."""
        path = f"{_PERIODS}/{path_param(period_id)}"
        return await self._client.request("GET", path, cast_to=StatusPeriod, budget=budget)

    async def create(
        self,
        status_period: StatusPeriodParam,
        *,
        note: str,
        idempotency_key: str | None = None,
        budget: float | None = None,
    ) -> ReferenceRowCreated:
        """Add a KP status period (``status-periods-create``, analyst)."""
        return await self._client.request(
            "POST",
            _PERIODS,
            json={"status_period": status_period, "note": note},
            cast_to=ReferenceRowCreated,
            idempotency_key=idempotency_key,
            budget=budget,
        )

    async def update(
        self,
        period_id: str,
        status_period: StatusPeriodParam,
        *,
        note: str,
        budget: float | None = None,
    ) -> ReferenceChange:
        """Correct a KP status period (``status-periods-update``, analyst)."""
        return await self._client.request(
            "PUT",
            f"{_PERIODS}/{path_param(period_id)}",
            json={"status_period": status_period, "note": note},
            cast_to=ReferenceChange,
            budget=budget,
        )


class AsyncTaxonomy(AsyncAPIResource):
    def list(
        self, *, limit: NotGivenOr[int] = NOT_GIVEN, budget: float | None = None
    ) -> AsyncPager[Criterion]:
        """The abuse taxonomy (``taxonomy-list``)."""
        return self._client._paginate(
            "/v1/reference/taxonomy", page_type=Page[Criterion], limit=limit, budget=budget
        )


class AsyncChanges(AsyncAPIResource):
    async def get(self, change_id: int, *, budget: float | None = None) -> ReferenceChange:
        """One change and its re-assessment progress (``reference-changes-get``)."""
        path = f"{_CHANGES}/{int(change_id)}"
        return await self._client.request("GET", path, cast_to=ReferenceChange, budget=budget)

    def list(
        self, *, limit: NotGivenOr[int] = NOT_GIVEN, budget: float | None = None
    ) -> AsyncPager[ReferenceChange]:
        """The audit trail, oldest first (``reference-changes-list``)."""
        return self._client._paginate(
            _CHANGES, page_type=Page[ReferenceChange], limit=limit, budget=budget
        )


class AsyncReassessmentRuns(AsyncAPIResource):
    async def get(self, run_id: int, *, budget: float | None = None) -> ReassessmentRun:
        """One run and its progress (``reassessment-runs-get``, analyst)."""
        path = f"{_RUNS}/{int(run_id)}"
        return await self._client.request("GET", path, cast_to=ReassessmentRun, budget=budget)

    def list(
        self,
        *,
        change_id: NotGivenOr[int] = NOT_GIVEN,
        limit: NotGivenOr[int] = NOT_GIVEN,
        budget: float | None = None,
    ) -> AsyncPager[ReassessmentRun]:
        """Runs, oldest first (``reassessment-runs-list``, analyst)."""
        return self._client._paginate(
            _RUNS,
            page_type=Page[ReassessmentRun],
            params={"change_id": change_id},
            limit=limit,
            budget=budget,
        )


class AsyncReference(AsyncAPIResource):
    """Reference data, for asyncio; see :class:`Reference`."""

    def __init__(self, client: AsyncAPIClient) -> None:
        super().__init__(client)
        self.participants = AsyncParticipants(client)
        self.incidents = AsyncIncidents(client)
        self.status_periods = AsyncStatusPeriods(client)
        self.taxonomy = AsyncTaxonomy(client)
        self.changes = AsyncChanges(client)
        self.reassessment_runs = AsyncReassessmentRuns(client)
