"""``python -m bench.engine.paired``: the 10-event assessment ÷ validating the record, paired
round by round in CPU time, with nothing else: runs against any version of the service (point
``PYTHONPATH`` at another checkout's ``api/``) for a before/after in one window.

    python -m bench.engine.paired [--rounds 15] [--json PATH]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from bench.engine.synthetic import chain
from clearstone_api.domain.assessment import assess
from clearstone_api.domain.record_validation import parse_record
from clearstone_api.domain.records import ProvenanceRecord
from clearstone_api.services.reference_store import base_reference

AS_OF = dt.date(2026, 11, 1)


def paired_ratio(
    assessing: Callable[[], object], validating: Callable[[], object], rounds: int
) -> list[float]:
    """``assessing`` ÷ ``validating`` in CPU time, one ratio per round of the two back to back."""
    ratios = []
    for _ in range(rounds):
        spent = []
        for fn, n in ((assessing, 50), (validating, 200)):
            started = time.process_time()
            for _ in range(n):
                fn()
            spent.append((time.process_time() - started) / n)
        ratios.append(spent[0] / spent[1])
    return ratios


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.engine.paired", description=__doc__)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    reference = base_reference(None)
    data = chain(10)
    record = parse_record(data)
    for _ in range(50):  # warm: memos, caches, the interpreter's specializations
        assess(record, reference, AS_OF)
    started = time.process_time()
    for _ in range(200):
        assess(record, reference, AS_OF)
    assess_us = (time.process_time() - started) / 200 * 1e6
    ratios = paired_ratio(
        lambda: assess(record, reference, AS_OF),
        lambda: ProvenanceRecord.model_validate(data),
        args.rounds,
    )
    result = {
        "assess_10_events_cpu_us": assess_us,
        "ratio_median": statistics.median(ratios),
        "ratios": ratios,
        "finished": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    print(
        f"10-event assessment {assess_us:,.0f} µs CPU; ÷ validating the record: "
        f"{result['ratio_median']:.2f}× (median of {args.rounds} paired rounds, "
        f"{min(ratios):.2f}–{max(ratios):.2f})"
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
