"""PNG plots of evaluation results (matplotlib, no display needed).

- ``<suite>-system-kind.png``: execution by system × kind, informative and all items;
- ``<suite>-features.png``: execution by LogQL feature of the gold query;
- ``nl2ql-published.png``: NL2QL per system beside the NL2QL paper's numbers;
- ``logeval.png``: LogEval zero- vs few-shot beside the best published scores;
- :func:`plot_runs`: several runs side by side (base vs adapter ...), published numbers
  as reference marks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from matplotlib.figure import Figure  # draws with Agg; pyplot (and a display) is never needed

from nl2logql.evaluation.published import NL2QL_PAPER, PAPER_MODELS, SYSTEMS

OURS = ("#1f77b4", "#aec7e8")   # informative, all items
PAPER = ("#7f7f7f", "#a9a9a9", "#d3d3d3")
DPI = 110


def plot_results(results: dict[str, Any], folder: Path) -> list[tuple[str, Path]]:
    """Every plot ``results`` supports, written into ``folder``: [(title, path)]."""
    written = []
    suites = results.get("suites", {})
    for key, suite in suites.items():
        if suite["suite"] in ("nl2ql", "exec") and suite.get("items"):
            title = suite.get("title", key)
            written.append((f"{title}: execution by system and kind",
                            system_kind(suite, folder / f"{key}-system-kind.png")))
            written.append((f"{title}: execution by LogQL feature",
                            by_feature(suite, folder / f"{key}-features.png")))
    nl2ql = [s for s in suites.values() if s["suite"] == "nl2ql" and s.get("items")]
    if nl2ql:
        written.append(("NL2QL beside the published numbers",
                        published(nl2ql, folder / "nl2ql-published.png")))
    if "logeval" in suites and suites["logeval"].get("summary"):
        written.append(("LogEval: zero- vs few-shot beside the best published scores",
                        logeval(suites["logeval"], folder / "logeval.png")))
    return written


def _save(fig: Figure, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    return path


def _value(x: float | None) -> float:
    return 0.0 if x is None else float(x)


def _label_bars(ax, bars, counts) -> None:
    for bar, count in zip(bars, counts):
        if count:
            ax.annotate(f"n={count}", (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                        ha="center", va="bottom", fontsize=7, xytext=(0, 2), textcoords="offset points")


def system_kind(suite: dict[str, Any], path: Path) -> Path:
    groups = suite["by_system_kind"]
    names = [g for g in groups if not g.endswith("/ unparsed")]
    fig = Figure(figsize=(max(6, 1.3 * len(names) + 2), 4))
    ax = fig.subplots()
    width = 0.38
    xs = range(len(names))
    informative = [_value(groups[g]["exec_informative"]) for g in names]
    everything = [_value(groups[g]["exec_all"]) for g in names]
    bars = ax.bar([x - width / 2 for x in xs], informative, width, color=OURS[0], label="informative items")
    _label_bars(ax, bars, [groups[g]["n_informative"] for g in names])
    bars = ax.bar([x + width / 2 for x in xs], everything, width, color=OURS[1], label="all items")
    _label_bars(ax, bars, [groups[g]["n_scored"] for g in names])
    ax.set_xticks(list(xs), [g.replace(" / ", "\n") for g in names], fontsize=8)
    ax.set_ylim(0, 1.1)
    ax.set_ylabel("execution (metric: accuracy, log: F1)")
    ax.set_title(f"{suite.get('title', suite['key'])}: by system × kind")
    ax.legend(fontsize=8)
    return _save(fig, path)


def by_feature(suite: dict[str, Any], path: Path) -> Path:
    groups = dict(sorted(suite["by_feature"].items(), key=lambda kv: (kv[1]["n"], kv[0])))
    names = list(groups)
    fig = Figure(figsize=(7, max(3, 0.32 * len(names) + 1.2)))
    ax = fig.subplots()
    height = 0.4
    ys = range(len(names))
    ax.barh([y + height / 2 for y in ys], [_value(groups[g]["exec_informative"]) for g in names],
            height, color=OURS[0], label="informative items")
    ax.barh([y - height / 2 for y in ys], [_value(groups[g]["exec_all"]) for g in names],
            height, color=OURS[1], label="all items")
    ax.set_yticks(list(ys), [f"{g} (n={groups[g]['n_scored']})" for g in names], fontsize=8)
    ax.set_xlim(0, 1.05)
    ax.set_xlabel("execution (metric: accuracy, log: F1)")
    ax.set_title(f"{suite.get('title', suite['key'])}: by feature of the gold query")
    ax.legend(fontsize=8, loc="lower right")
    return _save(fig, path)


def published(suites: list[dict[str, Any]], path: Path) -> Path:
    """Per system: ours (each NL2QL split, informative) and the paper's three models."""
    fig = Figure(figsize=(11, 4))
    axes = fig.subplots(1, 2, sharey=True)
    for ax, (kind, measure) in zip(axes, (("metric", "metric_accuracy"), ("log", "log_f1"))):
        series = [(f"ours, {s['split']}", [s["by_system_kind"].get(f"{sys_} / {kind}", {}).get("exec_informative")
                                             for sys_ in SYSTEMS]) for s in suites]
        series += [(f"ours, {s['split']} (all items)", [s["by_system_kind"].get(f"{sys_} / {kind}", {}).get("exec_all")
                                                         for sys_ in SYSTEMS]) for s in suites]
        series += [(model, [NL2QL_PAPER[sys_][model][measure] for sys_ in SYSTEMS]) for model in PAPER_MODELS]
        colours = _ours_colours(len(suites)) + list(PAPER)
        width = 0.8 / len(series)
        for number, ((name, values), colour) in enumerate(zip(series, colours)):
            xs = [x - 0.4 + width * (number + 0.5) for x in range(len(SYSTEMS))]
            ax.bar(xs, [_value(v) for v in values], width, label=name, color=colour,
                   hatch="//" if name in PAPER_MODELS else None, edgecolor="white")
        ax.set_xticks(range(len(SYSTEMS)), SYSTEMS)
        ax.set_ylim(0, 1.05)
        ax.set_title("metric questions: accuracy" if kind == "metric" else "log questions: F1")
    axes[1].legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1))
    fig.suptitle("NL2QL execution scores beside the NL2QL paper (hatched: published)")
    return _save(fig, path)


