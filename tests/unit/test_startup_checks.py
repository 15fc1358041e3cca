"""What the service refuses at start outside development: template placeholders in any secret,
and a signing key file it cannot read or that every user can read. Messages name the setting
and the fix, never the secret."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from clearstone_api.security.client_secrets import PepperError, load_pepper
from clearstone_api.security.keys import KeySetError, generate_jwk, load_key_set
from clearstone_api.security.secret_files import SecretFileError, read_secret_file
from clearstone_api.settings import PLACEHOLDER_MARKER, SECRETS_DIR_ENV, Settings

PASSWORD = "s3cr3t-Pa55word"


def _key_file(directory: Path, mode: int = 0o400) -> Path:
    path = directory / "signing_keys"
    path.write_text(json.dumps({"keys": [generate_jwk("2026-12-a")]}))
    path.chmod(mode)
    return path


def _production(tmp_path: Path, **values: object) -> Settings:
    defaults: dict[str, object] = {
        "environment": "production",
        "data_dir": tmp_path,
        "database_url": f"postgresql+psycopg://clearstone:{PASSWORD}@db:5432/clearstone",
        "signing_keys_file": _key_file(tmp_path),
        "client_secret_pepper": SecretStr("p" * 43),
    }
    return Settings(**{**defaults, **values})  # type: ignore[arg-type]  # a test's free mix


# --- placeholders ---------------------------------------------------------------------------

# The placeholders exactly as deploy/.env.example and deploy/k8s/secret.template.yaml ship them.
TEMPLATE_VALUES = {
    "database_url": "postgresql+psycopg://clearstone:REPLACE-ME-with-a-long-random-password"
    "@postgres:5432/clearstone",
    "redis_url": "redis://:REPLACE-ME@REPLACE-ME-redis-host:6379/0",
}


@pytest.mark.parametrize("field", sorted(TEMPLATE_VALUES))
def test_a_template_placeholder_in_a_secret_url_is_refused_in_production(
    tmp_path: Path, field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        _production(tmp_path, **{field: TEMPLATE_VALUES[field]})
    message = str(refused.value)
    assert f"CLEARSTONE_{field.upper()}" in message
    assert PLACEHOLDER_MARKER in message
    assert "random-password" not in message, "the value itself is never quoted"


def test_the_placeholder_is_found_whatever_its_case(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="CLEARSTONE_REDIS_URL"):
        _production(tmp_path, redis_url="redis://:replace-me@cache:6379/0")


def test_a_placeholder_key_set_in_the_environment_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="CLEARSTONE_SIGNING_KEYS "):
        _production(
            tmp_path,
            signing_keys_file=None,
            signing_keys=SecretStr("REPLACE-ME: the ES256 key set"),
        )


def test_a_placeholder_pepper_in_the_environment_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="CLEARSTONE_CLIENT_SECRET_PEPPER "):
        _production(tmp_path, client_secret_pepper=SecretStr("REPLACE-ME"))


def test_a_pepper_file_every_user_can_read_is_refused_like_the_key_file(tmp_path: Path) -> None:
    pepper = tmp_path / "pepper"
    pepper.write_text(base64.urlsafe_b64encode(os.urandom(32)).decode())
    pepper.chmod(0o644)
    settings = _production(tmp_path, client_secret_pepper=None, client_secret_pepper_file=pepper)
    with pytest.raises(PepperError, match=r"the pepper file .* accessible to every user"):
        load_pepper(settings)
    pepper.chmod(0o440)
    assert len(load_pepper(settings)) == 32


def test_the_placeholder_key_file_of_the_template_is_refused(tmp_path: Path) -> None:
    settings = _production(tmp_path)
    assert settings.signing_keys_file is not None
    settings.signing_keys_file.chmod(0o600)
    settings.signing_keys_file.write_text(
        "REPLACE-ME: the ES256 key set, see docs/operations.md (Signing keys and rotation)"
    )
    with pytest.raises(KeySetError, match="template placeholder"):
        load_key_set(settings)


def test_real_credentials_and_development_placeholders_are_accepted(tmp_path: Path) -> None:
    settings = _production(tmp_path, redis_url=f"redis://:{PASSWORD}@cache:6379/0")
    assert load_key_set(settings).active_kid == "2026-12-a"
    # Development and test keep working with whatever a laptop has.
    Settings(environment="development", data_dir=tmp_path, **TEMPLATE_VALUES)  # type: ignore[arg-type]


def test_the_cli_names_the_setting_and_never_prints_the_secret(tmp_path: Path) -> None:
    cli = Path(sys.executable).with_name("clearstone-api")
    env = {
        **os.environ,
        "CLEARSTONE_ENVIRONMENT": "production",
        "CLEARSTONE_DATABASE_URL": TEMPLATE_VALUES["database_url"],
        "CLEARSTONE_SIGNING_KEYS_FILE": str(_key_file(tmp_path)),
        "CLEARSTONE_CLIENT_SECRET_PEPPER": "p" * 43,
    }
    done = subprocess.run(
        [cli, "migrate"], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode != 0
    assert "CLEARSTONE_DATABASE_URL" in done.stderr
    assert "random-password" not in done.stderr + done.stdout
    assert "Traceback" not in done.stderr


# --- the key file's owner and mode ----------------------------------------------------------


@pytest.mark.parametrize("mode", [0o644, 0o604, 0o666])
def test_a_key_file_every_user_can_read_is_refused_in_production(tmp_path: Path, mode: int) -> None:
    settings = _production(tmp_path)
    assert settings.signing_keys_file is not None
    settings.signing_keys_file.chmod(mode)
    with pytest.raises(KeySetError, match=f"accessible to every user.*mode {mode:04o}"):
        load_key_set(settings)


@pytest.mark.parametrize("mode", [0o400, 0o440, 0o600, 0o640])
def test_a_key_file_for_the_service_only_is_accepted(tmp_path: Path, mode: int) -> None:
    settings = _production(tmp_path)
    assert settings.signing_keys_file is not None
    settings.signing_keys_file.chmod(mode)
    assert load_key_set(settings).active.is_private


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A directory another user may enter (pytest's own temporary root is private to us)."""
    path = Path(tempfile.mkdtemp(prefix="clearstone-keys-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path)


def _read_as(uid: int, gid: int, path: Path) -> str:
    """``read_secret_file`` in a child process running as ``uid``:``gid``; its refusal message."""
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: drop to the service's user, try, report, never return
        status = 2
        try:
            os.close(reader)
            os.setgroups([])
            os.setgid(gid)
            os.setuid(uid)
            read_secret_file(path, "the signing key set", production=True)
            status = 0
        except SecretFileError as error:
            os.write(writer, str(error).encode())
            status = 1
        finally:
            os._exit(status)
    os.close(writer)
    with os.fdopen(reader, "rb") as pipe:
        message = pipe.read().decode()
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 1, message
    return message


def test_an_unreadable_key_file_says_whose_it_is_and_how_to_fix_it(shared_dir: Path) -> None:
    """The image runs as uid 10001; a key file left at root 0600 is the classic mistake."""
    key_file = _key_file(shared_dir, mode=0o600)
    if os.geteuid() == 0:
        os.chown(key_file, 0, 0)
        message = _read_as(10001, 10001, key_file)
        uid, owner = 10001, 0
    else:
        key_file.chmod(0o000)
        with pytest.raises(SecretFileError) as refused:
            read_secret_file(key_file, "the signing key set", production=True)
        message = str(refused.value)
        uid = owner = os.getuid()
    assert f"owner uid {owner}" in message
    assert "mode 0600" in message if owner == 0 else "mode 0000" in message
    assert f"runs as uid {uid}" in message
    assert f"chown {uid} FILE; chmod 0400 FILE" in message


# --- secrets as mounted files ---------------------------------------------------------------


def test_settings_read_secret_files_from_the_secrets_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """How Kubernetes passes the database and Redis URLs here: a Secret mounted as files named
    like the variables, not environment variables."""
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    url = f"postgresql+psycopg://clearstone:{PASSWORD}@db:5432/clearstone"
    (secrets / "CLEARSTONE_DATABASE_URL").write_text(url + "\n")
    (secrets / "CLEARSTONE_REDIS_URL").write_text("redis://:REPLACE-ME@cache:6379/0")
    monkeypatch.setenv(SECRETS_DIR_ENV, str(secrets))
    monkeypatch.delenv("CLEARSTONE_DATABASE_URL", raising=False)
    monkeypatch.delenv("CLEARSTONE_REDIS_URL", raising=False)
    monkeypatch.setenv("CLEARSTONE_DATA_DIR", str(tmp_path))

    development = Settings(environment="development")
    assert development.database_url == url  # the file, without its trailing newline
    # ...and a placeholder in a file is refused like one in the environment.
    with pytest.raises(ValidationError, match="CLEARSTONE_REDIS_URL"):
        _production(tmp_path, database_url=None)

    monkeypatch.setenv("CLEARSTONE_REDIS_URL", "redis://cache:6379/1")
    assert Settings(environment="development").redis_url == "redis://cache:6379/1"
