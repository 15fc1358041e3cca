"""``assessments``: assess a provenance record sent inline; nothing is stored."""

from __future__ import annotations

from clearstone._models import Assessment
from clearstone._params import DateParam, ProvenanceRecordParam
from clearstone._resource import AsyncAPIResource, SyncAPIResource
from clearstone._types import NOT_GIVEN, NotGivenOr

__all__ = ["Assessments", "AsyncAssessments"]

_PATH = "/v1/assessments"


def _body(record: ProvenanceRecordParam, as_of: NotGivenOr[DateParam]) -> dict[str, object]:
    return {"record": record, "as_of": as_of}


class Assessments(SyncAPIResource):
    def create(
        self,
        record: ProvenanceRecordParam,
        *,
        as_of: NotGivenOr[DateParam] = NOT_GIVEN,
        budget: float | None = None,
    ) -> Assessment:
        """Both verdicts and the sanctions flag for ``record`` on ``as_of`` (default: today)
        (``assessments-create``). A record whose references do not resolve raises
        :class:`~clearstone.UnprocessableEntityError` naming each problem by its path.

        Example::

            assessment = client.assessments.create(record, as_of="2026-11-01")
            assert assessment.kp.result in ("pass", "fail", "insufficient_evidence")
        """
        body = _body(record, as_of)
        return self._client.request("POST", _PATH, json=body, cast_to=Assessment, budget=budget)


class AsyncAssessments(AsyncAPIResource):
    async def create(
        self,
        record: ProvenanceRecordParam,
        *,
        as_of: NotGivenOr[DateParam] = NOT_GIVEN,
        budget: float | None = None,
    ) -> Assessment:
        """Assess ``record`` (``assessments-create``); see :meth:`Assessments.create`."""
        body = _body(record, as_of)
        return await self._client.request(
            "POST", _PATH, json=body, cast_to=Assessment, budget=budget
        )
