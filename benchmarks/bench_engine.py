"""Evaluator speed on a million lines: the OpenSSH sample repeated, timestamps shifted.

    python benchmarks/bench_engine.py [--lines N] [--reps N]

Prints load time, the line-filter count next to ``grep -c`` on the same text, a
``regexp | unwrap`` aggregation, a ``regexp`` + ``sum by`` aggregation, and peak memory.
Loki 3 takes 0.9-1.0 s for the line-filter count and 1.2-1.5 s for the regexp one on
this data (single binary, one core); the targets here are 0.5 s and 1.2 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import tempfile
import time

import numpy as np

from nl2logql.engine.loaders import sample_store
from nl2logql.engine.store import LogStore
from nl2logql.logql.units import DAY, SECOND

# Targets (s, warm); Loki 3 (single binary, one core) takes 0.9-1.0 s and 1.2-1.5 s.
TARGETS = {"line filter count": 0.5, "regexp + unwrap": 1.2, "regexp + sum by": 1.2}

QUERIES = {
    "line filter count": 'sum(count_over_time({service_name="openssh"} |= "Failed password" [30d]))',
    "regexp + unwrap": 'sum(sum_over_time({service_name="openssh"} |= "port" '
                       '| regexp "port (?P<port>\\\\d+)" | unwrap port [30d]))',
    "regexp + sum by": 'sum by (user) (count_over_time({service_name="openssh"} |= "Failed password" '
                       '| regexp "Failed password for (invalid user )?(?P<user>\\\\S+)" [30d]))',
}


def build_store(target_lines: int) -> tuple[LogStore, list[str]]:
    """One stream of the OpenSSH lines repeated; each copy shifted a span later."""
    base = next(s for s in sample_store().streams if s.labels.get("application") == "openssh")
    span = int(base.timestamps[-1] - base.timestamps[0]) + SECOND
    copies = -(-target_lines // len(base))
    timestamps = np.concatenate([base.timestamps + k * span for k in range(copies)])[:target_lines]
    lines = (base.lines * copies)[:target_lines]
    timestamps = timestamps - timestamps[-1] + base.timestamps[-1]  # end where the sample ends
    store = LogStore()
    store.add({"service_name": "openssh", "application": "bench"}, timestamps, lines)
    return store, lines


def best_of(reps: int, fn) -> tuple[float, object]:
    times, result = [], None
    for _ in range(reps):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()

    start = time.perf_counter()
    store, lines = build_store(args.lines)
    load = time.perf_counter() - start
    n = len(store)
    print(f"store: {n:,} lines, {store.stats.bytes / 1e6:.1f} MB, built in {load:.2f} s")
    # Spanning the whole store: a range that covers every copy.
    span_days = (store.end - store.start) // DAY + 2
    at = store.default_time()

    grep = shutil.which("grep")
    grep_time = None
    if grep:
        with tempfile.NamedTemporaryFile("w", suffix=".log", delete=False) as handle:
            handle.write("\n".join(lines) + "\n")
            path = handle.name
        try:
            grep_time, output = best_of(args.reps, lambda: subprocess.run(
                [grep, "-c", "Failed password", path], capture_output=True, text=True, check=False).stdout)
            print(f"grep -c 'Failed password': {output.strip()} lines in {grep_time:.3f} s")
        finally:
            os.unlink(path)

    for name, query in QUERIES.items():
        query = query.replace("[30d]", f"[{span_days}d]")
        # The first run builds the cached text block; report it, then the best warm run.
        def run(query=query):
            return store.query(query, time=at)
        cold, _ = best_of(1, run)
        seconds, result = best_of(args.reps, run)
        series = len(result["result"])
        first = result["result"][0]["value"][1] if series else "-"
        line = (f"{name}: {seconds:.3f} s warm ({cold:.3f} s cold), {n / seconds / 1e6:.2f} M "
                f"lines/s, {series} series, first value {first}")
        if name == "line filter count" and grep_time:
            line += f", {seconds / grep_time:.1f}x grep"
        if name in TARGETS:
            target = TARGETS[name]
            line += (f", {seconds / target:.2f}x the {target} s target "
                     f"({'ok' if seconds < target else 'SLOWER'})")
        print(line)

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (max RSS): {peak:.0f} MB")


if __name__ == "__main__":
    main()
