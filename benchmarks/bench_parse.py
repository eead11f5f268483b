"""Validation throughput on the NL2QL gold queries (parse + Loki's semantic checks).

    python benchmarks/bench_parse.py [--reps N]

Pins itself to one core. The grammar is compiled once per process; that compile time
is reported on its own. Baseline, in the same process: Lark building its parse tree
for the same grammar (no AST, no checks), i.e. what a bare Lark parser costs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from importlib import resources
from pathlib import Path

from lark import Lark
from lark.exceptions import UnexpectedInput

from nl2logql.logql import parser

DATASET = Path(__file__).resolve().parent.parent / "data" / "nl2ql" / "nl2ql.jsonl"


def rates(fn, queries: list[str], reps: int) -> list[float]:
    """Queries per second for each of ``reps`` passes over ``queries``."""
    out = []
    for _ in range(reps):
        start = time.perf_counter()
        for query in queries:
            fn(query)
        out.append(len(queries) / (time.perf_counter() - start))
    return out


def bare_lark_parse():
    grammar = resources.files("nl2logql.logql").joinpath("grammar.lark").read_text()
    lark = Lark(grammar, parser="lalr", lexer="contextual", propagate_positions=True,
                maybe_placeholders=True)

    def parse(text: str):
        try:
            return lark.parse(text)
        except UnexpectedInput:  # the invalid gold queries: the error is the work done
            return None

    return parse


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--reps", type=int, default=15)
    reps = args.parse_args().reps
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    queries = [json.loads(line)["logql"] for line in DATASET.read_text().splitlines() if line.strip()]

    parser._lark.cache_clear()
    start = time.perf_counter()
    parser._lark()
    compile_s = time.perf_counter() - start
    print(f"{len(queries)} NL2QL gold queries, {reps} passes, 1 core")
    cache = parser._cache_file()
    where = f"tables cached at {cache}" if cache else "no cache"
    print(f"grammar compile (once per process): {compile_s * 1000:.1f} ms ({where}; "
          f"the first run in a fresh cache pays the full compile)")

    ours = rates(parser.validate, queries, reps)
    baseline = rates(bare_lark_parse(), queries, reps)
    for name, values in (("nl2logql validate (parse + AST + checks)", ours),
                         ("baseline: bare Lark tree parse", baseline)):
        print(f"{name:42s} median {statistics.median(values):8.0f} q/s   best {max(values):8.0f} q/s")
    ratio = statistics.median(ours) / statistics.median(baseline)
    print(f"ratio validate / bare Lark (median): {ratio:.2f}x")


if __name__ == "__main__":
    main()
