"""Per-jurisdiction verdicts: every effective-dated rule row read against the goods.

Each jurisdiction reads its rows on one date: the goods' last entry into its territory after
their last processing outside it (an import event, or the first event recorded there), or the
assessment date when the chain records no entry (the question is then an import now). Each row
comes back with its outcome and the reason, so the answer can be checked row by row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from clearstone_api.domain.chain import Chain
from clearstone_api.domain.records import CustodyEvent, EventType
from clearstone_api.domain.reference import Reference
from clearstone_api.domain.reference_rows import SanctionMeasure
from clearstone_api.domain.sanctions.content import PROCESSING, CountryLink, unique_refs
from clearstone_api.domain.sanctions.parties import source_refs
from clearstone_api.domain.verdicts import (
    EvidenceRef,
    GoodsProfile,
    RuleOutcome,
    SanctionHit,
    SourceRef,
)

__all__ = [
    "JURISDICTIONS",
    "Entry",
    "RuleRow",
    "apply_rule",
    "ban_hit",
    "entry_into",
    "in_jurisdiction",
    "rule_rows",
]

JURISDICTIONS = ("EU", "US", "UK")


@dataclass(frozen=True)
class RuleRow:
    """A rule row as every assessment reads it: the row, its resolved sources, and the fields
    of its :class:`~clearstone_api.domain.verdicts.RuleApplication` that come from the row
    alone."""

    row: SanctionMeasure
    sources: tuple[SourceRef, ...]
    fixed: dict[str, Any]


def rule_rows(reference: Reference, jurisdiction: str) -> tuple[RuleRow, ...]:
    """``jurisdiction``'s rule rows in file order, prepared once per reference."""
    return reference.derived("sanctions.rule_rows", _rule_rows)[jurisdiction]


def _rule_rows(reference: Reference) -> dict[str, tuple[RuleRow, ...]]:
    return {
        jurisdiction: tuple(
            RuleRow(
                row,
                tuple(source_refs(reference, row.source_ids)),
                {
                    "rule_id": row.id,
                    "kind": row.kind,
                    "regime": row.regime,
                    "description": row.description,
                    "valid_from": row.valid_from,
                    "valid_to": row.valid_to,
                    "requires": row.requires,
                    "verification": row.verification.value,
                },
            )
            for row in reference.sanction_measures
            if row.jurisdiction == jurisdiction
        )
        for jurisdiction in JURISDICTIONS
    }


def in_jurisdiction(reference: Reference, jurisdiction: str, country: str, day: dt.date) -> bool:
    """Whether ``country`` was inside ``jurisdiction``'s customs territory on ``day``."""
    if jurisdiction == "US":
        return country == "US"
    if jurisdiction == "UK":
        return country == "GB" and reference.participant_for("GB", day) != "EU"
    return reference.participant_for(country, day) == "EU"


@dataclass(frozen=True)
class Entry:
    """When the goods, in their present form, entered a jurisdiction (as far as the chain
    says)."""

    date: dt.date
    basis: str
    """``import``, ``arrival`` (first event recorded there) or ``as_of`` (no entry)."""
    first: dt.date | None
    event: CustodyEvent | None


def entry_into(chain: Chain, reference: Reference, jurisdiction: str, as_of: dt.date) -> Entry:
    inside = [
        in_jurisdiction(reference, jurisdiction, event.place.country, event.date)
        for event in chain.events
    ]
    outside_processing = [
        e.date
        for e, there in zip(chain.events, inside, strict=True)
        if e.type in PROCESSING and not there
    ]
    since = max(outside_processing, default=None)
    entries: list[CustodyEvent] = []
    was_inside = False
    for event, now_inside in zip(chain.events, inside, strict=True):
        entered = now_inside and (not was_inside or event.type is EventType.import_)
        if entered and event.date <= as_of and (since is None or event.date >= since):
            entries.append(event)
        was_inside = now_inside
    if not entries:
        return Entry(as_of, "as_of", None, None)
    last = entries[-1]
    basis = "import" if last.type is EventType.import_ else "arrival"
    return Entry(last.date, basis, entries[0].date, last)


def _in_force(row: SanctionMeasure, day: dt.date) -> bool:
    return row.valid_from <= day and (row.valid_to is None or day < row.valid_to)


