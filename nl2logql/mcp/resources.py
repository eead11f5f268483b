"""What the MCP server offers to read: a LogQL cheat sheet and example questions.

The cheat sheet's sentences are the explainer's own (:func:`nl2logql.logql.explain.explain`
run on one small example per construct), so it says exactly what ``explain_logql`` says.
The example questions come from the connected data's log patterns, as on the web UI.
"""

from __future__ import annotations

import functools

from nl2logql.logql.explain import explain

# (section, examples): the last step of each example explains its construct; an example
# given as (step kind, query) shows its last step of that kind instead.
CHEAT_SHEET_EXAMPLES: tuple[tuple[str, tuple[str | tuple[str, str], ...]], ...] = (
    ("Stream selectors (every query starts with one)", (
        '{app="api"}', '{app=~"api|web", env!="dev"}', '{app!~"test.*", env="prod"}')),
    ("Line filters", (
        '{app="api"} |= "error"', '{app="api"} != "debug"', '{app="api"} |~ "(?i)timeout"',
        '{app="api"} !~ "GET /health"', '{app="api"} |> "<_> error <_>"',
        '{app="api"} |= ip("10.0.0.0/8")')),
    ("Parsers (fields become labels)", (
        '{app="api"} | json', '{app="api"} | json status="response.code"',
        '{app="api"} | logfmt',
        '{app="api"} | pattern "<ip> - <_> \\"<method> <path> <_>\\" <status> <_>"',
        '{app="api"} | regexp "status=(?P<status>\\\\d{3})"', '{app="api"} | unpack')),
    ("Label filters (after a parser)", (
        '{app="api"} | logfmt | status >= 500', '{app="api"} | logfmt | duration > 1s',
        '{app="api"} | logfmt | level="error" or level="warn"',
        '{app="api"} | json | __error__=""')),
    ("Rewriting lines and labels", (
        '{app="api"} | logfmt | line_format "{{.status}} {{.path}}"',
        '{app="api"} | label_format service="{{.app}}"', '{app="api"} | drop pod, instance',
        '{app="api"} | keep app, level', '{app="api"} | decolorize')),
    ("Range aggregations over log lines (make a metric query)", (
        'count_over_time({app="api"}[5m])', 'rate({app="api"} |= "error" [1m])',
        'bytes_over_time({app="api"}[1h])', 'bytes_rate({app="api"}[5m])',
        'absent_over_time({app="api"}[15m])', 'count_over_time({app="api"}[1h] offset 1d)')),
    ("Range aggregations over extracted values", (
        ("unwrap", 'avg_over_time({app="api"} | logfmt | unwrap latency_ms [5m])'),
        'avg_over_time({app="api"} | logfmt | unwrap latency_ms [5m])',
        'max_over_time({app="api"} | logfmt | unwrap duration(took) [5m]) by (path)',
        'sum_over_time({app="api"} | json | unwrap bytes(size) [1h])',
        'quantile_over_time(0.99, {app="api"} | logfmt | unwrap latency_ms [5m]) by (path)',
        'rate_counter({app="api"} | logfmt | unwrap requests_total [5m])')),
    ("Aggregating series", (
        'sum by (host) (rate({app="api"}[5m]))', 'avg without (pod) (rate({app="api"}[5m]))',
        'count(rate({app="api"}[5m]))', 'topk(5, sum by (path) (rate({app="api"}[5m])))',
        'sort_desc(sum by (path) (rate({app="api"}[5m])))')),
    ("Operators between series and numbers", (
        'sum(rate({app="api"} |= "error" [5m])) / sum(rate({app="api"}[5m]))',
        'sum by (host) (rate({app="api"}[5m])) > 10',
        'sum by (host) (rate({app="api"}[5m])) > bool 10',
        'rate({app="api"}[5m]) and on (host) rate({app="web"}[5m])',
        'rate({app="api"}[5m]) unless rate({app="api"} |= "debug" [5m])')),
)

CHEAT_SHEET_INTRO = """\
# LogQL cheat sheet

A log query is a stream selector and a pipeline of stages, applied left to right:
`{selector} | stage | stage`. A metric query wraps a log query in a range aggregation
over a window, `count_over_time({selector} [5m])`, and may aggregate and combine the
series it makes. Durations: ms, s, m, h, d, w, y (`1h30m`). Strings: "double quotes"
with Go escapes, or `backquotes` taken as written (handy for regexes).

Each entry is a construct, what it does (as `explain_logql` says it) and a whole query
using it. `<expr>` stands for the part explained before.
"""


@functools.cache
def cheat_sheet() -> str:
    """The cheat sheet, in Markdown."""
    parts = [CHEAT_SHEET_INTRO]
    for section, queries in CHEAT_SHEET_EXAMPLES:
        parts.append(f"\n## {section}\n")
        for item in queries:
            kind, query = item if isinstance(item, tuple) else (None, item)
            step = [s for s in explain(query) if kind in (None, s.kind)][-1]
            parts.append(f"- {_code(step.fragment)}: {step.text}\n  e.g. {_code(query)}")
    return "\n".join(parts) + "\n"


def _code(text: str) -> str:
    # Markdown code spans holding a backquote need a longer fence, and spaces inside it.
    return f"`` {text} ``" if "`" in text else f"`{text}`"


def example_questions(groups, source: str, per_group: int = 3) -> str:
    """Questions about the connected data, in Markdown: ``per_group`` per distinct
    application (those logging the same patterns count once), from its most frequent
    log patterns. ``groups`` are :class:`~nl2logql.patterns.StreamPatterns`."""
    from nl2logql.patterns.sources import group_identical
    from nl2logql.ui.render import pattern_question, pattern_text, selector_name

    lines = [f"# Example questions for {source}", "",
             "Ask generate_logql any of these, or your own in the same words "
             "(name the application, the time range, and what to count or show):", ""]
    for selectors, group in group_identical(groups):
        name = selector_name(selectors[0])
        # Text cut out between two fields ('" status:', '): checking') reads as noise.
        telling = [p for p in group.patterns if pattern_text(p)[:1].isalnum()
                   or pattern_text(p)[:1] in "(["]
        lines += [f"- {pattern_question(p, name)}" for p in telling[:per_group]]
        lines.append(f"- show the newest lines of {name}")
    if len(lines) == 4:
        lines.append("- (no log patterns found: list_labels and label_values show what "
                     "there is to ask about)")
    return "\n".join(lines) + "\n"
