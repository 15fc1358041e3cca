"""The shipped reference data: it loads, every row is sourced, and the facts come out right through
the :class:`Reference` API. Also: the loader names each bad row by file and line."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
import shutil
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Protocol, cast

import pytest
from pydantic import BaseModel

from clearstone_api.domain.context_loading import UCDP_SOURCE_ID
from clearstone_api.domain.policy import DEFAULT_POLICY
from clearstone_api.domain.records import AttestationScheme
from clearstone_api.domain.reference import (
    FILES,
    Reference,
    ReferenceDataError,
    load_reference,
)
from clearstone_api.domain.reference_rows import (
    Incident,
    SourceStrength,
    SowStatement,
    Verification,
)

D = dt.date
SHIPPED = Path(str(resources.files("clearstone_api") / "reference"))


@pytest.fixture(scope="module")
def ref() -> Reference:
    return load_reference()


class _Sourced(Protocol):
    """The fields every sourced row shares (``_Row`` in reference_rows)."""

    @property
    def source_ids(self) -> list[str]: ...
    @property
    def retrieved_at(self) -> dt.date: ...
    @property
    def verification(self) -> Verification: ...
    @property
    def note(self) -> str | None: ...


def _sourced_rows(ref: Reference) -> Iterator[tuple[str, _Sourced]]:
    """Every row that carries ``source_ids``, with a label for messages."""
    groups: dict[str, tuple[BaseModel, ...]] = {
        "definitions": tuple(ref.definitions),
        "participants": tuple(ref.participants.values()),
        "memberships": tuple(ref.memberships),
        "status_periods": tuple(ref.status_periods),
        "special_measures": tuple(ref.special_measures),
        "certificate_profiles": tuple(ref.certificate_profiles.values()),
        "kp_rules": tuple(ref.kp_rules.values()),
        "hs_codes": tuple(ref.hs_codes.values()),
        "embargoes": tuple(ref.embargoes),
        "sanction_measures": tuple(ref.sanction_measures),
        "sanctioned_parties": tuple(ref.sanctioned_parties),
        "sow_statements": tuple(ref.sow_statements),
        "taxonomy": tuple(ref.taxonomy.values()),
        "conventions": tuple(ref.conventions),
        "standards": tuple(ref.standards.values()),
        "sites": tuple(ref.sites.values()),
        "cahra": tuple(ref.context.cahra),
        "regimes": tuple(ref.context.regimes),
        "conflict_events": tuple(ref.context.events),
    }
    for group, rows in groups.items():
        for row in rows:
            yield group, cast(_Sourced, row)


def _copy_shipped(tmp_path: Path) -> Path:
    folder = tmp_path / "reference"
    shutil.copytree(SHIPPED, folder)
    return folder


def _problems(folder: Path) -> list[str]:
    with pytest.raises(ReferenceDataError) as caught:
        load_reference(folder)
    return [str(problem) for problem in caught.value.problems]


# --- the shipped files load and are sourced ------------------------------------------------


def test_the_shipped_files_load_with_their_declared_version(ref: Reference) -> None:
    declared = (SHIPPED / "VERSION").read_text(encoding="utf-8").strip()
    assert declared == "2026.12.0"
    assert ref.version.startswith(f"{declared}-")
    assert load_reference().version == ref.version, "the same files give the same version"


LOADED_LAYERS = {"conflict_events.csv"}
"""Layers that ship empty: an analyst fills them from the publisher's file with a loader."""


def test_every_file_in_files_ships_and_has_rows() -> None:
    for name in FILES:
        path = SHIPPED / name
        assert path.exists(), name
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        least = 1 if name in LOADED_LAYERS or not name.endswith(".csv") else 2
        assert len(lines) >= least, f"{name} has no rows"
        assert not path.read_bytes().startswith(b"\xef\xbb\xbf"), f"{name} starts with a BOM"


def test_every_row_has_at_least_one_source_and_each_source_exists(ref: Reference) -> None:
    for group, row in _sourced_rows(ref):
        assert row.source_ids, f"{group}: {row!r} has no source"
        missing = [sid for sid in row.source_ids if sid not in ref.sources]
        assert not missing, f"{group}: {row!r} cites unknown sources {missing}"
    for incident in ref.incidents.values():
        assert incident.sources, incident.id
        for source in incident.sources:
            assert source.source_id in ref.sources, (incident.id, source.source_id)
            assert source.url == ref.sources[source.source_id].url, (incident.id, source.source_id)
        for remedy in incident.remediations:
            assert remedy.source_ids, incident.id
            assert all(sid in ref.sources for sid in remedy.source_ids), incident.id


