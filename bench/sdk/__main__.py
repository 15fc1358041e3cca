"""Time a call through the SDK against plain httpx, on the same local server, in the same run.

    python -m bench.sdk [--calls 3000] [--warmup 300] [--number DEMO-BW-2023] [--json PATH]

Starts the real server (``clearstone-api serve``) on a free loopback port with the demo data in
a temporary SQLite data directory, pinned to CPU 0 while this process runs on CPU 1 (when the
machine has two). Then, for the same certificate URL, it alternates one call of each contender
per round, in a rotating order, so that drift in the machine's load hits all of them alike:

- ``sdk``: ``client.certificates.get(number)``: request, retries armed, problem mapping, and the
  answer parsed into the typed ``CertificateView``;
- ``httpx``: ``httpx.Client.get(url)`` and a status check;
- ``httpx+json``: the same, plus ``response.json()``, what a caller of plain httpx would do next.

Each figure is the median of ``--calls`` timed calls; the ratio is the SDK's median over plain
httpx's, and, as a check on drift, the median of each round's SDK time over the same round's
plain time. The server is stopped at the end, whatever happens. Rate limits are off and the
lookup cache is on, as in production, for both contenders alike.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx

import clearstone
from clearstone import Clearstone

RESULTS = Path(__file__).parent / "results"
SERVER_CPU, CLIENT_CPU = 0, 1
STARTUP_TIMEOUT = 60.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _api_command() -> list[str]:
    found = shutil.which("clearstone-api", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "clearstone_api.cli"]


def _pin(cpu: int) -> Callable[[], None] | None:
    if not hasattr(os, "sched_setaffinity") or (os.cpu_count() or 1) < 2:
        return None
    return lambda: os.sched_setaffinity(0, {cpu})


@contextlib.contextmanager
def local_server(data_dir: Path) -> Iterator[str]:
    """The demo server on a free loopback port; its base URL. Stopped on exit."""
    with local_server_process(data_dir) as (base_url, _):
        yield base_url


@contextlib.contextmanager
def local_server_process(data_dir: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """The demo server on a free loopback port: its base URL and its process (one worker, so
    the process is the server). Stopped on exit."""
    env = {
        **os.environ,
        "CLEARSTONE_DATA_DIR": str(data_dir),
        "CLEARSTONE_ENVIRONMENT": "development",
        "CLEARSTONE_RATE_LIMIT_ENABLED": "false",
    }
    env.pop("CLEARSTONE_DATABASE_URL", None)
    for step in ("migrate", "load-demo"):
        subprocess.run([*_api_command(), step], env=env, check=True, capture_output=True)
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    log = (data_dir / "server.log").open("wb")
    server = subprocess.Popen(
        [*_api_command(), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        preexec_fn=_pin(SERVER_CPU),
    )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"the server exited: {(data_dir / 'server.log').read_text()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base_url}/healthz", timeout=1.0).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not start in time")
            time.sleep(0.2)
        yield base_url, server
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def measure(base_url: str, number: str, calls: int, warmup: int) -> dict[str, list[float]]:
    """Seconds per call of each contender, interleaved call by call."""
    url = f"{base_url}/v1/certificates/{number}"
    with Clearstone(base_url=base_url) as sdk, httpx.Client() as plain:

        def through_sdk() -> None:
            sdk.certificates.get(number)

        def plain_get() -> None:
            plain.get(url).raise_for_status()

        def plain_get_json() -> None:
            response = plain.get(url)
            response.raise_for_status()
            response.json()

        contenders = {"sdk": through_sdk, "httpx": plain_get, "httpx+json": plain_get_json}
        times: dict[str, list[float]] = {name: [] for name in contenders}
        names = list(contenders)
        for _ in range(warmup):
            for fn in contenders.values():
                fn()
        for i in range(calls):
            # Rotate who goes first, so no contender always follows the same one.
            order = names[i % len(names) :] + names[: i % len(names)]
            for name in order:
                start = time.perf_counter()
                contenders[name]()
                times[name].append(time.perf_counter() - start)
    return times


def report(times: dict[str, list[float]], calls: int, number: str) -> dict[str, object]:
    medians = {name: statistics.median(values) for name, values in times.items()}
    p90 = {name: statistics.quantiles(values, n=10)[-1] for name, values in times.items()}
    return {
        "calls": calls,
        "number": number,
        "median_ms": {name: round(value * 1000, 4) for name, value in medians.items()},
        "p90_ms": {name: round(value * 1000, 4) for name, value in p90.items()},
        "ratio_sdk_over_httpx": round(medians["sdk"] / medians["httpx"], 4),
        "ratio_sdk_over_httpx_json": round(medians["sdk"] / medians["httpx+json"], 4),
        "sdk_overhead_us": round((medians["sdk"] - medians["httpx"]) * 1e6, 1),
        # Paired: each round's SDK call over the same round's plain call, so that load drift
        # between rounds cancels out.
        "paired_ratio_median": round(
            statistics.median(a / b for a, b in zip(times["sdk"], times["httpx"], strict=True)),
            4,
        ),
        "python": platform.python_version(),
        "httpx": httpx.__version__,
        "clearstone": clearstone.__version__,
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def markdown(result: dict[str, object]) -> str:
    median = result["median_ms"]
    p90 = result["p90_ms"]
    assert isinstance(median, dict) and isinstance(p90, dict)
    lines = [
        f"`GET /v1/certificates/{result['number']}`, {result['calls']} interleaved calls each, "
        f"server and client on separate CPUs (load average at the end "
        f"{result['load_average']}).",
        "",
        "| contender | median ms | p90 ms |",
        "|---|---:|---:|",
        *(f"| {name} | {median[name]:.3f} | {p90[name]:.3f} |" for name in median),
        "",
        f"SDK / plain httpx: **{result['ratio_sdk_over_httpx']}×** "
        f"(SDK / httpx + `.json()`: {result['ratio_sdk_over_httpx_json']}×; "
        f"median of the per-round ratios {result['paired_ratio_median']}×; "
        f"SDK overhead {result['sdk_overhead_us']} µs per call).",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.sdk", description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument("--number", default="DEMO-BW-2023")
    parser.add_argument("--json", type=Path, default=RESULTS / "sdk.json")
    args = parser.parse_args()

    pin = _pin(CLIENT_CPU)
    if pin is not None:
        pin()
    with tempfile.TemporaryDirectory(prefix="clearstone-bench-sdk-") as tmp:
        with local_server(Path(tmp)) as base_url:
            times = measure(base_url, args.number, args.calls, args.warmup)
    result = report(times, args.calls, args.number)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(markdown(result))


if __name__ == "__main__":
    main()
