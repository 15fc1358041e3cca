"""``python -m bench.api load``: paired wrk runs against the bench app, one server process.

The server (uvicorn, uvloop + httptools, one worker, access log off) is pinned to CPU 0 and wrk
(one thread, 64 connections) to CPU 1, everything on 127.0.0.1. For each target (certificate
lookup with uniform keys, lookup with an 80/20 skew, 10-item checkout screen) the runner
alternates a bare run and a target run ``pairs`` times and reports the median of the paired
throughput ratios; then one longer run per endpoint gives the p99 figures. Absolute numbers on
these machines drift by ±30 % from minute to minute; the ratios are what to quote.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from bench.api.auth import Credentials
from bench.api.config import SERVER_URL_ENV, database_url
from clearstone_api.security.scopes import Role

__all__ = ["TARGETS", "run_load", "wait_for_quiet"]

HERE = Path(__file__).parent
SCRIPT = HERE / "wrk" / "bench.lua"
ROOT = HERE.parent.parent
TARGETS = ["lookup-uniform", "lookup-zipf", "screen"]
HOST = "127.0.0.1"


def wait_for_quiet(limit_seconds: float, threshold: float = 1.0) -> dict[str, Any]:
    """Poll the 1-minute load average until it is below ``threshold`` (at most the limit)."""
    started = time.monotonic()
    while True:
        load = os.getloadavg()[0]
        waited = time.monotonic() - started
        if load < threshold:
            return {"quiet": True, "load1": load, "waited_s": round(waited)}
        if waited >= limit_seconds:
            print(f"load average still {load:.2f} after {waited:.0f}s; measuring anyway")
            return {"quiet": False, "load1": load, "waited_s": round(waited)}
        print(f"  load average {load:.2f}, waiting ({waited:.0f}s)", flush=True)
        time.sleep(20)


def synthetic_range(url: str) -> tuple[int, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            lo, hi = connection.execute(
                text("SELECT min(id), max(id) FROM stones WHERE tenant_id = 'synthetic'")
            ).one()
    finally:
        engine.dispose()
    if lo is None:
        raise SystemExit("no synthetic stones: run `python -m bench.api setup` first")
    return int(lo), int(hi)


def prewarm(url: str) -> float:
    """Read every table the hot paths touch once, so the OS page cache holds them."""
    started = time.perf_counter()
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT count(*) FROM stone_numbers WHERE key > ''"))
            connection.execute(text("SELECT sum(octet_length(public_json)) FROM stone_assessments"))
            connection.execute(text("SELECT count(*) FROM stones"))
    finally:
        engine.dispose()
    return time.perf_counter() - started


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _get(url: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> int:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            status: int = response.status
            return status
    except urllib.error.HTTPError as error:
        return error.code


@contextmanager
def server(url: str, port: int, env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    """The bench app under uvicorn, pinned to CPU 0; always stopped on the way out."""
    command = [
        "taskset", "-c", "0", sys.executable, "-m", "uvicorn",
        "--factory", "bench.api.app:create_bench_app",
        "--loop", "uvloop", "--http", "httptools", "--workers", "1",
        "--no-access-log", "--log-level", "warning", "--host", HOST, "--port", str(port),
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, SERVER_URL_ENV: url, **env})
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _get(f"http://{HOST}:{port}/v1/bench/bare") == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the bench server did not start")
            time.sleep(0.2)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Identity:
    """What each mode sends: nothing for the public reads, a fresh retailer token for the
    checkout screen when the route demands one (minted per run: tokens last 15 minutes)."""

    def __init__(self, url: str, port: int, lo: int, *, screen: bool) -> None:
        self.base = f"http://{HOST}:{port}"
        self.credentials: Credentials | None = None
        if not screen:
            return
        body = json.dumps({"items": [f"SYN-{lo:09d}"]}).encode()
        status = _get(
            f"{self.base}/v1/checkout/screenings", body, {"Content-Type": "application/json"}
        )
        if status in (401, 403):
            self.credentials = Credentials(url, Role.retailer)
            header = self.credentials.header(self.base)
            name, value = header.split(": ", 1)
            status = _get(
                f"{self.base}/v1/checkout/screenings",
                body,
                {"Content-Type": "application/json", name: value},
            )
        if status != 200:
            raise SystemExit(f"checkout screen answers {status} even with a retailer token")

    def header(self, mode: str) -> str:
        if mode != "screen" or self.credentials is None:
            return ""
        return self.credentials.header(self.base)


def wrk(port: int, mode: str, seconds: int, lo: int, hi: int, header: str) -> dict[str, Any]:
    """One bounded wrk run, pinned to CPU 1, and the server's CPU time it cost."""
    command = [
        "taskset", "-c", "1", "wrk", "-t1", "-c64", f"-d{seconds}s", "--timeout", "5s",
        "-s", str(SCRIPT), f"http://{HOST}:{port}", "--", mode, str(lo), str(hi), header,
    ]  # fmt: skip
    load_before = os.getloadavg()[0]
    done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 60)
    line = next(x for x in reversed(done.stdout.splitlines()) if x.startswith("{"))
    result: dict[str, Any] = json.loads(line)
    result["mode"] = mode
    result["seconds"] = seconds
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["load1_before"] = round(load_before, 2)
    errors = sum(v for k, v in result.items() if k.startswith("errors_"))
    if errors:
        print(f"  !! {mode}: {errors} errors {done.stdout}", flush=True)
    return result


