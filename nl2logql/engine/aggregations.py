"""The numeric side of LogQL with Loki's semantics: range aggregations over one series'
samples in a window (pkg/logql/range_vector.go), vector aggregations, binary operations
between vectors and literals, ``label_replace`` (pkg/logql/evaluator.go), and Loki's
number formatting.

A vector is a ``dict`` from a label key (sorted ``(name, value)`` pairs, as
:func:`nl2logql.engine.store.label_key` makes) to a float.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from nl2logql.engine.store import LabelKey, label_key
from nl2logql.errors import ExecutionError
from nl2logql.logql import ast
from nl2logql.engine.goregexp import expand
from nl2logql.logql.arith import apply_binary

Vector = dict[LabelKey, float]

# ---- range aggregations ------------------------------------------------------------------

RangeFunction = Callable[[np.ndarray, np.ndarray], float]  # (timestamps ns, values) -> value


def range_function(node: ast.RangeAggregation) -> RangeFunction:
    """The function Loki applies to one series' samples inside a window."""
    op = node.op
    seconds = node.range.range / 1e9
    if op in ("count_over_time", "absent_over_time"):
        return lambda ts, values: float(len(values)) if op == "count_over_time" else 1.0
    if op == "rate":
        if node.range.unwrap is None:
            return lambda ts, values: len(values) / seconds
        return lambda ts, values: _sum(values) / seconds
    if op == "bytes_rate":
        return lambda ts, values: _sum(values) / seconds
    if op in ("bytes_over_time", "sum_over_time"):
        return lambda ts, values: _sum(values)
    if op == "rate_counter":
        return lambda ts, values: _extrapolated_rate(ts, values, node.range.range)
    if op == "quantile_over_time":
        q = node.param
        return lambda ts, values: quantile(q, values)
    simple = {
        "avg_over_time": _avg, "max_over_time": _max, "min_over_time": _min,
        "stdvar_over_time": _stdvar, "stddev_over_time": lambda v: math.sqrt(_stdvar(v)),
        "first_over_time": lambda v: float(v[0]), "last_over_time": lambda v: float(v[-1]),
    }
    if op in simple:
        function = simple[op]
        return lambda ts, values: function(values)
    raise ExecutionError(f"unsupported range aggregation {op}")


def _sum(values: np.ndarray) -> float:
    # Sequential addition, as Loki's loop does (numpy's pairwise sum rounds differently).
    return float(sum(values.tolist()))


def _avg(values: np.ndarray) -> float:
    mean, count = 0.0, 0.0
    for v in values.tolist():
        count += 1
        if math.isinf(mean):
            if math.isinf(v) and (mean > 0) == (v > 0):
                continue
            if not math.isinf(v) and not math.isnan(v):
                continue
        mean += v / count - mean / count
    return mean


def _max(values: np.ndarray) -> float:
    best = math.nan
    for v in values.tolist():
        if v > best or math.isnan(best):
            best = v
    return best


def _min(values: np.ndarray) -> float:
    best = math.nan
    for v in values.tolist():
        if v < best or math.isnan(best):
            best = v
    return best


def _stdvar(values: np.ndarray) -> float:
    aux = count = mean = 0.0
    for v in values.tolist():  # Welford, like Loki
        count += 1
        delta = v - mean
        mean += delta / count
        aux += delta * (v - mean)
    return aux / count


def quantile(q: float, values) -> float:
    """Prometheus' quantile: linear interpolation between the closest ranks."""
    if len(values) == 0:
        return math.nan
    if q < 0:
        return -math.inf
    if q > 1:
        return math.inf
    ordered = sorted(values)
    n = len(ordered)
    rank = q * (n - 1)
    lower = max(0, math.floor(rank))
    upper = min(n - 1, lower + 1)
    weight = rank - math.floor(rank)
    return ordered[lower] * (1 - weight) + ordered[upper] * weight