def test_every_listed_source_is_cited_somewhere(ref: Reference) -> None:
    cited = {sid for _, row in _sourced_rows(ref) for sid in row.source_ids}
    for incident in ref.incidents.values():
        cited |= {s.source_id for s in incident.sources}
        cited |= {sid for r in incident.remediations for sid in r.source_ids}
    assert set(ref.sources) == cited | {UCDP_SOURCE_ID}


FIRST_RETRIEVAL, LAST_RETRIEVAL = D(2025, 12, 15), D(2026, 12, 5)


def test_rows_carry_the_retrieval_date_and_unverified_rows_say_why(ref: Reference) -> None:
    for source in ref.sources.values():
        assert FIRST_RETRIEVAL <= source.retrieved_at <= LAST_RETRIEVAL, source.id
    for group, row in _sourced_rows(ref):
        assert FIRST_RETRIEVAL <= row.retrieved_at <= LAST_RETRIEVAL, (group, row)
        if row.verification is Verification.unverified:
            assert row.note, f"{group}: unverified row without a note: {row!r}"
    for incident in ref.incidents.values():
        assert FIRST_RETRIEVAL <= incident.retrieved_at <= LAST_RETRIEVAL, incident.id
        if incident.verification is Verification.unverified and incident.date_start.year > 2003:
            assert incident.note and "UNVERIFIED" in incident.note, incident.id


def test_secondary_sources_are_not_marked_primary(ref: Reference) -> None:
    for sid in ("S13", "S13b", "S14", "S16", "S16b", "S24e", "S26", "S26b", "S31d", "S33", "S46"):
        assert ref.sources[sid].primary is False, sid
    for sid in ("S1", "S18", "S21d", "S23"):
        assert ref.sources[sid].primary is True, sid


MIRRORS = (
    "pdfcoke.",
    "slideshare.",
    "fdocuments.",
    "vdocuments.",
    "wixlib.",
    "epdf.",
    "anyflip.",
    "livrozilla.",
    "blogspot.",
    "wordpress.",
    "staging",
    "preview-server",
    "lawstack.",
    "legalize.",
    "elaws.",
    "justia.",
)


def test_a_copy_on_a_mirror_or_upload_site_is_never_a_primary_source(ref: Reference) -> None:
    for source in ref.sources.values():
        if any(mirror in (source.url or "") for mirror in MIRRORS):
            assert source.strength is SourceStrength.weak, source.id
        if "law-firm" in source.title.lower() or "law firm" in (source.publisher or "").lower():
            assert source.strength is not SourceStrength.primary, source.id


def test_kp_and_un_facts_cite_their_primary_publishers(ref: Reference) -> None:
    kp_rows: list[_Sourced] = [
        *ref.status_periods,
        *ref.embargoes,
        *ref.special_measures,
        *ref.kp_rules.values(),
        *(m for m in ref.memberships if m.country == "GL"),
    ]
    for row in kp_rows:
        strengths = {ref.sources[sid].strength for sid in row.source_ids}
        assert strengths - {SourceStrength.weak}, f"only weak sources: {row!r}"
    for sid in ("S2", "S9", "S10", "S11", "S18b", "S20b", "S21c", "S22b", "S1b"):
        assert ref.sources[sid].strength is SourceStrength.primary, sid


# --- participants and who covers whom ------------------------------------------------------


@pytest.mark.parametrize(
    ("country", "day", "expected"),
    [
        ("BE", D(2019, 5, 1), "EU"),
        ("DE", D(2003, 1, 1), "EU"),
        ("GB", D(2019, 5, 1), "EU"),
        ("GB", D(2020, 12, 31), "EU"),
        ("GB", D(2021, 1, 1), "GB"),
        ("GB", D(2022, 1, 1), "GB"),
        ("UZ", D(2024, 1, 1), None),
        ("UZ", D(2024, 11, 15), "UZ"),
        ("UZ", D(2025, 1, 1), "UZ"),
        ("LR", D(2006, 1, 1), None),
        ("LR", D(2007, 5, 4), "LR"),
        ("HR", D(2010, 1, 1), "HR"),
        ("HR", D(2014, 1, 1), "EU"),
        ("PL", D(2003, 6, 1), "PL"),
        ("PL", D(2005, 1, 1), "EU"),
        ("CY", D(2003, 6, 1), None),
        ("CY", D(2005, 1, 1), "EU"),
        ("GL", D(2023, 1, 1), "EU"),
        ("GL", D(2015, 2, 28), "EU"),
        ("GL", D(2014, 6, 1), None),
        ("HK", D(2010, 1, 1), "CN"),
        ("TW", D(2010, 1, 1), "TW"),
        ("BW", D(2023, 6, 1), "BW"),
        ("CF", D(2019, 6, 1), "CF"),
        ("CG", D(2005, 1, 1), "CG"),
        ("GA", D(2018, 1, 1), None),
        ("GA", D(2019, 1, 1), "GA"),
        ("MX", D(2009, 6, 1), "MX"),
        ("XK", D(2020, 1, 1), None),
    ],
)
def test_participant_for(ref: Reference, country: str, day: dt.date, expected: str | None) -> None:
    assert ref.participant_for(country, day) == expected


