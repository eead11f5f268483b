"""Runs parsed LogQL on a :class:`~nl2logql.engine.store.LogStore` with Grafana Loki's
semantics and returns Loki's HTTP API ``data`` objects (``streams``, ``vector``,
``matrix``, ``scalar``).

- Log queries cover ``[start, end)``; entries come newest first (``backward``) or
  oldest first, at most ``limit`` of them, grouped into streams by their final labels.
- A range aggregation at time ``T`` sees the samples in ``(T - range - offset,
  T - offset]``; a range query evaluates every ``step`` from ``start`` to ``end``.
- A sample whose labels carry ``__error__`` fails the query, as in Loki, unless a
  label filter removed it.

Line filters that come before anything rewriting the line run first, over a whole
stream at a time (:mod:`nl2logql.engine.filters`); the rest of the pipeline runs per
line with the stages of :mod:`nl2logql.engine.stages`, except that a leading ``regexp``
runs over all the surviving lines at once (``RegexpParser.process_many``), and a range
aggregation over ``selector |= ... | regexp ... [| unwrap x]`` keys its samples straight
from the captured values, without a per-line label builder (``_BatchExtract``). As in
Loki, a ``sum`` over ``count_over_time``/``rate``/``bytes_*``/``sum_over_time`` pushes
its grouping down into the sample extraction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from nl2logql.engine import aggregations as agg
from nl2logql.engine import stages as st
from nl2logql.engine.backend import Data
from nl2logql.engine.filters import CONVERSIONS, LineTest, block_for, label_test, runtime_regex
from nl2logql.engine.labels import (
    ERROR_DETAILS_LABEL,
    ERROR_LABEL,
    PRESERVE_ERROR_LABEL,
    LabelsBuilder,
)
from nl2logql.engine.store import LabelKey, LogStore, Stream, label_key
from nl2logql.errors import ExecutionError
from nl2logql.logql import ast
from nl2logql.logql.parser import parse
from nl2logql.logql.units import SECOND

INSTANT_LOG_QUERY = ("log queries are not supported as an instant query type, please change "
                     "your query to a range query type")
MAX_STEPS = 11_000  # Loki refuses range queries with more points than this


# ---- pipelines -----------------------------------------------------------------------------

class _LineFilterStage:
    def __init__(self, test: LineTest):
        self.test = test

    def process(self, ts: int, line: str, lbs: LabelsBuilder) -> tuple[str, bool]:
        return line, self.test.matches(line)


class _LabelFilterStage:
    def __init__(self, expr: ast.LabelFilterExpr):
        self.test = label_test(expr)

    def process(self, ts: int, line: str, lbs: LabelsBuilder) -> tuple[str, bool]:
        return line, self.test(lbs)


def _label_specs(items) -> list:
    return [item.name if isinstance(item, ast.LabelName)
            else st.LabelMatcher(item.name, item.op, item.value) for item in items]


def build_stage(node: ast.Stage):
    """The per-line stage object for one pipeline stage of the AST."""
    try:
        if isinstance(node, ast.LineFilter):
            return _LineFilterStage(LineTest(node))
        if isinstance(node, ast.LabelFilter):
            return _LabelFilterStage(node.expr)
        if isinstance(node, ast.JsonParser):
            if not node.params:
                return st.JSONParser()
            return st.JSONExpressionParser([(p.label, p.expression or p.label)
                                            for p in node.params])
        if isinstance(node, ast.LogfmtParser):
            if not node.params:
                return st.LogfmtParser(node.strict, node.keep_empty)
            return st.LogfmtExpressionParser([(p.label, p.expression or p.label)
                                              for p in node.params], node.strict)
        if isinstance(node, ast.RegexpParser):
            return st.RegexpParser(node.pattern)
        if isinstance(node, ast.PatternParser):
            return st.PatternParser(node.pattern)
        if isinstance(node, ast.UnpackParser):
            return st.UnpackParser()
        if isinstance(node, ast.LineFormat):
            return st.LineFormatter(node.template)
        if isinstance(node, ast.LabelFormat):
            return st.LabelsFormatter([
                st.LabelFmt.templated(i.dst, i.src) if i.template else st.LabelFmt.renamed(i.dst, i.src)
                for i in node.items])
        if isinstance(node, ast.Decolorize):
            return st.Decolorize()
        if isinstance(node, ast.DropLabels):
            return st.DropLabels(_label_specs(node.labels))
        if isinstance(node, ast.KeepLabels):
            return st.KeepLabels(_label_specs(node.labels))
    except ValueError as error:  # what Loki rejects when it builds the pipeline
        raise ExecutionError(f"{_describe(node)}: {error}") from None
    raise ExecutionError(f"unsupported pipeline stage {type(node).__name__}")


_LINE_REWRITERS = (ast.LineFormat, ast.Decolorize, ast.UnpackParser)


def _describe(node: ast.Node) -> str:
    try:
        return str(node).strip()
    except Exception:  # noqa: BLE001 - the printer is a convenience, never a reason to fail
        return type(node).__name__


@dataclass
class Entry:
    """One line that went through the pipeline (``lbs`` is only valid until the next)."""

    ts: int
    line: str
    lbs: LabelsBuilder | None  # None: no per-line stage, the labels are the stream's


class Pipeline:
    """A selector's pipeline: line filters hoisted to whole-stream scans, then per-line stages.

    Line filters commute with every stage that leaves the line alone (parsers, label
    filters, label_format, drop, keep), so all those before the first line rewriter
    run first, as one vectorised pass.
    """

    def __init__(self, stages: tuple[ast.Stage, ...]):
        self.prefilters: list[LineTest] = []
        self.stages = []
        rewritten = False
        for node in stages:
            if isinstance(node, ast.LineFilter) and not rewritten:
                self.prefilters.append(LineTest(node))
                continue
            rewritten = rewritten or isinstance(node, _LINE_REWRITERS)
            self.stages.append(build_stage(node))

    def candidates(self, stream: Stream, i: int, j: int) -> np.ndarray:
        """Indices in ``[i, j)`` of the entries that pass the hoisted line filters."""
        if not self.prefilters:
            return np.arange(i, j)
        whole = j - i > len(stream) // 2  # scanning the cached block pays off
        lines = stream.lines if whole else stream.lines[i:j]
        block = (lambda: block_for(stream.lines)) if whole else None
        mask = None
        for test in self.prefilters:
            hit = test.mask(lines, block)
            mask = hit if mask is None else mask & hit
        if whole:
            mask = mask[i:j]
        return np.flatnonzero(mask) + i

    def run(self, stream: Stream, indices: np.ndarray) -> Iterator[Entry]:
        """The entries at ``indices`` that the per-line stages keep."""
        ts_all, lines = stream.timestamps, stream.lines
        metadata = stream.metadata
        if not self.stages and metadata is None:
            for k in indices.tolist():
                yield Entry(int(ts_all[k]), lines[k], None)
            return
        lbs = LabelsBuilder(stream.labels)
        stages = [s.process for s in self.stages]
        positions = indices.tolist()
        batch = self.batch_parser()
        if batch is not None:
            # The first stage is a parser with a batch form: run it over every line at
            # once, then replay its result into each line's builder.
            apply = batch.apply
            rest = stages[1:]
            parsed = batch.process_many([lines[k] for k in positions])
            for k, values in zip(positions, parsed):
                ts, line = int(ts_all[k]), lines[k]
                lbs.reset(metadata[k] if metadata is not None else None)
                apply(values, lbs)
                for process in rest:
                    line, keep = process(ts, line, lbs)
                    if not keep:
                        break
                else:
                    yield Entry(ts, line, lbs)
            return
        for k in positions:
            ts, line = int(ts_all[k]), lines[k]
            lbs.reset(metadata[k] if metadata is not None else None)
            for process in stages:
                line, keep = process(ts, line, lbs)
                if not keep:
                    break
            else:
                yield Entry(ts, line, lbs)

    def batch_parser(self) -> st.RegexpParser | None:
        """The first per-line stage when it can run over many lines at once."""
        first = self.stages[0] if self.stages else None
        return first if isinstance(first, st.RegexpParser) else None


def _entry_key(stream: Stream, entry: Entry) -> LabelKey:
    if entry.lbs is None or not entry.lbs.changed:
        return stream.key
    return label_key(entry.lbs.labels())


# ---- the evaluator -------------------------------------------------------------------------

@dataclass
class _Scalar:
    value: float


class Evaluator:
    """Runs LogQL text (or a parsed expression) on one store."""

    def __init__(self, store: LogStore):
        self.store = store

    # -- public API --------------------------------------------------------------------------

    def query(self, logql: str | ast.Expr, *, time: int | None = None, limit: int | None = None,
              direction: str = "backward") -> Data:
        """Instant query at ``time`` (ns): a metric query gives a vector (or a scalar)."""
        expr = _parse(logql)
        time = self.store.default_time() if time is None else time
        if isinstance(expr, ast.LogQuery):
            raise ExecutionError(INSTANT_LOG_QUERY)
        result = self._metric(expr, [time])
        if isinstance(result, _Scalar):
            return {"resultType": "scalar",
                    "result": [agg.format_time(time), agg.format_value(result.value)]}
        vector = result[0]
        items = list(vector.items())
        if not _has_sort(expr):
            items.sort(key=lambda item: item[0])
        return {"resultType": "vector", "result": [
            {"metric": dict(key), "value": [agg.format_time(time), agg.format_value(value)]}
            for key, value in items]}

    def query_range(self, logql: str | ast.Expr, *, start: int, end: int,
                    step: int | None = None, limit: int | None = None,
                    direction: str = "backward") -> Data:
        """Range query: log lines in ``[start, end)``, or a matrix of metric steps."""
        expr = _parse(logql)
        if direction not in ("backward", "forward"):
            raise ExecutionError(f"invalid direction {direction!r}: use backward or forward")
        if isinstance(expr, ast.LogQuery):
            return self._logs(expr, start, end, limit, direction)
        step = default_step(start, end) if step is None else step
        if step <= 0:
            raise ExecutionError("zero or negative query resolution step widths are not "
                                 "accepted. Try a positive integer")
        if (end - start) // step + 1 > MAX_STEPS:
            raise ExecutionError("exceeded maximum resolution of 11,000 points per timeseries. "
                                 "Try decreasing the query resolution (?step=XX)")
        steps = list(range(start, end + 1, step))
        result = self._metric(expr, steps)
        if isinstance(result, _Scalar):
            result = [{(): result.value} for _ in steps]
        series: dict[LabelKey, list] = {}
        for t, vector in zip(steps, result):
            for key, value in vector.items():
                series.setdefault(key, []).append([agg.format_time(t), agg.format_value(value)])
        return {"resultType": "matrix", "result": [
            {"metric": dict(key), "values": series[key]} for key in sorted(series)]}

    def trace(self, logql: str | ast.Expr, *, start: int | None = None,
              end: int | None = None) -> list[tuple[str, int]]:
        """Where the lines go: ``(stage, lines left after it)`` for each selector and stage.

        For a metric query, every log range is traced over its own range before the
        default time. Parsers report how many lines they marked with ``__error__``.
        """
        expr = _parse(logql)
        if isinstance(expr, ast.LogQuery):
            default_start, default_end = self.store.default_range()
            return self._trace(expr, default_start if start is None else start,
                               default_end if end is None else end)
        at = self.store.default_time() if end is None else end
        steps: list[tuple[str, int]] = []
        for log_range in expr.find_all(ast.LogRange):
            lo = at - log_range.offset - log_range.range + 1
            steps.extend(self._trace(log_range.query, lo if start is None else start,
                                     at - log_range.offset + 1))
        return steps

    # -- log queries -------------------------------------------------------------------------

    def _logs(self, expr: ast.LogQuery, start: int, end: int, limit: int | None,
              direction: str) -> Data:
        pipeline = Pipeline(expr.stages)
        # output label key -> [(ts, source rank, position, line)]
        out: dict[LabelKey, list[tuple[int, int, int, str]]] = {}
        for rank, stream in enumerate(self.store.select(expr.selector.matchers,
                                                        start=start, end=end)):
            i, j = stream.between(start, end)
            indices = pipeline.candidates(stream, i, j)
            for position, entry in enumerate(pipeline.run(stream, indices)):
                out.setdefault(_entry_key(stream, entry), []).append(
                    (entry.ts, rank, position, entry.line))
        backward = direction == "backward"
        for entries in out.values():
            entries.sort(reverse=backward)
        if limit is not None:
            out = _limit(out, limit, backward)
        streams = sorted(out.items(), key=lambda item: _labels_string(item[0]))
        return {"resultType": "streams", "result": [
            {"stream": dict(key), "values": [[str(ts), line] for ts, _, _, line in entries]}
            for key, entries in streams if entries]}

    def _trace(self, expr: ast.LogQuery, start: int, end: int) -> list[tuple[str, int]]:
        streams = self.store.select(expr.selector.matchers, start=start, end=end)
        live: list[tuple[Stream, LabelsBuilder, list[tuple[int, str]]]] = []
        for stream in streams:
            i, j = stream.between(start, end)
            live.append((stream, LabelsBuilder(stream.labels),
                         [(int(t), stream.lines[k]) for k, t in
                          zip(range(i, j), stream.timestamps[i:j].tolist())]))
        # One builder state per line, replayed stage by stage.
        states = [[(ts, line, _fresh(lbs)) for ts, line in entries] for _, lbs, entries in live]
        report = [(_describe(expr.selector), sum(len(s) for s in states))]
        for node in expr.stages:
            stage = build_stage(node)
            errors = 0
            for index, lines in enumerate(states):
                kept = []
                for ts, line, lbs in lines:
                    had_error = lbs.has_err
                    line, keep = stage.process(ts, line, lbs)
                    if keep:
                        kept.append((ts, line, lbs))
                        errors += lbs.has_err and not had_error
                states[index] = kept
            remaining = sum(len(s) for s in states)
            label = _describe(node)
            if isinstance(node, ast.PARSER_STAGES) and errors:
                label += f" ({errors} with {ERROR_LABEL})"
            report.append((label, remaining))
        return report

    # -- metric queries ----------------------------------------------------------------------

    def _metric(self, expr: ast.Expr, steps: list[int]) -> list[agg.Vector] | _Scalar:
        if isinstance(expr, ast.Literal):
            return _Scalar(expr.value)
        if isinstance(expr, ast.VectorLiteral):
            return [{(): float(expr.value)} for _ in steps]
        if isinstance(expr, ast.RangeAggregation):
            return self._range_aggregation(expr, steps)
        if isinstance(expr, ast.VectorAggregation):
            inner_expr = expr.expr
            if (expr.op == "sum" and isinstance(inner_expr, ast.RangeAggregation)
                    and inner_expr.op in _PUSHABLE and inner_expr.grouping is None):
                # Loki's canInjectVectorGrouping: the samples are grouped by the sum's
                # labels as they are extracted (the sums are the same, the series fewer).
                inner = self._range_aggregation(inner_expr, steps,
                                                push=expr.grouping or ast.Grouping())
            else:
                inner = self._vectors(expr.expr, steps)
            return [dict(agg.vector_aggregate(expr.op, v, expr.grouping or ast.Grouping(),
                                              expr.param)) for v in inner]
        if isinstance(expr, ast.BinaryOp):
            return self._binary(expr, steps)
        if isinstance(expr, ast.LabelReplace):
            regex = runtime_regex(expr.regex, anchored=True)
            return [agg.label_replace(v, expr, regex) for v in self._vectors(expr.expr, steps)]
        if isinstance(expr, ast.LogQuery):
            raise ExecutionError("a log query cannot be used where a metric query is expected")
        raise ExecutionError(f"unsupported expression {type(expr).__name__}")

    def _vectors(self, expr: ast.Expr, steps: list[int]) -> list[agg.Vector]:
        result = self._metric(expr, steps)
        if isinstance(result, _Scalar):
            raise ExecutionError("expected a vector, got a number")
        return result

    def _binary(self, expr: ast.BinaryOp, steps: list[int]):
        left = self._metric(expr.left, steps)
        right = self._metric(expr.right, steps)
        if isinstance(left, _Scalar) and isinstance(right, _Scalar):
            # Loki folds literal-only arithmetic at parse time, comparisons giving 0 or 1.
            value = agg.scalar_binary(expr.op, left.value, right.value, True)
            return _Scalar(value)
        if isinstance(left, _Scalar):
            return [agg.literal_binary(expr.op, v, left.value, True, expr.bool) for v in right]
        if isinstance(right, _Scalar):
            return [agg.literal_binary(expr.op, v, right.value, False, expr.bool) for v in left]
        return [agg.vector_binary(expr.op, lv, rv, expr.matching, expr.bool)
                for lv, rv in zip(left, right)]

    def _range_aggregation(self, expr: ast.RangeAggregation, steps: list[int],
                           push: ast.Grouping | None = None) -> list[agg.Vector]:
        """One vector per step; ``push``: an enclosing ``sum``'s grouping, applied to
        each sample's labels as it is extracted (Loki's grouping push-down)."""
        log_range = expr.range
        lo = steps[0] - log_range.offset - log_range.range  # exclusive
        hi = steps[-1] - log_range.offset  # inclusive
        series = self._samples(expr, lo, hi, push)
        function = agg.range_function(expr)
        absent = _absent_labels(log_range.query.selector) if expr.op == "absent_over_time" \
            else None
        results: list[agg.Vector] = []
        for t in steps:
            window_lo, window_hi = t - log_range.offset - log_range.range, t - log_range.offset
            vector: agg.Vector = {}
            for key, (ts, values) in series.items():
                i = int(np.searchsorted(ts, window_lo, "right"))
                j = int(np.searchsorted(ts, window_hi, "right"))
                if j > i:
                    _check_error(key)
                    vector[key] = function(ts[i:j], values[i:j])
            if absent is not None:
                vector = {} if vector else {absent: 1.0}
            results.append(vector)
        return results

    def _samples(self, expr: ast.RangeAggregation, lo: int, hi: int,
                 push: ast.Grouping | None = None
                 ) -> dict[LabelKey, tuple[np.ndarray, np.ndarray]]:
        """Each series' samples in ``(lo, hi]``: sorted timestamps and their values."""
        log_range = expr.range
        pipeline = Pipeline(log_range.query.stages)
        grouping = expr.grouping if expr.grouping is not None else push
        extract = _extractor(expr, grouping)
        count_only = log_range.unwrap is None and expr.op not in ("bytes_over_time",
                                                                  "bytes_rate")
        if log_range.unwrap is not None:  # the unwrapped label never keys a series
            project = _projector(grouping or ast.Grouping(without=True), log_range.unwrap)
        else:
            project = _projector(grouping, None) if grouping is not None else None
        batch = _BatchExtract.make(expr, pipeline, project, extract)
        # whole-stream arrays: timestamps and values (None: all 1)
        chunks: dict[LabelKey, list[tuple[np.ndarray, np.ndarray | None]]] = {}
        points: dict[LabelKey, tuple[list[int], list[float]]] = {}  # per-line samples
        for stream in self.store.select(log_range.query.selector.matchers,
                                        start=lo + 1, end=hi + 1):
            i, j = stream.between(lo + 1, hi + 1)
            indices = pipeline.candidates(stream, i, j)
            if count_only and not pipeline.stages:
                # Nothing per line: the samples are the surviving timestamps, value 1, a
                # series for each distinct structured metadata (``detected_level``), as Loki.
                ts = stream.timestamps[indices]
                for labels, held in stream.split_by_metadata(indices):
                    key = label_key(labels) if project is None else project(labels)
                    chunks.setdefault(key, []).append((ts[held], None))
                continue
            if batch is not None and batch.run(stream, indices, chunks):
                continue
            for entry in pipeline.run(stream, indices):
                sample = extract(stream, entry)
                if sample is not None:
                    ts_list, value_list = points.setdefault(sample[0], ([], []))
                    ts_list.append(entry.ts)
                    value_list.append(sample[1])
        series = {}
        for key in chunks.keys() | points.keys():
            parts = chunks.get(key, [])
            ts_parts = [part[0] for part in parts]
            value_parts = [np.ones(len(t)) if v is None else v for t, v in parts]
            if key in points:
                ts_parts.append(np.array(points[key][0], np.int64))
                value_parts.append(np.array(points[key][1], float))
            ts, values = np.concatenate(ts_parts), np.concatenate(value_parts)
            # Several streams can feed one series (parsed labels, keep/drop, grouping).
            if len(ts) > 1 and np.any(ts[1:] < ts[:-1]):
                order = np.argsort(ts, kind="stable")
                ts, values = ts[order], values[order]
            series[key] = (ts, values)
        return series


