"""NL2QL scores as pure functions: result comparison, line precision/recall/F1, exact
match, and the aggregation of per-item verdicts into summaries and breakdowns.

Results are Loki's ``data`` objects (``resultType`` + ``result``). A metric prediction is
right when it returns the same series (label sets, in any order, labels in any order)
with values equal within :data:`REL_TOL` relative (NaN equals NaN). A log prediction is
scored by the precision, recall and F1 of its lines, an entry being its timestamp, stream
labels and line. An empty gold result is matched only by an empty prediction.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

REL_TOL = 1e-6

SeriesKey = frozenset  # frozenset of (label, value) pairs


# ---- comparing results ----------------------------------------------------------------------

def close(a: str | float, b: str | float, rel_tol: float = REL_TOL) -> bool:
    """Equal within ``rel_tol`` relative; NaN equals NaN, infinities equal themselves."""
    x, y = float(a), float(b)
    if math.isnan(x) or math.isnan(y):
        return math.isnan(x) and math.isnan(y)
    if x == y:
        return True
    if math.isinf(x) or math.isinf(y):
        return False
    return abs(x - y) <= rel_tol * max(abs(x), abs(y))


def series(data: dict) -> dict[SeriesKey, list[tuple[float, str]]]:
    """A metric result as {label set: [(time, value), ...]}; a scalar is one unlabelled series."""
    kind = data.get("resultType")
    if kind == "scalar":
        time, value = data["result"]
        return {frozenset(): [(float(time), value)]}
    if kind == "vector":
        return {frozenset(r["metric"].items()): [(float(r["value"][0]), r["value"][1])]
                for r in data["result"]}
    if kind == "matrix":
        return {frozenset(r["metric"].items()): [(float(t), v) for t, v in r["values"]]
                for r in data["result"]}
    raise ValueError(f"not a metric result: {kind!r}")


def same_series(gold: dict, pred: dict, rel_tol: float = REL_TOL) -> bool:
    """Same label sets, and at each of them the same sample times and values."""
    if pred.get("resultType") == "streams":
        return False
    want, have = series(gold), series(pred)
    if set(want) != set(have):
        return False
    for key, samples in want.items():
        mine = have[key]
        if len(mine) != len(samples):
            return False
        for (t1, v1), (t2, v2) in zip(samples, mine):
            if t1 != t2 or not close(v1, v2, rel_tol):
                return False
    return True


def entries(data: dict) -> Counter:
    """A log result's entries as a multiset of (timestamp, stream label set, line)."""
    if data.get("resultType") != "streams":
        raise ValueError(f"not a log result: {data.get('resultType')!r}")
    found: Counter = Counter()
    for stream in data["result"]:
        labels = frozenset(stream["stream"].items())
        for timestamp, line in stream["values"]:
            found[(str(timestamp), labels, line)] += 1
    return found


