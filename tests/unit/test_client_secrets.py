"""Client-secret hashing (``security/client_secrets.py``) and where its pepper comes from."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from pydantic import SecretStr, ValidationError

from clearstone_api.security.client_secrets import PepperError, SecretHasher, load_pepper
from clearstone_api.settings import Settings

SECRET = "cs_" + "s" * 43


def test_a_hash_verifies_its_secret_only() -> None:
    hasher = SecretHasher(b"p" * 32)
    stored = hasher.hash(SECRET)
    assert stored.startswith("hmac-sha256$")
    assert hasher.verify(stored, SECRET).ok
    assert not hasher.verify(stored, SECRET + "x").ok
    assert not hasher.verify(None, SECRET).ok  # an unknown client is never ok
    assert not SecretHasher(b"q" * 32).verify(stored, SECRET).ok  # another pepper


def test_a_legacy_argon2_hash_verifies_and_asks_to_be_rewritten() -> None:
    hasher = SecretHasher(b"p" * 32)
    legacy = PasswordHasher().hash(SECRET)
    assert hasher.verify(legacy, SECRET).ok
    assert hasher.verify(legacy, SECRET).needs_rehash
    assert not hasher.verify(legacy, "cs_wrong").ok
    assert not hasher.verify("$argon2id$garbage", SECRET).ok


def test_a_short_pepper_is_refused() -> None:
    with pytest.raises(PepperError, match="32"):
        SecretHasher(b"short")
    settings = Settings(environment="test", client_secret_pepper=SecretStr("c2hvcnQ"))
    with pytest.raises(PepperError, match="at least 32"):
        load_pepper(settings)


def test_production_requires_a_pepper(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="CLEARSTONE_CLIENT_SECRET_PEPPER_FILE"):
        Settings(environment="production", data_dir=tmp_path, signing_keys=SecretStr("{}"))


def test_development_generates_a_private_pepper_once(tmp_path: Path) -> None:
    settings = Settings(environment="development", data_dir=tmp_path / "data")
    first = load_pepper(settings)
    assert len(first) == 32
    assert load_pepper(settings) == first
    assert stat.S_IMODE(settings.generated_pepper_path.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o700


def test_a_pepper_file_is_read_and_an_unreadable_one_reported(tmp_path: Path) -> None:
    path = tmp_path / "pepper"
    path.write_text("A" * 43 + "\n")
    assert load_pepper(Settings(environment="test", client_secret_pepper_file=path)) == bytes(32)
    missing = Settings(environment="test", client_secret_pepper_file=tmp_path / "nope")
    with pytest.raises(PepperError, match="cannot read"):
        load_pepper(missing)
