"""Secrets the service makes for itself in development and test, written once and privately.

A generated file is created with mode 0600 inside a data directory of mode 0700, and appears
whole or not at all, so two processes starting at once agree on one secret. Production never
generates: :class:`~clearstone_api.settings.Settings` requires configured secrets there.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path

__all__ = ["PRIVATE_DIRECTORY_MODE", "PRIVATE_FILE_MODE", "create_once", "private_directory"]

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