def line_scores(gold: dict, pred: dict) -> dict[str, float]:
    """Precision, recall and F1 of the predicted entries. Both empty: all 1. A metric
    prediction for a log question scores 0."""
    if pred.get("resultType") != "streams":
        return {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    want, have = entries(gold), entries(pred)
    if not want and not have:
        return {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    hits = sum((want & have).values())
    precision = hits / sum(have.values()) if have else 0.0
    recall = hits / sum(want.values()) if want else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def is_empty(data: dict) -> bool:
    """No series, no lines (a scalar is never empty)."""
    return data.get("resultType") != "scalar" and not data.get("result")


def execution_verdict(gold_kind: str, gold: dict, pred: dict | None) -> dict[str, Any]:
    """The execution verdict of one prediction: ``exec`` is 1/0 for a metric question
    (same series) and the line F1 for a log question; ``pred`` None (it did not parse or
    failed to run) scores 0."""
    if gold_kind == "metric":
        same = pred is not None and same_series(gold, pred)
        return {"same_series": same, "exec": 1.0 if same else 0.0}
    scores = line_scores(gold, pred) if pred is not None else {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    return {**scores, "exec": scores["f1"]}


def exact_match(pred: str | None, gold: str) -> bool:
    """``equivalent(pred, gold)``: the same query modulo spelling (False if either is invalid)."""
    from nl2logql.logql.equivalence import equivalent

    return bool(pred) and equivalent(pred, gold)


# ---- aggregation ----------------------------------------------------------------------------

def mean(values: Iterable[float | bool | None]) -> float | None:
    """The mean of the values that are not None; None when there are none."""
    kept = [float(v) for v in values if v is not None]
    return sum(kept) / len(kept) if kept else None


def percentile(values: Iterable[float], q: float) -> float | None:
    """The ``q``-th percentile (0-100), linearly interpolated as numpy's default."""
    ordered = sorted(values)
    if not ordered:
        return None
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summarize(records: list[dict]) -> dict[str, Any]:
    """Scores over NL2QL item records (see :mod:`nl2logql.evaluation.nl2ql`).

    Validity and latency are over every item; exact match and execution over the items
    whose gold query parses and runs (``scored``); ``*_informative`` over those whose gold
    returns data. Metric questions give accuracy, log questions F1 (as the NL2QL paper).
    """
    scored = [r for r in records if r["gold_status"] == "ok"]
    informative = [r for r in scored if r["informative"]]

    def verdict(name: str, rows: list[dict]) -> float | None:
        return mean(r["verdicts"].get(name) for r in rows)

    def by_kind(rows: list[dict], kind: str) -> list[dict]:
        return [r for r in rows if r["gold_kind"] == kind]

    latencies = [r["timings"]["generate"] for r in records if r.get("timings", {}).get("generate") is not None]
    return {
        "n": len(records),
        "n_scored": len(scored),
        "n_informative": len(informative),
        "n_metric": len(by_kind(scored, "metric")),
        "n_log": len(by_kind(scored, "log")),
        "n_metric_informative": len(by_kind(informative, "metric")),
        "n_log_informative": len(by_kind(informative, "log")),
        "syntax_valid": verdict("syntax_valid", records),
        "valid": verdict("valid", records),
        "exact": verdict("exact", scored),
        "exec_informative": verdict("exec", informative),
        "exec_all": verdict("exec", scored),
        "metric_accuracy_informative": verdict("exec", by_kind(informative, "metric")),
        "metric_accuracy_all": verdict("exec", by_kind(scored, "metric")),
        "log_f1_informative": verdict("exec", by_kind(informative, "log")),
        "log_f1_all": verdict("exec", by_kind(scored, "log")),
        "log_precision_informative": verdict("precision", by_kind(informative, "log")),
        "log_recall_informative": verdict("recall", by_kind(informative, "log")),
        "latency_p50": percentile(latencies, 50),
        "latency_p90": percentile(latencies, 90),
    }


def checks_summary(records: list[dict]) -> dict[str, Any]:
    """How the answer checks did over scored NL2QL records: for each check, how often its
    warning was on the returned answer and how often that answer was wrong (its precision:
    a warning that fires on right answers misleads); execution by answer level; repairs."""
    scored = [r for r in records if r["gold_status"] == "ok" and r["informative"]]

    def wrong(record: dict) -> bool:
        return (record["verdicts"].get("exec") or 0.0) < 1.0

    fired: dict[str, list[dict]] = {}
    for record in scored:
        for check in dict.fromkeys(w["check"] for w in record.get("warnings") or []):
            fired.setdefault(check, []).append(record)
    levels: dict[str, list[dict]] = {}
    for record in scored:
        levels.setdefault(record.get("level") or "no query", []).append(record)
    repaired = [r for r in scored if r.get("repairs")]
    return {
        "warnings": {check: {"fired": len(rows), "on_wrong": sum(map(wrong, rows)),
                             "precision": mean(wrong(r) for r in rows)}
                     for check, rows in sorted(fired.items())},
        "levels": {level: {"n": len(rows), "exec": mean(r["verdicts"].get("exec") for r in rows)}
                   for level, rows in sorted(levels.items())},
        "repaired": {"n": len(repaired), "exec": mean(r["verdicts"].get("exec") for r in repaired)},
    }


def breakdown(records: list[dict], groups: Callable[[dict], Iterable[str]]) -> dict[str, dict]:
    """{group: summary} where ``groups(record)`` names the groups a record belongs to."""
    members: dict[str, list[dict]] = {}
    for record in records:
        for group in groups(record):
            members.setdefault(group, []).append(record)
    return {group: summarize(rows) for group, rows in sorted(members.items())}