def _extrapolated_rate(ts: np.ndarray, values: np.ndarray, range_ns: int) -> float:
    """Loki's ``rate_counter`` (Prometheus' extrapolatedRate, counter, per second).

    Loki feeds nanosecond sample times to code written for milliseconds and subtracts
    the range in milliseconds; we keep that arithmetic so the numbers agree.
    """
    if len(values) < 2:
        return 0.0
    t = ts.tolist()
    v = values.tolist()
    range_ms = range_ns // 1_000_000
    range_start = t[0] - range_ms
    range_end = t[-1]
    result = v[-1] - v[0]
    last = 0.0
    for value in v:
        if value < last:
            result += last
        last = value
    to_start = (t[0] - range_start) / 1000
    to_end = (range_end - t[-1]) / 1000
    sampled = (t[-1] - t[0]) / 1000
    average = sampled / (len(v) - 1)
    if result > 0 and v[0] >= 0:
        to_zero = sampled * (v[0] / result)
        to_start = min(to_start, to_zero)
    threshold = average * 1.1
    interval = sampled
    interval += to_start if to_start < threshold else average / 2
    interval += to_end if to_end < threshold else average / 2
    if sampled == 0:
        return math.nan
    result = result * (interval / sampled)
    return result / (range_ns / 1e9)


# ---- vector aggregations -----------------------------------------------------------------

def group_key(key: LabelKey, grouping: ast.Grouping | None) -> LabelKey:
    """The labels a series keeps under ``by (...)``/``without (...)`` (none: all dropped)."""
    if grouping is None:
        return ()
    names = set(grouping.labels)
    if grouping.without:
        return tuple((n, v) for n, v in key if n not in names)
    return tuple((n, v) for n, v in key if n in names)


def vector_aggregate(op: str, vector: Vector, grouping: ast.Grouping | None,
                     param: float | None) -> list[tuple[LabelKey, float]]:
    """One step of a vector aggregation; order matters only for sort/sort_desc."""
    groups: dict[LabelKey, list[tuple[LabelKey, float]]] = {}
    for key in sorted(vector):
        groups.setdefault(group_key(key, grouping), []).append((key, vector[key]))
    out: list[tuple[LabelKey, float]] = []
    for group, members in groups.items():
        values = [v for _, v in members]
        if op in ("topk", "bottomk", "approx_topk", "sort", "sort_desc"):
            out.extend(_ranked(op, members, param))
            continue
        out.append((group, _reduce(op, values)))
    return out


def _ranked(op: str, members: list[tuple[LabelKey, float]], param: float | None):
    descending = op in ("topk", "approx_topk", "sort_desc")

    def order(item):
        value = item[1]
        if math.isnan(value):  # NaN sorts last either way, as in Prometheus
            return (1, 0.0)
        return (0, -value if descending else value)

    ranked = sorted(members, key=order)
    if op in ("sort", "sort_desc"):
        return ranked
    k = int(param or 0)
    return ranked[:k] if k >= 1 else []


def _reduce(op: str, values: list[float]) -> float:
    if op == "sum":
        total = 0.0
        for v in values:
            total += v
        return total
    if op == "count":
        return float(len(values))
    if op == "avg":
        mean, count = values[0], 1
        for v in values[1:]:
            count += 1
            mean += (v - mean) / count
        return mean
    if op == "max":
        return _max(np.array(values))
    if op == "min":
        return _min(np.array(values))
    if op in ("stddev", "stdvar"):
        variance = _stdvar(np.array(values))
        return math.sqrt(variance) if op == "stddev" else variance
    raise ExecutionError(f"unsupported vector aggregation {op}")


# ---- binary operations -------------------------------------------------------------------

def scalar_binary(op: str, left: float, right: float, return_bool: bool) -> float | None:
    """``left op right`` on two numbers, as Loki computes it (``None``: filtered out)."""
    return apply_binary(op, left, right, return_bool)


def literal_binary(op: str, vector: Vector, literal: float, literal_left: bool,
                   return_bool: bool) -> Vector:
    """A vector and a number: every series keeps its labels."""
    out: Vector = {}
    comparison = op in ast.COMPARISON_OPS
    for key, value in vector.items():
        left, right = (literal, value) if literal_left else (value, literal)
        if comparison:
            holds = apply_binary(op, left, right, True) == 1.0
            if return_bool:
                out[key] = 1.0 if holds else 0.0
            elif holds:
                out[key] = value  # the vector's own value, whichever side it is on
            continue
        out[key] = scalar_binary(op, left, right, False)
    return out