def _scope_problem(row: SanctionMeasure, goods: GoodsProfile, link: CountryLink) -> str | None:
    """Why the row does not reach these goods, or None when it does."""
    if row.kind == "ban" and link.route == "none":
        return f"The goods have no recorded or declared link to {row.country}."
    if row.route != "any" and row.route != link.route:
        return f"The row covers goods {_ROUTES[row.route]}; these goods are {_ROUTES[link.route]}."
    if goods.industrial and not row.covers_industrial:
        return "Industrial diamonds are outside this rule (it covers non-industrial diamonds)."
    if row.goods != "all" and row.goods != goods.goods:
        return f"The rule covers {row.goods.replace('_', '-')} diamonds; these are {goods.goods}."
    if row.articles != "all" and row.articles != goods.article:
        return f"The rule covers {row.articles} goods; these are {goods.article}."
    if row.form != "all" and row.form != goods.form:
        return f"The rule covers {row.form} goods; these are {goods.form}."
    if row.condition == "mixed_rough" and not goods.mixed_rough:
        return "The rule covers rough of mixed origin; these goods are not declared mixed."
    return _band_problem(row, goods)


def _band_problem(row: SanctionMeasure, goods: GoodsProfile) -> str | None:
    if goods.form == "rough" and row.min_carat is not None:
        return None  # a parcel's stones are not weighed one by one: the band is presumed met
    carat = Decimal(goods.carat)
    if row.min_carat is not None and carat < row.min_carat:
        return f"{carat} ct is below the rule's {row.min_carat} ct threshold."
    if row.max_carat is not None and carat >= row.max_carat:
        return f"{carat} ct is in a heavier band (this row covers under {row.max_carat} ct)."
    return None


_ROUTES = {
    "direct": "from or through the country, not processed in a third country since",
    "processed": "mined there and processed in a third country",
    "none": "without a link to the country",
    "any": "of any route",
}


def _grandfathered(row: SanctionMeasure, link: CountryLink, entry: Entry) -> str | None:
    cutoff = row.grandfather_before
    if cutoff is None or row.grandfather_by == "none":
        return None
    if row.grandfather_by == "processing":
        day, what = link.processed_on(), "were processed in a third country"
    elif row.grandfather_by == "export":
        day, what = link.left_country_on(), f"left {row.country}"
    else:
        day, what = entry.first, "entered the jurisdiction"
    if day is not None and day < cutoff:
        return f"The goods {what} on {day}, before the cut-off {cutoff}: keep proof of that date."
    return None


def apply_rule(
    rule: RuleRow,
    goods: GoodsProfile,
    link: CountryLink,
    entry: Entry,
    as_of: dt.date,
) -> dict[str, Any]:
    """One row's outcome for these goods entering on ``entry.date``: a
    :class:`RuleApplication` as plain data, validated with its verdict."""
    row = rule.row
    if not _in_force(row, entry.date):
        if (
            row.kind == "ban"
            and row.grandfather_by == "import"
            and entry.basis != "as_of"
            and _in_force(row, as_of)
            and _scope_problem(row, goods, link) is None
        ):
            outcome, reason = (
                RuleOutcome.grandfathered,
                f"The goods entered on {entry.date}, before the cut-off "
                f"{row.grandfather_before}: keep proof of that date.",
            )
        else:
            until = f" until {row.valid_to}" if row.valid_to else ""
            outcome, reason = (
                RuleOutcome.not_in_force,
                f"In force from {row.valid_from}{until}; read on {entry.date}.",
            )
    elif (problem := _scope_problem(row, goods, link)) is not None:
        outcome, reason = RuleOutcome.out_of_scope, problem
    else:
        old = _grandfathered(row, link, entry) if row.kind == "ban" else None
        if old is not None:
            outcome, reason = RuleOutcome.grandfathered, old
        else:
            outcome = RuleOutcome.applies
            reason = (
                f"{row.description} The goods are {_ROUTES[link.route]} ({row.country}) and "
                f"were read on {entry.date}."
                if row.kind == "ban"
                else f"Asked of an importer on {entry.date}: {row.description}"
            )
    return {**rule.fixed, "outcome": outcome, "reason": reason, "sources": rule.sources}


def ban_hit(row: SanctionMeasure, applied: dict[str, Any], link: CountryLink) -> SanctionHit:
    """The hit of a ban that applies (``applied``: what :func:`apply_rule` returned)."""
    evidence = list(link.evidence)
    if link.route == "processed":
        evidence += [EvidenceRef(kind="event", id=e.id) for e in link.processing_elsewhere]
    return SanctionHit(
        regime_id=row.id,
        regime=row.regime,
        reason=applied["reason"],
        evidence=unique_refs(evidence),
        sources=applied["sources"],
        jurisdiction=row.jurisdiction,
    )