def test_there_are_sixty_participants_today_counting_the_eu_once(ref: Reference) -> None:
    today = D(2025, 12, 15)
    covering = {ref.participant_for(m.country, today) for m in ref.memberships} - {None}
    participants = {
        p for p in covering if p is not None and ref.participants[p].kind == "participant"
    }
    assert len(participants) == 60
    assert "EU" in participants and "GB" in participants and "UZ" in participants
    assert covering - participants == {"TW"}
    assert ref.participants["TW"].kind == "trading_entity"
    assert [p.id for p in ref.participants.values() if p.regional_org] == ["EU"]
    eu_countries = {
        m.country for m in ref.memberships if m.participant_id == "EU" and m.valid_to is None
    }
    assert len(eu_countries - {"GL"}) == 27


def test_every_participant_covers_its_own_country_and_memberships_do_not_overlap(
    ref: Reference,
) -> None:
    for participant in ref.participants.values():
        assert participant.admitted_on is not None, participant.id
        if participant.regional_org:
            continue
        own = [
            m
            for m in ref.memberships
            if m.country == participant.id and m.participant_id == participant.id
        ]
        assert len(own) == 1, participant.id
        assert own[0].valid_from == participant.admitted_on, participant.id
    by_country: dict[str, list[tuple[dt.date, dt.date]]] = {}
    for m in ref.memberships:
        by_country.setdefault(m.country, []).append((m.valid_from, m.valid_to or D.max))
    for country, periods in by_country.items():
        periods.sort()
        for (_, end), (start, _) in itertools.pairwise(periods):
            assert end <= start, f"{country}: overlapping memberships"
        for start, end in periods:
            assert start < end, country


def test_founding_participants_start_with_the_kpcs(ref: Reference) -> None:
    for code in ("AO", "BW", "CA", "EU", "RU", "US", "ZW", "CF", "VE"):
        assert ref.participants[code].admitted_on == D(2003, 1, 1), code
    assert ref.participants["LR"].admitted_on == D(2007, 5, 4)
    assert ref.participants["UZ"].admitted_on == D(2024, 11, 15)


# --- status periods, special measures, embargoes -------------------------------------------


def test_car_suspension_with_compliant_zone_exception(ref: Reference) -> None:
    [period] = ref.statuses_on("CF", D(2019, 6, 1))
    assert period.id == "SP-CF-2013"
    assert period.status == "suspended"
    assert period.exception_measure == "compliant_zone"
    assert period.valid_from == D(2013, 5, 23)
    assert ref.statuses_on("CF", D(2013, 5, 22)) == []
    assert ref.statuses_on("CF", D(2024, 11, 14)) == [period]
    assert ref.statuses_on("CF", D(2024, 11, 15)) == []
    assert ref.statuses_on("CF", D(2025, 1, 1)) == []


def _zones(ref: Reference, day: dt.date) -> set[str]:
    return {
        m.admin2 or "" for m in ref.special_measures_on("CF", day) if m.kind == "compliant_zone"
    }


def test_car_compliant_zones_by_date(ref: Reference) -> None:
    assert "Berbérati" in _zones(ref, D(2019, 6, 1))
    assert "Bria" not in _zones(ref, D(2019, 6, 1))
    assert _zones(ref, D(2016, 1, 1)) == set()
    assert _zones(ref, D(2016, 10, 1)) == {"Berbérati", "Boda", "Carnot", "Nola"}
    assert _zones(ref, D(2020, 1, 1)) == {
        "Berbérati",
        "Boda",
        "Carnot",
        "Nola",
        "Gadzi",
        "Bagandou",
        "Boganda",
        "Boganangone",
    }
    assert _zones(ref, D(2025, 1, 1)) == set(), "full reinstatement on 2024-11-15 ends the regime"
    berberati = next(m for m in ref.special_measures_for("CF") if m.admin2 == "Berbérati")
    assert berberati.admin1 == "Mambéré-Kadéï"
    assert berberati.verification is Verification.unverified, "prefectures are UNVERIFIED"


