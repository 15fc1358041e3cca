"""The provenance record: a diamond's chain of custody from the mine to the shop counter.

Pure pydantic, no web or database imports. A record names everything it refers to by id
(lots, stones, parties, sites, documents);
:func:`clearstone_api.domain.record_validation.parse_record` validates one, references
included, and names every problem by its path.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)

from clearstone_api.domain.decimals import DecimalInput
from clearstone_api.domain.grading import GradingReport
from clearstone_api.domain.text import MULTI_LINE, CheckedValues

__all__ = [
    "Attestation",
    "AttestationLevel",
    "AttestationScheme",
    "CertificateOfOrigin",
    "CustodyEvent",
    "Document",
    "EventType",
    "EvidenceLevel",
    "GradingReport",
    "Integral",
    "Invoice",
    "KPCertificate",
    "Origin",
    "Owner",
    "Party",
    "PartyRef",
    "PartyType",
    "Place",
    "ProvenanceRecord",
    "RoughLot",
    "Site",
    "Stone",
]

MAX_ID_LENGTH = 128
MAX_TEXT_LENGTH = 2000
MAX_ITEMS = 1000

Id = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        min_length=1,
        max_length=MAX_ID_LENGTH,
        pattern=r"^[A-Za-z0-9._:\-/]+$",
    ),
]
"""A record-local identifier: letters, digits and ``. _ : - /``."""

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Text = Annotated[str, StringConstraints(max_length=MAX_TEXT_LENGTH), MULTI_LINE]
"""Free text: the one kind of field where tabs and line breaks are allowed."""
CountryCode = Annotated[
    str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Z]{2}$")
]
"""ISO 3166-1 alpha-2 country code (``EU`` is a KP participant, not a country: use members)."""


def _integral(value: object) -> object:
    """``60.0`` is the integer 60 in JSON Schema; strict validation would refuse it."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


Integral = BeforeValidator(_integral)
"""Put on every ``int`` of a request body: an integral float is that integer, ``60.5`` is not."""

_CARAT = DecimalInput({"exclusiveMinimum": 0, "maximum": 1000000}, 7, 3)
_USD = DecimalInput({"minimum": 0, "maximum": 1e12}, 13, 2)
Carat = Annotated[
    Decimal,
    Field(gt=0, le=Decimal("1000000"), max_digits=12, decimal_places=3),
    _CARAT.validator,
    _CARAT.schema,
]
UsdValue = Annotated[
    Decimal,
    Field(ge=0, le=Decimal("1e12"), max_digits=16, decimal_places=2),
    _USD.validator,
    _USD.schema,
]


class _Model(CheckedValues, BaseModel):  # BaseModel named for linters
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class EvidenceLevel(StrEnum):
    """How well a claim is evidenced, weakest first. Never collapsed into "verified"."""

    self_declared = "self_declared"
    documented = "documented"
    issuer_confirmed = "issuer_confirmed"
    lab_matched = "lab_matched"
    physical_tracer = "physical_tracer"


class Origin(StrEnum):
    natural = "natural"
    lab_grown = "lab_grown"


class PartyType(StrEnum):
    lsm_miner = "lsm_miner"
    asm_miner = "asm_miner"
    cooperative = "cooperative"
    rough_trader = "rough_trader"
    manufacturer = "manufacturer"
    polished_trader = "polished_trader"
    jewellery_manufacturer = "jewellery_manufacturer"
    retailer = "retailer"
    exporter = "exporter"
    importer = "importer"
    grading_lab = "grading_lab"
    security_provider = "security_provider"
    government_authority = "government_authority"


class EventType(StrEnum):
    extraction = "extraction"
    export = "export"
    import_ = "import"
    transit = "transit"
    sale = "sale"
    sorting = "sorting"
    cutting = "cutting"
    polishing = "polishing"
    grading = "grading"
    retail_sale = "retail_sale"


class AttestationScheme(StrEnum):
    rjc_cop = "rjc_cop"
    de_beers_bpp = "de_beers_bpp"
    maendeleo = "maendeleo"
    irma = "irma"
    gemfair = "gemfair"
    lab_origin_report = "lab_origin_report"
    traceability = "traceability"
    sow_registration = "sow_registration"
    audit_report = "audit_report"
    self_declaration = "self_declaration"
    g7_certificate = "g7_certificate"
    """A G7 rough-diamond certificate (Antwerp node): the goods verified as not Russian."""


class AttestationLevel(StrEnum):
    country = "country"
    site = "site"
    company = "company"
    shipment = "shipment"
    transaction = "transaction"
    stone = "stone"


