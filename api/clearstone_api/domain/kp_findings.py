"""The KP-narrow checks' names, and the list an assessment collects its findings in."""

from __future__ import annotations

from typing import TypedDict

from pydantic import TypeAdapter

from clearstone_api.domain.verdicts import CheckStatus, KpCheck

__all__ = ["CHECK_TITLES", "EvidenceRow", "Findings", "ref"]

CHECK_TITLES: dict[str, str] = {
    "K01": "In KP scope: natural rough diamonds (HS 7102.10, 7102.21, 7102.31)",
    "K02": "Every cross-border movement of rough carries a KP certificate",
    "K03": "Issuing participant in good standing on the date of issue",
    "K04": "Both ends of the trade are KP participants on the date",
    "K05": "Certificate carries the Annex I elements",
    "K06": "Certificate number carries the issuing participant's code",
    "K07": "Certificate dates: issued before export, used before expiry",
    "K08": "Certificate consistent with the lots it covers",
    "K09": "KP special measures at the origin on the date (CAR compliant zones, Marange)",
    "K10": "No UN Security Council rough-diamond ban on the date",
    "K11": "Import confirmation recorded",
    "K12": "Tamper-resistant container recorded",
    "K13": "System of Warranties statement on every business-to-business invoice",
    "K14": "Mass balance: no stone or lot heavier than what it came from; no orphan stones",
    "K16": "Chronology: the custody log is in date order and causally possible",
}


_CHECKS = TypeAdapter(list[KpCheck])


class EvidenceRow(TypedDict):
    """An :class:`EvidenceRef` as plain data, validated with its check."""

    kind: str
    id: str
    note: str | None


def ref(kind: str, item_id: str, note: str | None = None) -> EvidenceRow:
    return {"kind": kind, "id": item_id, "note": note}


class Findings:
    """The checks of one assessment, in the order they were made.

    Rows are collected as plain data and validated in one pass at the end: one call into
    pydantic's core costs far less than one model construction per check.
    """

    def __init__(self) -> None:
        self._rows: list[dict[str, object]] = []
        self._statuses: list[CheckStatus] = []

    def add(
        self,
        check_id: str,
        status: CheckStatus,
        reason: str,
        subject: str | None = None,
        evidence: list[EvidenceRow] | None = None,
    ) -> None:
        self._statuses.append(status)
        self._rows.append(
            {
                "id": check_id,
                "title": CHECK_TITLES[check_id],
                "status": status,
                "reason": reason,
                "subject": subject,
                "evidence": evidence or [],
            }
        )

    @property
    def checks(self) -> list[KpCheck]:
        return _CHECKS.validate_python(self._rows)

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
