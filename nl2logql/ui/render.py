"""Pure functions from answers, queries and results to what the page shows.

Every piece of text that comes from a person, a model or a log line passes through
:func:`html.escape` (HTML) or :func:`md_escape` (the chat's Markdown) here, so the page
never renders it as markup. Nothing in this module imports Gradio.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence

from nl2logql.errors import QueryError
from nl2logql.logql import ast
from nl2logql.patterns.sources import group_identical
from nl2logql.verify.findings import CHECKED, PARSES

SNIPPET_WIDTH = 72        # characters of an error's source line shown around the caret: about
                          # what the answer column shows at 1400 px, so the caret stays on screen
MAX_ALTERNATIVES = 6
MAX_LINE_CHARS = 4000     # a log line longer than this is cut in the results table
STEP_ORDER = ("context", "model", "validate_and_run", "total")

# ---- escaping ---------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~:@$=])")


_TEMPLATE_CHARS = str.maketrans({"{": "&#123;", "}": "&#125;", "$": "&#36;", "`": "&#96;"})


def esc(text: object) -> str:
    """Text for HTML element content or a quoted attribute. Braces, ``$`` and backticks
    become character references too, so no client-side template (``${...}``,
    ``{{...}}``) can ever read log or user text as code."""
    return html.escape("" if text is None else str(text), quote=True).translate(_TEMPLATE_CHARS)


def md_escape(text: str) -> str:
    """Text for Markdown that shows as typed: HTML escaped, Markdown punctuation
    backslash-escaped (no emphasis, links, autolinks or headings), newlines kept."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def md_code_block(code: str, language: str = "logql") -> str:
    """A fenced code block whose fence is longer than any backtick run inside."""
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{code}\n{fence}"


# ---- syntax highlighting -----------------------------------------------------------------

_FUNCTIONS = set(ast.RANGE_OPS) | set(ast.VECTOR_OPS) | {"label_replace", "vector"}
_KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset",
             "and", "or", "unless"}
_STAGES = {"json", "logfmt", "regexp", "pattern", "unpack", "line_format", "label_format",
           "decolorize", "drop", "keep", "unwrap", "ip"}

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<str>"(?:[^"\\\n]|\\.)*"?|`[^`]*`?)
  | (?P<range>\[[^\]\n]*\]?)
  | (?P<flag>--[A-Za-z][\w-]*)
  | (?P<num>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?:[A-Za-z]+(?:\d+(?:\.\d+)?[A-Za-z]+)*)?)
  | (?P<word>[A-Za-z_][\w.]*)
  | (?P<op>\|=|\|~|\|>|!>|!=|!~|=~|==|>=|<=|[|=<>+\-*/%^!])
  | (?P<punct>[{}(),])
  | (?P<other>.)