def test_marange_special_measures(ref: Reference) -> None:
    def kinds(day: dt.date) -> list[str]:
        return [m.kind for m in ref.special_measures_on("ZW", day)]

    assert kinds(D(2008, 11, 1)) == [], "the KP never restricted Marange in 2008"
    assert kinds(D(2010, 8, 1)) == ["restricted_exports"]
    assert kinds(D(2011, 11, 1)) == ["monitored_exports"]
    assert kinds(D(2012, 11, 29)) == ["monitored_exports"]
    assert kinds(D(2012, 11, 30)) == [], "Washington plenary communiqué, 30 Nov 2012"
    assert kinds(D(2013, 1, 1)) == []
    for measure in ref.special_measures_for("ZW"):
        assert measure.site_ids == ["ZW-MARANGE"]
        assert (measure.admin1, measure.admin2) == ("Manicaland", "Marange")
    assert ref.statuses_on("ZW", D(2008, 11, 1)) == [], "Zimbabwe was never suspended"


def test_venezuela_congo_liberia_cote_divoire(ref: Reference) -> None:
    assert [s.status for s in ref.statuses_on("VE", D(2012, 1, 1))] == ["self_suspended"]
    assert ref.statuses_on("VE", D(2017, 1, 1)) == []
    assert [s.status for s in ref.statuses_on("CG", D(2005, 1, 1))] == ["removed"]
    assert ref.statuses_on("CG", D(2004, 7, 8)) == []
    assert ref.statuses_on("CG", D(2008, 1, 1)) == []
    assert [s.status for s in ref.statuses_on("CG", D(2007, 11, 7))] == ["removed"]
    assert ref.statuses_on("CG", D(2007, 11, 8)) == [], "readmitted, Reuters 8 Nov 2007"
    assert ref.participant_for("LR", D(2006, 6, 1)) is None
    assert ref.participant_for("LR", D(2008, 1, 1)) == "LR"
    assert [s.status for s in ref.statuses_on("CI", D(2010, 1, 1))] == ["embargoed"]
    assert ref.statuses_on("CI", D(2015, 1, 1)) == []
    assert [e.id for e in ref.embargoes_on("CI", D(2010, 1, 1))] == ["UNSC-CI-2005"]
    assert ref.embargoes_on("CI", D(2015, 1, 1)) == []


def test_un_embargoes(ref: Reference) -> None:
    def exempt(country: str, day: dt.date) -> list[bool]:
        return [e.exempt_government_certificate for e in ref.embargoes_on(country, day)]

    assert exempt("AO", D(2000, 1, 1)) == [True]
    assert ref.embargoes_on("AO", D(1998, 6, 30)) == [], "res 1176: in force 1 Jul 1998"
    assert exempt("AO", D(1998, 7, 1)) == [True]
    assert exempt("AO", D(2002, 12, 8)) == [True]
    assert ref.embargoes_on("AO", D(2002, 12, 9)) == [], "res 1448 of 9 Dec 2002"
    assert ref.embargoes_on("LR", D(2001, 4, 30)) == [], "res 1343 took effect in May 2001"
    assert exempt("LR", D(2001, 5, 1)) == [False]
    assert exempt("SL", D(2001, 1, 1)) == [True]
    assert exempt("LR", D(2005, 1, 1)) == [False]
    assert ref.embargoes_on("LR", D(2007, 4, 27)) == []
    assert ref.embargoes_on("AO", D(2003, 1, 1)) == []
    for country in ("AO", "SL", "LR", "CI", "CF", "CD"):
        assert ref.embargoes_on(country, D(2014, 4, 29)) == [], "no UN ban in force since 2014"


# --- certificates, HS codes, warranties ----------------------------------------------------


def test_certificate_profiles(ref: Reference) -> None:
    eu = ref.certificate_profiles["EU"]
    assert set(eu.number_prefixes) == {"EU", "EC"}
    assert eu.max_validity_days == 60
    assert ref.certificate_profiles["GB"].number_prefixes == ["GB"]


def test_hs_codes_in_kp_scope(ref: Reference) -> None:
    in_scope = {code for code, row in ref.hs_codes.items() if row.kp_scope}
    assert in_scope == {"7102.10", "7102.21", "7102.31"}
    assert ref.hs_codes["7102.39"].form == "polished"
    assert ref.hs_codes["7104"].form == "synthetic"
    assert not ref.hs_codes["7102.29"].kp_scope


def _sow(ref: Reference, version: str) -> SowStatement:
    return next(s for s in ref.sow_statements if s.version == version)


def _matches(statement: SowStatement, text: str) -> bool:
    return (
        re.search(statement.pattern, " ".join(text.split()), re.IGNORECASE | re.DOTALL) is not None
    )