_PUSHABLE = ("bytes_over_time", "bytes_rate", "sum_over_time", "rate", "count_over_time")


# ---- sample extraction -------------------------------------------------------------------

Extract = Callable[[Stream, Entry], "tuple[LabelKey, float] | None"]
Project = Callable[[dict], LabelKey]


def _projector(grouping: ast.Grouping, unwrap: ast.Unwrap | None) -> Project:
    """A sample's series key under ``grouping`` (for labels without ``__error__``):
    ``by`` keeps those labels; ``without`` (or no labels at all with an unwrap) drops
    them, and with an unwrap the unwrapped label too, as Loki's extractors do."""
    if not grouping.without and (grouping.labels or unwrap is None):
        names = sorted(set(grouping.labels))

        def keep(labels: dict) -> LabelKey:
            return tuple([(n, labels[n]) for n in names if labels.get(n)])
        return keep
    drop = set(grouping.labels)
    if unwrap is not None:
        drop.add(unwrap.label)
    if not grouping.without and unwrap is not None:
        return lambda labels: ()  # by (): Loki's noLabels

    def without(labels: dict) -> LabelKey:
        return label_key({k: v for k, v in labels.items() if k not in drop})
    return without


def _extractor(expr: ast.RangeAggregation, grouping: ast.Grouping | None = None) -> Extract:
    """How one pipeline entry becomes a sample: its series key and value (or None).

    ``grouping``: the range aggregation's own, or the one pushed down from a ``sum``."""
    unwrap = expr.range.unwrap
    if unwrap is None:
        if grouping is None:
            key_of = _entry_key
        else:
            project = _projector(grouping, None)
            cache: list = [None, ()]

            def key_of(stream: Stream, entry: Entry) -> LabelKey:
                lbs = entry.lbs
                if lbs is None or not lbs.changed:
                    if cache[0] is not stream:
                        cache[0], cache[1] = stream, project(stream.labels)
                    return cache[1]
                if lbs.has_err:
                    return label_key(lbs.labels())  # errors keep every label, so they show
                return project(lbs.labels())
        if expr.op in ("bytes_over_time", "bytes_rate"):
            def line_bytes(stream: Stream, entry: Entry):
                line = entry.line
                size = len(line) if line.isascii() else len(line.encode("utf-8"))
                return key_of(stream, entry), float(size)
            return line_bytes
        return lambda stream, entry: (key_of(stream, entry), 1.0)

    convert = CONVERSIONS[unwrap.conversion]
    post = [label_test(f) for f in unwrap.filters]
    name = unwrap.label
    project = _projector(grouping or ast.Grouping(without=True), unwrap)

    def unwrapped(stream: Stream, entry: Entry):
        lbs = entry.lbs
        if lbs is None:
            lbs = LabelsBuilder(stream.labels)
        text = lbs.get(name)
        if not text:
            return None  # a line without the label gives no sample (Loki issue 6713)
        try:
            value = convert(text)
        except ValueError as error:
            value = 0.0
            lbs.set_error(st.ERR_SAMPLE_EXTRACTION, str(error))
        for test in post:
            if not test(lbs):
                return None
        labels = lbs.labels()
        if lbs.has_err:
            return label_key(labels), value  # errors keep every label, so they show
        return project(labels), value
    return unwrapped


