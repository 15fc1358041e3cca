"""``python -m bench.api profile``: where a request's server time goes, under load.

The bench app runs as for ``load`` (uvicorn, one worker, pinned to CPU 0) while wrk drives one
endpoint from CPU 1; py-spy samples the server process meanwhile (``record --format raw``: one
line per distinct stack with its sample count). Each sample is charged to ONE component: the
deepest frame of its stack that belongs to a known component (a sample inside python-jose under
the token check is "token verification"; one inside uvicorn's ``send`` called from a middleware
is "server"). A component's share of the samples times the server CPU per request measured over
the same window gives its microseconds per request.

    python -m bench.api profile [--targets bare lookup-uniform screen] [--seconds 15]

Writes ``bench/api/results/profile-<label>-<stamp>.json`` (the table) and the raw stacks next to
it (``.txt``, loadable in speedscope or ``flamegraph.pl``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench.api.config import database_url
from bench.api.load import HOST, Identity, _cpu_seconds, prewarm, server, synthetic_range, wrk

__all__ = ["COMPONENTS", "categorize", "run_profile"]

_PATTERNS = {
    "token verification": r"security/(tokens|token_cache|principals)\.py|[(/]jose/|cryptograph",
    "body validation": r"strict_bodies\.py|request_body_to_args|_validate_value_with_model",
    "body read": r"security/body_limits\.py|starlette/requests\.py",
    "query": r"asyncpg|psycopg|clearstone_api/db\.py|sqlalchemy",
    "rate limit": r"rate_limit_middleware\.py|security/rate_limits\.py",
    "metrics": r"observability/|prometheus_client|fastapi/telemetry",
    "request id": r"request_ids\.py",
    "transport, CORS, HEAD": r"security/transport\.py|http_semantics\.py|middleware/cors|edge\.py",
    "cache headers": r"routes/(etags|cache_headers)\.py",
    "serialisation": r"serialize_response|jsonable_encoder|json/encoder|responses\.py|pydantic",
    "service and domain": r"clearstone_api/(services|domain|certificate_numbers|canonical)",
    "route handler": r"clearstone_api/routes/|bench/api/app\.py",
    "framework (routing, dependencies)": r"[(/](fastapi|starlette|anyio)/",
    "server (uvicorn, httptools, event loop)": r"[(/](uvicorn|asyncio)/|uvloop|httptools",
}
COMPONENTS: list[tuple[str, re.Pattern[str]]] = [
    (name, re.compile(pattern)) for name, pattern in _PATTERNS.items()
]
"""(component, pattern on one frame ``function (path:line)``), tried in this order on each frame
from the leaf upwards."""


_IDLE = re.compile(r"^(Condition\.)?wait \(threading\.py|^_worker \(concurrent/")


def categorize(stack: str) -> str:
    """The component a sample's stack (frames ``;``-separated, root first) is charged to;
    ``idle`` for a thread that waits for work (not part of any request: left out of the shares)."""
    if _IDLE.search(stack.rsplit(";", 1)[-1]):
        return "idle"
    for frame in reversed(stack.split(";")):
        for name, pattern in COMPONENTS:
            if pattern.search(frame):
                return name
    return "other"


def _py_spy() -> str:
    found = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(found).exists():
        raise SystemExit("py-spy is missing: .venv/bin/pip install py-spy")
    return found


def _record(pid: int, seconds: int, out: Path) -> None:
    command = [
        _py_spy(), "record", "--pid", str(pid), "--duration", str(seconds), "--rate", "250",
        "--format", "raw", "--output", str(out),
    ]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True, timeout=seconds + 60)


def _profile_one(
    port: int, pid: int, mode: str, seconds: int, lo: int, hi: int, header: str, raw: Path
) -> dict[str, Any]:
    load: dict[str, Any] = {}

    def drive() -> None:
        cpu = _cpu_seconds(pid)
        load.update(wrk(port, mode, seconds, lo, hi, header))
        load["server_cpu_us_per_request"] = (_cpu_seconds(pid) - cpu) * 1e6 / load["requests"]

    driver = threading.Thread(target=drive)
    driver.start()
    time.sleep(1)  # wrk connected and steady before sampling starts
    _record(pid, seconds - 2, raw)
    driver.join()
    samples: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        component = categorize(stack)
        if component != "idle":
            samples[component] += int(count)
            total += int(count)
    per_request = load["server_cpu_us_per_request"]
    components = {
        name: {"share": n / total, "us_per_request": n / total * per_request}
        for name, n in samples.most_common()
    }
    return {"mode": mode, "load": load, "samples": total, "components": components}


def run_profile(
    database: str,
    *,
    targets: list[str],
    seconds: int,
    port: int,
    env: dict[str, str],
    label: str,
    results: Path,
) -> dict[str, Any]:
    url = database_url(database)
    lo, hi = synthetic_range(url)
    prewarm(url)
    results.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    report: dict[str, Any] = {
        "label": label,
        "database": database,
        "env": env,
        "load1_before": os.getloadavg()[0],
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        "profiles": [],
    }
    with server(url, port, env) as process:
        identity = Identity(url, port, lo, screen="screen" in targets)
        for mode in targets:
            wrk(port, mode, 3, lo, hi, identity.header(mode))  # warm-up
        for mode in targets:
            raw = results / f"profile-{label}-{mode}-{stamp}.txt"
            profile = _profile_one(
                port, process.pid, mode, seconds, lo, hi, identity.header(mode), raw
            )
            report["profiles"].append(profile)
            _print(profile)
    report["load1_after"] = os.getloadavg()[0]
    path = results / f"profile-{label}-{stamp}.json"
    path.write_text(json.dumps(report, indent=2) + "\n")
    print(f"written {path} (host {HOST}:{port})")
    return report


def _print(profile: dict[str, Any]) -> None:
    load = profile["load"]
    print(
        f"\n{profile['mode']}: {load['rps']:,.0f} req/s, server CPU "
        f"{load['server_cpu_us_per_request']:.0f} µs/request, {profile['samples']} samples"
    )
    print("| component | share | µs/request |")
    print("|---|---:|---:|")
    for name, figures in profile["components"].items():
        print(f"| {name} | {figures['share']:.1%} | {figures['us_per_request']:.0f} |")
