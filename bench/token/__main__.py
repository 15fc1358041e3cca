"""Bad secrets at the token endpoint: what 50 concurrent ones cost the server.

    python -m bench.token [--rounds 10] [--concurrency 50] [--json PATH]

Starts the real server (``clearstone-api serve``, one worker, demo data in a temporary SQLite
directory, rate limits off so that nothing but the endpoint's own cost is measured), then:

1. ``baseline``: public certificate lookups one after another, nothing else running;
2. ``attack``: ``--rounds`` bursts of ``--concurrency`` concurrent token requests with
   well-formed client ids and wrong secrets (each id new, so the per-client throttle never
   answers for the endpoint), while the same lookups run alongside.

It samples the server's resident memory (``VmRSS``) every 20 ms and reports the lookups'
latency in both phases (median, 99th percentile, maximum), the ratio attack/baseline, and the
growth of resident memory from before the attack to its peak. The goal: growth within 50 MiB
and every lookup under 100 ms during the attack.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import secrets
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from bench.sdk.__main__ import local_server_process

RESULTS = Path(__file__).parent / "results"
NUMBER = "DEMO-BW-2023"
MiB = 1024 * 1024


def _rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


class _Sampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = _rss(pid)
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.wait(0.02):
            self.peak = max(self.peak, _rss(self.pid))

    def stop(self) -> None:
        self._halt.set()
        self.join()


def _summary(seconds: list[float]) -> dict[str, float]:
    ordered = sorted(seconds)
    return {
        "count": len(ordered),
        "p50_ms": statistics.median(ordered) * 1000,
        "p99_ms": ordered[max(0, int(len(ordered) * 0.99) - 1)] * 1000,
        "max_ms": ordered[-1] * 1000,
    }


async def _lookups(client: httpx.AsyncClient, url: str, until: asyncio.Event) -> list[float]:
    times = []
    while not until.is_set():
        start = time.perf_counter()
        response = await client.get(url)
        times.append(time.perf_counter() - start)
        response.raise_for_status()
        await asyncio.sleep(0.01)
    return times


async def _bad_secret(client: httpx.AsyncClient, base_url: str) -> int:
    form = {
        "grant_type": "client_credentials",
        "client_id": "cli_" + secrets.token_hex(10),
        "client_secret": "cs_" + secrets.token_urlsafe(32),
    }
    response = await client.post(f"{base_url}/v1/oauth/token", data=form)
    return response.status_code


async def _run(base_url: str, pid: int, rounds: int, concurrency: int) -> dict[str, Any]:
    url = f"{base_url}/v1/certificates/{NUMBER}"
    limits = httpx.Limits(max_connections=concurrency + 10)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        for _ in range(50):  # warm up
            (await client.get(url)).raise_for_status()
        done = asyncio.Event()
        lookups = asyncio.create_task(_lookups(client, url, done))
        await asyncio.sleep(3)
        done.set()
        baseline = await lookups

        before = _rss(pid)
        sampler = _Sampler(pid)
        sampler.start()
        done = asyncio.Event()
        lookups = asyncio.create_task(_lookups(client, url, done))
        statuses: dict[int, int] = {}
        started = time.perf_counter()
        for _ in range(rounds):
            for status in await asyncio.gather(
                *(_bad_secret(client, base_url) for _ in range(concurrency))
            ):
                statuses[status] = statuses.get(status, 0) + 1
        attack_seconds = time.perf_counter() - started
        done.set()
        during = await lookups
        sampler.stop()
    return {
        "rounds": rounds,
        "concurrency": concurrency,
        "token_requests": rounds * concurrency,
        "token_statuses": statuses,
        "attack_seconds": attack_seconds,
        "rss_before_mib": before / MiB,
        "rss_peak_mib": sampler.peak / MiB,
        "rss_growth_mib": (sampler.peak - before) / MiB,
        "lookup_baseline": _summary(baseline),
        "lookup_during_attack": _summary(during),
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.token", description=__doc__)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--json", type=Path, default=RESULTS / "latest.json")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as data_dir,
        local_server_process(Path(data_dir)) as (base_url, server),
    ):
        result = asyncio.run(_run(base_url, server.pid, args.rounds, args.concurrency))
    result["machine"] = {"cpus": platform.machine(), "python": platform.python_version()}
    baseline, during = result["lookup_baseline"], result["lookup_during_attack"]
    print(
        f"{result['token_requests']} bad-secret token requests ({args.concurrency} at a time) in "
        f"{result['attack_seconds']:.1f} s; statuses {result['token_statuses']}\n"
        f"resident memory: {result['rss_before_mib']:.0f} MiB before, "
        f"{result['rss_peak_mib']:.0f} MiB at peak (+{result['rss_growth_mib']:.1f} MiB)\n"
        f"lookup p50/p99/max: baseline {baseline['p50_ms']:.1f}/{baseline['p99_ms']:.1f}/"
        f"{baseline['max_ms']:.1f} ms; during the attack {during['p50_ms']:.1f}/"
        f"{during['p99_ms']:.1f}/{during['max_ms']:.1f} ms "
        f"(p50 ratio {during['p50_ms'] / baseline['p50_ms']:.2f}×)"
    )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