def test_sow_statements_are_verbatim_and_their_patterns_match_the_variants(ref: Reference) -> None:
    old, new = _sow(ref, "2003"), _sow(ref, "2021")
    assert old.text.startswith("The diamonds herein invoiced have been purchased from legitimate")
    assert "(sourced) purchased" in new.text and "WDC SoW Guidelines" in new.text
    assert (old.accepted_from, new.accepted_from) == (D(2003, 1, 1), D(2021, 9, 21))
    assert (old.rough_accepted_until, old.polished_accepted_until) == (
        D(2024, 9, 21),
        D(2026, 9, 21),
    )
    assert old.verification is Verification.unverified, "the end dates are the brief's arithmetic"
    rapaport = (
        "The diamonds herein invoiced have been purchased [or sourced] from legitimate sources "
        "not involved in funding conflict, in compliance with United Nations Resolutions and "
        "corresponding national laws. [...] The seller hereby guarantees that these diamonds are "
        "conflict free and confirms adherence to the WDC SoW Guidelines."
    )
    new_variants = [
        new.text,
        new.text.upper(),
        new.text.replace(" ", "\n   "),
        new.text.replace("(sourced) purchased", "sourced"),
        new.text.replace("(sourced) purchased", "purchased"),
        new.text.replace("(sourced) purchased", "[sourced] purchased"),
        rapaport,
    ]
    for text in new_variants:
        assert _matches(new, text), text
        assert not _matches(old, text), text
    old_variants = [
        old.text,
        old.text.lower(),
        "Invoice 42.\n" + old.text.replace(" ", "  ") + "\nThank you.",
        old.text.replace("purchased", "sourced").replace("conflict free", "conflict-free"),
    ]
    for text in old_variants:
        assert _matches(old, text), text
        assert not _matches(new, text), text
    assert not _matches(
        old, "The diamonds herein invoiced have been purchased from legitimate sources."
    )


# --- sanctions -----------------------------------------------------------------------------


def test_russian_diamond_sanctions(ref: Reference) -> None:
    measures = {m.id: m for m in ref.sanction_measures}
    direct = [m for m in measures.values() if m.kind == "ban" and m.route == "direct"]
    assert {m.jurisdiction: m.valid_from for m in direct if m.articles != "jewellery"} == {
        "EU": D(2024, 1, 1),
        "US": D(2022, 3, 11),
        "UK": D(2024, 1, 1),
    }
    for jurisdiction in ("EU", "US", "UK"):
        bands = {
            (str(m.min_carat), str(m.max_carat), m.valid_from, m.grandfather_before)
            for m in measures.values()
            if m.jurisdiction == jurisdiction
            and m.kind == "ban"
            and m.route == "processed"
            and m.goods != "lab_grown"
        }
        assert bands == {
            ("1.00", "None", D(2024, 3, 1), D(2024, 3, 1)),
            ("0.50", "1.00", D(2024, 9, 1), D(2024, 9, 1)),
        }, jurisdiction
    assert measures["EU-RU-PROC-1CT"].articles == "loose", "the 2024/1745 jewellery carve-out"
    assert measures["EU-RU-DIRECT-2024"].goods == "all", "the direct ban covers synthetics"
    assert measures["EU-RU-PROC-SYN"].verification is Verification.unverified
    assert measures["EU-REQ-DDS-2026"].requires == "due_diligence_statement"
    assert not any(m.covers_industrial for m in measures.values())
    alrosa = [p for p in ref.sanctioned_parties if p.party_key == "alrosa"]
    assert {p.jurisdiction: p.valid_from for p in alrosa} == {
        "US": D(2022, 4, 7),
        "UK": D(2022, 3, 24),
        "EU": D(2024, 1, 3),
    }
    assert all("АЛРОСА" in p.aliases for p in alrosa), "original-script names ship"
    assert ref.statuses_on("RU", D(2025, 1, 1)) == [], "Russia's KP status never changed"


# --- taxonomy, standards, definitions ------------------------------------------------------


def test_taxonomy_and_conventions(ref: Reference) -> None:
    assert list(ref.taxonomy) == [f"C{n:02d}" for n in range(1, 16)]
    assert ref.taxonomy["C11"].oecd_annex_ii == "Not in Annex II"
    conventions = {c.id: c for c in ref.conventions}
    assert conventions["ILO-C29"].criteria == ["C05"]
    assert conventions["ILO-C182"].criteria == ["C06"]
    assert "C11" not in conventions["OECD-DDG-ANNEX-II"].criteria
    for convention in conventions.values():
        assert set(convention.criteria) <= set(ref.taxonomy), convention.id


def test_standards_match_the_attestation_schemes(ref: Reference) -> None:
    assert set(ref.standards) == {scheme.value for scheme in AttestationScheme}
    assert ref.standards["self_declaration"].mitigates == []
    assert ref.standards["maendeleo"].level == "site"
    assert ref.standards["rjc_cop"].level == "company"
    for standard in ref.standards.values():
        assert set(standard.mitigates) <= set(ref.taxonomy), standard.id


