"""How long a one-shot ``nl2logql generate`` takes to answer, and where the time goes.

    python benchmarks/bench_startup.py [--reps 5] [--baseline REV] [--no-cold] [--no-warm-server]

Every figure comes from fresh processes (a start-up cost only shows in a new process):

- **phases**: one process times importing torch and transformers, loading the model
  (tokenizer and weights, adapter merged), the Assistant's set-up (examples, instruction
  prefix, grammar), the first question and a second one; the median of ``--reps`` runs;
- **CLI**: the wall time of ``nl2logql generate QUESTION`` on the sample store and on a
  plain log file (OpenSSH lines in syslog format, written here), median of ``--reps``;
- with the start cache **warm** (built once before), and **cold** (its folder deleted
  before every run, phases and CLI calls alike: each run rebuilds it);
- the **baseline**: the same CLI calls with the code of ``REV`` (default: the commit
  before the start cache), from a git worktree, in the same session; ratios are
  baseline / now;
- with a **kept-warm** server (``--keep-warm``): started once, then the same calls.

The default model must be converted already (any ``nl2logql generate`` does it once).
The start cache used here is a temporary folder, so the user's own is left alone.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE_REV = "51b56f6"  # before the start cache (issue #18)
QUESTION = "how many failed SSH logins per source IP in the last hour on openssh-eu-west?"
FILE_QUESTION = "how many failed password attempts per source IP in the last day?"
TARGET_COLD, TARGET_SERVER = 6.0, 3.5  # seconds, p50

PHASES = r"""
import gc, json, sys, time
gc.disable()  # as the CLI does for a one-shot generate (nl2logql.cli.run)
clock = time.perf_counter
times, start = {}, clock()
def lap(name):
    global start
    now = clock(); times[name] = now - start; start = now
import torch, transformers.models.gemma3.modeling_gemma3; lap("import torch + transformers")
from nl2logql.generation.models import load_model
model = load_model(); lap("load_model (base + adapter)")
from nl2logql.engine.loaders import sample_store
from nl2logql.generation.pipeline import Assistant
assistant = Assistant(model=model, backend=sample_store()); lap("Assistant set-up")
assistant.ask(sys.argv[1]); lap("first ask")
assistant.ask(sys.argv[1]); lap("second ask")
print(json.dumps(times))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--baseline", default=BASELINE_REV, help="git revision to compare with ('' skips)")
    parser.add_argument("--no-cold", action="store_true", help="skip the cold-cache runs")
    parser.add_argument("--no-warm-server", action="store_true", help="skip the --keep-warm runs")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="bench-startup-"))
    try:
        log = write_plain_log(scratch / "auth.log")
        cache = scratch / "start-cache"
        env = {**os.environ, "NL2LOGQL_START_CACHE": str(cache), "NL2LOGQL_RUN_DIR": str(scratch / "run")}
        calls = {"sample store": ["generate", QUESTION],
                 "plain file": ["generate", FILE_QUESTION, "--logs", str(log), "--label", "app=sshd"]}

        run_cli(calls["sample store"], env)  # builds the start cache once
        delete_cache = lambda: shutil.rmtree(cache, ignore_errors=True)  # noqa: E731
        print_phases("start cache warm", phases(env, args.reps))
        if not args.no_cold:
            print_phases("start cache deleted before each", phases(env, args.reps, before=delete_cache))

        rows = {}
        for label, call in calls.items():
            rows[f"{label}, cache warm"] = median_wall(call, env, args.reps)
        if not args.no_cold:
            for label, call in calls.items():
                rows[f"{label}, cache cold"] = median_wall(call, env, args.reps, before=delete_cache)
        baseline = {}
        if args.baseline:
            tree = checkout(args.baseline, scratch / "baseline")
            old_env = {**env, "PYTHONPATH": str(tree)}
            for label, call in calls.items():
                baseline[f"{label}, cache warm"] = median_wall(call, old_env, args.reps, cwd=tree)
        if not args.no_warm_server:
            for label, call in calls.items():
                run_cli([*call, "--keep-warm"], env)  # starts the server, answers once
                rows[f"{label}, --keep-warm server"] = median_wall(call, env, args.reps)
            run_cli(["serve", "--stop"], env)

        print(f"\nnl2logql generate, wall seconds (median of {args.reps}; targets: "
              f"{TARGET_COLD} s cold process with the cache warm, {TARGET_SERVER} s with a server):")
        for label, seconds in rows.items():
            before = baseline.get(label) or baseline.get(label.split(",")[0] + ", cache warm")
            ratio = f"   {args.baseline}: {before:5.2f} s  ({before / seconds:4.1f}x)" if before else ""
            print(f"  {label:36s} {seconds:5.2f} s{ratio}")
    finally:
        if (scratch / "baseline").exists():
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(scratch / "baseline")],
                           capture_output=True)
        shutil.rmtree(scratch, ignore_errors=True)


def print_phases(label: str, runs: list[dict]) -> None:
    print(f"phases, {label} (median of {len(runs)} processes):")
    for name in runs[0]:
        print(f"  {name:30s} {statistics.median(run[name] for run in runs):6.2f} s")
    print(f"  {'total':30s} {statistics.median(sum(run.values()) for run in runs):6.2f} s")


def write_plain_log(path: Path) -> Path:
    """The OpenSSH sample as the syslog lines it came from."""
    from nl2logql.engine.loaders import data_dir

    with open(data_dir() / "OpenSSH_2k.log_structured.csv", newline="", encoding="utf-8") as rows:
        lines = [f"{r['Date']} {r['Day']:>2} {r['Time']} {r['Component']} sshd[{r['Pid']}]: {r['Content']}"
                 for r in csv.DictReader(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_cli(args: list[str], env: dict, cwd: Path = ROOT) -> float:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "nl2logql", *args], env=env, cwd=cwd,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"nl2logql {' '.join(args[:1])} failed: {done.stderr.strip()[-500:]}")
    return time.perf_counter() - started


def phases(env: dict, reps: int, before=None) -> list[dict]:
    """The PHASES script's timings from ``reps`` fresh processes (``before`` each one)."""
    runs = []
    for _ in range(reps):
        if before:
            before()
        done = subprocess.run([sys.executable, "-c", PHASES, QUESTION], env=env, cwd=ROOT,
                              capture_output=True, text=True, check=True)
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return runs


def median_wall(call: list[str], env: dict, reps: int, before=None, cwd: Path = ROOT) -> float:
    times = []
    for _ in range(reps):
        if before:
            before()
        times.append(run_cli(call, env, cwd))
    return statistics.median(times)


def checkout(rev: str, where: Path) -> Path:
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-f", str(where), rev],
                   check=True, capture_output=True)
    return where


if __name__ == "__main__":
    main()
