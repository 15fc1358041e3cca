"""The list an assessment collects its KP findings in, and the evidence rows they cite.

A record item (an event, a document) is cited with :func:`ref`; a reference-data row (a status
period, a special measure, a UN measure...) with :func:`fact`, which carries the row's period
and sources. Every check that does not pass also cites the KP rule it applied
(``kp_rules.csv``), and the sources of every cited row are resolved onto the check, so the
reader sees which rows decided it, on which dates, and on whose authority.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TypedDict

from clearstone_api.domain.kp_checks import CHECKS, CheckId
from clearstone_api.domain.reference import Reference
from clearstone_api.domain.verdicts import CheckStatus, EvidenceRef, KpResult, KpVerdict

__all__ = ["CHECK_TITLES", "EvidenceRow", "Findings", "fact", "ref"]

CHECK_TITLES: dict[str, str] = {str(check): spec.title for check, spec in CHECKS.items()}


class EvidenceRow(TypedDict):
    """An :class:`EvidenceRef` as plain data, validated with its check."""

    kind: str
    id: str
    note: str | None
    date: dt.date | None
    valid_from: dt.date | None
    valid_to: dt.date | None
    source_ids: list[str]


def ref(
    kind: str, item_id: str, note: str | None = None, day: dt.date | None = None
) -> EvidenceRow:
    """A record item: ``event``, ``document``, ``lot``, with the date it contributes."""
    return {
        "kind": kind,
        "id": item_id,
        "note": note,
        "date": day,
        "valid_from": None,
        "valid_to": None,
        "source_ids": [],
    }


def fact(
    kind: str,
    item_id: str,
    note: str | None,
    source_ids: Iterable[str],
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
) -> EvidenceRow:
    """A reference-data row, with the period it held (``valid_to`` exclusive) and its sources."""
    return {
        "kind": kind,
        "id": item_id,
        "note": note,
        "date": None,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "source_ids": list(source_ids),
    }


def _rule_rows(reference: Reference) -> dict[str, EvidenceRow]:
    """The evidence row citing each KP rule (``kp_rules.csv``), by check id. Rows are shared
    by every check that cites them and only ever read (validation copies them)."""
    return {
        key: fact("kp_rule", rule.id, rule.rule, rule.source_ids)
        for key, rule in reference.kp_rules.items()
    }


def _source_rows(reference: Reference) -> dict[str, dict[str, object]]:
    """Each source as a check's ``sources`` row, by id; shared and only ever read."""
    return {
        source_id: {
            "id": source.id,
            "title": source.title,
            "publisher": source.publisher,
            "url": source.url,
            "strength": source.strength,
        }
        for source_id, source in reference.sources.items()
    }


class Findings:
    """The checks of one assessment, in the order they were made.

    Rows are collected as plain data and validated in one pass at the end: one call into
    pydantic's core costs far less than one model construction per check. The checks of a
    chain cite the same few items over and over (a shipment's event and certificate, a
    participant's standing): each distinct evidence row is validated once and its (immutable)
    :class:`EvidenceRef` shared by every check that cites it.
    """

    def __init__(self, reference: Reference) -> None:
        self._reference = reference
        self._rows: list[dict[str, object]] = []
        self._statuses: list[CheckStatus] = []
        self._evidence: dict[tuple[object, ...], EvidenceRef] = {}

    def add(
        self,
        check_id: CheckId,
        status: CheckStatus,
        reason: str,
        subject: str | None = None,
        evidence: list[EvidenceRow] | None = None,
    ) -> None:
        rows = evidence or []
        sources: list[dict[str, object]] = []
        if status is not CheckStatus.pass_:
            rule = self._reference.derived("kp.rule_rows", _rule_rows).get(check_id)
            if rule is not None:
                rows = [*rows, rule]
            sources = self._sources(rows)
        validated = self._validated
        self._statuses.append(status)
        self._rows.append(
            {
                "id": check_id,
                "title": CHECK_TITLES[check_id],
                "status": status,
                "reason": reason,
                "subject": subject,
                "evidence": [validated(row) for row in rows],
                "sources": sources,
            }
        )

    def _validated(self, row: EvidenceRow) -> EvidenceRef:
        key = (
            row["kind"],
            row["id"],
            row["note"],
            row["date"],
            row["valid_from"],
            row["valid_to"],
            tuple(row["source_ids"]),
        )
        found = self._evidence.get(key)
        if found is None:
            found = self._evidence[key] = EvidenceRef.model_validate(row)
        return found

    def _sources(self, rows: list[EvidenceRow]) -> list[dict[str, object]]:
        known = self._reference.derived("kp.source_rows", _source_rows)
        seen: dict[str, dict[str, object]] = {}
        for row in rows:
            for source_id in row["source_ids"]:
                source = known.get(source_id)
                if source is not None and source_id not in seen:
                    seen[source_id] = source
        return list(seen.values())

    def verdict(self, result: KpResult, summary: str) -> KpVerdict:
        """The verdict with these checks, validated with them in one call."""
        return KpVerdict.model_validate(
            {"result": result, "summary": summary, "checks": self._rows}
        )

    def reasons(self, status: CheckStatus) -> list[str]:
        """The reasons of the checks with ``status``, in order."""
        return [
            str(row["reason"])
            for row, s in zip(self._rows, self._statuses, strict=True)
            if s is status
        ]

    @property
    def last_reason(self) -> str:
        return str(self._rows[-1]["reason"])