class Place(_Model):
    """Where an event happened, as finely as known."""

    country: CountryCode
    admin1: Name | None = None
    """First-level administrative area (province, region; e.g. Manicaland, Lunda Norte)."""
    admin2: Name | None = None
    """Second-level area (district, CAR sub-prefecture; e.g. Berbérati, Marange)."""
    site_id: Id | None = None
    """A site in the record's ``sites``."""
    locality: Name | None = None


class Site(_Model):
    """A mine or digging site."""

    id: Id
    name: Name
    country: CountryCode
    admin1: Name | None = None
    admin2: Name | None = None
    registry_id: Id | None = None
    """Clearstone's site registry id (e.g. ``ZW-MARANGE``), used to match incidents."""
    scale: Literal["industrial", "asm"] | None = None
    deposit_type: Literal["kimberlite", "alluvial", "marine", "other"] | None = None
    operator_party_id: Id | None = None


def _unset(value: object) -> bool:
    """Optional fields added after records were first stored are left out of the serialised
    record while unset, so that stored records keep their digests."""
    return value is None


class Owner(_Model):
    """A shareholder of a party, as the record states it."""

    name: Name
    share_percent: Annotated[Decimal, Field(gt=0, le=100, max_digits=6, decimal_places=3)]


class Party(_Model):
    """A company, cooperative, authority or person that held or handled the goods."""

    id: Id
    name: Name
    type: PartyType
    country: CountryCode
    registry_id: Id | None = None
    """Clearstone's party registry id (e.g. ``petra-diamonds``), used to match incidents."""
    kp_licence: Name | None = None
    sow_registered: bool | None = None
    rjc_member_id: Name | None = None
    owners: Annotated[list[Owner], Field(max_length=50)] | None = Field(
        default=None, exclude_if=_unset
    )
    """Shareholders where the record states them: an owner listed by a sanctions authority
    with 50 % or more makes the party a sanctions hit."""


class Stone(_Model):
    """A single (usually polished) stone, the thing a consumer holds."""

    kind: Literal["stone"] = "stone"
    id: Id
    origin: Origin
    carat: Carat
    form: Literal["polished", "rough"] = "polished"
    grading_report: GradingReport | None = None
    parent_lot_ids: Annotated[list[Id], Field(max_length=MAX_ITEMS)] = []
    """The rough lots this stone was cut from. Empty: no link to rough, so no KP evidence."""
    description: Text | None = None
    article: Literal["loose", "jewellery"] | None = Field(default=None, exclude_if=_unset)
    """``jewellery``: set in a piece of jewellery (sanctions scope differs); unset: loose."""


class RoughLot(_Model):
    """A parcel of rough diamonds; lineage through splits and merges via ``parent_lot_ids``."""

    kind: Literal["rough_lot"] = "rough_lot"
    id: Id
    carat: Carat
    parcel_count: Annotated[int, Field(ge=1, le=100000), Integral] = 1
    hs_code: Annotated[str, StringConstraints(pattern=r"^\d{4}\.\d{2}$")] = "7102.31"
    origin: Origin = Origin.natural
    parent_lot_ids: Annotated[list[Id], Field(max_length=MAX_ITEMS)] = []
    mixed_origin: bool = False


class PartyRef(_Model):
    """A party as named on a document (exporter, importer)."""

    name: Name
    country: CountryCode | None = None
    address: Text | None = None


class ImportConfirmation(_Model):
    importing_authority: Name | None = None
    date_received: dt.date | None = None
    confirmed: bool = True


class KPCertificate(_Model):
    """A Kimberley Process certificate: one export shipment of rough. Annex I fields.

    The Annex I elements are optional here on purpose: a defective certificate is still a
    record of what was presented, and check K05 names every missing element.
    """

    type: Literal["kp_certificate"] = "kp_certificate"
    id: Id
    number: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
    issuing_participant: Annotated[
        str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Z]{2}$")
    ]
    """The KP participant whose authority issued it (ISO2, ``EU`` for the European Union)."""
    issuing_authority: Name | None = None
    country_of_origin: CountryCode | Literal["MIXED"] | None = None
    """Null or ``MIXED`` (``****`` on paper) for a parcel of mixed origin."""
    date_of_issue: dt.date | None = None
    date_of_expiry: dt.date | None = None
    exporter: PartyRef | None = None
    importer: PartyRef | None = None
    carat_weight: Carat | None = None
    value_usd: UsdValue | None = None
    parcel_count: Annotated[int, Field(ge=1, le=100000), Integral] | None = None
    hs_codes: Annotated[
        list[Annotated[str, StringConstraints(pattern=r"^\d{4}\.\d{2}$")]], Field(max_length=10)
    ] = []
    validated_by_exporting_authority: bool | None = None
    statement_present: bool | None = None
    english_translation: bool | None = None
    container_seal_id: Name | None = None
    import_confirmation: ImportConfirmation | None = None
    supervised_export: bool = False
    """Exported under a KP special-measures regime (supervised sale, monitoring team approval)."""
    lot_ids: Annotated[list[Id], Field(max_length=MAX_ITEMS)] = []
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] | None = None