class _BatchExtract:
    """Samples of the common shape ``selector |= ... | regexp ... [| unwrap x]`` without
    a per-line builder: one RE2 pass per line on bytes, and a series key per distinct
    tuple of captured values (the labels are the stream's plus the captures)."""

    def __init__(self, parser: st.RegexpParser, project: Project | None,
                 unwrap: ast.Unwrap | None, extract: Extract):
        self.parser = parser
        self.project = project
        self.unwrap = unwrap
        self.convert = CONVERSIONS[unwrap.conversion] if unwrap is not None else None
        self.extract = extract

    @classmethod
    def make(cls, expr: ast.RangeAggregation, pipeline: Pipeline, project: Project | None,
             extract: Extract) -> _BatchExtract | None:
        parser = pipeline.batch_parser()
        if parser is None or len(pipeline.stages) != 1:
            return None
        unwrap = expr.range.unwrap
        if unwrap is None:
            if expr.op in ("bytes_over_time", "bytes_rate"):
                return None
        elif unwrap.filters or unwrap.label in (ERROR_LABEL, ERROR_DETAILS_LABEL):
            return None
        return cls(parser, project, unwrap, extract)

    def run(self, stream: Stream, indices: np.ndarray,
            chunks: dict[LabelKey, list[tuple[np.ndarray, np.ndarray | None]]]) -> bool:
        """Add the stream's samples to ``chunks``; False: not this stream (use the
        per-line path)."""
        if stream.metadata is not None:
            return False
        parser = self.parser
        base = stream.labels
        names = parser.label_names(base)
        if any(n in (ERROR_LABEL, ERROR_DETAILS_LABEL) for n in names):
            return False
        project = self.project
        positions = indices.tolist()
        lines = stream.lines
        parsed = parser.process_many([lines[k] for k in positions])

        keys: list[LabelKey] = []
        code_of_key: dict[LabelKey, int] = {}
        cache: dict[tuple[str, ...] | None, int] = {}

        def code_for(values: tuple[str, ...] | None) -> int:
            labels = base
            if values is not None:
                labels = dict(base)
                labels.update(zip(names, values))
            key = label_key(labels) if project is None else project(labels)
            code = code_of_key.get(key)
            if code is None:
                code = code_of_key[key] = len(keys)
                keys.append(key)
            cache[values] = code
            return code

        get = cache.get
        codes: list[int] = []
        if self.unwrap is None:
            for values in parsed:
                code = get(values)
                codes.append(code_for(values) if code is None else code)
            kept = indices
            values_out = None
        else:
            name = self.unwrap.label
            slot = max((n for n, label in enumerate(names) if label == name), default=-1)
            constant = base.get(name)
            convert = self.convert
            kept_list: list[int] = []
            numbers: list[float] = []
            seen: dict[str, float] = {}  # text -> value: captured numbers repeat a lot
            lbs = None
            for k, values in zip(positions, parsed):
                text = values[slot] if slot >= 0 and values is not None else constant
                if not text:
                    continue  # a line without the label gives no sample (Loki issue 6713)
                number = seen.get(text)
                if number is not None:
                    code = get(values)
                    codes.append(code_for(values) if code is None else code)
                    kept_list.append(k)
                    numbers.append(number)
                    continue
                try:
                    number = seen[text] = convert(text)
                except ValueError:
                    # Rare: the error labels make this sample its own series; let the
                    # per-line extractor build it.
                    if lbs is None:
                        lbs = LabelsBuilder(base)
                    lbs.reset()
                    parser.apply(values, lbs)
                    key, number = self.extract(stream, Entry(int(stream.timestamps[k]),
                                                             lines[k], lbs))
                    code = code_of_key.get(key)
                    if code is None:
                        code = code_of_key[key] = len(keys)
                        keys.append(key)
                else:
                    code = get(values)
                    if code is None:
                        code = code_for(values)
                codes.append(code)
                kept_list.append(k)
                numbers.append(number)
            kept = np.array(kept_list, dtype=np.int64)
            values_out = np.array(numbers, dtype=float)
        if not codes:
            return True
        ts = stream.timestamps[kept]
        if len(keys) == 1:
            chunks.setdefault(keys[0], []).append((ts, values_out))
            return True
        code_array = np.array(codes, dtype=np.int64)
        order = np.argsort(code_array, kind="stable")  # stable: each series stays sorted
        bounds = np.concatenate(([0], np.cumsum(np.bincount(code_array, minlength=len(keys)))))
        ts = ts[order]
        if values_out is not None:
            values_out = values_out[order]
        for code, key in enumerate(keys):
            a, b = int(bounds[code]), int(bounds[code + 1])
            chunks.setdefault(key, []).append(
                (ts[a:b], None if values_out is None else values_out[a:b]))
        return True


