"""The signing key set (``security/keys.py``) and the settings that configure it."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from clearstone_api.security.keys import (
    KeySetError,
    generate_jwk,
    load_key_set,
    parse_key_set,
)
from clearstone_api.settings import Settings

PEPPER = SecretStr("a" * 43)
"""A configured pepper: production needs one besides the key set."""


def _set(*keys: dict[str, str]) -> str:
    return json.dumps({"keys": list(keys)})


def test_production_without_a_key_set_refuses_to_start(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="signing key set"):
        Settings(
            environment="production",
            client_secret_pepper=PEPPER,
            data_dir=tmp_path,
            signing_keys=None,
            signing_keys_file=None,
        )


def test_both_a_key_set_and_a_key_file_is_ambiguous(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="not both"):
        Settings(
            signing_keys=SecretStr(_set(generate_jwk("a"))),
            signing_keys_file=tmp_path / "keys.json",
        )


def test_development_generates_a_private_key_set_once(tmp_path: Path) -> None:
    settings = Settings(
        environment="development", data_dir=tmp_path, signing_keys=None, signing_keys_file=None
    )
    first = load_key_set(settings)
    second = load_key_set(settings)
    assert first.active_kid == second.active_kid
    assert first.active_kid.startswith("dev-")
    mode = stat.S_IMODE(os.stat(settings.generated_keys_path).st_mode)
    assert mode == 0o600


def test_production_refuses_a_generated_development_key(tmp_path: Path) -> None:
    development = Settings(
        environment="development", data_dir=tmp_path, signing_keys=None, signing_keys_file=None
    )
    load_key_set(development)
    production = Settings(
        environment="production",
        client_secret_pepper=PEPPER,
        signing_keys_file=development.generated_keys_path,
    )
    with pytest.raises(KeySetError, match="development key"):
        load_key_set(production)


def test_production_reads_the_key_file(tmp_path: Path) -> None:
    path = tmp_path / "signing_keys"
    path.write_text(_set(generate_jwk("2026-11-a")))
    path.chmod(0o600)  # production refuses a private key every user can read
    keys = load_key_set(
        Settings(environment="production", client_secret_pepper=PEPPER, signing_keys_file=path)
    )
    assert keys.active_kid == "2026-11-a"


def test_an_unreadable_key_file_is_reported_without_its_content(tmp_path: Path) -> None:
    with pytest.raises(KeySetError, match="cannot read"):
        load_key_set(
            Settings(
                environment="production",
                client_secret_pepper=PEPPER,
                signing_keys_file=tmp_path / "nope",
            )
        )


def test_the_first_private_key_signs_unless_one_is_named() -> None:
    old, new = generate_jwk("old"), generate_jwk("new")
    public_old = {k: v for k, v in old.items() if k != "d"}
    assert parse_key_set(_set(old, new)).active_kid == "old"
    assert parse_key_set(_set(public_old, new)).active_kid == "new"
    assert parse_key_set(_set(old, new), active_kid="new").active_kid == "new"
    with pytest.raises(KeySetError, match="not a private key"):
        parse_key_set(_set(public_old, new), active_kid="old")


def _broken(change: str) -> str:
    key = generate_jwk("k")
    other = generate_jwk("other")
    if change == "no keys":
        return json.dumps({"keys": []})
    if change == "not json":
        return "{"
    if change == "duplicate kid":
        return _set(key, {**other, "kid": "k"})
    if change == "wrong curve":
        return _set({**key, "crv": "P-384"})
    if change == "rsa":
        return _set({**key, "kty": "RSA"})
    if change == "other alg":
        return _set({**key, "alg": "HS256"})
    if change == "encryption key":
        return _set({**key, "use": "enc"})
    if change == "off the curve":
        return _set({**key, "y": other["x"]})
    if change == "d of another key":
        return _set({**key, "d": other["d"]})
    if change == "no kid":
        return _set({k: v for k, v in key.items() if k != "kid"})
    if change == "only public keys":
        return _set({k: v for k, v in key.items() if k != "d"})
    raise AssertionError(change)


@pytest.mark.parametrize(
    "change",
    [
        "no keys",
        "not json",
        "duplicate kid",
        "wrong curve",
        "rsa",
        "other alg",
        "encryption key",
        "off the curve",
        "d of another key",
        "no kid",
        "only public keys",
    ],
)
def test_an_unusable_key_set_is_refused(change: str) -> None:
    document = _broken(change)
    with pytest.raises(KeySetError) as refused:
        parse_key_set(document)
    for key in json.loads(document).get("keys", []) if change != "not json" else []:
        assert key.get("d", "-" * 43) not in str(refused.value)  # no key material in messages