def test_the_conflict_diamond_definition_is_verbatim_and_dated(ref: Reference) -> None:
    definitions = {d.term: d for d in ref.definitions}
    conflict = definitions["conflict diamonds"]
    assert conflict.text.startswith(
        "rough diamonds used by rebel movements or their allies to finance"
    )
    assert conflict.valid_from == D(2003, 1, 1) and conflict.valid_to is None
    assert "7102 10 00, 7102 21 00 and 7102 31 00" in definitions["rough diamonds"].text
    assert definitions["diamond"].text.startswith("a natural mineral")


# --- sites and incidents -------------------------------------------------------------------

INCIDENT_IDS = {
    "INC-SL-RUF",
    "INC-AO-UNITA",
    "INC-AO-BRILLIANT",
    "INC-AO-LUNDAS",
    "INC-AO-TRANSPARENCY",
    "INC-ZW-MARANGE",
    "INC-TZ-WILLIAMSON",
    "INC-SL-KOIDU-2007",
    "INC-CF-2013-15",
}


def _ids(incidents: tuple[Incident, ...]) -> set[str]:
    return {incident.id for incident in incidents}


def test_the_nine_incidents_of_the_brief_and_the_registry_of_2026(ref: Reference) -> None:
    assert INCIDENT_IDS <= set(ref.incidents)
    assert len(ref.incidents) >= 40
    assert len({i.country for i in ref.incidents.values()}) >= 15
    for incident in ref.incidents.values():
        assert set(incident.categories) <= set(ref.taxonomy), incident.id
        assert set(incident.site_ids) <= set(ref.sites), incident.id
        assert incident.reported_on >= incident.date_start, incident.id
        text = f"{incident.title} {incident.summary}".lower()
        assert "perpetrated by" not in text and "guilty" not in text, incident.id


def test_incidents_are_reachable_through_the_indexes(ref: Reference) -> None:
    marange = {
        "INC-ZW-MARANGE",
        "INC-ZW-ARDA-TRANSAU",
        "INC-ZW-INSIDE-JOB",
        "INC-ZW-MARANGE-SECURITY-2013-16",
        "INC-ZW-ZCDC-SECURITY-2017-19",
    }
    williamson = {
        "INC-TZ-WILLIAMSON",
        "INC-TZ-WILLIAMSON-TSF-2022",
        "INC-TZ-WILLIAMSON-FORCE-2020-21",
    }
    assert _ids(ref.incidents_at_site("ZW-MARANGE")) == marange
    assert _ids(ref.incidents_at_site("TZ-WILLIAMSON")) == williamson
    assert _ids(ref.incidents_at_site("SL-KOIDU")) == {
        "INC-SL-KOIDU-2007",
        "INC-SL-OCTEA-STRIKE-2012",
        "INC-SL-KOIDU-COMMUNITY",
    }
    assert _ids(ref.incidents_at_site("AO-SMC-CUANGO")) == {
        "INC-AO-LUNDAS",
        "INC-AO-CUANGO-KADYAPEMBA-2019-21",
    }
    assert ref.incidents_at_site("BW-JWANENG") == ()
    assert _ids(ref.incidents_in_admin2("ZW", "MARANGE")) == marange
    assert _ids(ref.incidents_in_admin1("ZW", "manicaland")) == marange
    assert {"INC-AO-BRILLIANT", "INC-AO-LUNDAS", "INC-AO-TRANSPARENCY"} <= _ids(
        ref.incidents_in_admin1("AO", "Lunda Norte")
    )
    assert "INC-SL-KOIDU-2007" in _ids(ref.incidents_in_admin2("SL", "Kono"))
    assert _ids(ref.incidents_countrywide("CF")) == {
        "INC-CF-2013-15",
        "INC-CF-ARMEDGROUPS-2016-17",
        "INC-CF-WAGNER-ABUSES-2021",
    }
    assert _ids(ref.incidents_countrywide("SL")) == {"INC-SL-RUF"}
    assert _ids(ref.incidents_countrywide("AO")) == {"INC-AO-UNITA"}
    assert ref.incidents_countrywide("BW") == ()
    # An area in another country: the Catoca spill reached Tshikapa in the DR Congo.
    assert "INC-AO-CATOCA-SPILL-2021" in _ids(ref.incidents_in_admin2("CD", "Tshikapa"))
    assert _ids(ref.incidents_of_party("petra-diamonds", "Petra Diamonds")) == williamson
    assert _ids(ref.incidents_of_party(None, "KOIDU HOLDINGS")) == {"INC-SL-KOIDU-2007"}
    assert _ids(ref.incidents_of_party("teleservice", "unknown")) == {"INC-AO-LUNDAS"}
    assert _ids(ref.incidents_of_party("sodiam", "Sodiam")) == {"INC-CF-2013-15"}


