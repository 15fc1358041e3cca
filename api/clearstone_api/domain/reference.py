"""Reference data: the versioned facts an assessment is judged against, and their indexes.

The files ship in ``clearstone_api/reference/``; :func:`load_reference` validates every row and
names each bad one by file and line. A :class:`Reference` is immutable; analyst changes give a
new one through :meth:`Reference.with_changes`, with a new version.

Incidents are reached only through indexes (site, area, country, party), so the cost of matching
a record does not grow with the size of the registry.

Example::

    reference = load_reference()
    reference.participant_for("BE", date(2019, 5, 1))  # "EU"
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
import io
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from clearstone_api.domain.context_layers import CONTEXT_FILES, ContextLayers
from clearstone_api.domain.context_rows import CahraListing, ConflictEvent, SanctionsRegime
from clearstone_api.domain.incident_index import IncidentIndex
from clearstone_api.domain.kp_checks import CheckId
from clearstone_api.domain.name_screen import NameScreen
from clearstone_api.domain.names import normalize_name
from clearstone_api.domain.policy import DEFAULT_POLICY
from clearstone_api.domain.reference_rows import (
    CertificateProfile,
    Conventions,
    Criterion,
    Definition,
    Embargo,
    HsCode,
    Incident,
    KpRule,
    Participant,
    ParticipantMembership,
    RegistrySite,
    SanctionedParty,
    SanctionMeasure,
    Source,
    SowStatement,
    SpecialMeasure,
    Standard,
    StatusPeriod,
)

__all__ = [
    "FILES",
    "REFERENCE_FILES",
    "Reference",
    "ReferenceDataError",
    "ReferenceFile",
    "ReferenceProblem",
    "load_reference",
]

RowT = TypeVar("RowT", bound=BaseModel)
T = TypeVar("T")


@dataclass(frozen=True)
class ReferenceFile:
    """One reference file: its rows' model, and the :class:`Reference` field that holds them
    (a tuple of rows, or a mapping by the ``key`` attribute of each row)."""

    name: str
    model: type[BaseModel]
    field: str
    key: str | None = None


REFERENCE_FILES: tuple[ReferenceFile, ...] = (
    ReferenceFile("sources.csv", Source, "sources", key="id"),
    ReferenceFile("kp_definitions.jsonl", Definition, "definitions"),
    ReferenceFile("kp_participants.csv", Participant, "participants", key="id"),
    ReferenceFile("kp_participant_members.csv", ParticipantMembership, "memberships"),
    ReferenceFile("kp_status_periods.csv", StatusPeriod, "status_periods"),
    ReferenceFile("kp_special_measures.csv", SpecialMeasure, "special_measures"),
    ReferenceFile(
        "kp_certificate_profiles.csv",
        CertificateProfile,
        "certificate_profiles",
        key="participant_id",
    ),
    ReferenceFile("kp_rules.csv", KpRule, "kp_rules", key="id"),
    ReferenceFile("hs_codes.csv", HsCode, "hs_codes", key="code"),
    ReferenceFile("unsc_diamond_measures.csv", Embargo, "embargoes"),
    ReferenceFile("sanctions_measures.csv", SanctionMeasure, "sanction_measures"),
    ReferenceFile("sanctioned_parties.csv", SanctionedParty, "sanctioned_parties"),
    ReferenceFile("sow_statements.jsonl", SowStatement, "sow_statements"),
    ReferenceFile("abuse_taxonomy.jsonl", Criterion, "taxonomy", key="code"),
    ReferenceFile("conventions.csv", Conventions, "conventions"),
    ReferenceFile("standards.csv", Standard, "standards", key="id"),
    ReferenceFile("sites.csv", RegistrySite, "sites", key="id"),
    ReferenceFile("incidents.jsonl", Incident, "incidents", key="id"),
)
"""Every reference file, in load order: the one list a new file is added to (with its field
on :class:`Reference`)."""

FILES: dict[str, type[BaseModel]] = {f.name: f.model for f in REFERENCE_FILES} | CONTEXT_FILES
"""Every file: the tables above, then the context layers (held together in ``context``)."""
"""Every reference file, in load order, with the model of its rows."""

VERSION_FILE = "VERSION"


@dataclass(frozen=True)
class ReferenceProblem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class ReferenceDataError(ValueError):
    """Reference data that does not validate; ``problems`` names each bad row by file and line."""

    def __init__(self, problems: Sequence[ReferenceProblem]) -> None:
        self.problems = list(problems)
        listing = "\n".join(f"  {p}" for p in self.problems[:50])
        super().__init__(f"{len(self.problems)} problem(s) in the reference data:\n{listing}")


def _parse_rows(
    name: str, text: str, model: type[RowT]
) -> tuple[list[RowT], list[int], list[ReferenceProblem]]:
    """The valid rows, the line each of them is on, and the problems of the invalid ones."""
    rows: list[RowT] = []
    lines: list[int] = []
    problems: list[ReferenceProblem] = []

    def check(line: int, data: Any) -> None:
        try:
            rows.append(model.model_validate(data))
            lines.append(line)
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                where = ".".join(str(part) for part in err["loc"]) or "row"
                problems.append(ReferenceProblem(name, line, f"{where}: {err['msg']}"))

    if name.endswith(".csv"):
        reader = csv.DictReader(io.StringIO(text))
        for row in reader:
            line = reader.line_num
            if None in row or any(value is None for value in row.values()):
                problems.append(ReferenceProblem(name, line, "wrong number of columns"))
                continue
            check(line, row)
    else:
        for line, raw in enumerate(text.splitlines(), start=1):
            if not raw.strip():
                continue
            try:
                data = json.loads(raw)
            except json.JSONDecodeError as exc:
                problems.append(ReferenceProblem(name, line, f"invalid JSON: {exc.msg}"))
                continue
            check(line, data)
    return rows, lines, problems


def _date_in(day: dt.date, start: dt.date, end: dt.date | None) -> bool:
    """Periods are half-open: ``end`` is the first day the fact no longer holds."""
    return start <= day and (end is None or day < end)


def _group(rows: Iterable[RowT], key: str) -> dict[str, tuple[RowT, ...]]:
    grouped: dict[str, list[RowT]] = defaultdict(list)
    for row in rows:
        grouped[getattr(row, key)].append(row)
    return {k: tuple(v) for k, v in grouped.items()}


@dataclass(frozen=True)
class Reference:
    """All reference data of one version, with the lookups the engine needs."""

    version: str
    sources: Mapping[str, Source]
    definitions: tuple[Definition, ...]
    participants: Mapping[str, Participant]
    memberships: tuple[ParticipantMembership, ...]
    status_periods: tuple[StatusPeriod, ...]
    special_measures: tuple[SpecialMeasure, ...]
    certificate_profiles: Mapping[str, CertificateProfile]
    kp_rules: Mapping[str, KpRule]
    hs_codes: Mapping[str, HsCode]
    embargoes: tuple[Embargo, ...]
    sanction_measures: tuple[SanctionMeasure, ...]
    sanctioned_parties: tuple[SanctionedParty, ...]
    sow_statements: tuple[SowStatement, ...]
    taxonomy: Mapping[str, Criterion]
    conventions: tuple[Conventions, ...]
    standards: Mapping[str, Standard]
    sites: Mapping[str, RegistrySite]
    incidents: Mapping[str, Incident]
    context: ContextLayers
    """Country and area context: EU CAHRA list, UN sanctions regimes, UCDP conflict events."""
    _memberships_by_country: Mapping[str, tuple[ParticipantMembership, ...]] = field(repr=False)
    _status_by_participant: Mapping[str, tuple[StatusPeriod, ...]] = field(repr=False)
    _measures_by_country: Mapping[str, tuple[SpecialMeasure, ...]] = field(repr=False)
    _embargoes_by_country: Mapping[str, tuple[Embargo, ...]] = field(repr=False)
    _sites_by_name: Mapping[tuple[str, str], RegistrySite] = field(repr=False)
    _incident_index: IncidentIndex = field(repr=False)
    _participant_memo: dict[tuple[str, dt.date], str | None] = field(
        default_factory=dict, repr=False, compare=False
    )
    _derived: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)
    """What :meth:`derived` built; never passed on (``dataclasses.replace`` starts afresh)."""
    name_screen: NameScreen | None = field(default=None, repr=False, compare=False)
    """Screens names against ``sanctioned_parties``; attached by the service layer (fuzzy
    matching uses libraries the domain does not import). See :meth:`with_name_screen`."""

    @classmethod
    def build(cls, version: str, rows: Mapping[str, Sequence[BaseModel]]) -> Reference:
        """Assemble a reference from validated rows keyed by file name (see :data:`FILES`)."""

        tables: dict[str, Any] = {}
        for file in REFERENCE_FILES:
            items = [row for row in rows.get(file.name, ()) if isinstance(row, file.model)]
            key = file.key
            tables[file.field] = (
                tuple(items) if key is None else {getattr(row, key): row for row in items}
            )
        memberships: tuple[ParticipantMembership, ...] = tables["memberships"]
        statuses: tuple[StatusPeriod, ...] = tables["status_periods"]
        measures: tuple[SpecialMeasure, ...] = tables["special_measures"]
        embargoes: tuple[Embargo, ...] = tables["embargoes"]
        sites: Mapping[str, RegistrySite] = tables["sites"]
        incidents: Mapping[str, Incident] = tables["incidents"]
        sites_by_name: dict[tuple[str, str], RegistrySite] = {}
        for site in sites.values():
            for name in (site.name, *site.aliases):
                sites_by_name[(site.country, normalize_name(name))] = site
        return cls(
            version=version,
            **tables,
            context=ContextLayers.build(
                [r for r in rows.get("cahra_areas.csv", ()) if isinstance(r, CahraListing)],
                [
                    r
                    for r in rows.get("un_sanctions_regimes.csv", ())
                    if isinstance(r, SanctionsRegime)
                ],
                [r for r in rows.get("conflict_events.csv", ()) if isinstance(r, ConflictEvent)],
            ),
            _memberships_by_country=_group(memberships, "country"),
            _status_by_participant=_group(statuses, "participant_id"),
            _measures_by_country=_group(measures, "country"),
            _embargoes_by_country=_group(embargoes, "country"),
            _sites_by_name=sites_by_name,
            _incident_index=IncidentIndex.build(list(incidents.values())),
        )

    def _rows(self) -> dict[str, Sequence[BaseModel]]:
        """The rows of every file, as :meth:`build` takes them."""
        rows: dict[str, Sequence[BaseModel]] = {}
        for file in REFERENCE_FILES:
            table = getattr(self, file.field)
            rows[file.name] = list(table.values()) if file.key is not None else table
        rows.update(self.context.rows())
        return rows

    def with_changes(
        self,
        *,
        revision: str,
        incidents: Iterable[Incident] = (),
        removed_incident_ids: Iterable[str] = (),
        status_periods: Iterable[StatusPeriod] = (),
        removed_status_period_ids: Iterable[str] = (),
        layers: Mapping[str, Sequence[BaseModel]] | None = None,
    ) -> Reference:
        """A new reference with incidents and status periods added or replaced by id, and
        context layers (keyed by file name, see ``CONTEXT_FILES``) replaced whole.

        ``revision`` names the change set (e.g. the analyst change number); the new version is
        ``<this version>+<revision>``.
        """
        merged_incidents = dict(self.incidents)
        for incident_id in removed_incident_ids:
            merged_incidents.pop(incident_id, None)
        for incident in incidents:
            merged_incidents[incident.id] = incident
        periods = {p.id: p for p in self.status_periods}
        for period_id in removed_status_period_ids:
            periods.pop(period_id, None)
        for period in status_periods:
            periods[period.id] = period
        rows = self._rows()
        rows["incidents.jsonl"] = list(merged_incidents.values())
        rows["kp_status_periods.csv"] = list(periods.values())
        rows.update({k: v for k, v in (layers or {}).items() if k in CONTEXT_FILES})
        base = self.version.split("+", 1)[0]
        changed = Reference.build(f"{base}+{revision}", rows)
        # The listed parties are not among the changes: the same screen serves.
        return changed.with_name_screen(self.name_screen) if self.name_screen else changed

    def with_name_screen(self, screen: NameScreen) -> Reference:
        """This reference with ``screen`` screening names against its listed parties."""
        return dataclasses.replace(self, name_screen=screen, _participant_memo={})

    def derived(self, key: str, build: Callable[[Reference], T]) -> T:
        """``build(self)``, computed on first use and kept with this reference: the engine's
        precomputations over reference data alone (a jurisdiction's rule rows with their
        sources, a KP rule's evidence row...). ``build`` must read nothing but the reference,
        and return something immutable, since every assessment shares it."""
        try:
            value: T = self._derived[key]
        except KeyError:
            value = self._derived[key] = build(self)
        return value

    # --- KP participants -------------------------------------------------------------------

    def participant_for(self, country: str, day: dt.date) -> str | None:
        """The KP participant that covers ``country``'s trade on ``day``, if any."""
        key = (country, day)
        if key not in self._participant_memo:
            self._participant_memo[key] = self._participant_for(country, day)
        return self._participant_memo[key]

    def _participant_for(self, country: str, day: dt.date) -> str | None:
        if country in self.participants and not self.participants[country].regional_org:
            own = self.participants[country]
            if own.admitted_on is None or own.admitted_on <= day:
                if not any(
                    m.country == country for m in self._memberships_by_country.get(country, ())
                ):
                    return own.id
        for membership in self._memberships_by_country.get(country, ()):
            if _date_in(day, membership.valid_from, membership.valid_to):
                participant = self.participants.get(membership.participant_id)
                if participant and (
                    participant.admitted_on is None or participant.admitted_on <= day
                ):
                    return membership.participant_id
        return None

    def statuses_on(self, participant_id: str, day: dt.date) -> list[StatusPeriod]:
        """Adverse status periods (suspension, removal...) in force for a participant on ``day``."""
        return [
            period
            for period in self._status_by_participant.get(participant_id, ())
            if _date_in(day, period.valid_from, period.valid_to)
        ]

    def status_periods_for(self, participant_id: str) -> tuple[StatusPeriod, ...]:
        """Every adverse status period of a participant, whatever its dates."""
        return self._status_by_participant.get(participant_id, ())

    def special_measures_on(self, country: str, day: dt.date) -> list[SpecialMeasure]:
        return [
            m
            for m in self._measures_by_country.get(country, ())
            if _date_in(day, m.valid_from, m.valid_to)
        ]

    def special_measures_for(self, country: str) -> tuple[SpecialMeasure, ...]:
        return self._measures_by_country.get(country, ())

    def embargoes_on(self, country: str, day: dt.date) -> list[Embargo]:
        return [
            e
            for e in self._embargoes_by_country.get(country, ())
            if _date_in(day, e.valid_from, e.valid_to)
        ]

    def registry_site(
        self, country: str, registry_id: str | None, name: str | None
    ) -> RegistrySite | None:
        """Resolve a record's site to the registry, by registry id or by name within a country."""
        if registry_id and registry_id in self.sites:
            return self.sites[registry_id]
        if name:
            return self._sites_by_name.get((country, normalize_name(name)))
        return None

    # --- incidents, through indexes only ---------------------------------------------------

    def incidents_at_site(self, site_id: str) -> tuple[Incident, ...]:
        return self._incident_index.by_site.get(site_id, ())

    def incidents_in_admin2(self, country: str, admin2: str) -> tuple[Incident, ...]:
        return self._incident_index.by_admin2.get((country, normalize_name(admin2)), ())

    def incidents_in_admin1(self, country: str, admin1: str) -> tuple[Incident, ...]:
        return self._incident_index.by_admin1.get((country, normalize_name(admin1)), ())

    def incidents_countrywide(self, country: str) -> tuple[Incident, ...]:
        return self._incident_index.by_country.get(country, ())

    def incidents_in_trade(self, country: str) -> tuple[Incident, ...]:
        """Trade records (hubs, certificates, buyers) in ``country``."""
        return self._incident_index.by_trade_country.get(country, ())

    def incidents_of_party(self, registry_id: str | None, name: str) -> tuple[Incident, ...]:
        found = list(self._incident_index.by_party.get(normalize_name(name), ()))
        if registry_id:
            found.extend(self._incident_index.by_party.get(registry_id, ()))
        unique = {incident.id: incident for incident in found}
        return tuple(unique.values())

    def source_refs(self, source_ids: Iterable[str]) -> list[Source]:
        return [self.sources[s] for s in source_ids if s in self.sources]


def _reference_dir() -> Path:
    return Path(str(resources.files("clearstone_api") / "reference"))


def load_reference(directory: Path | None = None) -> Reference:
    """Load and validate every reference file; raise :class:`ReferenceDataError` naming each bad
    row by file and line. The version is the declared one plus a digest of the files' bytes."""
    folder = directory or _reference_dir()
    problems: list[ReferenceProblem] = []
    rows: dict[str, Sequence[BaseModel]] = {}
    lines: dict[str, list[int]] = {}
    digest = hashlib.sha256()
    version_path = folder / VERSION_FILE
    declared = version_path.read_text(encoding="utf-8").strip() if version_path.exists() else ""
    if not declared:
        problems.append(ReferenceProblem(VERSION_FILE, 1, "missing reference-data version"))
    for name, model in FILES.items():
        path = folder / name
        if not path.exists():
            problems.append(ReferenceProblem(name, 0, "file is missing"))
            continue
        data = path.read_bytes()
        digest.update(name.encode() + b"\0" + data + b"\0")
        parsed, lines[name], found = _parse_rows(name, data.decode("utf-8"), model)
        rows[name] = parsed
        problems.extend(found)
    problems.extend(_cross_check(rows, lines))
    problems.extend(_coverage_problems(rows))
    if problems:
        raise ReferenceDataError(problems)
    return Reference.build(f"{declared}-{digest.hexdigest()[:12]}", rows)


def _cross_check(
    rows: Mapping[str, Sequence[BaseModel]], lines: Mapping[str, Sequence[int]] | None = None
) -> list[ReferenceProblem]:
    """Every row's sources exist; ids are unique; incidents use known criteria.

    ``lines`` gives each valid row's line in its file: invalid rows and blank lines are skipped,
    so a row's position is not its line."""
    problems: list[ReferenceProblem] = []
    source_ids = {row.id for row in rows.get("sources.csv", ()) if isinstance(row, Source)}
    codes = {row.code for row in rows.get("abuse_taxonomy.jsonl", ()) if isinstance(row, Criterion)}
    for name, items in rows.items():
        seen: set[str] = set()
        for index, row in enumerate(items):
            if lines is not None and name in lines:
                line = lines[name][index]
            else:
                line = index + 2 if name.endswith(".csv") else index + 1
            ids: list[str] = list(getattr(row, "source_ids", []))
            if isinstance(row, Incident):
                ids = [s.source_id for s in row.sources]
                ids += [sid for r in row.remediations for sid in r.source_ids]
                problems.extend(
                    ReferenceProblem(name, line, f"unknown criterion {code!r}")
                    for code in row.categories
                    if codes and code not in codes
                )
            problems.extend(
                ReferenceProblem(name, line, f"unknown source {sid!r}")
                for sid in ids
                if source_ids and sid not in source_ids
            )
            key = getattr(row, "id", None) or getattr(row, "code", None)
            if isinstance(key, str) and name != "kp_certificate_profiles.csv":
                if key in seen:
                    problems.append(ReferenceProblem(name, line, f"duplicate id {key!r}"))
                seen.add(key)
    return problems


def _coverage_problems(rows: Mapping[str, Sequence[BaseModel]]) -> list[ReferenceProblem]:
    """Every KP check has its rule, every rule is a check, and every abuse criterion has a
    name and a severity in the shipped policy: a gap is a load error, never a silent default."""
    problems: list[ReferenceProblem] = []
    rules = [row for row in rows.get("kp_rules.csv", ()) if isinstance(row, KpRule)]
    known = {str(check) for check in CheckId}
    for line, rule in enumerate(rules, start=2):
        if rule.id not in known:
            problems.append(ReferenceProblem("kp_rules.csv", line, f"no check {rule.id!r}"))
        if not rule.rule.strip():
            problems.append(ReferenceProblem("kp_rules.csv", line, "the rule has no wording"))
    problems.extend(
        ReferenceProblem("kp_rules.csv", 0, f"check {check} has no rule")
        for check in sorted(known - {rule.id for rule in rules})
    )
    criteria = [row for row in rows.get("abuse_taxonomy.jsonl", ()) if isinstance(row, Criterion)]
    for line, criterion in enumerate(criteria, start=1):
        if criterion.code not in DEFAULT_POLICY.severity:
            problems.append(
                ReferenceProblem(
                    "abuse_taxonomy.jsonl",
                    line,
                    f"criterion {criterion.code} has no severity in policy "
                    f"{DEFAULT_POLICY.version}",
                )
            )
        if not criterion.name.strip():
            problems.append(ReferenceProblem("abuse_taxonomy.jsonl", line, "criterion has no name"))
    return problems
