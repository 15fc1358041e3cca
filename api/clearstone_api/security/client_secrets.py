"""Client secrets: checked with HMAC-SHA-256 under a server-side pepper, in constant time.

A client secret is 256 random bits (``cs_`` + 43 base64url characters), not a password: nobody
can guess it, so a slow password hash adds nothing against brute force and lets anyone make the
server spend a 64 MiB Argon2id hash per request. A keyed fast hash keeps what matters:

- the database holds ``hmac-sha256$<hex>`` only; without the pepper (configured apart from the
  database, ``CLEARSTONE_CLIENT_SECRET_PEPPER_FILE``) a stolen table proves nothing;
- the comparison is constant-time (:func:`hmac.compare_digest`);
- an unknown client id costs the same HMAC as a known one.

Hashes written before this scheme (PHC ``$argon2id$...``) still verify, once each, and are
rewritten in the new form on that success: :attr:`Verified.needs_rehash`.

Example::

    hasher = SecretHasher(load_pepper(settings))
    stored = hasher.hash("cs_...")
    assert hasher.verify(stored, "cs_...").ok
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from clearstone_api.security.secret_files import SecretFileError, create_once, read_secret_file
from clearstone_api.settings import DEVELOPMENT_ENVIRONMENTS, Settings

__all__ = [
    "HMAC_PREFIX",
    "MIN_PEPPER_BYTES",
    "PepperError",
    "SecretHasher",
    "Verified",
    "load_pepper",
]

HMAC_PREFIX = "hmac-sha256$"
LEGACY_ARGON2_PREFIX = "$argon2"
MIN_PEPPER_BYTES = 32
"""A pepper shorter than this (decoded) is refused at start."""


class PepperError(ValueError):
    """The configured pepper is missing, unreadable or too short."""


@dataclass(frozen=True)
class Verified:
    ok: bool
    needs_rehash: bool = False
    """The stored hash is of an older scheme: store :meth:`SecretHasher.hash` instead."""


class SecretHasher:
    """Hashes and verifies client secrets under one pepper."""

    def __init__(self, pepper: bytes) -> None:
        if len(pepper) < MIN_PEPPER_BYTES:
            raise PepperError(f"the client-secret pepper needs at least {MIN_PEPPER_BYTES} bytes")
        self._pepper = pepper
        self._decoy = self.hash(secrets.token_urlsafe(32))

    def hash(self, secret: str) -> str:
        digest = hmac.new(self._pepper, secret.encode("utf-8"), hashlib.sha256).hexdigest()
        return HMAC_PREFIX + digest

    def verify(self, stored: str | None, secret: str) -> Verified:
        """Whether ``secret`` is the one ``stored`` was made from; ``stored=None`` (an unknown
        client) costs the same as a mismatch and is never ok."""
        if stored is not None and stored.startswith(LEGACY_ARGON2_PREFIX):
            return Verified(ok=_argon2_matches(stored, secret), needs_rehash=True)
        expected = self._decoy if stored is None else stored
        matches = hmac.compare_digest(self.hash(secret).encode(), expected.encode())
        return Verified(ok=matches and stored is not None)


def _argon2_matches(stored: str, secret: str) -> bool:
    try:
        return PasswordHasher().verify(stored, secret)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _generated_pepper() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii") + "\n"


def _decode(text: str, where: str) -> bytes:
    value = text.strip()
    try:
        pepper = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except ValueError:
        raise PepperError(f"{where} is not base64url") from None
    if len(pepper) < MIN_PEPPER_BYTES:
        raise PepperError(
            f"{where} decodes to {len(pepper)} bytes; it needs at least {MIN_PEPPER_BYTES} "
            "(`clearstone-api generate-pepper` writes one)"
        )
    return pepper


def load_pepper(settings: Settings) -> bytes:
    """The configured pepper; generated under ``data_dir`` in development and test when none is
    configured (``Settings`` refuses that anywhere else)."""
    if settings.client_secret_pepper is not None:
        return _decode(settings.client_secret_pepper.get_secret_value(), "the pepper")
    if settings.client_secret_pepper_file is not None:
        path = settings.client_secret_pepper_file
        production = settings.environment not in DEVELOPMENT_ENVIRONMENTS
        try:
            text = read_secret_file(path, "the pepper file", production=production)
        except SecretFileError as error:
            raise PepperError(str(error)) from None
        return _decode(text, f"the pepper file {str(path)!r}")
    return _decode(create_once(settings.generated_pepper_path, _generated_pepper), "the pepper")