def test_incident_details(ref: Reference) -> None:
    marange = ref.incidents["INC-ZW-MARANGE"]
    assert marange.status == "documented"
    assert {"C03", "C04", "C05", "C06"} <= set(marange.categories)
    assert marange.reported_on == D(2009, 6, 26)
    assert marange.date_start <= D(2008, 11, 1) <= (marange.date_end or D.max)
    assert "state_military" in marange.actors
    ruf = ref.incidents["INC-SL-RUF"]
    assert ruf.status == "adjudicated" and ruf.admin1 is None and ruf.site_ids == []
    williamson = ref.incidents["INC-TZ-WILLIAMSON"]
    assert williamson.status == "settled"
    assert "without admission of liability" in williamson.summary
    assert [r.date for r in williamson.remediations][:2] == [D(2021, 5, 12), D(2021, 10, 18)]
    assert any("grievance mechanism" in r.description for r in williamson.remediations)
    for country_only in ("INC-AO-UNITA", "INC-CF-2013-15"):
        incident = ref.incidents[country_only]
        assert (incident.admin1, incident.admin2, incident.site_ids) == (None, None, [])


def test_sites_resolve_by_id_and_alias(ref: Reference) -> None:
    site = ref.registry_site("ZW", None, "Chiadzwa")
    assert site is not None and site.id == "ZW-MARANGE"
    assert ref.registry_site("ZW", "ZW-MARANGE", None) == site
    williamson = ref.registry_site("TZ", None, "williamson diamond mine")
    assert williamson is not None and williamson.id == "TZ-WILLIAMSON"
    assert ref.registry_site("ZW", None, "Koidu mine") is None, "names resolve within a country"
    assert ref.sites["BW-ORAPA"].verification is Verification.unverified


# --- UNVERIFIED stays UNVERIFIED -----------------------------------------------------------


@pytest.mark.parametrize("participant", ["ML", "SZ", "TR", "KG", "MZ", "QA", "BD", "GA"])
def test_unverified_admissions_stay_unverified(ref: Reference, participant: str) -> None:
    assert ref.participants[participant].verification is Verification.unverified


def test_unverified_rows_stay_unverified(ref: Reference) -> None:
    periods = {p.id: p for p in ref.status_periods}
    assert periods["SP-CG-2004"].verification is Verification.unverified
    assert periods["SP-VE-2008"].verification is Verification.unverified
    assert periods["SP-CF-2013"].verification is Verification.verified
    assert periods["SP-CI-2005"].verification is Verification.verified
    embargoes = {e.id: e for e in ref.embargoes}
    assert embargoes["UNSC-SL-2000"].verification is Verification.unverified
    assert embargoes["UNSC-LR-2001"].verification is Verification.unverified
    assert embargoes["UNSC-CI-2005"].verification is Verification.verified
    assert ref.certificate_profiles["EU"].verification is Verification.unverified
    assert ref.hs_codes["7102.29"].verification is Verification.unverified
    assert ref.hs_codes["7102.31"].verification is Verification.verified
    us_ceo = next(p for p in ref.sanctioned_parties if p.id == "US-SDN-IVANOV-SS")
    assert us_ceo.verification is Verification.unverified
    conventions = {c.id: c for c in ref.conventions}
    for ilo in ("ILO-C29", "ILO-C105", "ILO-C138", "ILO-C182", "VPSHR"):
        assert conventions[ilo].verification is Verification.unverified, ilo
    for code in ("C02", "C05", "C06", "C12", "C13", "C14"):
        assert ref.taxonomy[code].verification is Verification.unverified, code
    for membership in ref.memberships:
        if membership.participant_id == "EU" and membership.country != "GB":
            assert membership.verification is Verification.unverified, membership.country
    for measure in ref.special_measures:
        assert measure.verification is Verification.unverified, measure.id
    assert ref.participants["UZ"].verification is Verification.verified
    assert ref.participants["LR"].verification is Verification.verified


# --- the loader names bad rows --------------------------------------------------------------


def test_a_bad_row_is_named_by_file_and_line(tmp_path: Path) -> None:
    folder = _copy_shipped(tmp_path)
    path = folder / "kp_status_periods.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines[3].startswith("SP-VE-2008,")
    lines[3] = lines[3].replace(",2008-01-01,", ",2008-13-01,", 1)
    path.write_text("".join(lines), encoding="utf-8")
    problems = _problems(folder)
    assert len(problems) == 1
    assert problems[0].startswith("kp_status_periods.csv:4: valid_from")


