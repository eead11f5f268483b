#!/usr/bin/env python
"""Write ``data/hygiene.md``: the real pairs whose gold contradicts its question.

The rules are :mod:`nl2logql.hygiene`'s. The table lists the flagged pairs that a committed
split trains or validates on (those :func:`nl2logql.datasets.load_split` leaves out); pairs
that are only ever test items are counted, never printed. Deterministic: rerunning
reproduces the file byte for byte.

Usage: python scripts/hygiene_report.py [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections import Counter
from pathlib import Path

from nl2logql.datasets import SPLIT_NAMES, all_pairs, data_root, splits_dir
from nl2logql.hygiene import RULES, flag_pairs

HEADER = """# Data hygiene

Real question/LogQL pairs (NL2QL, NL2QL-exec) whose gold query contradicts its own question,
found by `nl2logql/hygiene.py` from the texts alone. `load_split` leaves them out of `train`
and `validation` (`keep_flagged=True` keeps them); test sides keep them.
Written by `scripts/hygiene_report.py`; do not edit by hand.

Rules (each conservative: a doubtful case is not flagged):

- **range**: the question states a time window ("in the last hour") and no range of the
  query (with its offset) is that window.
- **grouping**: the question asks for a breakdown ("per source IP", "grouped by host",
  "top 3 ...", "which hosts") and the query aggregates to one series (no `by`/`without`,
  no `topk`/`bottomk`).
- **application**: the question names applications and the query's stream selector picks
  another one (a regex matcher: one that matches none of the named).
"""


def train_sides() -> dict[str, list[str]]:
    """Pair id → the committed splits that train or validate on it."""
    where: dict[str, list[str]] = {}
    for name in SPLIT_NAMES:
        spec = json.loads((splits_dir() / f"{name}.json").read_text(encoding="utf-8"))
        for pair_id in spec["train"] + spec["validation"]:
            where.setdefault(pair_id, []).append(name)
    return where


def cell(text: str) -> str:
    """One Markdown table cell: one line, pipes escaped."""
    return " ".join(text.split()).replace("|", "\\|")


def report() -> str:
    pairs = all_pairs()
    flags = [flag for found in flag_pairs(pairs.values()).values() for flag in found]
    where = train_sides()
    listed = [flag for flag in flags if flag.pair_id in where]
    by_rule = Counter(flag.rule for flag in flags)
    by_source = Counter(pairs[flag.pair_id].source for flag in flags)
    lines = [HEADER, "## Counts", "",
             f"{len({f.pair_id for f in flags})} of {len(pairs)} pairs flagged "
             f"({len(flags)} flags); {len({f.pair_id for f in listed})} of them are on a "
             "train or validation side and listed below.", "",
             "| rule | flags |", "|---|---|"]
    lines += [f"| {rule} | {by_rule[rule]} |" for rule in RULES]
    lines += ["", "| source | flags |", "|---|---|"]
    lines += [f"| {source} | {count} |" for source, count in sorted(by_source.items())]
    lines += ["", "## Flagged pairs on train and validation sides", "",
              "| id | source | rule | reason | question | gold | train/validation in |",
              "|---|---|---|---|---|---|---|"]
    for flag in listed:
        pair = pairs[flag.pair_id]
        lines.append(f"| {pair.id} | {pair.source} | {flag.rule} | {cell(flag.reason)} | "
                     f"{cell(pair.question)} | {cell(pair.logql)} | "
                     f"{', '.join(where[pair.id])} |")
    return "\n".join(lines) + "\n"


def write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
    os.chmod(temporary, 0o644)  # mkstemp's 0600 would follow the file into git
    os.replace(temporary, path)  # readers never see half a report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=None, help="file (default data/hygiene.md)")
    args = parser.parse_args(argv)
    path = args.out or data_root() / "hygiene.md"
    write_atomically(path, report())
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
