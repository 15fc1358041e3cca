"""Request shapes, as ``TypedDict``: what a caller passes, checked by the type checker.

Plain dicts at run time, so a record read from JSON is sent as it is; the server validates every
field and a mistake comes back as :class:`~clearstone.UnprocessableEntityError` naming its path.
Dates may be :class:`datetime.date` or ISO strings, carats decimal strings (``"1.02"``) or
numbers. Keys a ``TypedDict`` marks ``NotRequired`` are left out rather than sent as null.

Example::

    event: CustodyEventParam = {
        "id": "E1",
        "type": "extraction",
        "date": "2023-03-01",
        "place": {"country": "BW", "site_id": "jwaneng"},
        "items": ["L1"],
    }
    client.custody.events.create(event)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Literal, NotRequired, TypeAlias, TypedDict

from clearstone._models import CscResult, Decision, KpResult

__all__ = [
    "Carat",
    "DateParam",
    "DocumentParam",
    "GradingReportParam",
    "IncidentParam",
    "IncidentPartyParam",
    "IncidentSourceParam",
    "MeasurementsParam",
    "OwnerParam",
    "PartyParam",
    "PlaceParam",
    "ProvenanceRecordParam",
    "RemediationParam",
    "RoughLotParam",
    "ScreeningPolicyParam",
    "SiteParam",
    "StatusPeriodParam",
    "StoneParam",
]

DateParam: TypeAlias = dt.date | str
"""A calendar date, or its ISO form ``YYYY-MM-DD``."""
Carat: TypeAlias = str | float | int
"""A weight in carats; a decimal string (``"1.02"``) keeps it exact."""
DocumentParam: TypeAlias = Mapping[str, object]
"""A KP certificate, an invoice or an attestation, told apart by ``type``; see the API reference
(``KPCertificate``, ``Invoice``, ``Attestation`` in ``openapi.json``) for their fields."""
Origin: TypeAlias = Literal["natural", "lab_grown"] | str


class ScreeningPolicyParam(TypedDict, total=False):
    """The retailer's rules for a screening; a key left out keeps the server's default.

    Defaults: block KP ``fail`` and CSC ``red_flag``; review KP ``insufficient_evidence`` and CSC
    ``elevated_risk``/``insufficient_provenance``/``country_context_only``; block sanctioned
    stones; review unknown numbers.
    """

    block_kp: Sequence[KpResult]
    review_kp: Sequence[KpResult]
    block_csc: Sequence[CscResult]
    review_csc: Sequence[CscResult]
    review_risk_score_from: int
    """Review any stone whose CSC risk score is at least this (0-101; 101: never)."""
    block_sanctions: bool
    unknown: Decision
    """The decision for a number Clearstone does not know."""
    max_assessment_age_days: int | None
    """Require an assessment made at most this many days ago (0-3650; None: any age)."""
    stale_assessment: Decision
    """The decision for a stone whose assessment is older than that (default ``review``)."""


class PlaceParam(TypedDict):
    country: str
    """ISO 3166-1 alpha-2."""
    admin1: NotRequired[str | None]
    admin2: NotRequired[str | None]
    site_id: NotRequired[str | None]
    locality: NotRequired[str | None]


class SiteParam(TypedDict):
    id: str
    name: str
    country: str
    admin1: NotRequired[str | None]
    admin2: NotRequired[str | None]
    registry_id: NotRequired[str | None]
    scale: NotRequired[Literal["industrial", "asm"] | None]
    deposit_type: NotRequired[Literal["kimberlite", "alluvial", "marine", "other"] | None]
    operator_party_id: NotRequired[str | None]


class OwnerParam(TypedDict):
    """A shareholder of a party, as the record states it (50 % or more by a listed party makes
    the party a sanctions hit)."""

    name: str
    share_percent: Carat


class PartyParam(TypedDict):
    id: str
    name: str
    type: str
    """``lsm_miner``, ``asm_miner``, ``rough_trader``, ``manufacturer``, ``retailer``, ..."""
    country: str
    registry_id: NotRequired[str | None]
    kp_licence: NotRequired[str | None]
    sow_registered: NotRequired[bool | None]
    rjc_member_id: NotRequired[str | None]
    owners: NotRequired[Sequence[OwnerParam]]


class MeasurementsParam(TypedDict):
    """As the report prints them, in millimetres."""

    length_mm: Carat
    width_mm: Carat
    depth_mm: Carat


class GradingReportParam(TypedDict):
    lab: str
    number: str
    date: NotRequired[DateParam | None]
    carat: NotRequired[Carat | None]
    shape: NotRequired[
        Literal[
            "round_brilliant",
            "princess",
            "cushion",
            "oval",
            "emerald",
            "pear",
            "marquise",
            "radiant",
            "asscher",
            "heart",
            "other",
        ]
    ]
    measurements: NotRequired[MeasurementsParam]
    colour: NotRequired[str]
    """``G``, ``K-L`` or ``Fancy Intense Yellow``."""
    clarity: NotRequired[
        Literal["FL", "IF", "VVS1", "VVS2", "VS1", "VS2", "SI1", "SI2", "I1", "I2", "I3"]
    ]
    laser_inscription: NotRequired[str]


class RoughLotParam(TypedDict):
    id: str
    carat: Carat
    kind: NotRequired[Literal["rough_lot"]]
    parcel_count: NotRequired[int]
    hs_code: NotRequired[str]
    origin: NotRequired[Origin]
    parent_lot_ids: NotRequired[Sequence[str]]
    mixed_origin: NotRequired[bool]


class StoneParam(TypedDict):
    id: str
    origin: Origin
    carat: Carat
    kind: NotRequired[Literal["stone"]]
    form: NotRequired[Literal["polished", "rough"]]
    grading_report: NotRequired[GradingReportParam | None]
    parent_lot_ids: NotRequired[Sequence[str]]
    description: NotRequired[str | None]
    article: NotRequired[Literal["loose", "jewellery"]]
    """``jewellery``: set in a piece of jewellery (the sanctions scope differs)."""


class CustodyEventParam(TypedDict):
    """One step in the chain: something happened to some lots or stones on a date, somewhere."""

    id: str
    type: str
    """``extraction``, ``export``, ``import``, ``transit``, ``sale``, ``cutting``, ..."""
    date: DateParam
    place: PlaceParam
    items: Sequence[str]
    """The lot and stone ids the event handled."""
    from_party_id: NotRequired[str | None]
    to_party_id: NotRequired[str | None]
    destination_country: NotRequired[str | None]
    document_ids: NotRequired[Sequence[str]]
    seals_intact: NotRequired[bool | None]
    carat_in: NotRequired[Carat | None]
    carat_out: NotRequired[Carat | None]


class ProvenanceRecordParam(TypedDict):
    """A diamond's whole provenance record, as ``clearstone.assessments.create`` takes it."""

    subject_id: str
    schema_version: NotRequired[Literal["1"]]
    stones: NotRequired[Sequence[StoneParam]]
    lots: NotRequired[Sequence[RoughLotParam]]
    parties: NotRequired[Sequence[PartyParam]]
    sites: NotRequired[Sequence[SiteParam]]
    events: NotRequired[Sequence[CustodyEventParam]]
    documents: NotRequired[Sequence[DocumentParam]]


