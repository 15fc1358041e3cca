"""The rows of the shipped reference data, one model per file.

Every row carries its sources (ids into ``sources.csv``), the date they were retrieved, and a
``verification`` label: ``verified`` (read in the source), ``secondary`` (verified only in a
secondary source) or ``unverified`` (memory or inference, to be checked; shown as such).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)

from clearstone_api.domain.text import CheckedValues, check_web_url

__all__ = [
    "CertificateProfile",
    "Conventions",
    "Criterion",
    "Definition",
    "DiamondLink",
    "Embargo",
    "HsCode",
    "Incident",
    "IncidentArea",
    "IncidentMitigation",
    "IncidentParty",
    "IncidentSource",
    "IncidentStatus",
    "KpRule",
    "Participant",
    "ParticipantMembership",
    "RegistrySite",
    "Remediation",
    "SanctionMeasure",
    "SanctionedParty",
    "Source",
    "SourceStrength",
    "SowStatement",
    "SpecialMeasure",
    "Standard",
    "StatusPeriod",
    "Verification",
]


def _split_list(value: object) -> object:
    """CSV cells hold lists as ``a;b;c``; JSON lines hold real lists."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(";") if part.strip()]
    return value


def _blank_to_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


Codes = Annotated[list[str], BeforeValidator(_split_list)]
OptDate = Annotated[dt.date | None, BeforeValidator(_blank_to_none)]
OptStr = Annotated[str | None, BeforeValidator(_blank_to_none)]
OptDecimal = Annotated[Decimal | None, BeforeValidator(_blank_to_none)]
OptInt = Annotated[int | None, BeforeValidator(_blank_to_none)]
Iso2 = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Z]{2}$")]
OptIso2 = Annotated[Iso2 | None, BeforeValidator(_blank_to_none)]


class Verification(StrEnum):
    verified = "verified"
    secondary = "secondary"
    unverified = "unverified"


