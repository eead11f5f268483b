"""Loading speed of plain log files with timestamp detection, on a million lines.

    python benchmarks/bench_load.py [--lines N] [--reps N] [--baseline REV]

Writes four files of N lines (default 1,000,000) in a temporary folder, each the
sample store's messages repeated with fresh times 7 ms apart: log4j-style ISO times at
the start of the line, syslog times (no year: the year rule runs), OpenStack's layout
(the time after the log file's name), and log4j lines with stack frames (3 lines in 10:
multi-line entries are joined). For each it prints lines/s for
``load_files`` with detection (the target is 300,000 lines/s), with the format given,
the share spent reading and splitting, and, where git has it, the loader of ``REV``
(default: the commit before timestamp detection) in the same process.
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tempfile
import time
import types
from datetime import datetime, timedelta, timezone
from pathlib import Path

from nl2logql.engine.loaders import data_dir, load_files
from nl2logql.engine.loaders.files import read_text, split_lines

ROOT = Path(__file__).resolve().parents[1]
TARGET = 300_000  # lines/s with detection
BASELINE_REV = "954539e"  # the loader before issue #16 (detection at line start only)
START = datetime(2024, 6, 1, tzinfo=timezone.utc)
STEP_MS = 7


def _rows(system: str) -> list[dict[str, str]]:
    with open(data_dir() / f"{system}_2k.log_structured.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _stamps(n: int, layout: str) -> list[str]:
    """``n`` times ``STEP_MS`` apart from ``START``, formatted once a second."""
    out, last, head = [], -1, ""
    for i in range(n):
        ms = i * STEP_MS
        second = ms // 1000
        if second != last:
            last, head = second, (START + timedelta(seconds=second)).strftime(layout)
        out.append(f"{head},{ms % 1000:03d}" if "%Y" in layout else head)
    return out


def write_files(folder: Path, n: int) -> dict[str, tuple[Path, str]]:
    """name -> (path, the format to give it)."""
    stack = _rows("OpenStack")
    ssh = _rows("OpenSSH")
    iso_stamps = _stamps(n, "%Y-%m-%d %H:%M:%S")
    bodies = {
        "iso (log4j)": (lambda i, r: f"{iso_stamps[i]} {r['Level']} [{r['Component']}] "
                                     f"{r['Content']}", stack, "iso8601"),
        "syslog (no year)": (lambda i, r: f"{syslog_stamps[i]} LabSZ sshd[{r['Pid']}]: "
                                          f"{r['Content']}", ssh, "syslog"),
        "prefixed (OpenStack)": (lambda i, r: f"{r['Logrecord']} {iso_stamps[i]} {r['Pid']} "
                                              f"{r['Level']} {r['Component']} [{r['ADDR']}] "
                                              f"{r['Content']}", stack, "iso8601"),
        # 3 lines in 10 are stack frames without a time: multi-line joining runs
        "stack traces (log4j)": (lambda i, r: f"\tat org.example.{r['Component']}.run"
                                              f"(Main.java:{i % 997})" if i % 10 >= 7 else
                                 f"{iso_stamps[i]} {r['Level']} [{r['Component']}] "
                                 f"{r['Content']}", stack, "iso8601"),
    }
    syslog_stamps = _stamps(n, "%b %d %H:%M:%S")
    files = {}
    for number, (name, (line, rows, fmt)) in enumerate(bodies.items()):
        path = folder / f"bench{number}.log"
        with open(path, "w", encoding="utf-8") as handle:
            handle.write("\n".join(line(i, rows[i % len(rows)]) for i in range(n)) + "\n")
        files[name] = (path, fmt)
    return files


def old_loader(rev: str):
    """``load_files`` as it was at ``rev`` (its timestamps module too), or ``None``."""
    sources = {}
    for name in ("timestamps", "files"):
        shown = subprocess.run(["git", "show", f"{rev}:nl2logql/engine/loaders/{name}.py"],
                               cwd=ROOT, capture_output=True, text=True)
        if shown.returncode:
            return None
        sources[name] = shown.stdout
    modules = {}
    for name in ("timestamps", "files"):
        module = types.ModuleType(f"_bench_old_{name}")
        sys.modules[module.__name__] = module
        text = sources[name].replace("from nl2logql.engine.loaders.timestamps import",
                                     "from _bench_old_timestamps import")
        exec(compile(text, f"{rev}:{name}.py", "exec"), module.__dict__)
        modules[name] = module
    return modules["files"].load_files


def best_of(reps: int, fn) -> float:
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--reps", type=int, default=2)
    parser.add_argument("--baseline", default=BASELINE_REV, metavar="REV")
    args = parser.parse_args()
    old = old_loader(args.baseline)
    n = args.lines
    with tempfile.TemporaryDirectory() as folder:
        files = write_files(Path(folder), n)
        print(f"{n:,} lines a file; best of {args.reps}; target {TARGET:,} lines/s detected")
        for name, (path, fmt) in files.items():
            store = load_files(path)
            # syslog merges a few repeats; stack frames join their entry
            assert store.stats.entries > (0.6 if "stack" in name else 0.9) * n, store.notes
            print(f"\n{name}: {store.notes[0].split(': ', 1)[1]}")
            runs = {
                "read + split only": lambda: split_lines(read_text(path)),
                "load, detected": lambda: load_files(path),
                f"load, --time-format {fmt}": lambda: load_files(path, time_format=fmt),
            }
            if old is not None:
                runs[f"load at {args.baseline} (before)"] = lambda: old(path)
            for label, run in runs.items():
                seconds = best_of(args.reps, run)
                mark = ("  (target met)" if n / seconds >= TARGET else "  (below target)"
                        ) if label == "load, detected" else ""
                print(f"  {label:<34} {seconds:6.2f} s  {n / seconds:>11,.0f} lines/s{mark}")


if __name__ == "__main__":
    main()