class CertificateOfOrigin(_Model):
    """A government certificate of origin from before the KP (1 January 2003).

    The regimes the UN Security Council recognised: Angola's (resolution 1173, 1998) and Sierra
    Leone's (resolution 1306, 2000) exempted rough under them from the UN import bans.
    """

    type: Literal["certificate_of_origin"] = "certificate_of_origin"
    id: Id
    number: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
    issuing_country: CountryCode
    """The government that issued it."""
    issuing_authority: Name | None = None
    country_of_origin: CountryCode | None = None
    date_of_issue: dt.date | None = None
    lot_ids: Annotated[list[Id], Field(max_length=MAX_ITEMS)] = []
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] | None = None


class Invoice(_Model):
    """A business-to-business invoice or memo, with its System of Warranties statement."""

    type: Literal["invoice"] = "invoice"
    id: Id
    number: Name
    date: dt.date
    seller_party_id: Id
    buyer_party_id: Id
    lot_ids: Annotated[list[Id], Field(max_length=MAX_ITEMS)] = []
    sow_statement: Text | None = None
    """The warranty statement as printed on the invoice, verbatim."""
    source_countries: Annotated[list[CountryCode], Field(max_length=50)] = []
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] | None = None


class Attestation(_Model):
    """A standard's certificate, audit or origin report, about one subject at one level."""

    type: Literal["attestation"] = "attestation"
    id: Id
    scheme: AttestationScheme
    level: AttestationLevel
    subject_id: Id
    """What it is about: a site, party, lot or stone id in this record, or a country code."""
    issuer: Name
    evidence_level: EvidenceLevel
    valid_from: dt.date
    valid_to: dt.date | None = None
    scope: Text | None = None
    origin_country: CountryCode | None = None
    """For origin reports: the origin the issuer attests."""
    url: Annotated[str, StringConstraints(max_length=2000, pattern=r"^https://")] | None = None
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] | None = None


Document = Annotated[
    KPCertificate | CertificateOfOrigin | Invoice | Attestation, Field(discriminator="type")
]


class CustodyEvent(_Model):
    """One step in the chain: something happened to some lots or stones on a date, somewhere."""

    id: Id
    type: EventType
    date: dt.date
    place: Place
    items: Annotated[list[Id], Field(min_length=1, max_length=MAX_ITEMS)]
    """The lots or stones this event handled."""
    from_party_id: Id | None = None
    to_party_id: Id | None = None
    destination_country: CountryCode | None = None
    """For exports and transits: where the shipment is going."""
    document_ids: Annotated[list[Id], Field(max_length=100)] = []
    seals_intact: bool | None = None
    """For transit: the shipment left as it entered, unopened."""
    carat_in: Carat | None = None
    carat_out: Carat | None = None


class ProvenanceRecord(_Model):
    """A diamond's provenance record: the subject and everything its chain refers to."""

    schema_version: Literal["1"] = "1"
    subject_id: Id
    """The stone (or rough lot) this record speaks for."""
    stones: Annotated[list[Stone], Field(max_length=MAX_ITEMS)] = []
    lots: Annotated[list[RoughLot], Field(max_length=MAX_ITEMS)] = []
    parties: Annotated[list[Party], Field(max_length=MAX_ITEMS)] = []
    sites: Annotated[list[Site], Field(max_length=MAX_ITEMS)] = []
    events: Annotated[list[CustodyEvent], Field(max_length=MAX_ITEMS)] = []
    documents: Annotated[list[Document], Field(max_length=MAX_ITEMS)] = []

    @property
    def subject(self) -> Stone | RoughLot:
        for stone in self.stones:
            if stone.id == self.subject_id:
                return stone
        for lot in self.lots:
            if lot.id == self.subject_id:
                return lot
        raise LookupError(self.subject_id)  # parse_record guarantees it exists