class _Row(CheckedValues, BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    source_ids: Annotated[Codes, Field(min_length=1)]
    retrieved_at: dt.date
    verification: Verification
    note: OptStr = None


class SourceStrength(StrEnum):
    """How far a source can be trusted on its own."""

    primary = "primary"
    """The legal act, the UN, the KP, a regulator, a company or NGO speaking for itself."""
    secondary = "secondary"
    """Trade press, news agencies, law firms reporting what a primary source said."""
    weak = "weak"
    """A copy on a mirror or upload site, a blog, a third party's reproduction: kept because
    nothing better was found, shown as not independently confirmed."""


class Source(CheckedValues, BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    id: Annotated[str, StringConstraints(pattern=r"^S\d+[a-z]?$")]
    title: str
    publisher: OptStr = None
    url: Annotated[OptStr, AfterValidator(check_web_url)] = None
    """Shipped data holds ``http`` and ``https`` links; analysts submit ``https`` only."""
    strength: SourceStrength
    retrieved_at: dt.date

    @property
    def primary(self) -> bool:
        return self.strength is SourceStrength.primary


class Participant(_Row):
    id: Iso2
    """Participant code: ISO2, ``EU`` for the European Union, ``TW`` for Chinese Taipei."""
    name: str
    kind: Literal["participant", "trading_entity"]
    regional_org: bool
    admitted_on: OptDate = None


class ParticipantMembership(_Row):
    """Which participant covers a country's trade on a date (``BE`` → ``EU``; ``GB`` → ``EU``
    until 2020, ``GB`` after)."""

    participant_id: Iso2
    country: Iso2
    valid_from: dt.date
    valid_to: OptDate = None


class StatusPeriod(_Row):
    id: str
    participant_id: Iso2
    status: Literal["suspended", "self_suspended", "removed", "embargoed"]
    valid_from: dt.date
    valid_to: OptDate = None
    """Exclusive: the first day the status no longer applies."""
    basis: str
    exception_measure: Annotated[
        Literal["compliant_zone"] | None, BeforeValidator(_blank_to_none)
    ] = None
    """Exports may still pass under this kind of special measure (CAR compliant zones)."""


class SpecialMeasure(_Row):
    id: str
    country: Iso2
    kind: Literal["compliant_zone", "restricted_exports", "monitored_exports"]
    admin1: OptStr = None
    admin2: OptStr = None
    site_ids: Codes = []
    valid_from: dt.date
    valid_to: OptDate = None
    description: str


class KpRule(_Row):
    """The KP rule a check applies (K01-K17), cited by every check that does not pass."""

    id: Annotated[str, StringConstraints(pattern=r"^K\d{2}$")]
    rule: str
    """Where the rule is written, and what it says, in a sentence."""


class CertificateProfile(_Row):
    participant_id: Iso2
    number_prefixes: Codes
    max_validity_days: OptInt = None


class HsCode(_Row):
    code: Annotated[str, StringConstraints(pattern=r"^\d{4}(\.\d{2})?$")]
    description: str
    kp_scope: bool
    form: Literal["rough", "polished", "synthetic", "industrial"]


class Embargo(_Row):
    """A UN Security Council rough-diamond import ban."""

    id: str
    country: Iso2
    resolution: str
    measure: str
    valid_from: dt.date
    valid_to: OptDate = None
    exempt_government_certificate: bool


class SanctionMeasure(_Row):
    """One effective-dated rule of one jurisdiction on diamonds linked to a sanctioned country.

    ``kind`` ``ban``: goods within the row's scope are prohibited on a date the row is in force.
    ``kind`` ``requirement``: an importer into the jurisdiction must provide ``requires`` (an
    evidence-checklist item) for goods within the scope. See ``docs/methodology.md`` §5.
    """

    id: str
    jurisdiction: Literal["EU", "US", "UK"]
    kind: Literal["ban", "requirement"]
    regime: str
    """The legal instrument (regulation, executive order, determination, guidance)."""
    country: Iso2
    route: Literal["direct", "processed", "any"]
    """``direct``: originating in, exported from or transiting ``country``, not processed in a
    third country since; ``processed``: mined there and processed in a third country;
    ``any``: every import (requirements)."""
    goods: Literal["natural", "lab_grown", "all"]
    articles: Literal["loose", "jewellery", "all"]
    form: Literal["rough", "polished", "all"] = "all"
    condition: Literal["always", "mixed_rough"] = "always"
    """``mixed_rough``: only for rough of mixed origin."""
    covers_industrial: bool = False
    min_carat: OptDecimal = None
    """Per stone, inclusive: the weight band the row covers from."""
    max_carat: OptDecimal = None
    """Per stone, exclusive: the band's upper end (a lighter band with its own cut-off)."""
    valid_from: dt.date
    valid_to: OptDate = None
    grandfather_by: Literal["none", "import", "export", "processing"] = "none"
    """Goods whose import into the jurisdiction / export from ``country`` / third-country
    processing happened before ``grandfather_before`` are not covered."""
    grandfather_before: OptDate = None
    requires: OptStr = None
    """For requirements: the evidence item (``due_diligence_statement``...)."""
    description: str


class SanctionedParty(_Row):
    """A listed party on one official list, with every name it is listed under."""

    id: str
    party_key: str
    """Groups the rows of one party across lists (``alrosa``)."""
    jurisdiction: Literal["EU", "US", "UK"]
    list: str
    """The official list: ``OFAC SDN``, ``EU consolidated list``, ``UK sanctions list``."""
    list_ref: OptStr = None
    """The list's own identifier (OFAC UID, EU logical id, UK group id) where known."""
    regime: str
    kind: Literal["entity", "person"]
    basis: Literal["designated", "owned_50"] = "designated"
    """``owned_50``: not named on the list, blocked as 50 % or more owned by ``owner_id``."""
    owner_id: OptStr = None
    name: str
    aliases: Codes = []
    """Other names, in Latin and original scripts (``АЛРОСА``)."""
    former_names: Codes = []
    country: Iso2
    valid_from: dt.date
    """The listing date."""
    valid_to: OptDate = None


class SowStatement(_Row):
    version: Literal["2003", "2021"]
    text: str
    pattern: str
    """Case-insensitive regular expression, tolerant of the bracket and verb variants."""
    accepted_from: dt.date
    rough_accepted_until: OptDate = None
    polished_accepted_until: OptDate = None


class Criterion(_Row):
    code: Annotated[str, StringConstraints(pattern=r"^C\d{2}$")]
    name: str
    csc_2018: OptStr = None
    oecd_annex_ii: OptStr = None
    canada_2018: OptStr = None
    ilo: OptStr = None


class Conventions(_Row):
    """An international instrument the taxonomy refers to (ILO conventions, OECD Annex II)."""

    id: str
    title: str
    year: OptInt = None
    criteria: Codes = []


class Standard(_Row):
    id: str
    """Matches ``AttestationScheme`` in records."""
    name: str
    owner: str
    level: Literal["country", "site", "company", "shipment", "transaction", "stone"]
    mitigates: Codes = []
    """Criteria codes this standard's attestation can mitigate at its level."""


class RegistrySite(_Row):
    id: str
    name: str
    country: Iso2
    admin1: OptStr = None
    admin2: OptStr = None
    aliases: Codes = []


class Definition(_Row):
    id: str
    term: str
    text: str
    valid_from: dt.date
    valid_to: OptDate = None


class IncidentStatus(StrEnum):
    """How firmly an incident is established. ``documented`` is the older, undivided label;
    new rows say who documented it: an official body (a UN body, a government, a regulator, the
    KP) or NGOs and the press."""

    alleged = "alleged"
    documented = "documented"
    documented_official = "documented_official"
    documented_ngo_press = "documented_ngo_press"
    adjudicated = "adjudicated"
    settled = "settled"


class DiamondLink(StrEnum):
    """How directly an incident is tied to diamonds: at a diamond site, in a diamond-producing
    area without a proven link, in the diamond trade (certificates, hubs, buyers), or contested
    by the sources."""

    at_site = "at_site"
    in_area = "in_area"
    trade = "trade"
    contested = "contested"


class IncidentMitigation(StrEnum):
    """Remediation or accountability the sources document. ``none_found`` means none in the
    sources read, not proof of none."""

    yes = "yes"
    partial = "partial"
    none_found = "none_found"
    not_applicable = "not_applicable"


class IncidentSource(CheckedValues, BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    source_id: str
    title: str
    publisher: str | None = None
    date: dt.date | None = None
    url: Annotated[str | None, AfterValidator(check_web_url)] = None
    primary: bool | None = None
    """A primary source (a court, the UN, a government, an NGO's own report, a company's own
    statement); primary sources are listed first."""


class IncidentArea(CheckedValues, BaseModel):
    """A further area an incident is recorded in, besides its main ``admin1``/``admin2``;
    ``country`` only when it is not the incident's own (a spill that crossed a border)."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    country: Iso2 | None = None
    admin1: str | None = None
    admin2: str | None = None


class IncidentParty(CheckedValues, BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    name: str
    role: str


class Remediation(CheckedValues, BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    date: dt.date
    description: str
    source_ids: list[str]


class Incident(CheckedValues, BaseModel):
    """A sourced case of diamond-related abuse, worded neutrally."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    id: Annotated[str, StringConstraints(pattern=r"^INC-[A-Z0-9-]+$")]
    title: str
    summary: str
    date_start: dt.date
    date_end: dt.date | None = None
    """The last day known; null when still ongoing with no end in sight."""
    date_start_approximate: bool = False
    """The sources give the start only approximately (stored at the period's first day)."""
    date_end_approximate: bool = False
    """The sources give the end only approximately (stored at the period's last day)."""
    open_end: bool = False
    """Still reported at the latest source: ``date_end`` is the last report, not the end."""
    reported_on: dt.date
    """The earliest public report; an assessment as of an earlier date does not know it."""
    country: Iso2
    admin1: str | None = None
    admin2: str | None = None
    areas: list[IncidentArea] = []
    """Further areas the incident spans (a conflict across several provinces)."""
    site_ids: list[str] = []
    parties: list[IncidentParty] = []
    actors: list[str]
    categories: Annotated[
        list[Annotated[str, StringConstraints(pattern=r"^C\d{2}$")]], Field(min_length=1)
    ]
    status: IncidentStatus
    diamond_link: DiamondLink | None = None
    """How directly the incident is tied to diamonds; null on older rows (treated as at site)."""
    mitigation: IncidentMitigation | None = None
    sources: Annotated[list[IncidentSource], Field(min_length=1)]
    remediations: list[Remediation] = []
    retrieved_at: dt.date
    verification: Verification
    note: str | None = None
    """Why a date was chosen, what is UNVERIFIED, differing tolls: shown with the incident."""
