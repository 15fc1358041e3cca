"""Reading the official sanctions lists, so that an operator can refresh ``sanctioned_parties.csv``.

Formats: the OFAC SDN list (``sdn.xml``, or ``sdn.csv`` with its ``alt.csv`` of aliases), the EU
consolidated financial sanctions list (the FSF XML export) and the UK list (OFSI's ``ConList.csv``,
one row per name, grouped by ``Group ID``). Each gives :class:`ListedEntry` rows: the list's own
id, the primary name, aliases and former names (original scripts included), entity or person,
and the listing date where the list states one (the OFAC files do not).

:func:`refresh` folds entries into the shipped rows: a row whose names match an entry (through
the production name screen) takes the entry's list reference and every name the list gives;
an entry matching one of the operator's ``--match`` terms and no row becomes a new row,
``verified`` against the given source. Nothing is deleted: a delisting is a human decision
(set ``valid_to``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from clearstone_api.domain.reference_rows import SanctionedParty
from clearstone_api.services.party_screen import PartyScreen

__all__ = [
    "FORMATS",
    "ListedEntry",
    "read_eu_xml",
    "read_ofac_csv",
    "read_ofac_xml",
    "read_uk_csv",
    "refresh",
]

FORMATS = ("ofac-xml", "ofac-csv", "eu-xml", "uk-csv")


@dataclass
class ListedEntry:
    list_name: str
    jurisdiction: str
    list_ref: str
    name: str
    kind: str
    aliases: list[str] = field(default_factory=list)
    former_names: list[str] = field(default_factory=list)
    listed_on: dt.date | None = None
    programs: list[str] = field(default_factory=list)

    def names(self) -> list[str]:
        return [self.name, *self.aliases, *self.former_names]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: ET.Element, name: str) -> list[ET.Element]:
    return [child for child in element.iter() if _local(child.tag) == name]


def _text(element: ET.Element, name: str) -> str:
    for child in element:
        if _local(child.tag) == name and child.text:
            return child.text.strip()
    return ""


def _parse_xml(data: bytes) -> ET.Element:
    if b"<!DOCTYPE" in data[:2048] or b"<!ENTITY" in data[:4096]:
        raise ValueError("the list file declares a DTD or entities; refusing to parse it")
    return ET.fromstring(data)


def read_ofac_xml(data: bytes) -> list[ListedEntry]:
    """``sdn.xml``: ``sdnEntry`` elements with ``akaList`` (a.k.a., f.k.a.)."""
    entries: list[ListedEntry] = []
    for entry in _children(_parse_xml(data), "sdnEntry"):
        last, first = _text(entry, "lastName"), _text(entry, "firstName")
        kind = "person" if _text(entry, "sdnType").lower() == "individual" else "entity"
        listed = ListedEntry(
            list_name="OFAC SDN",
            jurisdiction="US",
            list_ref=_text(entry, "uid"),
            name=f"{first} {last}".strip() if kind == "person" else last,
            kind=kind,
            programs=[p.text.strip() for p in _children(entry, "program") if p.text],
        )
        for aka in _children(entry, "aka"):
            name = f"{_text(aka, 'firstName')} {_text(aka, 'lastName')}".strip()
            former = _text(aka, "type").lower().startswith(("f.k.a", "fka"))
            (listed.former_names if former else listed.aliases).append(name)
        entries.append(listed)
    return entries


def _null(value: str) -> str:
    return "" if value.strip() in ("-0-", "-0- ") else value.strip()


def read_ofac_csv(sdn: str, alt: str = "") -> list[ListedEntry]:
    """``sdn.csv`` (ent_num, name, type, program, ...) and ``alt.csv`` (ent_num, alt_num,
    alt_type, alt_name, remarks); ``-0-`` is null. Person names are ``LAST, First``."""
    entries: dict[str, ListedEntry] = {}
    for row in csv.reader(io.StringIO(sdn)):
        if len(row) < 4 or not row[0].strip().isdigit():
            continue
        kind = "person" if _null(row[2]).lower() == "individual" else "entity"
        entries[row[0].strip()] = ListedEntry(
            list_name="OFAC SDN",
            jurisdiction="US",
            list_ref=row[0].strip(),
            name=_null(row[1]),
            kind=kind,
            programs=[p.strip() for p in _null(row[3]).strip("[]").split("] [") if p.strip()],
        )
    for row in csv.reader(io.StringIO(alt)):
        if len(row) < 4 or row[0].strip() not in entries:
            continue
        entry, name = entries[row[0].strip()], _null(row[3])
        former = _null(row[2]).lower().startswith(("fka", "f.k.a"))
        if name:
            (entry.former_names if former else entry.aliases).append(name)
    return list(entries.values())


def read_eu_xml(data: bytes) -> list[ListedEntry]:
    """The EU FSF export: ``sanctionEntity`` with ``nameAlias`` (``wholeName``), ``subjectType``
    and ``regulation`` (``entryIntoForceDate``, else ``publicationDate``)."""
    entries: list[ListedEntry] = []
    for entity in _children(_parse_xml(data), "sanctionEntity"):
        names = [
            alias.get("wholeName", "").strip()
            for alias in _children(entity, "nameAlias")
            if alias.get("wholeName", "").strip()
        ]
        if not names:
            continue
        subject = next(iter(_children(entity, "subjectType")), None)
        kind = "person" if subject is not None and subject.get("code") == "person" else "entity"
        dates = [
            dt.date.fromisoformat(day)
            for regulation in _children(entity, "regulation")
            if (day := regulation.get("entryIntoForceDate") or regulation.get("publicationDate"))
        ]
        entries.append(
            ListedEntry(
                list_name="EU consolidated list",
                jurisdiction="EU",
                list_ref=entity.get("logicalId") or entity.get("euReferenceNumber") or "",
                name=names[0],
                kind=kind,
                aliases=list(dict.fromkeys(names[1:])),
                listed_on=min(dates) if dates else None,
            )
        )
    return entries


_UK_DATE = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")


def _uk_date(value: str) -> dt.date | None:
    match = _UK_DATE.match(value.strip())
    return dt.date(int(match[3]), int(match[2]), int(match[1])) if match else None


def read_uk_csv(text: str) -> list[ListedEntry]:
    """OFSI ``ConList.csv``: a ``Last Updated`` line, then one row per name with ``Name 1-6``,
    ``Name Non-Latin Script``, ``Alias Type``, ``Group Type``, ``Listed On`` and ``Group ID``."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("Name 6")), None)
    if start is None:
        raise ValueError("not an OFSI consolidated list: no 'Name 6' header row")
    entries: dict[str, ListedEntry] = {}
    for row in csv.DictReader(io.StringIO("\n".join(lines[start:]))):
        group = (row.get("Group ID") or "").strip()
        if not group:
            continue
        parts = [row.get(f"Name {i}", "") or "" for i in (1, 2, 3, 4, 5, 6)]
        name = " ".join(p.strip() for p in parts if p and p.strip())
        original = (row.get("Name Non-Latin Script") or "").strip()
        alias_type = (row.get("Alias Type") or "").strip().lower()
        kind = (
            "person" if (row.get("Group Type") or "").strip().lower() == "individual" else "entity"
        )
        entry = entries.get(group)
        if entry is None:
            entry = entries[group] = ListedEntry(
                list_name="UK sanctions list",
                jurisdiction="UK",
                list_ref=group,
                name=name,
                kind=kind,
                listed_on=_uk_date(row.get("Listed On") or ""),
                programs=[(row.get("Regime") or "").strip()],
            )
        elif alias_type.startswith("primary"):
            entry.aliases.append(entry.name)
            entry.name = name
        elif name:
            target = entry.former_names if "former" in alias_type else entry.aliases
            target.append(name)
        if original:
            entry.aliases.append(original)
    for entry in entries.values():
        entry.aliases = [a for a in dict.fromkeys(entry.aliases) if a != entry.name]
    return list(entries.values())