def _ours_colours(count: int) -> list[str]:
    strong = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728"]
    light = ["#aec7e8", "#ffbb78", "#98df8a", "#ff9896"]
    return [strong[i % 4] for i in range(count)] + [light[i % 4] for i in range(count)]


def logeval(suite: dict[str, Any], path: Path) -> Path:
    summary, main = suite["summary"], suite.get("main_metric") or {}
    published_scores = suite.get("published") or {}
    groups = list(summary)
    fig = Figure(figsize=(max(6, 1.1 * len(groups) + 2), 4))
    ax = fig.subplots()
    xs = list(range(len(groups)))
    constrained = suite.get("summary_label_constrained") or {}
    width = 0.27 if constrained else 0.38
    ours, errors, labelled, best = [], [], [], []
    for group in groups:
        task, _, prompt_set = group.partition("/")
        scores = summary[group]
        ours.append(_value(scores.get(main.get(task))))
        errors.append(_value(scores.get("wording_std")))
        labelled.append(_value((constrained.get(group) or {}).get(main.get(task))))
        best.append(_value((published_scores.get(task) or {}).get(prompt_set)))
    offset = width if constrained else width / 2
    ax.bar([x - offset for x in xs], ours, width, yerr=errors, capsize=3, color=OURS[0],
           label="ours (± std over wordings)")
    if constrained:
        ax.bar(xs, labelled, width, color=OURS[1], label="ours, label-constrained")
    ax.bar([x + offset for x in xs], best, width, color=PAPER[0], hatch="//", edgecolor="white",
           label="best published")
    ax.set_xticks(xs, [g.replace("/", "\n") + f"\n({main.get(g.partition('/')[0], '?')})" for g in groups],
                  fontsize=7)
    ax.set_ylim(0, 1.1)
    ax.set_title("LogEval: ours beside the best published scores")
    ax.legend(fontsize=8)
    return _save(fig, path)


RUN_MEASURES = (
    ("exec", "exec_informative", "NL2QL-exec\nexecution"),
    ("nl2ql-random", "exec_informative", "NL2QL random\nexecution (inf.)"),
    ("nl2ql-random", "exec_all", "NL2QL random\nexecution (all)"),
    ("nl2ql-unseen-template", "exec_informative", "NL2QL unseen\nexecution (inf.)"),
    ("exec", "exact", "NL2QL-exec\nexact match"),
    ("exec", "valid", "NL2QL-exec\nvalid"),
)


def plot_runs(runs: list[tuple[str, dict[str, Any]]], path: Path) -> Path:
    """Headline measures of several runs side by side; the NL2QL paper's best model
    (mean over systems of metric accuracy and log F1) as a dashed reference line."""
    measures = [(key, name, label) for key, name, label in RUN_MEASURES
                if any(key in results["suites"] for _, results in runs)]
    logeval_groups = sorted({g for _, results in runs
                             for g in (results["suites"].get("logeval", {}).get("summary") or {})})
    fig = Figure(figsize=(max(7, 1.2 * (len(measures) + len(logeval_groups)) + 2), 4.5))
    ax = fig.subplots()
    labels = [label for _, _, label in measures] + [g.replace("/", "\n") for g in logeval_groups]
    width = 0.8 / max(1, len(runs))
    for number, (name, results) in enumerate(runs):
        values = [_value((results["suites"].get(key, {}).get("summary") or {}).get(measure))
                  for key, measure, _ in measures]
        summary = results["suites"].get("logeval", {})
        main = summary.get("main_metric") or {}
        values += [_value((summary.get("summary", {}).get(g) or {}).get(main.get(g.partition("/")[0])))
                   for g in logeval_groups]
        xs = [x - 0.4 + width * (number + 0.5) for x in range(len(labels))]
        ax.bar(xs, values, width, label=name)
    if any(key.startswith("nl2ql") for key, _, _ in measures):
        paper = sum(NL2QL_PAPER[s][PAPER_MODELS[0]][m] for s in SYSTEMS
                    for m in ("metric_accuracy", "log_f1")) / (2 * len(SYSTEMS))
        ax.axhline(paper, color="#555555", linestyle="--", linewidth=1,
                   label=f"{PAPER_MODELS[0]} (NL2QL paper, mean)")
    for index, group in enumerate(logeval_groups):
        task, _, prompt_set = group.partition("/")
        for _, results in runs:
            best = (results["suites"].get("logeval", {}).get("published") or {}).get(task, {}).get(prompt_set)
            if best is not None:
                x = len(measures) + index
                ax.plot([x - 0.4, x + 0.4], [best, best], color="black", linewidth=1.5)
                break
    ax.set_xticks(range(len(labels)), labels, fontsize=7)
    ax.set_ylim(0, 1.1)
    ax.set_title("Runs compared (black bars on LogEval: best published)")
    ax.legend(fontsize=8)
    return _save(fig, path)
