"""Certificate numbers: how a consumer's typed number becomes a lookup key, and Clearstone ids.

A stone is found by its grading-report number (``2141438167``), the lab-qualified form
(``GIA-2141438167``, ``gia 2141438167``), Clearstone's id (``CS-...``) or a registered alias
(the demo's ``DEMO-ZW-MARANGE-2008``). All of them go through :func:`lookup_key`, which folds
case and drops the separators people type differently, so every spelling hits one unique index.
"""

from __future__ import annotations

import re
import secrets

__all__ = [
    "NUMBER_MAX_LENGTH",
    "NUMBER_PATTERN",
    "lab_qualified",
    "lookup_key",
    "new_public_id",
]

NUMBER_MAX_LENGTH = 80
NUMBER_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9 ._\-]{0,79}$"
"""What a certificate number may look like on the wire."""

_SEPARATORS = re.compile(r"[\s._\-]+")
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U


def lookup_key(number: str) -> str:
    """The normalized key of ``number``: upper case, separators removed."""
    return _SEPARATORS.sub("", number).upper()


def lab_qualified(lab: str, number: str) -> str:
    """``GIA`` + ``2141438167`` → ``GIA-2141438167``."""
    return f"{lab.strip().upper()}-{number.strip()}"


def new_public_id(prefix: str) -> str:
    """A random Clearstone id such as ``CS-7K2M9QXH4D1P`` (60 bits, Crockford base32)."""
    return prefix + "-" + "".join(secrets.choice(_ALPHABET) for _ in range(12))