def refresh(
    rows: Sequence[SanctionedParty],
    entries: Iterable[ListedEntry],
    *,
    source_id: str,
    retrieved_at: dt.date,
    match_terms: Sequence[str] = (),
) -> list[SanctionedParty]:
    """``rows`` with the list's names and references folded in, plus new rows for entries that
    match ``match_terms`` (screened like party names)."""
    updated = list(rows)
    terms = PartyScreen([_probe(term) for term in match_terms])
    for entry in entries:
        screen = PartyScreen([_probe(name) for name in entry.names()])
        hits = [
            i
            for i, row in enumerate(updated)
            if row.jurisdiction == entry.jurisdiction
            and row.basis == "designated"
            and any(screen.screen(name) for name in (row.name, *row.aliases))
        ]
        for i in hits:
            updated[i] = _merged(updated[i], entry, source_id)
        if not hits and any(terms.screen(name) for name in entry.names()):
            updated.append(_new_row(entry, source_id, retrieved_at))
    return updated


def _probe(name: str) -> SanctionedParty:
    return SanctionedParty(
        id="probe",
        party_key="probe",
        jurisdiction="US",
        list="probe",
        regime="probe",
        kind="entity",
        name=name,
        country="ZZ",
        valid_from=dt.date(1900, 1, 1),
        source_ids=["probe"],
        retrieved_at=dt.date(1900, 1, 1),
        verification="unverified",
    )


def _merged(row: SanctionedParty, entry: ListedEntry, source_id: str) -> SanctionedParty:
    aliases = [
        a for a in dict.fromkeys([*row.aliases, *entry.aliases, entry.name]) if a != row.name
    ]
    former = list(dict.fromkeys([*row.former_names, *entry.former_names]))
    return row.model_copy(
        update={
            "list_ref": entry.list_ref or row.list_ref,
            "aliases": aliases,
            "former_names": former,
            "valid_from": entry.listed_on or row.valid_from,
            "source_ids": list(dict.fromkeys([*row.source_ids, source_id])),
        }
    )


def _new_row(entry: ListedEntry, source_id: str, retrieved_at: dt.date) -> SanctionedParty:
    slug = re.sub(r"[^a-z0-9]+", "-", entry.name.lower()).strip("-")[:40] or entry.list_ref
    dated = entry.listed_on is not None
    return SanctionedParty(
        id=f"{entry.jurisdiction}-{entry.list_ref or slug}".upper(),
        party_key=slug,
        jurisdiction=entry.jurisdiction,
        list=entry.list_name,
        list_ref=entry.list_ref or None,
        regime=", ".join(p for p in entry.programs if p) or entry.list_name,
        kind=entry.kind,
        name=entry.name,
        aliases=entry.aliases,
        former_names=entry.former_names,
        country="RU",
        valid_from=entry.listed_on or retrieved_at,
        source_ids=[source_id],
        retrieved_at=retrieved_at,
        verification="verified" if dated else "unverified",
        note=None
        if dated
        else "The list file states no listing date: the retrieval day is used "
        "(UNVERIFIED); set the designation date from the list's notice.",
    )