def _signature(key: LabelKey, matching: ast.VectorMatching | None) -> LabelKey:
    if matching is None:
        return key
    names = set(matching.labels)
    if matching.on:
        return tuple((n, v) for n, v in key if n in names)
    return tuple((n, v) for n, v in key if n not in names)


def vector_binary(op: str, left: Vector, right: Vector, matching: ast.VectorMatching | None,
                  return_bool: bool) -> Vector:
    """Two vectors, matched on labels (``on``/``ignoring``, ``group_left``/``group_right``)."""
    if op in ast.SET_OPS:
        return _set_operation(op, left, right, matching)
    card = matching.card if matching is not None else "one-to-one"
    many, one = (right, left) if card == "one-to-many" else (left, right)
    ones: dict[LabelKey, tuple[LabelKey, float]] = {}
    for key in sorted(one):
        sig = _signature(key, matching)
        if sig in ones:
            side = "left" if card == "one-to-many" else "right"
            raise ExecutionError(f"found duplicate series on the {side} hand-side;many-to-many "
                                 "matching not allowed: matching labels must be unique on one side")
        ones[sig] = (key, one[key])
    out: Vector = {}
    matched: dict[LabelKey, set] = {}
    for key in sorted(many):
        sig = _signature(key, matching)
        if sig not in ones:
            continue
        one_key, one_value = ones[sig]
        metric = _result_metric(key, one_key, matching)
        if card == "one-to-one":
            if sig in matched:
                raise ExecutionError("multiple matches for labels: many-to-one matching must be "
                                     "explicit (group_left/group_right)")
            matched[sig] = set()
        else:
            seen = matched.setdefault(sig, set())
            if metric in seen:
                raise ExecutionError("multiple matches for labels: grouping labels must ensure "
                                     "unique matches")
            seen.add(metric)
        lv, rv = (one_value, many[key]) if card == "one-to-many" else (many[key], one_value)
        if op in ast.COMPARISON_OPS:
            holds = apply_binary(op, lv, rv, True) == 1.0
            if return_bool:
                out[metric] = 1.0 if holds else 0.0
            elif holds:
                out[metric] = lv
            continue
        out[metric] = scalar_binary(op, lv, rv, False)
    return out


def _result_metric(key: LabelKey, other: LabelKey, matching: ast.VectorMatching | None
                   ) -> LabelKey:
    if matching is None:
        return key
    labels = dict(key)
    if matching.card == "one-to-one":
        names = set(matching.labels)
        labels = {n: v for n, v in labels.items() if (n in names) == matching.on}
    other_labels = dict(other)
    for name in matching.include:  # group_x(labels) copies these from the "one" side
        if other_labels.get(name):
            labels[name] = other_labels[name]
        else:
            labels.pop(name, None)
    return label_key(labels)


def _set_operation(op: str, left: Vector, right: Vector,
                   matching: ast.VectorMatching | None) -> Vector:
    right_sigs = {_signature(k, matching) for k in right}
    if op == "and":
        return {k: v for k, v in left.items() if _signature(k, matching) in right_sigs}
    if op == "unless":
        return {k: v for k, v in left.items() if _signature(k, matching) not in right_sigs}
    left_sigs = {_signature(k, matching) for k in left}
    out = dict(left)
    for key, value in right.items():
        if _signature(key, matching) not in left_sigs:
            out[key] = value
    return out


# ---- label_replace -----------------------------------------------------------------------

def label_replace(vector: Vector, node: ast.LabelReplace, regex) -> Vector:
    out: Vector = {}
    for key, value in vector.items():
        labels = dict(key)
        match = regex.match(labels.get(node.src, ""))
        if match is not None:
            result = expand(node.replacement, match)
            labels.pop(node.dst, None)
            if result:
                labels[node.dst] = result
            key = label_key(labels)
        if key in out:
            raise ExecutionError("vector cannot contain metrics with the same labelset")
        out[key] = value
    return out


# ---- formatting --------------------------------------------------------------------------

def format_value(value: float) -> str:
    """Go's ``strconv.FormatFloat(v, 'f', -1, 64)``, as Loki writes sample values."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return np.format_float_positional(value, unique=True, trim="-")


def format_time(ns: int) -> int | float:
    """Unix seconds with millisecond precision (Prometheus' JSON timestamp)."""
    ms = ns // 1_000_000
    return ms // 1000 if ms % 1000 == 0 else ms / 1000