""", re.VERBOSE | re.DOTALL)


def tokens(query: str) -> list[tuple[str, str]]:
    """``(kind, text)`` pairs covering ``query`` exactly, for highlighting; works on
    invalid text too. Kinds: space comment str range flag num fn kw stage label op
    punct other."""
    out = []
    for match in _TOKEN.finditer(query):
        kind, text = match.lastgroup, match.group()
        if kind == "word":
            lower = text.lower()
            if lower in _FUNCTIONS:
                kind = "fn"
            elif lower in _KEYWORDS:
                kind = "kw"
            elif lower in _STAGES:
                kind = "stage"
            else:
                kind = "label"
        elif kind == "flag":
            kind = "stage"
        out.append((kind, text))
    return out


def highlight(query: str) -> str:
    """``query`` as escaped HTML spans (``nl-t-<kind>``), for a ``<pre><code>``."""
    parts = []
    for kind, text in tokens(query):
        if kind == "space":
            parts.append(esc(text))
        else:
            parts.append(f'<span class="nl-t-{kind}">{esc(text)}</span>')
    return "".join(parts)


def query_block(query: str, *, copy: bool = True) -> str:
    """A highlighted query with a copy button (the button works through the card's JS)."""
    button = ('<button type="button" class="nl-copy" title="Copy the query">Copy</button>'
              if copy else "")
    return (f'<div class="nl-query">{button}<pre class="nl-logql"><code>{highlight(query)}'
            f"</code></pre></div>")


# ---- errors ------------------------------------------------------------------------------


def caret_snippet(error: QueryError, width: int = SNIPPET_WIDTH) -> str:
    """The error's source line and a caret under the column. A line longer than
    ``width`` is cut to a window around the caret, "…" marking each cut side, the whole
    at most ``width`` characters (an error far right in a long line stays on screen)."""
    lines = error.query.split("\n")
    if not (1 <= error.line <= len(lines)):
        return ""
    source = lines[error.line - 1].replace("\t", " ")
    column = max(1, error.column) - 1
    marks = max(1, len(error.offending)) if error.end is not None else 1
    start, end = 0, len(source)
    if len(source) > width:
        start = max(0, min(column - width // 2, len(source) - width))
        end = start + width
        start += start > 0          # room for the "…" of a cut side
        end -= end < len(source)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(source) else ""
    shown = source[start:end]
    caret_col = column - start + len(prefix)
    marks = max(1, min(marks, len(prefix) + len(shown) - caret_col))
    return f"{prefix}{shown}{suffix}\n{' ' * caret_col}{'^' * marks}"


def error_html(error: QueryError) -> str:
    """A query error: its kind, line and column, the message and the caret snippet."""
    snippet = caret_snippet(error)
    caret = f'<pre class="nl-caret">{esc(snippet)}</pre>' if snippet else ""
    where = f" at line {error.line}, column {error.column}" if error.query else ""
    return (f'<div class="nl-error"><span class="nl-badge nl-bad">✗ {esc(error.kind)}</span>'
            f"{where}: {esc(error.message)}{caret}</div>")


def verdict_html(query_kind: str | None, error: QueryError | None, *, empty: str = "") -> str:
    """The badge for text in an editor: valid (with its kind), the error, or ``empty``."""
    if error is not None:
        return error_html(error)
    if query_kind is None:
        return f'<div class="nl-hint">{esc(empty)}</div>' if empty else ""
    return f'<div class="nl-verdict">{badge(True, query_kind)}</div>'


def badge(valid: bool, query_kind: str | None = None) -> str:
    if valid:
        what = f"valid {query_kind} query" if query_kind else "valid"
        return f'<span class="nl-badge nl-ok">✓ {esc(what)}</span>'
    return '<span class="nl-badge nl-bad">✗ no valid query</span>'


# ---- explanations, alternatives, timings -------------------------------------------------


def steps_html(steps: Sequence) -> str:
    """The plain-English explanation: one item per step, with its LogQL fragment."""
    if not steps:
        return ""
    items = []
    for step in steps:
        fragment = (f' <code class="nl-frag">{highlight(step.fragment)}</code>'
                    if step.fragment else "")
        items.append(f"<li>{esc(step.text)}{fragment}</li>")
    return f'<ol class="nl-steps">{"".join(items)}</ol>'


def alternatives_html(candidates: Sequence, best: str | None) -> str:
    """The other candidates the model wrote, each with its verdict."""
    others = [c for c in candidates if (c.query or c.text) != best][:MAX_ALTERNATIVES]
    if not others:
        return ""
    items = []
    for c in others:
        if c.valid:
            note = badge(True, c.kind)
            if c.unknown_labels:
                note += f' <span class="nl-note">unknown labels: {esc(", ".join(c.unknown_labels))}</span>'
            if c.run_error:
                note += f' <span class="nl-note">failed to run: {esc(c.run_error)}</span>'
            elif c.ran:
                note += f' <span class="nl-note">{c.rows} rows</span>'
            if c.warnings:
                note += f' <span class="nl-note">⚠ {esc(c.warnings[0].reason)}</span>'
        else:
            note = f'<span class="nl-badge nl-bad">✗</span> <span class="nl-note">{esc(c.error)}</span>'
        items.append(f'<li><code class="nl-frag">{highlight(c.query or c.text)}</code><br>{note}</li>')
    return (f'<details class="nl-alts"><summary>Alternatives ({len(others)})</summary>'
            f'<ul>{"".join(items)}</ul></details>')


def seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


_COUNT_WORDS = ("tokens", "count", "forwards", "rows", "lines", "candidates")


def timing_text(name: str, value: float) -> str:
    """One timing as the page shows it: a rate (``*_per_s``) as ``N/s``, a count (a name
    naming tokens, rows…) as a plain number, anything else as a duration."""
    if name.endswith("_per_s"):
        return f"{name[:-len('_per_s')].replace('_', ' ')} {value:,.0f}/s"
    label = name.replace("_", " ")
    if any(word in name for word in _COUNT_WORDS):
        return f"{label} {value:,.0f}"
    return f"{label} {seconds(value)}"


def timings_text(timings: Mapping[str, float]) -> str:
    """``context 35 ms · model 1.20 s · total 1.31 s · model prompt tokens 644``: the
    main stages first."""
    names = [n for n in STEP_ORDER if n in timings]
    names += sorted(n for n in timings if n not in STEP_ORDER)
    return " · ".join(timing_text(n, timings[n]) for n in names)


# ---- the answer --------------------------------------------------------------------------


def level_text(generation) -> str:
    """How far a valid answer got, in words: ``passed every check``, ``returns data, 2
    warnings``, ``parses, not checked against data``."""
    if generation.level == CHECKED:
        return CHECKED
    level, count = generation.level or PARSES, len(generation.warnings)
    if count:
        return f"{level}, {count} warning{'s' if count != 1 else ''}"
    return f"{level}, not checked against data" if level == PARSES else f"{level}, not every check passed"


def warning_text(warning) -> str:
    """A warning's reason, and its fix's change when it has one."""
    return f"{warning.reason} (fix: {warning.fix.change})" if warning.fix else warning.reason


def verdict_text(generation) -> str:
    """A valid answer's verdict in one line, the same in the card and the chat: ``✓``
    only when it passed every check, else ``⚠`` and its level."""
    what = f"valid {generation.kind} query" if generation.kind else "valid query"
    if generation.level == CHECKED:
        return f"✓ {what}, {CHECKED}"
    return f"⚠ {what}: {level_text(generation)}"


def answer_badge(generation) -> str:
    """Green only for an answer that passed every check; amber, saying its level, for
    any other valid one; red when there is no valid query."""
    if not generation.valid:
        return badge(False)
    tone = "nl-ok" if generation.level == CHECKED else "nl-warn"
    return f'<span class="nl-badge {tone}">{esc(verdict_text(generation))}</span>'


def findings_html(generation) -> str:
    """The warnings, each on its own line, and the repairs made to the answer."""
    parts = []
    if generation.warnings:
        items = "".join(f"<li>{esc(warning_text(w))}</li>" for w in generation.warnings)
        parts.append(f'<ul class="nl-warnings">{items}</ul>')
    if generation.repairs:
        items = "".join(f"<li>{esc(r)}</li>" for r in generation.repairs)
        parts.append(f'<div class="nl-repairs">Repaired:<ul>{items}</ul></div>')
    return "".join(parts)


def answer_card(generation, note: str | None = None) -> str:
    """The answer card for a :class:`~nl2logql.generation.pipeline.Generation`; ``note``:
    a line about the question itself (it was cut)."""
    parts = ['<div class="nl-card">', f'<div class="nl-head">{answer_badge(generation)}</div>']
    if generation.valid:
        parts.append(findings_html(generation))
        parts.append(query_block(generation.pretty or generation.query))
    if generation.message:
        parts.append(f'<div class="nl-message">{esc(generation.message)}</div>')
    if note:
        parts.append(f'<div class="nl-note">{esc(note)}</div>')
    if generation.explanation:
        parts.append("<h4>What it does</h4>" + steps_html(generation.explanation))
    parts.append(alternatives_html(generation.candidates, generation.query))
    if generation.timings:
        parts.append(f'<div class="nl-timings">{esc(timings_text(generation.timings))}</div>')
    parts.append("</div>")
    return "".join(parts)


def query_card(query: str, query_kind: str, steps: Sequence, title: str = "") -> str:
    """A card for a query that did not come from the model (a shared link, history)."""
    head = f'<span class="nl-title">{esc(title)}</span> ' if title else ""
    return (f'<div class="nl-card"><div class="nl-head">{head}{badge(True, query_kind)}</div>'
            f"{query_block(query)}<h4>What it does</h4>{steps_html(steps)}</div>")


def message_card(text: str, tone: str = "info") -> str:
    """A card holding one message (``tone``: info, warn or error)."""
    return f'<div class="nl-card nl-{esc(tone)}"><div class="nl-message">{esc(text)}</div></div>'


def chat_answer(generation) -> str:
    """The assistant's chat message (Markdown): the same verdict as the card (✓ only when
    every check passed), the warnings and repairs, the query, the steps."""
    if not generation.valid:
        return "✗ " + md_escape(generation.message or "no valid query")
    lines = [md_escape(verdict_text(generation))]
    findings = [warning_text(w) for w in generation.warnings]
    findings += [f"Repaired: {r}" for r in generation.repairs]
    if findings:  # a list of its own (a blank line first, so Markdown does not merge them)
        lines += ["", *("- " + md_escape(f) for f in findings)]
    lines += ["", md_code_block(generation.pretty or generation.query)]
    if generation.message:
        lines += ["", "⚠ " + md_escape(generation.message)]
    if generation.explanation:
        lines.append("")
        lines += [f"{number}. {md_escape(step.text)}"
                  for number, step in enumerate(generation.explanation, 1)]
    return "\n".join(lines)


# ---- results -----------------------------------------------------------------------------


def labels_text(labels: Mapping[str, str]) -> str:
    return "{" + ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}"


def cut(text: str, limit: int = MAX_LINE_CHARS) -> str:
    """``text``, or its start and how much was left out when longer than ``limit``."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]} … ({len(text) - limit:,} more characters)"


def log_rows(data: Mapping) -> list[list[str]]:
    """``[time, labels, line]`` rows of a ``streams`` result, newest first (very long
    lines cut to :data:`MAX_LINE_CHARS`)."""
    from nl2logql.timeutil import format_time

    entries = []
    for stream in data.get("result", []):
        labels = labels_text(stream.get("stream", {}))
        for value in stream.get("values", []):
            entries.append((int(value[0]), labels, value[1]))
    entries.sort(key=lambda e: e[0], reverse=True)
    return [[format_time(ts), labels, cut(line)] for ts, labels, line in entries]


def _number(text) -> float:
    try:
        return float(text)
    except (TypeError, ValueError):
        return float("nan")


def metric_rows(data: Mapping) -> tuple[list[str], list[list]]:
    """Headers and rows of a ``vector``/``scalar``/``matrix`` result: one column per
    label, then the value (a matrix shows its last value per series)."""
    kind, result = data.get("resultType"), data.get("result", [])
    if kind == "scalar":
        return ["value"], [[_number(result[1])]] if result else []
    samples = []
    for item in result:
        if kind == "vector":
            value = item.get("value", [None, None])[1]
        else:
            values = item.get("values") or [[None, None]]
            value = values[-1][1]
        samples.append((item.get("metric", {}), _number(value)))
    names = sorted({name for metric, _ in samples for name in metric})
    rows = [[metric.get(name, "") for name in names] + [value] for metric, value in samples]
    return names + ["value"], rows


def chart_rows(data: Mapping, max_series: int = 12) -> tuple[list[list], int]:
    """``[time (s), value, series]`` rows of a ``matrix`` result for a line chart, the
    ``max_series`` series with the largest peaks; also how many series were left out."""
    series = []
    for item in data.get("result", []):
        points = [(float(ts), _number(v)) for ts, v in item.get("values", [])]
        points = [(ts, v) for ts, v in points if v == v and abs(v) != float("inf")]
        if points:
            series.append((labels_text(item.get("metric", {})), points))
    series.sort(key=lambda s: -max(v for _, v in s[1]))
    shown = series[:max_series]
    rows = [[ts, value, name] for name, points in shown for ts, value in points]
    return rows, len(series) - len(shown)


# Tableau 10 and two more: distinct colours for the chart's series.
PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1",
           "#ff9da7", "#9c755f", "#bab0ac", "#1f77b4", "#8c564b")


def series_colors(names: Sequence[str]) -> dict[str, str]:
    """A colour for each series name, in order (the palette repeats past 12)."""
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}


def legend_html(colors: Mapping[str, str]) -> str:
    """A wrapping legend: a swatch and the escaped name of each series."""
    items = "".join(f'<span class="nl-key"><span class="nl-swatch" style="background:{esc(color)}">'
                    f"</span>{esc(name)}</span>" for name, color in colors.items())
    return f'<div class="nl-legend">{items}</div>'


def result_summary(data: Mapping, limit: int | None = None) -> str:
    """One line: ``42 lines in 3 streams`` or ``5 series``."""
    kind, result = data.get("resultType"), data.get("result", [])
    if kind == "streams":
        lines = sum(len(s.get("values", [])) for s in result)
        text = f"{lines} line{'s' if lines != 1 else ''} in {len(result)} stream{'s' if len(result) != 1 else ''}"
        if limit is not None and lines >= limit:
            text += f" (the newest {limit} shown)"
        return text
    if kind == "scalar":
        return "1 scalar"
    return f"{len(result)} series"


def is_empty(data: Mapping) -> bool:
    if data.get("resultType") == "scalar":
        return False
    return not any(s.get("values") or s.get("value") for s in data.get("result", []))


def trace_rows(trace: Iterable[tuple[str, int]]) -> list[list]:
    """``[stage, lines left]`` rows of an evaluator trace."""
    return [[stage, int(count)] for stage, count in trace]


def first_empty_stage(trace: Sequence[tuple[str, int]]) -> str | None:
    for stage, count in trace:
        if count == 0:
            return stage
    return None


# ---- labels, sharing ---------------------------------------------------------------------


def labels_html(labels: Mapping[str, tuple[list[str], int]], source: str) -> str:
    """What a person can ask about: each label name with its first values."""
    if not labels:
        return f'<div class="nl-labels">{esc(source)}: no labels found.</div>'
    items = []
    for name, (values, total) in labels.items():
        shown = ", ".join(f"<code>{esc(v)}</code>" for v in values)
        more = f" … ({total} values)" if total > len(values) else ""
        items.append(f"<li><b>{esc(name)}</b>: {shown}{more}</li>")
    return (f'<div class="nl-labels"><div>Labels in {esc(source)}, to ask about:</div>'
            f'<ul>{"".join(items)}</ul></div>')


def share_text(question: str, query: str) -> str:
    parts = []
    if question:
        parts.append(f"Question: {question}")
    if query:
        parts.append(f"LogQL:\n{query}")
    return "\n".join(parts)


def share_link(base_url: str, question: str, query: str) -> str:
    """``base_url`` with the question and query in its query string (the page reads
    them back on load)."""
    from urllib.parse import urlencode

    params = {key: value for key, value in (("q", question), ("query", query)) if value}
    base = base_url.split("?", 1)[0].split("#", 1)[0]
    return f"{base}?{urlencode(params)}" if params else base


# ---- log patterns ------------------------------------------------------------------------

TOP_PATTERNS = 5          # patterns shown per application
MAX_PATTERN_ENTRIES = 12  # entries (applications, or groups of identical ones) shown
MAX_ENTRY_NAMES = 10      # application names spelt out in one entry
MAX_QUOTE_CHARS = 60      # of a pattern's text quoted in a question
MAX_EXAMPLE_CHARS = 300   # of a pattern's example line shown on hover

_SINGLE_LABEL = re.compile(r'^\{\s*[A-Za-z_]\w*\s*=\s*"((?:[^"\\]|\\.)*)"\s*\}$')
_LINE_FILTER = re.compile(r'^\|=\s*(?:"((?:[^"\\]|\\.)*)"|`([^`]*)`)$')
_FIELD_REF = re.compile(r"<([A-Za-z_][A-Za-z0-9_]*)>")
_PLACEHOLDER_ANY = re.compile(r"<[^<>\s]*>")


def selector_name(selector: str) -> str:
    """How a person names the streams of ``selector``: the value of a one-label
    selector (``{application="hdfs"}`` → ``hdfs``), else the selector itself."""
    match = _SINGLE_LABEL.match(selector or "")
    return re.sub(r"\\(.)", r"\1", match.group(1)) if match else (selector or "{}")


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def pattern_text(pattern) -> str:
    """The literal text that picks out ``pattern``'s lines: its line filter's string,
    else the longest literal run of its template."""
    match = _LINE_FILTER.match((pattern.line_filter or "").strip())
    if match:
        text = match.group(1)
        text = re.sub(r"\\(.)", r"\1", text) if text is not None else match.group(2)
    else:
        runs = [run.strip() for run in _PLACEHOLDER_ANY.split(pattern.template)]
        text = max(runs, key=len, default="") or pattern.template
    return _shorten(text, MAX_QUOTE_CHARS)


def pattern_question(pattern, name: str) -> str:
    """A question about ``pattern``'s lines on the application ``name``: counted per a
    word or IP field (``user`` first, then an IP), the average of a numeric one, or the
    lines themselves."""
    text = pattern_text(pattern)
    by = min((f for f in pattern.fields if f.type in ("word", "ip")), default=None,
             key=lambda f: (f.name != "user", f.type != "ip"))
    if by is not None:
        return f'how many "{text}" lines per {by.name} in the last hour on {name}?'
    number = next((f for f in pattern.fields if f.numeric), None)
    if number is not None:
        return f'what is the average {number.name} of "{text}" lines in the last hour on {name}?'
    return f'show lines like "{text}" on {name}'


def template_html(template: str, fields: Sequence) -> str:
    """The escaped template with its named fields highlighted (title: name and type);
    any other ``<...>`` is shown as text."""
    types = {f.name: f.type for f in fields}
    parts, pos = [], 0
    for match in _FIELD_REF.finditer(template):
        name = match.group(1)
        if name not in types:
            continue
        parts.append(esc(template[pos:match.start()]))
        parts.append(f'<span class="nl-field nl-f-{esc(types[name])}" title="{esc(name)}: '
                     f'{esc(types[name])}">&lt;{esc(name)}&gt;</span>')
        pos = match.end()
    parts.append(esc(template[pos:]))
    return "".join(parts)


def _entry_html(selectors: Sequence[str], group, top: int) -> str:
    names = [selector_name(s) for s in selectors]
    shown = ", ".join(esc(n) for n in names[1:MAX_ENTRY_NAMES])
    more = f", … {len(names) - MAX_ENTRY_NAMES} more" if len(names) > MAX_ENTRY_NAMES else ""
    also = (f' <span class="nl-note">and {len(names) - 1} more with the same lines: {shown}{more}</span>'
            if len(names) > 1 else "")
    each = " each" if len(names) > 1 else ""
    counts = (f'<span class="nl-note">{group.lines:,} lines{each}, '
              f'{len(group.patterns)} pattern{"s" if len(group.patterns) != 1 else ""}</span>')
    head = f'<div class="nl-phead"><b>{esc(names[0])}</b>{also} · {counts}</div>'
    if not group.patterns:
        return f'<div class="nl-pentry">{head}<div class="nl-note">no recurring lines found.</div></div>'
    items = []
    for pattern in group.patterns[:top]:
        question = pattern_question(pattern, names[0])
        query = pattern.query(selectors[0])
        fields = " · ".join(f"{esc(f.name)}: <i>{esc(f.type)}</i>" for f in pattern.fields)
        example = _shorten(pattern.example or "", MAX_EXAMPLE_CHARS)
        items.append(
            f'<li class="nl-pattern"><span class="nl-pcount">{pattern.count:,}</span>'
            f'<button type="button" class="nl-pask" data-question="{esc(question)}" '
            f'title="Ask: {esc(question)}&#10;e.g. {esc(example)}">'
            f"{template_html(pattern.template, pattern.fields)}</button>"
            f'<button type="button" class="nl-puse" data-query="{esc(query)}" '
            f'title="Put this query in the editor: {esc(query)}">use query</button>'
            + (f'<div class="nl-pfields">{fields}</div>' if fields else "") + "</li>")
    return f'<div class="nl-pentry">{head}<ol class="nl-plist">{"".join(items)}</ol></div>'


def patterns_html(groups: Sequence, source: str, *, top: int = TOP_PATTERNS,
                  max_entries: int = MAX_PATTERN_ENTRIES) -> str:
    """Each application's top patterns (identical deployments merged), every pattern a
    button holding its question and one holding its query (the panel's JS sends them)."""
    if not groups:
        return f'<div class="nl-patterns nl-note">{esc(source)}: no log lines to find patterns in.</div>'
    entries = group_identical(groups)
    body = "".join(_entry_html(selectors, group, top) for selectors, group in entries[:max_entries])
    if len(entries) > max_entries:
        left = [selector_name(s) for selectors, _ in entries[max_entries:] for s in selectors]
        body += (f'<div class="nl-note">… and {len(left)} more application{"s" if len(left) != 1 else ""}: '
                 f'{esc(", ".join(left[:20]))}{" …" if len(left) > 20 else ""}</div>')
    return (f'<div class="nl-patterns"><div class="nl-hint">Top log patterns in {esc(source)}, '
            "most frequent first: click one to ask about it, or <i>use query</i> to put its "
            f"LogQL in the editor.</div>{body}</div>")


def patterns_message(text: str, tone: str = "note") -> str:
    """The patterns panel holding one line (loading, or why there are no patterns)."""
    css = "nl-failure" if tone == "error" else "nl-note"
    return f'<div class="nl-patterns {css}">{esc(text)}</div>'