def _measure(
    port: int, pid: int, mode: str, seconds: int, lo: int, hi: int, identity: Identity
) -> dict[str, Any]:
    header = identity.header(mode)
    cpu = _cpu_seconds(pid)
    result = wrk(port, mode, seconds, lo, hi, header)
    result["server_cpu_us_per_request"] = (_cpu_seconds(pid) - cpu) * 1e6 / result["requests"]
    print(
        f"  {mode:<15} {result['rps']:8,.0f} req/s  p50 {result['p50_us'] / 1000:6.2f} ms  "
        f"p99 {result['p99_us'] / 1000:6.2f} ms  server CPU "
        f"{result['server_cpu_us_per_request']:5.0f} µs/req  (load {result['load1_before']})",
        flush=True,
    )
    return result


def run_load(
    database: str,
    *,
    targets: list[str],
    pairs: int,
    seconds: int,
    long_seconds: int,
    wait_quiet: float,
    port: int,
    env: dict[str, str],
    label: str,
    results: Path,
) -> dict[str, Any]:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get update && apt-get install -y wrk")
    url = database_url(database)
    lo, hi = synthetic_range(url)
    print(f"{database}: synthetic stones {lo:,}..{hi:,}; prewarm", flush=True)
    prewarm_s = prewarm(url)
    quiet = wait_for_quiet(wait_quiet) if wait_quiet > 0 else {"quiet": None}
    report: dict[str, Any] = {
        "label": label,
        "database": database,
        "stones": hi - lo + 1,
        "env": env,
        "pairs": pairs,
        "seconds": seconds,
        "long_seconds": long_seconds,
        "prewarm_s": round(prewarm_s, 1),
        "load1_start": os.getloadavg()[0],
        "quiet": quiet,
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        "runs": [],
        "summary": {},
    }
    with server(url, port, env) as process:
        identity = Identity(url, port, lo, screen="screen" in targets)
        report["checkout_auth"] = "bearer" if identity.credentials else None
        print("warm-up", flush=True)
        for mode in ["bare", *targets]:
            wrk(port, mode, 3, lo, hi, identity.header(mode))
        for target in targets:
            print(f"{target}: {pairs} pairs of {seconds}s", flush=True)
            ratios, cpu_ratios = [], []
            for _ in range(pairs):
                bare = _measure(port, process.pid, "bare", seconds, lo, hi, identity)
                measured = _measure(port, process.pid, target, seconds, lo, hi, identity)
                ratios.append(measured["rps"] / bare["rps"])
                cpu_ratios.append(
                    bare["server_cpu_us_per_request"] / measured["server_cpu_us_per_request"]
                )
                report["runs"] += [{**bare, "pair_of": target}, {**measured, "pair_of": target}]
            report["summary"][target] = {
                "ratios": ratios,
                "ratio_median": statistics.median(ratios),
                "cpu_ratios": cpu_ratios,
                "cpu_ratio_median": statistics.median(cpu_ratios),
            }
        if long_seconds > 0:
            print(f"long runs of {long_seconds}s (p99)", flush=True)
            for target in targets:
                bare = _measure(port, process.pid, "bare", long_seconds, lo, hi, identity)
                measured = _measure(port, process.pid, target, long_seconds, lo, hi, identity)
                report["runs"] += [
                    {**bare, "pair_of": target, "long": True},
                    {**measured, "pair_of": target, "long": True},
                ]
                report["summary"][target]["long"] = {
                    "bare": bare,
                    "target": measured,
                    "ratio": measured["rps"] / bare["rps"],
                }
    report["finished"] = time.strftime("%Y-%m-%d %H:%M:%S")
    report["load1_after"] = os.getloadavg()[0]
    _summarize(report)
    results.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = results / f"load-{label}-{stamp}.json"
    path.write_text(json.dumps(report, indent=2) + "\n")
    print(f"written {path.relative_to(ROOT)}")
    return report


def _summarize(report: dict[str, Any]) -> None:
    print(
        f"\n{report['label']}: median of {report['pairs']} paired {report['seconds']}s runs, "
        f"load average {report['quiet'].get('load1') or report['load1_start']:.2f} before, "
        f"{os.getloadavg()[0]:.2f} after"
    )
    print(
        "| target | bare req/s | target req/s | ratio (median) | server CPU µs/req bare → target "
        "| CPU ratio (median) | p50 ms | p99 ms (long run) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for target, summary in report["summary"].items():
        pairs = [r for r in report["runs"] if r.get("pair_of") == target and not r.get("long")]
        bare = statistics.median(r["rps"] for r in pairs if r["mode"] == "bare")
        measured = [r for r in pairs if r["mode"] == target]
        rps = statistics.median(r["rps"] for r in measured)
        p50 = statistics.median(r["p50_us"] for r in measured) / 1000
        long = summary.get("long")
        p99 = f"{long['target']['p99_us'] / 1000:.1f}" if long else "–"
        bare_cpu = statistics.median(
            r["server_cpu_us_per_request"] for r in pairs if r["mode"] == "bare"
        )
        cpu = statistics.median(r["server_cpu_us_per_request"] for r in measured)
        print(
            f"| {target} | {bare:,.0f} | {rps:,.0f} | {summary['ratio_median']:.2f} | "
            f"{bare_cpu:,.0f} → {cpu:,.0f} | {summary['cpu_ratio_median']:.2f} | "
            f"{p50:.1f} | {p99} |"
        )
