"""Template mining: grouping accuracy on the 16 Loghub 2k logs, and lines per second.

    python benchmarks/bench_patterns.py [--loghub DIR] [--lines 1000000] [--baseline-lines 50000]

Grouping accuracy (GA, as Loghub defines it): a line is right when the lines of its predicted
cluster are exactly the lines of its true event; GA = right lines / lines. Four variants:
the baseline (plain drain3 0.9.11: depth 4, sim_th 0.4, masks for IPv4, integers and hex) and
ours (nl2logql.patterns.mining.mine: header cut, typed masks, dedup, Drain), each given the
Loghub ``Content`` column and the raw lines of the ``.log`` file as a user's file holds them.
Same settings for every log. Speed: ours on N lines built from the Loghub logs with their
numbers randomised, and the baseline (per-line drain3 TemplateMiner) on a slice, in the same
process. Prints figures, never asserts.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import re
import statistics
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

from drain3 import TemplateMiner
from drain3.masking import MaskingInstruction
from drain3.template_miner_config import TemplateMinerConfig

from nl2logql.patterns.mining import mine
from nl2logql.patterns.structured import write_structured

REPO = Path(__file__).resolve().parent.parent
DEFAULT_LOGHUB = os.environ.get("NL2LOGQL_LOGHUB", str(REPO.parent / "shared" / "data" / "loghub"))
# drain3's own example masks (drain3.ini), the IPv4, hex and integer ones.
_B, _E = r"((?<=[^A-Za-z0-9])|^)", r"((?=[^A-Za-z0-9])|$)"
BASELINE_MASKS = (
    (_B + r"(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})" + _E, "IP"),
    (_B + r"(0x[a-f0-9A-F]+)" + _E, "HEX"),
    (_B + r"([\-\+]?\d+)" + _E, "NUM"),
)
POOL = 200_000  # distinct randomised lines in the speed input
SPEED_SOURCES = ("OpenSSH", "OpenStack", "HDFS", "Hadoop", "Spark", "Zookeeper", "Android", "BGL")


def baseline_miner() -> TemplateMiner:
    config = TemplateMinerConfig()
    config.drain_depth = 4
    config.drain_sim_th = 0.4
    config.masking_instructions = [MaskingInstruction(p, name) for p, name in BASELINE_MASKS]
    config.profiling_enabled = False
    return TemplateMiner(config=config)


def baseline(lines: list[str]) -> list[int]:
    miner = baseline_miner()
    return [miner.add_log_message(line)["cluster_id"] for line in lines]


def ours(lines: list[str]) -> list[int]:
    return mine(lines).assignment.tolist()


def ours_structured(log_file: Path) -> list[str]:
    """Ours on the raw file, through the structured CSV that `nl2logql patterns --logs FILE
    --structured OUT.csv` writes: its EventId column, as the Loghub benchmark reads it."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "structured.csv"
        write_structured(log_file, out)
        with open(out, encoding="utf-8", newline="") as f:
            return [row["EventId"] for row in csv.DictReader(f)]


def grouping_accuracy(predicted: list, truth: list) -> float:
    """Loghub's GA: lines whose predicted cluster is exactly their event's set of lines."""
    groups = defaultdict(list)
    for index, cluster in enumerate(predicted):
        groups[cluster].append(index)
    sizes = Counter(truth)
    right = 0
    for members in groups.values():
        events = {truth[i] for i in members}
        if len(events) == 1 and sizes[next(iter(events))] == len(members):
            right += len(members)
    return right / len(truth) if truth else 0.0


def load(loghub: Path, system: str) -> tuple[list[str], list[str], list[str]]:
    """Raw lines, Content column, EventId column (row i is raw line i)."""
    folder = loghub / system
    raw = (folder / f"{system}_2k.log").read_text(encoding="utf-8", errors="replace").split("\n")
    with open(folder / f"{system}_2k.log_structured.csv", encoding="utf-8", errors="replace") as f:
        rows = list(csv.DictReader(f))
    return raw[:len(rows)], [row["Content"] for row in rows], [row["EventId"] for row in rows]


def ga_table(loghub: Path) -> list[str]:
    systems = sorted(p.name for p in loghub.iterdir() if (p / f"{p.name}_2k.log").exists())
    variants = {
        "baseline/Content": lambda raw, content: baseline(content),
        "baseline/raw": lambda raw, content: baseline(raw),
        "ours/raw": lambda raw, content: ours_structured(
            loghub / system / f"{system}_2k.log")[:len(raw)],
        "ours/Content": lambda raw, content: ours(content),
    }
    print(f"Grouping accuracy on {len(systems)} Loghub 2k logs ({loghub})")
    print(f"{'system':12s}" + "".join(f"{name:>18s}" for name in variants))
    scores = defaultdict(list)
    for system in systems:
        raw, content, truth = load(loghub, system)
        row = []
        for name, run in variants.items():
            score = grouping_accuracy(run(raw, content), truth)
            scores[name].append(score)
            row.append(score)
        print(f"{system:12s}" + "".join(f"{score:18.3f}" for score in row))
    print(f"{'mean':12s}" + "".join(f"{statistics.mean(scores[name]):18.3f}" for name in variants))
    return systems


