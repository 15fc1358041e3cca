"""Listed-party name matching: precision and recall on a labelled set of name variants.

``names.csv`` holds true variants of the listed parties (legal forms before and after, word
order, Cyrillic, other transliterations, typos, former names) labelled ``listed`` with the party
they name, and legitimate companies and people with similar names labelled ``legitimate``.
Each name is screened against the shipped ``sanctioned_parties.csv`` with the production screen
(``clearstone_api.services.party_screen``). A listed variant counts as found when the screen
returns a row of the right party; a legitimate name counts as a false hit when it returns any.

    .venv/bin/python -m bench.sanctions            # report at the production threshold
    .venv/bin/python -m bench.sanctions --sweep    # and the precision/recall of other thresholds
"""

from __future__ import annotations

import argparse
import csv
import json
from dataclasses import dataclass
from pathlib import Path

from clearstone_api.domain.reference import load_reference
from clearstone_api.services.party_screen import THRESHOLD, PartyScreen

HERE = Path(__file__).parent
NAMES = HERE / "names.csv"
RESULTS = HERE / "results" / "sanctions.json"


@dataclass(frozen=True)
class Outcome:
    threshold: float
    listed: int
    legitimate: int
    found: int
    false_hits: int
    missed: list[str]
    wrongly_hit: list[str]

    @property
    def recall(self) -> float:
        return self.found / self.listed

    @property
    def precision(self) -> float:
        hits = self.found + self.false_hits
        return self.found / hits if hits else 1.0


def evaluate(threshold: float) -> Outcome:
    screen = PartyScreen(load_reference().sanctioned_parties, threshold=threshold)
    rows = list(csv.DictReader(NAMES.open(encoding="utf-8")))
    found = false_hits = 0
    missed: list[str] = []
    wrong: list[str] = []
    for row in rows:
        keys = {match.listed.party_key for match in screen.screen(row["name"])}
        if row["label"] == "listed":
            if row["party_key"] in keys:
                found += 1
            else:
                missed.append(row["name"])
        elif keys:
            false_hits += 1
            wrong.append(f"{row['name']} -> {', '.join(sorted(keys))}")
    listed = sum(1 for row in rows if row["label"] == "listed")
    return Outcome(threshold, listed, len(rows) - listed, found, false_hits, missed, wrong)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sweep", action="store_true", help="also try thresholds 80-96")
    args = parser.parse_args()
    outcome = evaluate(THRESHOLD)
    print(
        f"threshold {outcome.threshold:.0f}: {outcome.listed} listed variants, "
        f"{outcome.legitimate} legitimate names; recall {outcome.recall:.1%} "
        f"({outcome.found}/{outcome.listed}), precision {outcome.precision:.1%}, "
        f"false hits {outcome.false_hits}"
    )
    for name in outcome.missed:
        print(f"  missed: {name}")
    for name in outcome.wrongly_hit:
        print(f"  false hit: {name}")
    sweep = []
    if args.sweep:
        for threshold in range(80, 97, 2):
            other = evaluate(float(threshold))
            sweep.append(
                {"threshold": threshold, "recall": other.recall, "precision": other.precision,
                 "false_hits": other.false_hits, "missed": len(other.missed)}
            )  # fmt: skip
            print(
                f"  {threshold}: recall {other.recall:.1%}, precision {other.precision:.1%}, "
                f"missed {len(other.missed)}, false hits {other.false_hits}"
            )
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "threshold": outcome.threshold,
                "listed": outcome.listed,
                "legitimate": outcome.legitimate,
                "recall": outcome.recall,
                "precision": outcome.precision,
                "false_hits": outcome.false_hits,
                "missed": outcome.missed,
                "wrongly_hit": outcome.wrongly_hit,
                "sweep": sweep,
            },
            indent=1,
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
