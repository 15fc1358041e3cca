"""``python -m bench.engine.breakdown``: where a 10-event assessment's CPU time goes, by part.

Each part of ``assess()`` (the KP checks, the sanctions rule rows, the CSC criteria, the record
digest...) is wrapped in a timer and the benchmark chain assessed ``--runs`` times; the figure of
a part is its inclusive CPU time (thread time) per assessment. What a verdict's function spends
outside the parts listed under it (validating its models, summaries) is its "rest". The timers
cost a little each, so the total is somewhat above ``bench.engine.paired``'s figure; read the
parts as shares. Like ``paired``, it runs against any checkout (``PYTHONPATH=<checkout>/api``)
whose engine has the same function names.

    python -m bench.engine.breakdown [--runs 1000] [--json PATH]
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import importlib
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.engine.synthetic import chain
from clearstone_api.domain.record_validation import parse_record
from clearstone_api.domain.records import ProvenanceRecord
from clearstone_api.services.reference_store import base_reference

AS_OF = dt.date(2026, 11, 1)
_D = "clearstone_api.domain."

# (part, module, function): a part is charged the inclusive time of its function.
PARTS: tuple[tuple[str, str, str], ...] = (
    ("chain view", "assessment", "Chain"),
    ("record digest (SHA-256 of the record's JSON)", "assessment", "record_digest"),
    ("origin summary", "assessment", "_origin"),
    ("KP", "assessment", "assess_kp"),
    ("KP: shipments and their certificates (K02-K14, K17)", "kp", "_check_movements"),
    ("KP: warranties and invoices (K16)", "kp", "check_warranties"),
    ("KP: mass balance and chronology", "kp", "check_mass_balance"),
    ("KP: mass balance and chronology", "kp", "check_chronology"),
    ("KP: verdict (summary, validating the checks)", "kp", "_verdict"),
    ("sanctions", "assessment", "assess_sanctions"),
    ("sanctions: rule rows of the EU, US and UK", "sanctions", "_jurisdiction"),
    ("sanctions: declared countries, links, goods profile", "sanctions", "declared_countries"),
    ("sanctions: declared countries, links, goods profile", "sanctions", "link_to"),
    ("sanctions: declared countries, links, goods profile", "sanctions", "goods_profile"),
    ("sanctions: listed parties", "sanctions", "party_hits"),
    ("CSC", "assessment", "assess_csc"),
    ("CSC: incident matching", "csc", "find_matches"),
    ("CSC: the 15 criteria", "csc", "_criterion"),
    ("CSC: context layers and coverage", "csc", "with_area_context"),
)
_VERDICTS = {"KP": "KP: ", "sanctions": "sanctions: ", "CSC": "CSC: "}


def _instrument(spent: collections.Counter[str]) -> None:
    clock = time.thread_time_ns
    for part, module_name, name in PARTS:
        module = importlib.import_module(_D + module_name)
        fn: Callable[..., Any] | None = getattr(module, name, None)
        if fn is None:
            continue

        def timed(*args: Any, _fn: Callable[..., Any] = fn, _part: str = part, **kw: Any) -> Any:
            started = clock()
            try:
                return _fn(*args, **kw)
            finally:
                spent[_part] += clock() - started

        setattr(module, name, timed)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.engine.breakdown", description=__doc__)
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    spent: collections.Counter[str] = collections.Counter()
    _instrument(spent)
    from clearstone_api.domain.assessment import assess  # after the wrapping

    reference = base_reference(None)
    data = chain(10)
    record = parse_record(data)
    for _ in range(200):
        assess(record, reference, AS_OF)
    spent.clear()
    started = time.thread_time_ns()
    for _ in range(args.runs):
        assess(record, reference, AS_OF)
    total = (time.thread_time_ns() - started) / args.runs / 1000
    started = time.thread_time_ns()
    for _ in range(4 * args.runs):
        ProvenanceRecord.model_validate(data)
    validating = (time.thread_time_ns() - started) / 4 / args.runs / 1000
    us = {part: ns / args.runs / 1000 for part, ns in spent.items()}
    rows: list[tuple[str, float]] = []
    top = 0.0
    for part in dict.fromkeys(p for p, _, _ in PARTS):
        if part in _VERDICTS or ":" not in part:
            top += us.get(part, 0.0)
        rows.append((part, us.get(part, 0.0)))
    for verdict, prefix in _VERDICTS.items():
        inner = sum(v for p, v in us.items() if p.startswith(prefix))
        rows.append((f"{prefix}rest (its models validated, summaries)", us.get(verdict, 0) - inner))
    rows.append(("building the assessment, timers", total - top))
    print(f"10-event assessment: {total:,.0f} µs CPU with the timers; validating the record "
          f"{validating:,.0f} µs")  # fmt: skip
    for part, value in sorted(rows, key=lambda r: r[0]):
        print(f"  {part:58s} {value:7,.0f} µs  {value / total * 100:5.1f} %")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        result = {
            "assess_cpu_us_with_timers": total,
            "validate_cpu_us": validating,
            "parts_us": dict(rows),
            "finished": time.strftime("%Y-%m-%d %H:%M:%S"),
        }
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
