"""Roles and scopes: who may hold which scope, and what each one allows.

Every protected operation requires one scope (declared per operation in the OpenAPI document).
A client's role bounds the scopes it may ever hold, at creation and again on every request, so
a mis-issued client cannot turn a retailer into a supplier.

==================  =========================================================  ==========
scope               allows                                                      roles
==================  =========================================================  ==========
``records:read``    read your own stones, lots and custody verification         supplier
``records:write``   register stones and lots, append custody events             supplier
``assessments``     assess a record sent inline (nothing stored)                all
``screenings``      screen a checkout cart                                      retailer
``stones:summary``  read the retailer tier of any stone (no prices, no names)   retailer
``sanctions:evidence`` read the sanctions evidence pack of a stone you supplied    supplier,
                    or screened                                                 retailer
``reference:write`` add and correct incidents and KP status periods             analyst
``reference:read``  read the audit trail of reference-data changes              analyst
``numbers:decide``  confirm or reject claims on the lab's own report numbers    lab
``numbers:disputes`` see every disputed certificate number                     analyst
``events:read``     read the change feed of what you are entitled to            supplier,
                                                                                retailer,
                                                                                analyst, lab
``watches``         watch stones: their events reach your feed and webhooks     retailer
``webhooks``        register and manage webhook endpoints                       supplier,
                                                                                retailer,
                                                                                analyst, lab
==================  =========================================================  ==========
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["ROLE_SCOPES", "SCOPES", "Role", "Scope"]


class Role(StrEnum):
    supplier = "supplier"
    retailer = "retailer"
    analyst = "analyst"
    lab = "lab"
    """A grading laboratory; its tenant is the lab's code (``GIA``)."""


class Scope(StrEnum):
    records_read = "records:read"
    records_write = "records:write"
    assessments = "assessments"
    screenings = "screenings"
    stones_summary = "stones:summary"
    sanctions_evidence = "sanctions:evidence"
    reference_write = "reference:write"
    reference_read = "reference:read"
    numbers_decide = "numbers:decide"
    numbers_disputes = "numbers:disputes"
    events_read = "events:read"
    watches = "watches"
    webhooks = "webhooks"


SCOPES: dict[str, str] = {
    Scope.records_read: "Read your own stones, lots and custody verification (suppliers).",
    Scope.records_write: "Register stones and lots and append custody events (suppliers).",
    Scope.assessments: "Assess a provenance record sent inline; nothing is stored.",
    Scope.screenings: "Screen a checkout cart (retailers).",
    Scope.stones_summary: "Read the retailer tier of any stone: custody summary without prices "
    "or counterparty names (retailers).",
    Scope.sanctions_evidence: "Read the importer's sanctions evidence pack of a stone you "
    "supplied (suppliers) or screened at checkout (retailers).",
    Scope.reference_write: "Add and correct incidents and KP status periods (analysts).",
    Scope.reference_read: "Read the audit trail of reference-data changes (analysts).",
    Scope.numbers_decide: "Confirm or reject claims on your laboratory's report numbers (labs).",
    Scope.numbers_disputes: "See every disputed certificate number (analysts, operators).",
    Scope.events_read: "Read the change feed: events about your stones, the stones you watch, "
    "or reference changes (analysts).",
    Scope.watches: "Watch stones so that their events reach you (retailers).",
    Scope.webhooks: "Register and manage the webhook endpoints your events are delivered to.",
}
"""Every scope and what it allows: the OAuth2 scheme's ``scopes`` in the OpenAPI document."""

ROLE_SCOPES: dict[Role, frozenset[Scope]] = {
    Role.supplier: frozenset(
        {
            Scope.records_read,
            Scope.records_write,
            Scope.assessments,
            Scope.sanctions_evidence,
            Scope.events_read,
            Scope.webhooks,
        }
    ),
    Role.retailer: frozenset(
        {
            Scope.screenings,
            Scope.stones_summary,
            Scope.assessments,
            Scope.sanctions_evidence,
            Scope.events_read,
            Scope.watches,
            Scope.webhooks,
        }
    ),
    Role.analyst: frozenset(
        {
            Scope.reference_write,
            Scope.reference_read,
            Scope.numbers_disputes,
            Scope.assessments,
            Scope.events_read,
            Scope.webhooks,
        }
    ),
    Role.lab: frozenset(
        {Scope.numbers_decide, Scope.assessments, Scope.events_read, Scope.webhooks}
    ),
}
"""The scopes a client of each role may hold; a new client gets all of its role's by default."""