def _check_error(key: LabelKey) -> None:
    labels = dict(key)
    if ERROR_LABEL in labels and labels.get(PRESERVE_ERROR_LABEL) != "true":
        error = labels[ERROR_LABEL]
        raise ExecutionError(
            f"pipeline error: '{error}' for series: '{_labels_string(key)}'. Use a label "
            f"filter to intentionally skip this error (e.g. | __error__!=\"{error}\"), or "
            f"skip all errors with | __error__=\"\"")


def _absent_labels(selector: ast.Selector) -> LabelKey:
    """Labels of absent_over_time's series: the selector's equality matchers, unless the
    same name is also matched some other way."""
    labels: dict[str, str] = {}
    others = set()
    for matcher in selector.matchers:
        if matcher.op == "=" and matcher.name not in labels:
            labels[matcher.name] = matcher.value
        else:
            others.add(matcher.name)
    return label_key({k: v for k, v in labels.items() if k not in others})


# ---- helpers -------------------------------------------------------------------------------

def _parse(logql: str | ast.Expr) -> ast.Expr:
    return parse(logql) if isinstance(logql, str) else logql


def _fresh(base: LabelsBuilder) -> LabelsBuilder:
    return LabelsBuilder(base.base)


def _has_sort(expr: ast.Expr) -> bool:
    return any(node.op in ("sort", "sort_desc") for node in expr.find_all(ast.VectorAggregation))


def _labels_string(key: LabelKey) -> str:
    """Prometheus' ``Labels.String()``: ``{a="x", b="y"}`` (Loki sorts streams by it)."""
    from nl2logql.logql.parser import quote

    return "{" + ", ".join(f"{name}={quote(value)}" for name, value in key) + "}"


def _limit(out: dict[LabelKey, list], limit: int, backward: bool) -> dict[LabelKey, list]:
    """Keep the ``limit`` entries that come first in the query's direction."""
    everything = [(entry[0], key, n) for key, entries in out.items()
                  for n, entry in enumerate(entries)]
    everything.sort(key=lambda item: (-item[0] if backward else item[0]))
    kept: dict[LabelKey, list] = {}
    for _, key, n in everything[:limit]:
        kept.setdefault(key, []).append(out[key][n])
    for entries in kept.values():
        entries.sort(reverse=backward)
    return kept


def default_step(start: int, end: int) -> int:
    """Loki's default resolution: (end - start) / 250, at least one second."""
    return max((end - start) // SECOND // 250, 1) * SECOND
