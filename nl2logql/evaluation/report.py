"""An evaluation folder: ``results.json`` (every item and the run's metadata), ``report.md``
(tables) and the PNG plots; and the comparison of two folders.

``results.json`` holds one entry per suite (``exec``, ``nl2ql-random``, ...): running
another suite into the same folder adds it, running one again replaces it. The file is
written atomically (a temporary file, then a rename), so a crash never leaves half of it.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from nl2logql.errors import Nl2LogQLError
from nl2logql.evaluation.published import NL2QL_PAPER, NL2QL_SOURCE, PAPER_MODELS, SYSTEMS

FORMAT = "nl2logql-eval/1"
RESULTS = "results.json"
REPORT = "report.md"
SUITE_ORDER = ("exec", "nl2ql-random", "nl2ql-unseen-template", "logeval")


class ResultsError(Nl2LogQLError):
    """A folder that is not (or no longer) a readable evaluation output."""


# ---- results.json -------------------------------------------------------------------------------

def read_results(folder: str | Path) -> dict[str, Any]:
    """A folder's results, checked enough to render and compare; one-line errors."""
    folder = Path(folder)
    path = folder / RESULTS
    if not folder.is_dir():
        raise ResultsError(f"{folder}: no such folder")
    if not path.is_file():
        raise ResultsError(f"{folder}: no {RESULTS} here (not an `nl2logql eval` output folder)")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ResultsError(f"{path}: not valid JSON (line {error.lineno}, column {error.colno}: "
                           f"{error.msg})") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ResultsError(f"{path}: cannot read it ({error})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("suites"), dict):
        raise ResultsError(f"{path}: not an nl2logql eval results file (expected format {FORMAT!r} "
                           f"and a 'suites' object)")
    for key, suite in data["suites"].items():
        if not isinstance(suite, dict) or "suite" not in suite or not isinstance(suite.get("items"), list):
            raise ResultsError(f"{path}: suite {key!r} is malformed (expected 'suite' and 'items')")
    return data


def write_json_atomic(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, scratch = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=1, default=str, allow_nan=True)
            out.write("\n")
            out.flush()
            os.fsync(out.fileno())
        os.chmod(scratch, 0o644)
        os.replace(scratch, path)
    except BaseException:
        Path(scratch).unlink(missing_ok=True)
        raise


def run_metadata() -> dict[str, Any]:
    """Versions, commit and machine: what a reader needs to reproduce the numbers."""
    from nl2logql import __version__
    from nl2logql.training.card import git_commit, package_versions

    versions = package_versions()
    for name in ("numpy", "matplotlib", "llguidance"):
        try:
            from importlib import metadata

            versions[name] = metadata.version(name)
        except Exception:
            versions[name] = None
    return {
        "nl2logql": __version__,
        "git_commit": git_commit(),
        "versions": versions,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "command": " ".join(["nl2logql", *sys.argv[1:]]) if sys.argv else None,
        "updated": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def update(folder: str | Path, suite: dict[str, Any], *, plots: bool = True) -> list[Path]:
    """Merge ``suite`` into the folder's results.json and rewrite report.md and the plots.
    Returns the files written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    results = read_results(folder) if (folder / RESULTS).exists() else {
        "format": FORMAT, "run": {}, "suites": {}}
    results["run"] = run_metadata()
    results["suites"][suite["key"]] = suite
    results["suites"] = {key: results["suites"][key] for key in _ordered(results["suites"])}
    write_json_atomic(folder / RESULTS, results)
    return [folder / RESULTS, *render_folder(folder, results, plots=plots)]


def render_folder(folder: Path, results: dict[str, Any], *, plots: bool = True) -> list[Path]:
    """Write report.md (and the plots, when matplotlib is at hand) for ``results``."""
    written: list[Path] = []
    images: list[tuple[str, str]] = []
    note = None
    if plots:
        try:
            from nl2logql.evaluation import plots as plotting
        except ImportError:
            note = "Plots need matplotlib (`pip install matplotlib`); none were drawn."
        else:
            for title, path in plotting.plot_results(results, folder):
                images.append((title, path.name))
                written.append(path)
    report = folder / REPORT
    text = render(results, images=images, note=note)
    handle, scratch = tempfile.mkstemp(prefix=f".{REPORT}.", dir=folder)
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
    os.chmod(scratch, 0o644)
    os.replace(scratch, report)
    return [report, *written]


def _ordered(keys) -> list[str]:
    return sorted(keys, key=lambda k: (SUITE_ORDER.index(k) if k in SUITE_ORDER else len(SUITE_ORDER), k))


# ---- report.md ---------------------------------------------------------------------------------

def fmt(value: float | None, digits: int = 3) -> str:
    """A score for a table: three decimals, or a dash when there is none."""
    return "–" if value is None else f"{value:.{digits}f}"


def _s(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f} s" if value >= 1 else f"{value * 1000:.0f} ms"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell).replace("|", "\\|").replace("\n", " ") for cell in row) + " |"
              for row in rows]
    return lines + [""]


def describe_model(model: dict[str, Any]) -> str:
    name = f"`{model['name']}`: " if model.get("name") else ""
    return name + _model_text(model)


def _model_text(model: dict[str, Any]) -> str:
    if model.get("endpoint"):
        return f"endpoint {model.get('endpoint_model') or ''} at {model['endpoint']}".strip()
    base = model.get("base_model") or "Gemma 3 270M (default)"
    if not model.get("adapter"):
        return f"{base}, no adapter"
    card = model.get("adapter_card") or {}
    how = "default adapter" if model.get("adapter_source") == "default" else "adapter"
    trained = f", trained on split {card['split']!r} (data hash checked)" if card.get("split") else ""
    return f"{base} + {how} {model['adapter']}{trained}"


def render(results: dict[str, Any], *, images: list[tuple[str, str]] = (), note: str | None = None) -> str:
    run = results.get("run", {})
    lines = ["# nl2logql evaluation", ""]
    versions = run.get("versions") or {}
    shown = ", ".join(f"{k} {v}" for k, v in versions.items() if v and k in ("torch", "transformers", "peft"))
    lines += [f"nl2logql {run.get('nl2logql', '?')}, commit `{run.get('git_commit') or 'unknown'}`, "
              f"updated {run.get('updated', '?')}; Python {run.get('python', '?')}"
              + (f", {shown}" if shown else "") + f"; {run.get('platform', '')}.", ""]
    suites = results.get("suites", {})
    headline = suites.get("exec")
    if headline:
        lines += _headline(headline)
    for key in _ordered(suites):
        suite = suites[key]
        if suite["suite"] in ("nl2ql", "exec"):
            lines += _nl2ql_section(suite)
        elif suite["suite"] == "logeval":
            lines += _logeval_section(suite)
    if images or note:
        lines += ["## Plots", ""]
        if note:
            lines += [note, ""]
        lines += [f"![{title}]({name})\n" for title, name in images]
    return "\n".join(lines).rstrip() + "\n"


def _settings_line(suite: dict[str, Any]) -> str:
    settings = suite.get("settings", {})
    items = len(suite["items"])
    total = suite.get("items_total")
    side = suite.get("side", "test")
    sample = (f"{items} of {total} {side} items (--limit {settings.get('limit')}, --seed {settings.get('seed')})"
              if total and items < total else f"{items} {side} items")
    parts = [f"Model: {describe_model(suite.get('model', {}))}.",
             f"Retrieval over the train side of split {suite.get('split')!r}, k={settings.get('k')}, "
             f"n={settings.get('n')}{'' if settings.get('constrain', True) else ', unconstrained'}"
             f"{_checks_text(settings)}.",
             f"{sample}."]
    if settings.get("replayed_from"):
        parts.append(f"The model's answers are played back from `{settings['replayed_from']}` "
                     "through this run's checks (`--replay`); latencies add the model's "
                     "recorded time to this run's.")
    return " ".join(parts)


def _checks_text(settings: dict[str, Any]) -> str:
    """``, checks repair, resample 3``: how candidates were checked (runs from before the
    checks existed say nothing)."""
    if "checks" not in settings:
        return ""
    text = f", checks {settings['checks']}"
    return text + (f", resample {settings['resample']}" if settings.get("resample") else "")


def _headline(suite: dict[str, Any]) -> list[str]:
    s = suite["summary"]
    lines = ["## Headline: NL2QL-exec, execution on the sample store", "",
             "Every NL2QL-exec gold query was verified on real Loki and returns data (all items "
             "are informative); a prediction must also select the same application(s) as the gold.", ""]
    lines += _table(
        ["items", "execution", "metric accuracy", "log F1", "exact match", "valid", "latency p50 / p90"],
        [[str(s["n_informative"]), fmt(s["exec_informative"]),
          f"{fmt(s['metric_accuracy_informative'])} ({s['n_metric_informative']})",
          f"{fmt(s['log_f1_informative'])} ({s['n_log_informative']})", fmt(s["exact"]), fmt(s["valid"]),
          f"{_s(s['latency_p50'])} / {_s(s['latency_p90'])}"]])
    return lines


def _scope_rows(s: dict[str, Any]) -> list[list[str]]:
    return [
        ["informative (gold returns data)", str(s["n_informative"]), fmt(s["exec_informative"]),
         f"{fmt(s['metric_accuracy_informative'])} ({s['n_metric_informative']})",
         f"{fmt(s['log_f1_informative'])} ({s['n_log_informative']})"],
        ["all scorable items", str(s["n_scored"]), fmt(s["exec_all"]),
         f"{fmt(s['metric_accuracy_all'])} ({s['n_metric']})", f"{fmt(s['log_f1_all'])} ({s['n_log']})"],
    ]


def _nl2ql_section(suite: dict[str, Any]) -> list[str]:
    s = suite["summary"]
    lines = [f"## {suite.get('title', suite['key'])}", "", _settings_line(suite), ""]
    lines += ["Execution (metric questions: accuracy, log questions: line F1). Headline scores are "
              "over the *informative* items, whose gold returns data; an empty prediction matching "
              "an empty gold proves little, so scores over all items stand beside them.", ""]
    lines += _table(["scope", "items", "execution", "metric accuracy (n)", "log F1 (n)"], _scope_rows(s))
    lines += [_reference_line(suite["items"]), ""]
    lines += [f"Validity over all {s['n']} items: syntax {fmt(s['syntax_valid'])}, semantic "
              f"{fmt(s['valid'])}. Exact match (`equivalent`) over {s['n_scored']} scorable items: "
              f"{fmt(s['exact'])}. Latency per question: p50 {_s(s['latency_p50'])}, "
              f"p90 {_s(s['latency_p90'])}.", ""]
    if suite["suite"] == "nl2ql":
        lines += _published_table(suite)
    lines += _checks_section(suite)
    lines += [f"### {suite.get('title')}: by system × kind", ""]
    lines += _breakdown_table(suite["by_system_kind"], "system / kind")
    lines += [f"### {suite.get('title')}: by LogQL feature of the gold query", ""]
    features = dict(sorted(suite["by_feature"].items(), key=lambda kv: (-kv[1]["n"], kv[0])))
    lines += _breakdown_table(features, "feature")
    problems = suite.get("gold_problems") or []
    lines += [f"### {suite.get('title')}: gold queries left out of exact match and execution", ""]
    if problems:
        lines += [f"{len(problems)} gold queries do not parse, are rejected by Loki, fail on the "
                  "store or disagree with Loki's stored answer. Their predictions still count for "
                  "validity and latency, never as wins.", ""]
        lines += _table(["id", "system", "status", "reason"],
                        [[p["id"], p["system"], p["status"], _clip(p["reason"], 160)] for p in problems])
    else:
        lines += ["None.", ""]
    return lines


def _checks_section(suite: dict[str, Any]) -> list[str]:
    """What the answer checks found on the returned answers (none before checks existed)."""
    checks = suite.get("checks")
    if not checks or suite.get("settings", {}).get("checks", "none") == "none":
        return []
    title = suite.get("title")
    lines = [f"### {title}: answer checks (`--checks {suite['settings']['checks']}`)", "",
             "Over the informative items. A warning's precision is the share of the answers it "
             "was on that were wrong (execution below 1): high is good, a warning on right "
             "answers misleads.", ""]
    rows = [[check, str(w["fired"]), str(w["on_wrong"]), fmt(w["precision"])]
            for check, w in checks["warnings"].items()]
    lines += _table(["check", "answers warned", "of them wrong", "precision"], rows) if rows \
        else ["No warning was on any returned answer.", ""]
    rows = [[level, str(v["n"]), fmt(v["exec"])] for level, v in checks["levels"].items()]
    lines += _table(["answer level", "items", "execution"], rows)
    repaired = checks["repaired"]
    lines += [f"Repaired answers: {repaired['n']}, execution {fmt(repaired['exec'])}.", ""]
    return lines


def _reference_line(items: list[dict]) -> str:
    """How the gold answers (computed by our engine) compare with real Loki's stored ones."""
    counts = {name: sum(1 for r in items if r.get("reference") == name)
              for name in ("match", "differs", "rejected", "absent")}
    checked = counts["match"] + counts["differs"]
    text = (f"Gold answers come from our engine; {checked} of {len(items)} were checked against real "
            f"Loki's stored responses: {counts['match']} match, {counts['differs']} differ")
    if counts["rejected"]:
        text += f"; Loki rejects {counts['rejected']} gold queries"
    if counts["absent"]:
        text += f"; {counts['absent']} have no stored response at hand"
    return text + "."


def _clip(text: str | None, width: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _breakdown_table(groups: dict[str, dict], name: str) -> list[str]:
    rows = [[group, str(s["n"]), str(s["n_informative"]), fmt(s["exact"]), fmt(s["exec_informative"]),
             fmt(s["exec_all"]), fmt(s["valid"])] for group, s in groups.items()]
    return _table([name, "items", "informative", "exact match", "execution (informative)",
                   "execution (all)", "valid"], rows)


def _published_table(suite: dict[str, Any]) -> list[str]:
    lines = [f"### {suite.get('title')}: beside the published NL2QL numbers", "",
             f"Published: {NL2QL_SOURCE}; per system, metric accuracy / log F1. The paper ran its "
             "own Loki, data and 80/20 split; ours is comparable in spirit (the `random` split), "
             "not item for item.", ""]
    header = ["system", "ours, informative", "ours, all items", *PAPER_MODELS]
    rows = []
    for system in SYSTEMS:
        metric = suite["by_system_kind"].get(f"{system} / metric", {})
        log = suite["by_system_kind"].get(f"{system} / log", {})
        rows.append([system,
                     f"{fmt(metric.get('exec_informative'), 2)} / {fmt(log.get('exec_informative'), 2)}",
                     f"{fmt(metric.get('exec_all'), 2)} / {fmt(log.get('exec_all'), 2)}",
                     *[f"{NL2QL_PAPER[system][m]['metric_accuracy']:.2f} / {NL2QL_PAPER[system][m]['log_f1']:.2f}"
                       for m in PAPER_MODELS]])
    return lines + _table(header, rows)


def _logeval_section(suite: dict[str, Any]) -> list[str]:
    settings = suite.get("settings", {})
    drawn = (f"--limit {settings['limit']} per task and prompt set, --seed {settings.get('seed')}"
             if settings.get("limit") else f"all of {settings.get('data_dir') or 'the shipped sample'}")
    lines = ["## LogEval", "", f"Model: {describe_model(suite.get('model', {}))}. "
             f"{len(suite['items'])} items ({drawn}); greedy, one completion each. Latency p50 "
             f"{_s(suite.get('latency_p50'))}, p90 {_s(suite.get('latency_p90'))}.", ""]
    main = suite.get("main_metric") or {}
    published = suite.get("published") or {}
    constrained = suite.get("summary_label_constrained") or {}
    rows = []
    for group, scores in (suite.get("summary") or {}).items():
        task, _, prompt_set = group.partition("/")
        metric = main.get(task)
        rows.append([task, prompt_set, str(scores.get("n", "")), metric or "–",
                     fmt(scores.get(metric)) if metric else "–",
                     fmt((constrained.get(group) or {}).get(metric)) if group in constrained else "–",
                     fmt((published.get(task) or {}).get(prompt_set)),
                     _wording_spread(scores), _other_metrics(scores, metric)])
    lines += _table(["task", "prompt set", "items", "main metric", "ours", "ours, label-constrained",
                     "best published", "mean ± std over wordings", "other metrics"], rows)
    if constrained:
        lines += ["*Label-constrained*: the closed-set tasks answered again, decoded under a "
                  "grammar that admits only the labels the item names (`normal`/`abnormal`, or "
                  "the fault types in the instruction's braces), as our LogQL is decoded under its "
                  "grammar. The published systems answered freely; the *ours* column is the "
                  "comparable one.", ""]
        lines += _table(["task", "prompt set", "label-constrained: mean ± std over wordings",
                         "other metrics"],
                        [[*group.split("/", 1), _wording_spread(scores),
                          _other_metrics(scores, main.get(group.partition("/")[0]))]
                         for group, scores in constrained.items()])
    return lines


def _wording_spread(scores: dict) -> str:
    return f"{fmt(scores.get('wording_mean'))} ± {fmt(scores.get('wording_std'))}"


def _other_metrics(scores: dict, main: str | None) -> str:
    return ", ".join(f"{k} {fmt(v)}" for k, v in scores.items()
                     if isinstance(v, (int, float)) and k not in ("n", main, "wording_mean", "wording_std"))


# ---- compare -------------------------------------------------------------------------------------

WIDTH = 44
HEADLINE_KEYS = ("exec_informative", "exec_all", "metric_accuracy_informative", "log_f1_informative",
                 "exact", "valid", "syntax_valid", "latency_p50", "latency_p90")


def compare(a: dict[str, Any], b: dict[str, Any], name_a: str = "A", name_b: str = "B") -> list[str]:
    """Lines describing how run B differs from run A: scores per suite and the items whose
    verdicts changed."""
    lines = [f"  {'':<{WIDTH}} {name_a:>7} {name_b:>7} {'change':>8}"]
    suites_a, suites_b = a["suites"], b["suites"]
    for key in _ordered(set(suites_a) | set(suites_b)):
        if key not in suites_b or key not in suites_a:
            lines.append(f"{key}: only in {name_a if key in suites_a else name_b}")
            continue
        sa, sb = suites_a[key], suites_b[key]
        lines.append(f"{key}: {describe_model(sa.get('model', {}))}  →  {describe_model(sb.get('model', {}))}")
        if sa["suite"] == "logeval":
            lines += _compare_logeval(sa, sb)
            continue
        for name in HEADLINE_KEYS:
            x, y = sa["summary"].get(name), sb["summary"].get(name)
            if x is None and y is None:
                continue
            delta = "" if x is None or y is None else f"{y - x:+.3f}"
            lines.append(f"  {name:<{WIDTH}} {fmt(x):>7} {fmt(y):>7} {delta:>8}")
        lines += _flips(sa, sb, name_a, name_b)
    return lines


def _compare_logeval(sa: dict, sb: dict) -> list[str]:
    lines = []
    main = sa.get("main_metric") or sb.get("main_metric") or {}
    for summary, suffix in (("summary", ""), ("summary_label_constrained", ", labels")):
        for group in sorted(set(sa.get(summary) or {}) | set(sb.get(summary) or {})):
            metric = main.get(group.partition("/")[0])
            x = ((sa.get(summary) or {}).get(group) or {}).get(metric)
            y = ((sb.get(summary) or {}).get(group) or {}).get(metric)
            delta = "" if x is None or y is None else f"{y - x:+.3f}"
            name = f"{group} {metric}{suffix}"
            lines.append(f"  {name:<{WIDTH}} {fmt(x):>7} {fmt(y):>7} {delta:>8}")
    return lines


def _flips(sa: dict, sb: dict, name_a: str, name_b: str, shown: int = 10) -> list[str]:
    before = {r["id"]: r["verdicts"].get("exec") for r in sa["items"]}
    after = {r["id"]: r["verdicts"].get("exec") for r in sb["items"]}
    common = [i for i in before if i in after and before[i] is not None and after[i] is not None]
    better = [i for i in common if after[i] > before[i]]
    worse = [i for i in common if after[i] < before[i]]
    lines = [f"  items in both: {len(common)}; execution better in {name_b}: {len(better)}, "
             f"worse: {len(worse)}"]
    if better:
        lines.append(f"    better: {', '.join(better[:shown])}{' …' if len(better) > shown else ''}")
    if worse:
        lines.append(f"    worse:  {', '.join(worse[:shown])}{' …' if len(worse) > shown else ''}")
    only = len(set(before) ^ set(after))
    if only:
        lines.append(f"  items in only one run: {only}")
    return lines
