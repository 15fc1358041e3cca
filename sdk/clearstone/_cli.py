"""The ``clearstone`` command. Its commands (check, screen, assess, verify) are still to come."""

from __future__ import annotations

import sys
from collections.abc import Sequence

__all__ = ["main"]

USAGE = """\
usage: clearstone COMMAND [ARGS]

The Clearstone command-line tool is not available in this version yet.
"""


def main(argv: Sequence[str] | None = None) -> int:
    """Print the usage and return 2 (a usage error) whatever the arguments."""
    del argv
    print(USAGE, end="", file=sys.stderr)
    return 2
