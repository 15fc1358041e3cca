"""``bench/load/REPORT.md`` from ``bench/load/results/*.json``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["write_report"]


def _load(path: Path) -> dict[str, Any] | None:
    return json.loads(path.read_text()) if path.exists() else None


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---:" for _ in header) + "|"]
    lines[1] = "|---|" + "|".join("---:" for _ in header[1:]) + "|"
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines


def _statuses(statuses: dict[str, int]) -> str:
    return ", ".join(f"{status}: {count}" for status, count in statuses.items()) or "–"


def _run_section(run: dict[str, Any]) -> list[str]:
    lines = _table(
        ["", "requests", "req/s", "p50 ms", "p99 ms", "errors"],
        [["all", run["requests"], run["rps"], run["p50_ms"], run["p99_ms"], run["errors"]]]
        + [
            [op, o["requests"], "", o["p50_ms"], o["p99_ms"], o["errors"]]
            for op, o in run["by_op"].items()
        ],
    )
    return [*lines, "", f"Statuses: {_statuses(run['statuses'])}."]


def _load_section(load: dict[str, Any]) -> list[str]:
    config, versions = load["config"], load.get("versions", {})
    out = [
        "### Setup",
        "",
        f"- {config['servers']} × `clearstone-api serve --workers {config['workers_per_server']}` "
        "on 127.0.0.1:8801 and :8802 (`CLEARSTONE_ENVIRONMENT=production`, signing keys from a "
        "file, `CLEARSTONE_POOL_SIZE=5`, access log on, `PROMETHEUS_MULTIPROC_DIR` set), "
        "sharing one Redis for rate limits (`CLEARSTONE_REDIS_URL=redis://127.0.0.1:6379/0`, "
        "limits raised far above the load) and one PostgreSQL database, "
        f"`{config['database']}`, recreated, migrated and loaded with the 20 demo stones.",
        f"- The load: one separate process (`python -m bench.load`), {config['users']} virtual "
        "users on `httpx` (async), round-robin over the two servers, every request over "
        "loopback. Mix: "
        + ", ".join(f"{share:.0%} {op}" for op, share in config["mix"].items())
        + ". Lookups and screens pick demo certificates and stones written during the run; "
        "writes alternate a rough lot and a stone cut from it (which is assessed on write), "
        "as a supplier with an OAuth access token (client credentials), each with its own "
        "`Idempotency-Key`, retried with the same key after 503, 429, 409 in-progress or a "
        "connection error, honouring `Retry-After`, for up to 60 s. Reads are never retried.",
        f"- Machine: {versions.get('cores', '?')} cores shared by the servers, PostgreSQL "
        f"{versions.get('postgresql', '?')}, Redis {versions.get('redis', '?')} and the load "
        f"generator; Python {versions.get('python', '?')}; load average "
        f"{versions.get('load_average_at_start', '?')} at the start and "
        f"{versions.get('load_average_at_end', '?')} at the end (other work shared the machine). "
        "Absolute figures drift by ±30% between runs on these machines.",
        "",
        f"### Clean run ({config['clean_seconds']:.0f} s)",
        "",
        *_run_section(load["clean"]),
        "",
    ]
    fault = load.get("fault")
    if fault:
        o = fault["outage"]
        out += [
            f"### Fault run ({config['fault_seconds']:.0f} s, PostgreSQL stopped mid-run)",
            "",
            f"`pg_ctlcluster --skip-systemctl-redirect 15 main stop -m fast` at "
            f"{o['stop_issued']:.1f} s (stopped at {o['stopped']:.1f} s), `start` at "
            f"{o['start_issued']:.1f} s, accepting connections again at {o['ready']:.1f} s: "
            f"the database was unavailable for {o['ready'] - o['stop_issued']:.1f} s.",
            "",
            *_run_section(fault),
            "",
            "By when the request was sent:",
            "",
        ]
        rows = []
        for name, w in fault["windows"].items():
            rows.append(
                [
                    name,
                    w["requests"],
                    w["errors"],
                    w["503"],
                    w["503_problem_with_retry_after"],
                    w["500"],
                    w["no_response"],
                    w["p50_ms"],
                    w["p99_ms"],
                    w["failed_max_ms"],
                ]
            )
        out += _table(
            [
                "window",
                "requests",
                "failed",
                "503",
                "of which problem+json database-unavailable with Retry-After",
                "500",
                "no response / timeout",
                "p50 ms",
                "p99 ms",
                "slowest failure ms",
            ],
            rows,
        )
        first = fault["first_success_after_ready_s"]
        out += [
            "",
            "Windows: *before* the stop; *down* from the stop command until PostgreSQL accepts "
            "connections again; *recovering*, the first 2 s after; *after*, the rest.",
            "",
            "Recovery, without restarting any server: first success after PostgreSQL was ready: "
            + ", ".join(f"{op} {seconds:+.2f} s" for op, seconds in first.items())
            + "; the last failed request ended "
            + (
                f"{fault['last_failure_after_ready_s']:.2f} s after it was ready."
                if fault["last_failure_after_ready_s"] >= 0
                else f"{-fault['last_failure_after_ready_s']:.2f} s before it was ready."
            ),
            "",
        ]
    out += _writes_section(load)
    return out


def _writes_section(load: dict[str, Any]) -> list[str]:
    count = load["database_count"]
    rows = []
    for phase in ("clean", "fault"):
        if phase in load:
            w = load[phase]["writes"]
            rows.append(
                [
                    phase,
                    w["writes"],
                    w["acknowledged"],
                    w["not_acknowledged"],
                    w["retried"],
                    w["retried_then_acknowledged"],
                    w["acknowledged_by_replay"],
                    w["attempts_max"],
                ]
            )
    servers, metrics = load["servers"], load["server_metrics"]
    restarted = servers["worker_pids_at_start"] != servers["worker_pids_at_end"]
    return [
        "### Writes, counted in the database afterwards",
        "",
        *_table(
            [
                "run",
                "writes",
                "acknowledged (201)",
                "never acknowledged",
                "retried",
                "retried, then 201",
                "201 by replay",
                "most attempts",
            ],
            rows,
        ),
        "",
        f"In `{load['config']['database']}` afterwards: {count['rows']} rows (lots and stones) "
        f"for the load's supplier; {count['acknowledged_exactly_once']} of the "
        f"{count['acknowledged']} acknowledged writes exist exactly once, with the id the "
        f"client was given; lost: {count['lost']}; duplicated: {count['duplicated']}; stored "
        f"but never acknowledged: {count['unacknowledged_but_stored']}; idempotency keys: "
        + ", ".join(f"{state} {n}" for state, n in count["idempotency_keys"].items())
        + f". **{'No write lost or applied twice' if count['ok'] else 'CHECK FAILED'}.**",
        "",
        "The servers: "
        + ("still running" if servers["alive_at_the_end"] else "NOT running")
        + " and "
        + ("ready" if servers["ready_at_the_end"] else "NOT ready")
        + " at the end, "
        + ("with workers restarted" if restarted else "with no worker restarted")
        + f" (worker pids {servers['worker_pids_at_end']}). Their `/metrics`, added up: "
        + ", ".join(
            f"{op} {int(metrics['server_counted'][op])} (client got "
            f"{metrics['client_got_a_response'][op]} responses)"
            for op in metrics["server_counted"]
        )
        + f"; {int(metrics['http_503_total'])} responses 503; "
        f"{int(metrics['assessments_total'])} assessments computed.",
        "",
        *_logs_section(load.get("server_logs")),
    ]


def _logs_section(logs: dict[str, Any] | None) -> list[str]:
    if not logs:
        return []
    notable = "; ".join(f"{message} ×{n}" for message, n in logs["not_info"].items())
    return [
        f"Their logs: {logs['lines']} lines, {logs['not_json']} of them not JSON; levels "
        + ", ".join(f"{level} {n}" for level, n in logs["levels"].items())
        + f"; access lines without a request id: {logs['access_lines_without_request_id']}"
        + (f". Other than INFO: {notable}." if notable else ".")
        + "".join(f" Exception: `{e}` ×{n}." for e, n in logs.get("exceptions", {}).items()),
        "",
    ]


def _overhead_section(results: Path) -> list[str]:
    out: list[str] = []
    for name, title in (
        ("overhead", "single process"),
        ("overhead-multiprocess", "multiprocess mode (mmap-backed values)"),
    ):
        measured = _load(results / f"{name}.json")
        if measured is None:
            continue
        rows = [
            [variant, value]
            for variant, value in measured.items()
            if variant not in ("rounds", "requests_per_round")
        ]
        out += [
            f"In process, {title}: µs per request, median of {measured['rounds']} alternating "
            f"rounds of {measured['requests_per_round']} (`python -m bench.load overhead"
            + (" --multiprocess" if "multi" in name else "")
            + "`):",
            "",
            *_table(["variant", "µs/request"], rows),
            "",
        ]
    return out


def write_report(results: Path, report: Path) -> None:
    load = _load(results / "load.json")
    lines = [
        "## Load and fault test (`bench/load`)",
        "",
        "```sh",
        "python -m bench.load                      # setup, clean run, fault run, REPORT.md",
        "python -m bench.load overhead             # what metrics and logs cost a lookup",
        "python -m bench.load overhead --multiprocess",
        "```",
        "",
    ]
    if load is not None:
        lines += _load_section(load)
    overhead = _overhead_section(results)
    if overhead:
        lines += [
            "### What observability costs a request",
            "",
            "Requests one after another, so every request ends with the process idle and "
            "samples the gauges (under load that happens every 50 ms at most): the worst case "
            "for the middleware. Compare rows within one table only; the machine's speed "
            "changed between the two runs.",
            "",
            *overhead,
        ]
    notes = results / "notes.md"  # written by hand: what the runs found and what was fixed
    if notes.exists():
        lines += [notes.read_text("utf-8").strip(), ""]
    report.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")
