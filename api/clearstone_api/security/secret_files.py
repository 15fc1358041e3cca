"""Secret files: those the service makes for itself in development and test, written once and
privately, and those an operator mounts (the signing key set, the pepper), read with a check of
their owner and mode.

A generated file is created with mode 0600 inside a data directory of mode 0700, and appears
whole or not at all, so two processes starting at once agree on one secret. Production never
generates: :class:`~clearstone_api.settings.Settings` requires configured secrets there.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Callable
from pathlib import Path

__all__ = [
    "PRIVATE_DIRECTORY_MODE",
    "PRIVATE_FILE_MODE",
    "SecretFileError",
    "create_once",
    "private_directory",
    "read_secret_file",
]

PRIVATE_DIRECTORY_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def private_directory(path: Path) -> Path:
    """``path`` as a directory only its owner can enter (created if absent; a directory that
    exists keeps its mode when it is not ours to change, for example a mounted volume)."""
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIRECTORY_MODE)
    with contextlib.suppress(PermissionError):
        if path.stat().st_mode & 0o077:
            path.chmod(PRIVATE_DIRECTORY_MODE)
    return path


def create_once(path: Path, make: Callable[[], str]) -> str:
    """The text at ``path``; if there is none yet, ``make()`` written there with mode 0600."""
    if path.exists():
        return path.read_text(encoding="utf-8")
    private_directory(path.parent)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(make())
    try:
        os.link(temporary, path)  # fails if another process got there first: use theirs
    except FileExistsError:
        pass
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
    return path.read_text(encoding="utf-8")


class SecretFileError(ValueError):
    """A mounted secret file is unreadable or readable by everyone. Never quotes its content."""


def _describe(info: os.stat_result) -> str:
    mode = stat.S_IMODE(info.st_mode)
    return f"owner uid {info.st_uid}, group gid {info.st_gid}, mode {mode:04o}"


def read_secret_file(path: Path, what: str, *, production: bool) -> str:
    """The text of the secret file ``path`` (``what`` names it in messages), after checking
    that this process may read it and, in production, that not every user may.

    The messages name the file's owner, group and mode and this process's uid and gid, so that
    a file mounted with the wrong owner (the image runs as uid 10001) says how to fix it.
    """
    where = f"{what} {str(path)!r}"
    try:
        info = path.stat()  # follows a Kubernetes Secret volume's symlinks to the real file
    except OSError as exc:
        raise SecretFileError(f"cannot read {where}: {exc.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        raise SecretFileError(f"{where} is not a regular file")
    if production and stat.S_IMODE(info.st_mode) & 0o007:
        raise SecretFileError(
            f"{where} is accessible to every user ({_describe(info)}): make it readable by the "
            "service only (mode 0400 or 0440; docs/operations.md, Secret files)"
        )
    try:
        return path.read_text(encoding="utf-8")
    except PermissionError:
        uid, gid = os.getuid(), os.getgid()
        raise SecretFileError(
            f"cannot read {where}: {_describe(info)}, and this process runs as uid {uid} gid "
            f"{gid}. Give the file to that user (chown {uid} FILE; chmod 0400 FILE) or to its "
            f"group (chgrp {gid} FILE; chmod 0440 FILE); docs/operations.md, Secret files"
        ) from None
    except OSError as exc:
        raise SecretFileError(f"cannot read {where}: {exc.strerror}") from None
