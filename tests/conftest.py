"""Suite-wide reporting: what the schemathesis run covered, at the end of the terminal output.

``tests/contract/test_schemathesis.py`` keeps its per-operation statuses in pytest's cache (it
may run in an xdist worker; the summary is written by the process that reports); a report older
than this session is not shown.
"""

from __future__ import annotations

import time

import pytest

SCHEMATHESIS_REPORT = "clearstone/schemathesis"
_STARTED = pytest.StashKey[float]()


def pytest_sessionstart(session: pytest.Session) -> None:
    session.config.stash[_STARTED] = time.time()


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    report = config.cache.get(SCHEMATHESIS_REPORT, None) if config.cache else None
    if not report or report.get("finished", 0) < config.stash.get(_STARTED, time.time()):
        return
    operations: dict[str, dict[str, int]] = report["operations"]
    succeeded = [op for op, seen in operations.items() if any(s.startswith("2") for s in seen)]
    requests = sum(sum(seen.values()) for seen in operations.values())
    terminalreporter.write_sep("-", "schemathesis")
    terminalreporter.write_line(
        f"{len(succeeded)} of {len(operations)} operations answered a 2xx; {requests} requests "
        f"in {report['seconds']} s ({', '.join(report['phases'])})"
    )
    for op, seen in operations.items():
        if op not in succeeded or config.get_verbosity() > 0:
            statuses = ", ".join(f"{status}: {n}" for status, n in seen.items())
            terminalreporter.write_line(f"  {op}  {statuses}")
