"""The sanctions answer, separate from the KP verdict: one verdict per jurisdiction (EU, US, UK).

Each jurisdiction's verdict reads the effective-dated rule rows of ``sanctions_measures.csv``
against what the goods are (natural or synthetic, loose or jewellery, industrial or not, their
weight band) and how they relate to the sanctioned country (direct, processed in a third
country, grandfathered), and screens every name in the chain against the listed parties of that
jurisdiction's lists. The top-level ``result`` is ``flagged`` when any jurisdiction's is.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from clearstone_api.domain.chain import Chain
from clearstone_api.domain.name_screen import NameMatch, NameScreen
from clearstone_api.domain.reference import Reference
from clearstone_api.domain.sanctions.content import (
    CountryLink,
    declared_countries,
    goods_profile,
    link_to,
    weight_band,
)
from clearstone_api.domain.sanctions.parties import party_hits
from clearstone_api.domain.sanctions.rules import (
    JURISDICTIONS,
    apply_rule,
    ban_hit,
    entry_into,
    rule_rows,
)
from clearstone_api.domain.verdicts import (
    GoodsProfile,
    RuleOutcome,
    SanctionHit,
    SanctionsResult,
    SanctionsVerdict,
)

__all__ = [
    "JURISDICTIONS",
    "MissingNameScreen",
    "NameMatch",
    "NameScreen",
    "assess_sanctions",
]


class MissingNameScreen(RuntimeError):
    """The reference has no name screen attached: party screening cannot run."""


def assess_sanctions(chain: Chain, reference: Reference, as_of: dt.date) -> SanctionsVerdict:
    screen = reference.name_screen
    if screen is None:
        raise MissingNameScreen(
            "the reference data has no name screen; load it through "
            "clearstone_api.services.reference_store (or attach one with with_name_screen)"
        )
    declared = declared_countries(chain)
    countries = sorted({row.country for row in reference.sanction_measures})
    links = {country: link_to(chain, country, declared) for country in countries}
    main_route = next((link.route for link in links.values() if link.route != "none"), "none")
    goods = goods_profile(chain, reference, declared, main_route)
    band = weight_band(chain)
    parties = party_hits(chain, reference, screen, as_of)
    verdicts = [
        _jurisdiction(chain, reference, jurisdiction, as_of, goods, links, band, parties)
        for jurisdiction in JURISDICTIONS
    ]
    hits: list[SanctionHit] = [hit for verdict in verdicts for hit in verdict["hits"]]
    flagged = any(v["result"] is SanctionsResult.flagged for v in verdicts)
    # The verdicts and their rule rows are plain data until here: one validation for the lot
    # costs a fraction of one model construction per row.
    return SanctionsVerdict.model_validate(
        {
            "result": SanctionsResult.flagged if flagged else SanctionsResult.clear,
            "hits": hits,
            "jurisdictions": verdicts,
            "goods": goods,
            "declared_countries": declared,
        }
    )


def _jurisdiction(
    chain: Chain,
    reference: Reference,
    jurisdiction: str,
    as_of: dt.date,
    goods: GoodsProfile,
    links: dict[str, CountryLink],
    band: str,
    parties: list[SanctionHit],
) -> dict[str, Any]:
    """A :class:`JurisdictionVerdict` as plain data, validated with the sanctions verdict."""
    entry = entry_into(chain, reference, jurisdiction, as_of)
    rules: list[dict[str, Any]] = []
    hits: list[SanctionHit] = []
    for rule in rule_rows(reference, jurisdiction):
        row = rule.row
        link = links[row.country]
        applied = apply_rule(rule, goods, link, entry, as_of)
        rules.append(applied)
        if row.kind == "ban" and applied["outcome"] is RuleOutcome.applies:
            hits.append(ban_hit(row, applied, link))
    hits += [hit for hit in parties if hit.jurisdiction == jurisdiction]
    grandfathered = not hits and any(
        r["kind"] == "ban" and r["outcome"] is RuleOutcome.grandfathered for r in rules
    )
    result = SanctionsResult.flagged if hits else SanctionsResult.clear
    return {
        "jurisdiction": jurisdiction,
        "result": result,
        "date": entry.date,
        "date_basis": entry.basis,
        "weight_band": band,
        "grandfathered": grandfathered,
        "summary": _summary(jurisdiction, result, hits, grandfathered, entry.date),
        "rules": rules,
        "hits": hits,
    }


def _summary(
    jurisdiction: str,
    result: SanctionsResult,
    hits: list[SanctionHit],
    grandfathered: bool,
    day: dt.date,
) -> str:
    if result is SanctionsResult.flagged:
        ids = ", ".join(dict.fromkeys(hit.regime_id for hit in hits))
        return f"Flagged for an import into the {jurisdiction} on {day}: {ids}."
    if grandfathered:
        return (
            f"Clear for the {jurisdiction} on {day} only because the goods predate a cut-off: "
            "keep the proof of dates."
        )
    return f"No {jurisdiction} sanctions rule or listed party applies on {day}."
