"""LogQL → plain-English steps, in the order Loki evaluates them.

A metric query reads inside out: the stream selector, each pipeline stage, the unwrap,
the range aggregation, then vector aggregations and binary operators. Each
:class:`Step` pairs a sentence with the piece of LogQL it describes; for a node that
wraps others (an aggregation, a binary operator) the already-explained inner part of
the fragment is shown as ``<expr>``, as in Grafana's query explainer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass

from nl2logql.logql import ast
from nl2logql.logql.printer import format_ast
from nl2logql.logql.units import DAY, HOUR, MINUTE, MS, SECOND, format_duration

PLACEHOLDER = "<expr>"


@dataclass(frozen=True)
class Step:
    text: str
    fragment: str
    kind: str  # selector filter parser label_filter format labels unwrap range aggregation binary literal

    def to_dict(self) -> dict:
        return asdict(self)


def explain(query: str | ast.Expr) -> list[Step]:
    """Explain ``query`` (text, parsed and checked here, or an AST) as steps.

    Raises :class:`~nl2logql.errors.QueryError` for text Loki would reject.
    """
    if isinstance(query, str):
        from nl2logql.logql.parser import parse

        return list(_Explainer().expr(parse(query), top=True))
    return list(_Explainer().expr(query, top=True))


def explain_text(query: str | ast.Expr) -> str:
    """Numbered steps, each followed by its LogQL fragment, for a terminal."""
    lines = []
    for number, step in enumerate(explain(query), 1):
        lines.append(f"{number}. {step.text}")
        if step.fragment:
            lines.append(f"   {step.fragment}")
    return "\n".join(lines)


# ---- words for values --------------------------------------------------------------------

# Largest first; a duration reads in the largest unit that divides it ("90-minute").
_TIME_UNITS = (("day", DAY), ("hour", HOUR), ("minute", MINUTE), ("second", SECOND),
               ("millisecond", MS))


def duration_words(ns: int, adjective: bool = False) -> str:
    """``5m`` → "5 minutes" (or "5-minute" as an adjective); ``1h30m`` → "90 minutes"."""
    for unit, size in _TIME_UNITS:
        if ns and ns % size == 0:
            count = ns // size
            if adjective:
                return f"{count}-{unit}"
            return f"{count} {unit}" + ("" if count == 1 else "s")
    return format_duration(ns)


def number_words(value: float) -> str:
    return str(int(value)) if value == int(value) and abs(value) < 1e15 else repr(value)


def _bytes_words(count: int) -> str:
    for unit, size in (("EB", 10**18), ("PB", 10**15), ("TB", 10**12), ("GB", 10**9),
                       ("MB", 10**6), ("KB", 10**3), ("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if count and count % size == 0:
            return f"{count // size}{unit}"
    return f"{count}B"


def _quoted(value: str) -> str:
    # Show the value as a person would type it (no Go escaping), one line.
    return '"' + value.replace("\n", "\\n") + '"'


def _join(items: Iterable[str], word: str = "and") -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {word} " + items[-1]


def _ordinal(value: float) -> str:
    number = number_words(round(value * 100, 6))
    if number.endswith(("11", "12", "13")) or "." in number:
        suffix = "th"
    else:
        suffix = {"1": "st", "2": "nd", "3": "rd"}.get(number[-1], "th")
    return f"{number}{suffix}"


_MATCHER_WORDS = {"=": "is", "!=": "is not", "=~": "matches regex", "!~": "does not match regex"}


def matcher_words(matcher: ast.Matcher) -> str:
    if matcher.value == "" and matcher.op in ("=", "!="):
        return f"{matcher.name} {'is' if matcher.op == '=' else 'is not'} empty"
    return f"{matcher.name} {_MATCHER_WORDS[matcher.op]} {_quoted(matcher.value)}"


def _is_error_check(expr) -> bool:
    """``__error__=""``: the idiom that drops lines a parser or formatter failed on."""
    return (isinstance(expr, ast.StringFilter) and expr.matcher.name == "__error__"
            and expr.matcher.op == "=" and expr.matcher.value == "")


_CMP_WORDS = {"==": "is", "=": "is", "!=": "is not"}


def label_filter_words(expr) -> str:
    """A label filter expression as a condition: ``status >= 500 and (method is "GET" or ...)``."""
    if isinstance(expr, ast.BinaryLabelFilter):
        word = "or" if expr.op == "or" else "and"
        sides = []
        for side in (expr.left, expr.right):
            text = label_filter_words(side)
            # `or` binds looser than `and` and `,`: keep its grouping visible.
            if word == "and" and isinstance(side, ast.BinaryLabelFilter) and side.op == "or":
                text = f"({text})"
            sides.append(text)
        return f" {word} ".join(sides)
    if isinstance(expr, ast.StringFilter):
        return matcher_words(expr.matcher)
    if isinstance(expr, ast.IpFilter):
        negated = " not" if expr.op == "!=" else ""
        return f"{expr.name} is{negated} {_ip_words(expr.pattern)}"
    if isinstance(expr, ast.NumberFilter):
        value = number_words(expr.value)
    elif isinstance(expr, ast.DurationFilter):
        value = format_duration(expr.value)
    elif isinstance(expr, ast.BytesFilter):
        value = _bytes_words(expr.value)
    else:
        raise TypeError(f"not a label filter: {type(expr).__name__}")
    return f"{expr.name} {_CMP_WORDS.get(expr.op, expr.op)} {value}"


def _ip_words(pattern: str) -> str:
    # A CIDR or a range names many addresses; a bare address names one.
    return f"an IP in {pattern}" if ("/" in pattern or "-" in pattern) else f"IP {pattern}"


def parser_fields(stage: ast.Node) -> list[str]:
    """The labels a parser stage names: a regexp's captures, a pattern's fields,
    ``json``/``logfmt`` parameters (none for a parser that takes every field)."""
    if isinstance(stage, ast.RegexpParser):
        return _capture_names(stage.pattern)
    if isinstance(stage, ast.PatternParser):
        return _pattern_names(stage.pattern)
    return [extraction.label for extraction in getattr(stage, "params", ())]


# A regexp's named capture ``(?P<name>`` / ``(?<name>``, and a pattern's field ``<name>``.
CAPTURE = re.compile(r"\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>")
PATTERN_FIELD = re.compile(r"<([A-Za-z_][A-Za-z0-9_]*)>")


def without_captures(text: str, names: Iterable[str], *, pattern: bool) -> str:
    """``text``, a ``pattern`` parser's (else a regexp's), capturing none of ``names``: each
    such field ``<_>`` (a group kept, not named)."""
    names = set(names)
    if pattern:
        return PATTERN_FIELD.sub(lambda m: "<_>" if m.group(1) in names else m.group(), text)
    return CAPTURE.sub(lambda m: "(?:" if m.group(1) in names else m.group(), text)


def _capture_names(pattern: str) -> list[str]:
    from nl2logql.logql.checks import compile_regex

    try:
        groups = compile_regex(pattern).groupindex
        return sorted(groups, key=groups.get)
    except ValueError:  # an unchecked AST: fall back to a plain scan
        return CAPTURE.findall(pattern)


def _pattern_names(pattern: str) -> list[str]:
    return [name for name in PATTERN_FIELD.findall(pattern) if name != "_"]


# ---- sentences per node ------------------------------------------------------------------

_LINE_FILTER_VERBS = {
    "|=": ("Keep", "containing"), "!=": ("Drop", "containing"),
    "|~": ("Keep", "matching regex"), "!~": ("Drop", "matching regex"),
    "|>": ("Keep", "matching pattern"), "!>": ("Drop", "matching pattern"),
}


def _line_filter_text(node: ast.LineFilter) -> str:
    action, verb = _LINE_FILTER_VERBS[node.op]
    parts, last_verb = [], None
    for term in node.terms:
        term_verb, value = ("from", _ip_words(term.value)) if term.ip else (verb, _quoted(term.value))
        # "containing "a" or "b"": say the verb once while it stays the same.
        parts.append(value if term_verb == last_verb else f"{term_verb} {value}")
        last_verb = term_verb
    return f"{action} lines {' or '.join(parts)}"


def _extractions(params: tuple[ast.Extraction, ...]) -> str:
    return _join(p.label if p.expression is None else f"{p.label} from {_quoted(p.expression)}"
                 for p in params)


def _json_text(node: ast.JsonParser) -> str:
    if not node.params:
        return "Parse each line as JSON and extract all fields as labels"
    return f"Parse each line as JSON and extract {_extractions(node.params)}"


def _logfmt_text(node: ast.LogfmtParser) -> str:
    flags = [word for word, on in (("strict", node.strict), ("keep empty values", node.keep_empty)) if on]
    text = "Parse logfmt key=value pairs" + (f" ({', '.join(flags)})" if flags else "")
    if node.params:
        return f"{text} and extract {_extractions(node.params)}"
    return f"{text} into labels"


def _regexp_text(node: ast.RegexpParser) -> str:
    return f"Extract labels with a regular expression: {', '.join(_capture_names(node.pattern))}"


def _pattern_text(node: ast.PatternParser) -> str:
    names = _pattern_names(node.pattern)
    label = "label" if len(names) == 1 else "labels"
    return f"Extract {label} {_join(names)} with the pattern {_quoted(node.pattern)}"


def _label_format_text(node: ast.LabelFormat) -> str:
    phrases = [f"set label {item.dst} to {_quoted(item.src)}" if item.template
               else f"rename label {item.src} to {item.dst}" for item in node.items]
    text = _join(phrases)
    return text[:1].upper() + text[1:]


def _label_refs(refs) -> str:
    words = [ref.name if isinstance(ref, ast.LabelName) else f"{ref.name} (when {matcher_words(ref)})"
             for ref in refs]
    label = "label" if len(words) == 1 else "labels"
    return f"{label} {_join(words)}"


def _label_filter_text(expr, subject: str = "lines") -> str:
    if _is_error_check(expr):
        what = "parsing or formatting errors" if subject == "lines" else "conversion errors"
        return f"Drop {subject} with {what}"
    return f"Keep {subject} where {label_filter_words(expr)}"


def _unwrap_text(node: ast.Unwrap) -> str:
    conversion = {"duration": " (as a duration in seconds)", "duration_seconds": " (as a duration in seconds)",
                  "bytes": " (as a byte size)"}.get(node.conversion or "", "")
    return f"Use the value of label {node.label}{conversion} as the sample value"


# ``{window}`` is "5-minute"; ``{of}`` is "lines" or "the values" (after an unwrap).
_RANGE_TEXTS = {
    "count_over_time": "Count {of} per {window} window",
    "rate": "Per-second rate of {of} over {window} windows",
    "rate_counter": "Per-second rate of the counter values over {window} windows, allowing for resets",
    "bytes_over_time": "Total bytes of lines per {window} window",
    "bytes_rate": "Bytes per second of lines over {window} windows",
    "avg_over_time": "Average of {of} over {window} windows",
    "sum_over_time": "Sum of {of} over {window} windows",
    "min_over_time": "Minimum of {of} over {window} windows",
    "max_over_time": "Maximum of {of} over {window} windows",
    "stddev_over_time": "Standard deviation of {of} over {window} windows",
    "stdvar_over_time": "Variance of {of} over {window} windows",
    "quantile_over_time": "{quantile} of {of} over {window} windows",
    "first_over_time": "First of {of} in each {window} window",
    "last_over_time": "Last of {of} in each {window} window",
    "absent_over_time": "1 when there are no {bare} in a {window} window, else nothing",
}


def _quantile_words(param: float | None) -> str:
    if param is None:
        return "Quantile"
    if param == 0.5:
        return "Median (50th percentile)"
    return f"{_ordinal(param)} percentile"


def _grouping_words(grouping: ast.Grouping | None, per: bool = False) -> str | None:
    """"by a and b" ("per a and b" for a range aggregation), "without a", or None."""
    if grouping is None:
        return None
    if per:
        if grouping.without:
            return f"per stream, ignoring {_join(grouping.labels)}" if grouping.labels else "per stream"
        return f"per {_join(grouping.labels)}" if grouping.labels else "into one series"
    if grouping.without:
        return f"without {_join(grouping.labels)}" if grouping.labels else "keeping all labels"
    return f"by {_join(grouping.labels)}" if grouping.labels else "into one series"


def _range_text(node: ast.RangeAggregation) -> str:
    log_range = node.range
    values = "the values" if log_range.unwrap else "lines"
    text = _RANGE_TEXTS[node.op].format(
        of=values, bare=values.removeprefix("the "), window=duration_words(log_range.range, adjective=True),
        quantile=_quantile_words(node.param))
    if log_range.offset:
        direction = "back" if log_range.offset > 0 else "forward"
        text += f", shifted {duration_words(abs(log_range.offset))} {direction}"
    grouping = _grouping_words(node.grouping, per=True)
    return f"{text}, {grouping}" if grouping else text


_VECTOR_NAMES = {"sum": "Sum", "avg": "Average", "count": "Number of series", "max": "Maximum",
                 "min": "Minimum", "stddev": "Standard deviation", "stdvar": "Variance"}


def _vector_text(node: ast.VectorAggregation) -> str:
    grouping = _grouping_words(node.grouping)
    if node.op in ("topk", "bottomk", "approx_topk"):
        rank = {"topk": "Top", "bottomk": "Bottom", "approx_topk": "Approximate top"}[node.op]
        text = f"{rank} {number_words(node.param or 0)} series by value"
        return f"{text}, {grouping.replace('by ', 'within each ', 1)}" if grouping else text
    if node.op in ("sort", "sort_desc"):
        return f"Sort series by value, {'descending' if node.op == 'sort_desc' else 'ascending'}"
    if grouping is None:
        return "Number of series" if node.op == "count" else f"{_VECTOR_NAMES[node.op]} across all series"
    return f"{_VECTOR_NAMES[node.op]} {grouping}"


_COMPARISONS = {"==": "equal to", "!=": "not equal to", ">": "greater than",
                ">=": "greater than or equal to", "<": "less than", "<=": "less than or equal to"}
_ARITHMETIC = {
    "+": "Add {left} and {right}",
    "-": "Subtract {right} from {left}",
    "*": "Multiply {left} by {right}",
    "/": "Divide {left} by {right}",
    "%": "Remainder of {left} divided by {right}",
    "^": "Raise {left} to the power of {right}",
}
_SET_OPS = {
    "and": "Keep the left series that have a match on the right",
    "or": "All left series, plus the right series that have no match on the left",
    "unless": "Keep the left series that have no match on the right",
}


def _operand(expr, side: str) -> str:
    return number_words(expr.value) if isinstance(expr, ast.Literal) else f"the {side} result"


def _binary_text(node: ast.BinaryOp) -> str:
    left, right = _operand(node.left, "left"), _operand(node.right, "right")
    if node.op in _COMPARISONS:
        condition = f"{left} is {_COMPARISONS[node.op]} {right}"
        text = (f"True (1) when {condition}, else false (0)" if node.bool
                else f"Keep only the series where {condition}")
    elif node.op in _SET_OPS:
        text = _SET_OPS[node.op]
    else:
        text = _ARITHMETIC[node.op].format(left=left, right=right)
    return text + _matching_words(node.matching)


def _matching_words(matching: ast.VectorMatching | None) -> str:
    if matching is None:
        return ""
    labels = f"({', '.join(matching.labels)})"
    text = f", matching on {labels}" if matching.on else f", matching on all labels except {labels}"
    if matching.card != "one-to-one":
        many, one = ("left", "right") if matching.card == "many-to-one" else ("right", "left")
        text += f", many {many} series to one {one} series"
        if matching.include:
            text += f" (copying {_join(matching.include)} from the {one})"
    return text


def _label_replace_text(node: ast.LabelReplace) -> str:
    return (f"Set label {node.dst} to {_quoted(node.replacement)} where label {node.src} "
            f"matches regex {_quoted(node.regex)}")


# Stage node type → (step kind, sentence).
_STAGES = {
    ast.LineFilter: ("filter", _line_filter_text),
    ast.JsonParser: ("parser", _json_text),
    ast.LogfmtParser: ("parser", _logfmt_text),
    ast.RegexpParser: ("parser", _regexp_text),
    ast.PatternParser: ("parser", _pattern_text),
    ast.UnpackParser: ("parser", lambda node: "Unpack each JSON line packed by Promtail, "
                                              "restoring the original line and its labels"),
    ast.LineFormat: ("format", lambda node: f"Rewrite each line as {_quoted(node.template)}"),
    ast.Decolorize: ("format", lambda node: "Strip ANSI color codes from each line"),
    ast.LabelFormat: ("labels", _label_format_text),
    ast.DropLabels: ("labels", lambda node: f"Drop {_label_refs(node.labels)}"),
    ast.KeepLabels: ("labels", lambda node: f"Keep only {_label_refs(node.labels)}"),
    ast.LabelFilter: ("label_filter", lambda node: _label_filter_text(node.expr)),
}


# ---- traversal ---------------------------------------------------------------------------

class _Explainer:
    def expr(self, node, top: bool = False) -> Iterator[Step]:
        if isinstance(node, ast.LogQuery):
            yield from self.log_query(node)
        elif isinstance(node, ast.RangeAggregation):
            yield from self.log_query(node.range.query)
            unwrap = node.range.unwrap
            if unwrap is not None:
                yield Step(_unwrap_text(unwrap), self.unwrap_fragment(unwrap), "unwrap")
                for condition in unwrap.filters:
                    stage = ast.LabelFilter(condition, span=condition.span)
                    yield Step(_label_filter_text(condition, "samples"), self.stage_fragment(stage),
                               "label_filter")
            yield Step(_range_text(node), self.fragment(node, [node.range.query]), "range")
        elif isinstance(node, ast.VectorAggregation):
            yield from self.expr(node.expr)
            yield Step(_vector_text(node), self.fragment(node, [node.expr]), "aggregation")
        elif isinstance(node, ast.BinaryOp):
            inner = [side for side in (node.left, node.right) if not isinstance(side, ast.Literal)]
            for side in inner:
                yield from self.expr(side)
            yield Step(_binary_text(node), self.fragment(node, inner), "binary")
        elif isinstance(node, ast.LabelReplace):
            yield from self.expr(node.expr)
            yield Step(_label_replace_text(node), self.fragment(node, [node.expr]), "labels")
        elif isinstance(node, ast.VectorLiteral):
            yield Step(f"A constant series with value {number_words(node.value)}", self.fragment(node), "literal")
        elif isinstance(node, ast.Literal):
            # Inside a binary operator the number is part of that step's sentence.
            if top:
                yield Step(f"The number {number_words(node.value)}", self.fragment(node), "literal")
        else:
            raise TypeError(f"cannot explain {type(node).__name__}")

    def log_query(self, node: ast.LogQuery) -> Iterator[Step]:
        matchers = _join(matcher_words(m) for m in node.selector.matchers)
        yield Step(f"Select log streams where {matchers}", self.fragment(node.selector), "selector")
        for stage in node.stages:
            kind, sentence = _STAGES[type(stage)]
            yield Step(sentence(stage), self.stage_fragment(stage), kind)

    def stage_fragment(self, stage: ast.Node) -> str:
        return self.fragment(stage)

    def unwrap_fragment(self, node: ast.Unwrap) -> str:
        # The filters after an unwrap get steps of their own.
        return self.fragment(node.replace(filters=()))

    def fragment(self, node: ast.Node, inner: Iterable[ast.Node] = ()) -> str:
        """The LogQL for ``node``, with the ``inner`` nodes (explained before) as <expr>."""
        printed = format_ast(node)
        for child in inner:
            child_text = format_ast(child)
            if child_text and child_text in printed:
                printed = printed.replace(child_text, PLACEHOLDER, 1)
        return printed