def test_a_bad_jsonl_line_is_named(tmp_path: Path) -> None:
    folder = _copy_shipped(tmp_path)
    path = folder / "incidents.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    row = json.loads(lines[2])
    row["categories"] = ["C99"]
    lines[2] = json.dumps(row, ensure_ascii=False)
    lines[5] = "{not json"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    problems = _problems(folder)
    assert any(p.startswith("incidents.jsonl:6: invalid JSON") for p in problems), problems
    assert any(p.startswith("incidents.jsonl:3: unknown criterion 'C99'") for p in problems), (
        problems
    )


def test_an_unknown_source_id_is_reported(tmp_path: Path) -> None:
    folder = _copy_shipped(tmp_path)
    path = folder / "kp_special_measures.csv"
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    lines[2] = lines[2].replace(",S15e;S14,", ",S15e;S999,", 1)
    path.write_text("".join(lines), encoding="utf-8")
    assert _problems(folder) == ["kp_special_measures.csv:3: unknown source 'S999'"]


def test_a_duplicate_id_is_reported(tmp_path: Path) -> None:
    folder = _copy_shipped(tmp_path)
    path = folder / "kp_status_periods.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.append(lines[1])
    path.write_text("".join(lines), encoding="utf-8")
    assert _problems(folder) == ["kp_status_periods.csv:6: duplicate id 'SP-CF-2013'"]


def test_cross_checks_name_the_right_line_after_a_bad_row_or_a_blank_line(tmp_path: Path) -> None:
    folder = _copy_shipped(tmp_path)
    periods = folder / "kp_status_periods.csv"
    lines = periods.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[2] = lines[2].replace(",removed,", ",expelled,", 1)  # line 3 invalid
    lines[4] = lines[4].replace(",S18;S18b;", ",S18;S9404;", 1)  # line 5 cites an unknown source
    periods.write_text("".join(lines), encoding="utf-8")
    incidents = folder / "incidents.jsonl"
    rows = incidents.read_text(encoding="utf-8").splitlines()
    last = json.loads(rows[-1])
    last["sources"][0]["source_id"] = "S9405"
    rows[-1] = json.dumps(last, ensure_ascii=False)
    incidents.write_text("\n\n".join(rows) + "\n", encoding="utf-8")  # blank lines between rows
    problems = _problems(folder)
    assert any(p.startswith("kp_status_periods.csv:3: status") for p in problems), problems
    assert "kp_status_periods.csv:5: unknown source 'S9404'" in problems
    assert f"incidents.jsonl:{2 * len(rows) - 1}: unknown source 'S9405'" in problems


def test_wrong_columns_and_missing_files_are_reported(tmp_path: Path) -> None:
    folder = _copy_shipped(tmp_path)
    shipped = (SHIPPED / "sites.csv").read_text(encoding="utf-8")
    (folder / "sites.csv").write_text(shipped + "XX-EXTRA,Extra,XX\n", encoding="utf-8")
    (folder / "hs_codes.csv").unlink()
    problems = _problems(folder)
    assert f"sites.csv:{len(shipped.splitlines()) + 1}: wrong number of columns" in problems
    assert "hs_codes.csv:0: file is missing" in problems


def test_an_edit_changes_the_version(tmp_path: Path, ref: Reference) -> None:
    folder = _copy_shipped(tmp_path)
    assert load_reference(folder).version == ref.version
    with (folder / "sites.csv").open("a", encoding="utf-8") as fh:
        fh.write("BW-TEST,Test mine,BW,,,,S44,2025-12-15,unverified,test row\n")
    changed = load_reference(folder)
    assert changed.version != ref.version
    assert changed.version.startswith("2026.12.0-")


def test_a_check_without_its_rule_or_a_rule_without_a_check_is_refused(tmp_path: Path) -> None:
    folder = _copy_shipped(tmp_path)
    path = folder / "kp_rules.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith("K17,")]
    kept.append('K99,"A rule no check applies.",S1,2026-12-05,verified,\n')
    path.write_text("".join(kept), encoding="utf-8")

    assert _problems(folder) == [
        f"kp_rules.csv:{len(kept)}: no check 'K99'",
        "kp_rules.csv:0: check K17 has no rule",
    ]


def test_a_criterion_without_a_severity_in_the_policy_is_refused(tmp_path: Path) -> None:
    folder = _copy_shipped(tmp_path)
    path = folder / "abuse_taxonomy.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    extra = json.loads(lines[0])
    extra.update(code="C16", name="A criterion the policy does not weigh")
    path.write_text("\n".join([*lines, json.dumps(extra)]) + "\n", encoding="utf-8")

    assert _problems(folder) == [
        f"abuse_taxonomy.jsonl:{len(lines) + 1}: criterion C16 has no severity in policy "
        f"{DEFAULT_POLICY.version}"
    ]