_DIGITS = re.compile(r"\d+")


def speed_lines(loghub: Path, systems: list[str], total: int, seed: int = 0) -> list[str]:
    """``total`` lines cycling through the Loghub logs of ``systems``, digit runs randomised;
    one line in five is distinct (at most POOL), the others repeat them."""
    rng = random.Random(seed)
    source = []
    for system in systems:
        source.extend(load(loghub, system)[0])

    def vary(match: re.Match) -> str:
        return str(rng.randrange(10 ** len(match.group())))

    # A pool of distinct randomised lines, cycled: realistic repetition, a cheap build.
    pool = [_DIGITS.sub(vary, source[i % len(source)]) for i in range(min(total // 5 or 1, POOL))]
    rng.shuffle(pool)
    return [pool[i % len(pool)] for i in range(total)]


def speed(loghub: Path, total: int, baseline_total: int) -> None:
    systems = [s for s in SPEED_SOURCES if (loghub / s / f"{s}_2k.log").exists()]
    print(f"\nSpeed on {total:,} lines from {', '.join(systems)} (digits randomised; "
          f"one line in five distinct, at most {POOL:,} per input):")
    # One stream per system, as a user's file holds one application's log.
    per = total // len(systems)
    elapsed, clusters = 0.0, 0
    for system in systems:
        lines = speed_lines(loghub, [system], per)
        start = time.perf_counter()
        clusters += len(mine(lines).clusters)
        elapsed += time.perf_counter() - start
    rate = per * len(systems) / elapsed
    print(f"  ours, one file per system:     {rate:10,.0f} lines/s  ({elapsed:.1f} s, "
          f"{clusters} clusters in all)")
    # All systems mixed in one file: no common header, more distinct messages.
    lines = speed_lines(loghub, systems, total)
    start = time.perf_counter()
    result = mine(lines)
    mixed_s = time.perf_counter() - start
    mixed = len(lines) / mixed_s
    print(f"  ours, all mixed in one file:   {mixed:10,.0f} lines/s  ({mixed_s:.1f} s, "
          f"{len(result.clusters)} clusters, header {result.header.describe()!r})")
    sample = lines[:baseline_total]
    start = time.perf_counter()
    baseline(sample)
    base_rate = len(sample) / (time.perf_counter() - start)
    print(f"  baseline, drain3 per line:     {base_rate:10,.0f} lines/s  (first {len(sample):,} "
          "lines of the mixed file)")
    print(f"  ratio ours / baseline: {rate / base_rate:.1f}x (one file per system), "
          f"{mixed / base_rate:.1f}x (mixed)")


def sources_timing(loghub: Path, total: int) -> None:
    """What a user waits for: the patterns of a store (mine + describe + check), cold
    (empty cache) and warm (cached by content hash), on the sample store and on a store
    of ``total`` lines."""
    from nl2logql.engine.loaders import sample_store
    from nl2logql.engine.store import LogStore
    from nl2logql.patterns import patterns, sources

    systems = [s for s in SPEED_SOURCES if (loghub / s / f"{s}_2k.log").exists()]
    big = LogStore()
    per = total // len(systems)
    for system in systems:
        big.add({"application": system.lower()}, range(per), speed_lines(loghub, [system], per))
    print(f"\nPatterns of a whole store (mining, naming, checking every filter and extraction):")
    with tempfile.TemporaryDirectory() as folder:
        os.environ["NL2LOGQL_CACHE"] = folder
        for name, store in (("sample store (21 applications, 6,000 distinct lines)",
                             sample_store()), (f"{per * len(systems):,}-line store", big)):
            sources._memory.clear()
            start = time.perf_counter()
            groups = patterns(store)
            cold = time.perf_counter() - start
            sources._memory.clear()
            start = time.perf_counter()
            patterns(store)
            warm = time.perf_counter() - start
            print(f"  {name}: cold {cold:.2f} s, warm (disk cache) {warm:.2f} s, "
                  f"{sum(len(g.patterns) for g in groups)} patterns")


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--loghub", default=DEFAULT_LOGHUB)
    args.add_argument("--lines", type=int, default=1_000_000)
    args.add_argument("--baseline-lines", type=int, default=50_000)
    args.add_argument("--no-ga", action="store_true", help="only the speed figure")
    options = args.parse_args()
    loghub = Path(options.loghub)
    if not loghub.is_dir():
        print(f"Loghub data not found at {loghub} (set NL2LOGQL_LOGHUB or --loghub): "
              "skipping grouping accuracy and speed (the speed lines come from it).")
        return
    if not options.no_ga:
        ga_table(loghub)
    if options.lines:
        speed(loghub, options.lines, options.baseline_lines)
        sources_timing(loghub, options.lines)


if __name__ == "__main__":
    main()
