"""Run the engine benchmark and print its report as Markdown.

    python -m bench.engine [--quick] [--json PATH]

For each chain length (5, 10, 50, 500 events) and registry size (10, 10,000 and 1,000,000
synthetic incidents) it measures assessments per second, and, in the same run, the time to
validate the same record with pydantic alone (from a Python dict and from JSON bytes). Each
figure is the median of five timed rounds of at least 0.2 s each.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.engine.paired import paired_ratio
from bench.engine.synthetic import chain, registry
from clearstone_api.domain.assessment import assess
from clearstone_api.domain.record_validation import parse_record
from clearstone_api.domain.records import ProvenanceRecord
from clearstone_api.services.reference_store import base_reference

AS_OF = dt.date(2026, 11, 1)
CHAIN_LENGTHS = [5, 10, 50, 500]
REGISTRY_SIZES = [10, 10_000, 1_000_000]
ROUNDS = 5


def per_call(fn: Callable[[], object], min_seconds: float) -> float:
    """Median seconds per call over ROUNDS rounds of at least ``min_seconds`` each."""
    n = 1
    while True:
        start = time.perf_counter()
        for _ in range(n):
            fn()
        if time.perf_counter() - start >= min_seconds / 4:
            break
        n *= 2
    rounds = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for _ in range(n):
            fn()
        rounds.append((time.perf_counter() - start) / n)
    return statistics.median(rounds)


def _rss_mib() -> float:
    """Resident set size of this process (Linux), in MiB."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="10k registry at most; short rounds")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    args = parser.parse_args()
    sizes = REGISTRY_SIZES[:2] if args.quick else REGISTRY_SIZES
    min_seconds = 0.05 if args.quick else 0.2

    base = base_reference(None)  # as the service loads it: party screen attached, gc frozen
    records = {n: chain(n) for n in CHAIN_LENGTHS}
    parsed = {n: parse_record(data) for n, data in records.items()}
    raw_json = {n: json.dumps(data).encode() for n, data in records.items()}

    results: dict[str, Any] = {"validate_dict": {}, "validate_json": {}}
    for n in CHAIN_LENGTHS:
        data, blob = records[n], raw_json[n]
        results["validate_dict"][str(n)] = per_call(
            lambda d=data: ProvenanceRecord.model_validate(d), min_seconds
        )
        results["validate_json"][str(n)] = per_call(
            lambda b=blob: ProvenanceRecord.model_validate_json(b), min_seconds
        )
    ten = parsed[10]
    paired = paired_ratio(
        lambda: assess(ten, base, AS_OF), lambda: ProvenanceRecord.model_validate(records[10]), 15
    )
    results["paired_ratio_10_events"] = {"median": statistics.median(paired), "rounds": paired}
    build_seconds: dict[str, float] = {}
    memory: dict[str, float] = {}
    # The smallest registry runs first and again last: the mean of the two is the baseline, so
    # that warm-up and drift over the run do not flatter or penalise the large registries.
    order = [*sizes, sizes[0]]
    for round_index, size in enumerate(order):
        gc.collect()
        before = _rss_mib()
        started = time.perf_counter()
        reference = registry(base, size)
        build_seconds[str(size)] = time.perf_counter() - started
        gc.freeze()  # a registry this size would be the shipped one, frozen as base_reference does
        memory[str(size)] = _rss_mib() - before
        key = f"assess_{size}"
        for n in CHAIN_LENGTHS:
            record = parsed[n]
            seconds = per_call(lambda r=record, ref=reference: assess(r, ref, AS_OF), min_seconds)
            if round_index == len(order) - 1:
                results[key][str(n)] = (results[key][str(n)] + seconds) / 2
            else:
                results.setdefault(key, {})[str(n)] = seconds
        gc.unfreeze()  # let the registry go; the next one is frozen again
        del reference
    report(results, sizes, build_seconds, memory)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2) + "\n")


def report(
    results: dict[str, Any],
    sizes: list[int],
    build_seconds: dict[str, float],
    memory: dict[str, float],
) -> None:
    out = sys.stdout
    out.write(f"Python {sys.version.split()[0]}, {time.strftime('%Y-%m-%d %H:%M')}\n\n")
    header = "| events | validate dict (µs) | validate JSON (µs) | "
    header += " | ".join(f"assess, {s:,} incidents (µs)" for s in sizes) + " |\n"
    out.write(header)
    out.write("|---:" * (3 + len(sizes)) + "|\n")
    for n in CHAIN_LENGTHS:
        cells = [
            f"{results['validate_dict'][str(n)] * 1e6:,.0f}",
            f"{results['validate_json'][str(n)] * 1e6:,.0f}",
        ] + [f"{results[f'assess_{s}'][str(n)] * 1e6:,.0f}" for s in sizes]
        out.write(f"| {n} | " + " | ".join(cells) + " |\n")
    out.write("\nAssessments per second:\n\n")
    for s in sizes:
        rates = ", ".join(
            f"{n} events {1 / results[f'assess_{s}'][str(n)]:,.0f}/s" for n in CHAIN_LENGTHS
        )
        out.write(f"- {s:,} incidents: {rates}\n")
    small, large = sizes[0], sizes[-1]
    ten = str(10)
    out.write("\nTargets:\n\n")
    ratio = results[f"assess_{small}"][ten] / results["validate_dict"][ten]
    ratio_json = results[f"assess_{small}"][ten] / results["validate_json"][ten]
    paired = results["paired_ratio_10_events"]
    out.write(
        f"- 10-event assessment ÷ validating the record: {ratio:.2f}× (from a dict), "
        f"{ratio_json:.2f}× (from JSON bytes); paired in CPU time, {len(paired['rounds'])} "
        f"rounds: {paired['median']:.2f}× (median; {min(paired['rounds']):.2f}–"
        f"{max(paired['rounds']):.2f}); target ≤ 3.0× (issue 19)\n"
    )
    for n in CHAIN_LENGTHS:
        growth = results[f"assess_{large}"][str(n)] / results[f"assess_{small}"][str(n)]
        out.write(f"- {n} events, {large:,} ÷ {small:,} incidents: {growth:.2f}×; target ≤ 1.5×\n")
    long_ratio = results[f"assess_{small}"]["500"] / results[f"assess_{small}"]["50"]
    per_event = [results[f"assess_{small}"][str(n)] / n * 1e6 for n in CHAIN_LENGTHS]
    out.write(
        "- time per event (µs) at "
        + ", ".join(f"{n} events: {p:.1f}" for n, p in zip(CHAIN_LENGTHS, per_event, strict=True))
        + f"; 500 ÷ 50 events: {long_ratio:.2f}× for 10× the events (linear: ≤ 10×)\n"
    )
    out.write("\nBuilding the synthetic registry and its indexes (growth of resident memory):\n\n")
    for s in sizes:
        out.write(f"- {s:,}: {build_seconds[str(s)]:.1f} s, +{memory[str(s)]:,.0f} MiB\n")


if __name__ == "__main__":
    main()