class IncidentSourceParam(TypedDict):
    source_id: str
    title: str
    publisher: NotRequired[str | None]
    url: NotRequired[str | None]
    date: NotRequired[DateParam | None]


class IncidentPartyParam(TypedDict):
    id: str
    name: str
    role: str


class RemediationParam(TypedDict):
    date: DateParam
    description: str
    source_ids: Sequence[str]


class IncidentParam(TypedDict):
    """A registry incident, for an analyst's ``reference.incidents.create`` or ``update``."""

    id: str
    """``INC-...``."""
    title: str
    summary: str
    country: str
    actors: Sequence[str]
    categories: Sequence[str]
    """Criterion codes, ``C01``-``C15``."""
    date_start: DateParam
    reported_on: DateParam
    retrieved_at: DateParam
    sources: Sequence[IncidentSourceParam]
    status: Literal["alleged", "documented", "adjudicated", "settled"] | str
    verification: Literal["verified", "secondary", "unverified"] | str
    admin1: NotRequired[str | None]
    admin2: NotRequired[str | None]
    date_end: NotRequired[DateParam | None]
    site_ids: NotRequired[Sequence[str]]
    parties: NotRequired[Sequence[IncidentPartyParam]]
    remediations: NotRequired[Sequence[RemediationParam]]


class StatusPeriodParam(TypedDict):
    """A KP participant's status over a period (a suspension, an embargo...)."""

    id: str
    participant_id: str
    status: Literal["suspended", "self_suspended", "removed", "embargoed"] | str
    valid_from: DateParam
    basis: str
    source_ids: Sequence[str]
    retrieved_at: DateParam
    verification: Literal["verified", "secondary", "unverified"] | str
    valid_to: NotRequired[DateParam | None]
    exception_measure: NotRequired[Literal["compliant_zone"] | None]
    note: NotRequired[str | None]
