#!/usr/bin/env python
"""Write the shipped LogEval sample, ``data/logeval/``, from the full English sets.

For each task and prompt set: ``--n`` items (default 200; summarization has 200, so all
of it), stratified by prompt wording (:func:`nl2logql.evaluation.logeval.stratified_indices`:
as even as the groups allow, each wording's first upstream item kept so the sample numbers
wordings as the full sets do), drawn with one seeded stream per task so the zero-shot and
few-shot samples hold the same ids. Items are copied unchanged, in upstream order, one per
line. ``UPSTREAM_README.md`` is copied beside them. Deterministic: rerunning with the same
source, ``--n`` and ``--seed`` reproduces the files byte for byte.

Usage: python scripts/make_logeval_sample.py [--src DIR] [--out DIR] [--n 200] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

from nl2logql.evaluation.logeval import (PROMPT_SETS, TASKS, read_records, set_path,
                                         stratified_indices, task_rng, wordings)

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT.parent / "shared" / "data" / "logeval"
OUT = ROOT / "data" / "logeval"
SIZE = 200
SEED = 0


def dump(records: list[dict]) -> str:
    """A JSON list, one item per line (reviewable diffs), non-ASCII kept as is."""
    lines = ",\n".join(json.dumps(r, ensure_ascii=False) for r in records)
    return f"[\n{lines}\n]\n"


def make_sample(src: Path, out: Path, n: int = SIZE, seed: int = SEED) -> list[Path]:
    """Write the sample files into ``out``; return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for task in TASKS:
        for prompt_set in PROMPT_SETS:
            records = read_records(set_path(src, task, prompt_set))
            keep = stratified_indices(wordings(records), n, task_rng(seed, task))
            target = set_path(out, task, prompt_set)
            target.write_text(dump([records[i] for i in keep]), encoding="utf-8")
            written.append(target)
    readme = out / "UPSTREAM_README.md"
    shutil.copyfile(src / "UPSTREAM_README.md", readme)
    return [*written, readme]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--src", type=Path, default=SOURCE, help="the full LogEval sets")
    parser.add_argument("--out", type=Path, default=OUT, help="where the sample goes")
    parser.add_argument("--n", type=int, default=SIZE, help="items per task and prompt set")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    for path in make_sample(args.src, args.out, args.n, args.seed):
        print(f"{path}  {path.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
