"""Edits that turn the typical chain of :func:`~clearstone_api.demo.chains.rough_to_retail`
into the sanctions scenarios: one per jurisdiction and weight band, declared content, a listed
party. Each takes the record as built and changes it in place."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = [
    "carat",
    "declares_russia",
    "direct_rough",
    "jewellery",
    "lab_grown",
    "listed_trader",
]

Record = dict[str, Any]


def carat(value: str) -> Callable[[Record], None]:
    """The polished stone weighs ``value`` ct."""

    def change(record: Record) -> None:
        record["stones"][0]["carat"] = value
        record["stones"][0]["grading_report"]["carat"] = value
        for event in record["events"]:
            if event["type"] == "cutting":
                event["carat_out"] = value

    return change


def direct_rough(record: Record) -> None:
    """The rough parcel itself is the subject, from the mine to its first importer: exported
    from the mine's country straight into the hub, never processed."""
    record["subject_id"] = record["lots"][0]["id"]
    record["events"] = record["events"][:4]
    record["stones"] = []
    record["documents"] = [d for d in record["documents"] if d["id"] in {"kpc1", "inv1"}]
    record["parties"] = [p for p in record["parties"] if p["id"] in {"miner", "trader", "cutter"}]


def jewellery(record: Record) -> None:
    """The stone is set in a piece of jewellery."""
    record["stones"][0]["article"] = "jewellery"


def lab_grown(record: Record) -> None:
    """A laboratory-grown stone produced in the origin country (its 'extraction' is the
    production run) and cut in India."""
    record["stones"][0]["origin"] = "lab_grown"
    record["stones"][0]["grading_report"]["lab"] = "IGI"
    record["lots"][0]["origin"] = "lab_grown"


def declares_russia(record: Record) -> None:
    """A mixed parcel: no single origin on the certificates, but the trader's invoice declares
    the source countries, Russia among them."""
    record["lots"][0]["mixed_origin"] = True
    for document in record["documents"]:
        if document["type"] == "kp_certificate":
            document["country_of_origin"] = "MIXED"
        if document["id"] == "inv1":
            document["source_countries"] = ["BW", "RU", "ZA"]


def listed_trader(name: str) -> Callable[[Record], None]:
    """The rough trader is named ``name``."""

    def change(record: Record) -> None:
        for party in record["parties"]:
            if party["id"] == "trader":
                party["name"] = name

    return change
