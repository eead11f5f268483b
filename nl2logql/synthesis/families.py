"""Query families: each turns one application's events into a LogQL query and a way of
asking for it.

A family is a function ``(app, catalog, rng) -> Draft | None``; ``Draft.ask(rng)`` writes
one phrasing, so a query gets several. Together the families cover the LogQL features
NL2QL-exec's feature table lists (line filters and negations, regex filters, the four
parsers, label filters, the range aggregations, unwrap, grouping, topk/bottomk, offset,
thresholds, ratios, absent_over_time, line_format/label_format, regex selectors).
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from typing import Callable

from nl2logql.logql.explain import CAPTURE, PATTERN_FIELD, without_captures
from nl2logql.logql.parser import quote
from nl2logql.synthesis import wording
from nl2logql.synthesis.catalog import Application, Catalog, Event, logfmt_fields
from nl2logql.synthesis.catalog import regex_escape as _escape
from nl2logql.timephrases import UNIT_SECONDS, Window

Ask = Callable[[random.Random], str]

# Windows a question may state, weighted towards the common ones.
WINDOWS = ([Window(n * UNIT_SECONDS["m"]) for n in (5, 10, 15, 30, 90)]
           + [Window(n * UNIT_SECONDS["h"]) for n in (1, 1, 1, 2, 3, 6, 6, 12, 12, 24, 24, 48)]
           + [Window(n * UNIT_SECONDS["d"]) for n in (1, 2, 3, 7, 7, 30, 30)])
OFFSET_WINDOWS = [Window(w.seconds, w.seconds) for w in
                  (Window(300), Window(900), Window(3600), Window(3600), Window(86400))]


@dataclass
class Draft:
    family: str
    query: str
    kind: str              # "log" | "metric"
    ask: Ask
    pattern: str = ""      # the source pattern's id


# ---- shared pieces -------------------------------------------------------------------------

def _event(app: Application, rng: random.Random, need: str | None = None) -> Event | None:
    """A random event of ``app``; ``need``: "field" (a nameable field), "number" (a
    numeric one), "word" (a text one)."""
    events = app.events
    if need == "field":
        events = [e for e in events if e.fields]
    elif need == "number":
        events = [e for e in events if any(f.numeric for f in e.fields)]
    elif need == "word":
        events = [e for e in events if any(not f.numeric for f in e.fields)]
    return rng.choice(events) if events else None


def _field(ev: Event, rng: random.Random, numeric: bool | None = None):
    fields = [f for f in ev.fields if numeric is None or f.numeric == numeric]
    return rng.choice(fields) if fields else None


def _selector(app: Application, ev: Event | None, rng: random.Random) -> tuple[str, str]:
    """(selector, phrase): the application alone or, sometimes, with a stream label the
    event's lines all share (a component, a log file type)."""
    labels = ev.stream_labels if ev else {}
    if labels and rng.random() < 0.35:
        name = rng.choice(sorted(labels))
        return app.matcher(**{name: labels[name]}), " " + wording.stream_label(name, labels[name], rng)
    return app.selector, ""


def _extraction(ev: Event, name: str, rng: random.Random, alone: bool = False) -> str:
    """The stage that extracts ``name``: the pattern's own parser or a focused regexp;
    ``alone``: no other field (each would split the series an average or a quantile is
    taken over into one per value)."""
    focused = ev.focused_regexp(name)
    options = [x for x in (ev.pattern.pattern, ev.pattern.regexp, focused, focused) if x]
    stage = rng.choice(options)
    if not alone:
        return stage
    pattern = stage.startswith("| pattern")
    others = set((PATTERN_FIELD if pattern else CAPTURE).findall(stage)) - {name}
    return without_captures(stage, others, pattern=pattern)


def _sum_count(selector: str, filters: str, window: Window) -> str:
    """``sum(count_over_time(...))`` over ``window``, its offset included."""
    offset = f" offset {Window(window.offset).range}" if window.offset else ""
    return f"sum(count_over_time({selector}{filters} [{window.range}]{offset}))"


def _window(rng: random.Random) -> Window:
    return rng.choice(WINDOWS)


def _pick(rng: random.Random, *templates: str) -> str:
    return rng.choice(templates)


# ---- log queries ---------------------------------------------------------------------------

def line_filter(app, catalog, rng):
    ev = _event(app, rng)
    if not ev:
        return None
    sel, where = _selector(app, ev, rng)
    return Draft("line_filter", f"{sel} {ev.filter}", "log", lambda r: _pick(
        r, f"show {wording.event(ev, r)} {wording.application(app, r)}{where}",
        f"{wording.application(app, r)}{where}: {wording.event(ev, r)}",
        f"find the logs {wording.application(app, r)}{where} containing '{ev.literal.strip()}'",
        f"grep '{ev.literal.strip()}' {wording.application(app, r)}{where}"), ev.pattern.id)


def negative_filter(app, catalog, rng):
    ev = _event(app, rng)
    if not ev:
        return None
    sel, where = _selector(app, ev, rng)
    return Draft("negative_filter", f"{sel} != {quote(ev.literal)}", "log", lambda r: _pick(
        r, f"logs {wording.application(app, r)}{where} except {wording.event(ev, r)}",
        f"show {app.name}{where} lines that do not contain '{ev.literal.strip()}'",
        f"everything {wording.application(app, r)}{where} without '{ev.literal.strip()}'",
        f"hide '{ev.literal.strip()}' lines, show the rest {wording.application(app, r)}{where}"),
        ev.pattern.id)


def regex_filter(app, catalog, rng):
    if len(app.events) < 2:
        return None
    first, second = rng.sample(app.events, 2)
    a, b = first.literal.strip(), second.literal.strip()
    regex = f"{_escape(a)}|{_escape(b)}"
    op = "|~"
    return Draft("regex_filter", f"{app.selector} {op} {quote(regex)}", "log", lambda r: _pick(
        r, f"show lines {wording.application(app, r)} containing '{a}' or '{b}'",
        f"{app.name}: lines matching either '{a}' or '{b}'",
        f"logs {wording.application(app, r)} that mention '{a}' or '{b}'"), first.pattern.id)


def stream_label_lines(app, catalog, rng):
    if not app.stream_labels:
        return None
    name = rng.choice(sorted(app.stream_labels))
    value = rng.choice(app.stream_labels[name])
    phrase = lambda r: wording.stream_label(name, value, r)
    return Draft("stream_label", app.matcher(**{name: value}), "log", lambda r: _pick(
        r, f"show the logs {wording.application(app, r)} {phrase(r)}",
        f"{app.name} lines {phrase(r)}", f"all log lines {phrase(r)} {wording.application(app, r)}"))


def _word_value(ev: Event, name: str, rng: random.Random) -> str | None:
    values = [v for v in ev.values[name][:5] if " " not in v]
    return rng.choice(values) if values else None


def field_equals(app, catalog, rng):
    ev = _event(app, rng, "word")
    fld = ev and _field(ev, rng, numeric=False)
    value = fld and _word_value(ev, fld.name, rng)
    if not value:
        return None
    negate = rng.random() < 0.25
    op, says = ("!=", "is not") if negate else ("=", "is")
    query = f"{app.selector} {ev.filter} {_extraction(ev, fld.name, rng)} | {fld.name}{op}{quote(value)}"
    name = wording.field_name(fld.name)
    return Draft("field_equals", query, "log", lambda r: _pick(
        r, f"{wording.event(ev, r)} {wording.application(app, r)} where the {name} {says} {value}",
        f"show {wording.event(ev, r)} {wording.application(app, r)} with {name} {says} '{value}'",
        f"{app.name}: {wording.event(ev, r)}, only those whose {name} {says} {value}"), ev.pattern.id)


def field_regex(app, catalog, rng):
    ev = _event(app, rng, "word")
    fld = ev and _field(ev, rng, numeric=False)
    value = fld and _word_value(ev, fld.name, rng)
    if not value or len(value) < 3:
        return None
    prefix = value[: max(2, len(value) // 2)]
    query = (f"{app.selector} {ev.filter} {_extraction(ev, fld.name, rng)} "
             f"| {fld.name}=~{quote(_escape(prefix) + '.*')}")
    name = wording.field_name(fld.name)
    return Draft("field_regex", query, "log", lambda r: _pick(
        r, f"{wording.event(ev, r)} {wording.application(app, r)} where the {name} starts with '{prefix}'",
        f"show {wording.event(ev, r)} {wording.application(app, r)} whose {name} begins with {prefix}"),
        ev.pattern.id)


_COMPARISONS = [(">", ["above", "greater than", "more than", "over"]),
                ("<", ["below", "less than", "under"]),
                (">=", ["at least", "no less than"]), ("<=", ["at most", "no more than"])]


def numeric_filter(app, catalog, rng):
    ev = _event(app, rng, "number")
    fld = ev and _field(ev, rng, numeric=True)
    if not fld:
        return None
    threshold = _threshold(ev.values[fld.name], rng)
    if threshold is None:
        return None
    op, words = rng.choice(_COMPARISONS)
    query = f"{app.selector} {ev.filter} {_extraction(ev, fld.name, rng)} | {fld.name} {op} {threshold}"
    name = wording.field_name(fld.name)
    return Draft("numeric_filter", query, "log", lambda r: _pick(
        r, f"{wording.event(ev, r)} {wording.application(app, r)} where {name} is {r.choice(words)} {threshold}",
        f"show {wording.event(ev, r)} {wording.application(app, r)} with a {name} {r.choice(words)} {threshold}"),
        ev.pattern.id)


def structured_parser(app, catalog, rng):
    """``| logfmt`` or ``| json`` and a filter on one of the keys they extract."""
    events = [e for e in app.events if e.parser]
    if not events:
        return None
    ev = rng.choice(events)
    keys = _structured_keys(ev)
    if not keys:
        return None
    key, value = rng.choice(sorted(keys.items()))
    number = _number(value)
    if number is not None:
        op, words = rng.choice(_COMPARISONS[:2])
        condition = f"{key} {op} {wording.number(number)}"
        says = f"{key} is {rng.choice(words)} {wording.number(number)}"
    else:
        condition, says = f"{key}={quote(value)}", f"{key} is {value}"
    query = f"{app.selector} {ev.filter} | {ev.parser} | {condition}"
    return Draft(f"{ev.parser}_parser", query, "log", lambda r: _pick(
        r, f"{wording.event(ev, r)} {wording.application(app, r)} where {says}",
        f"parse the {ev.parser} in {wording.event(ev, r)} {wording.application(app, r)} and keep {says}"),
        ev.pattern.id)


def _structured_keys(ev: Event) -> dict[str, str]:
    if ev.parser == "json":
        try:
            data = json.loads(ev.pattern.example)
        except ValueError:
            return {}
        return {k: str(v) for k, v in data.items() if isinstance(v, (str, int, float))
                and re.match(r"^[A-Za-z_]\w*$", k)}
    return {k: v for k, v in logfmt_fields(ev.pattern.example).items() if not v.startswith("[")}


def line_format(app, catalog, rng):
    ev = _event(app, rng, "field")
    if not ev or len(ev.fields) < 1:
        return None
    chosen = rng.sample(ev.fields, min(len(ev.fields), rng.choice([1, 2, 2])))
    template = " ".join(f"{{{{.{f.name}}}}}" for f in chosen)
    names = " and ".join(wording.field_name(f.name) for f in chosen)
    stage = ev.pattern.pattern or ev.pattern.regexp
    query = f"{app.selector} {ev.filter} {stage} | line_format {quote(template)}"
    return Draft("line_format", query, "log", lambda r: _pick(
        r, f"show only the {names} of {wording.event(ev, r)} {wording.application(app, r)}",
        f"{wording.event(ev, r)} {wording.application(app, r)}, printed as just the {names}",
        f"reformat {wording.event(ev, r)} {wording.application(app, r)} to show {names}"), ev.pattern.id)


# ---- metric queries ------------------------------------------------------------------------

def count(app, catalog, rng):
    ev = _event(app, rng)
    if not ev:
        return None
    sel, where = _selector(app, ev, rng)
    w = _window(rng)
    query = _sum_count(sel, f" {ev.filter}", w)
    return Draft("count_over_time", query, "metric", lambda r: _pick(
        r, f"how many {wording.event(ev, r)} {wording.application(app, r)}{where} {wording.window(w, r)}",
        f"count {wording.event(ev, r)} {wording.application(app, r)}{where} {wording.window(w, r)}",
        f"number of {wording.event(ev, r)} {wording.window(w, r)} {wording.application(app, r)}{where}",
        f"{app.name}{where}: total {wording.event(ev, r)} {wording.window(w, r)}"), ev.pattern.id)


def total_lines(app, catalog, rng):
    w = _window(rng)
    sel, where = _selector(app, None, rng)
    return Draft("count_over_time", _sum_count(sel, "", w), "metric",
                 lambda r: _pick(r, f"how many log lines {wording.application(app, r)} {wording.window(w, r)}",
                                 f"total log volume in lines {wording.application(app, r)} {wording.window(w, r)}",
                                 f"line count {wording.window(w, r)} {wording.application(app, r)}"))


def rate(app, catalog, rng):
    ev = _event(app, rng)
    if not ev:
        return None
    w = _window(rng)
    per_minute = rng.random() < 0.3
    query = f"sum(rate({app.selector} {ev.filter} [{w.range}]))" + (" * 60" if per_minute else "")
    unit = "per minute" if per_minute else rng.choice(["per second", "/s", "per sec"])
    return Draft("rate", query, "metric", lambda r: _pick(
        r, f"rate of {wording.event(ev, r)} {unit} {wording.application(app, r)} {wording.window(w, r)}",
        f"{wording.event(ev, r)} {unit} {wording.application(app, r)}, averaged {wording.window(w, r)}",
        f"how fast are {wording.event(ev, r)} coming in ({unit}) {wording.application(app, r)} {wording.window(w, r)}"),
        ev.pattern.id)


def bytes_volume(app, catalog, rng):
    w = _window(rng)
    per_second = rng.random() < 0.3
    op = "bytes_rate" if per_second else "bytes_over_time"
    sel, where = _selector(app, None, rng)
    query = f"sum({op}({sel} [{w.range}]))"
    what = "bytes per second of logs" if per_second else "bytes of logs"
    return Draft("bytes_over_time", query, "metric", lambda r: _pick(
        r, f"how many {what} {wording.application(app, r)} {wording.window(w, r)}",
        f"log volume in {what.split(' of')[0]} {wording.application(app, r)} {wording.window(w, r)}"))


def count_by_label(app, catalog, rng):
    names = [n for n, values in app.stream_labels.items() if len(values) > 1]
    if not names:
        return None
    name = rng.choice(names)
    w = _window(rng)
    ev = _event(app, rng) if rng.random() < 0.4 else None
    filt = f" {ev.filter}" if ev else ""
    what = (lambda r: wording.event(ev, r)) if ev else (lambda r: "log lines")
    query = f"sum by ({name}) (count_over_time({app.selector}{filt} [{w.range}]))"
    readable = wording.field_name(name)
    return Draft("by_grouping", query, "metric", lambda r: _pick(
        r, f"{what(r)} per {readable} {wording.application(app, r)} {wording.window(w, r)}",
        f"count {what(r)} {wording.application(app, r)} by {readable}, {wording.window(w, r)}",
        f"break down {what(r)} {wording.application(app, r)} by {readable} {wording.window(w, r)}"),
        ev.pattern.id if ev else "")


def count_by_field(app, catalog, rng):
    ev = _event(app, rng, "field")
    fld = ev and _field(ev, rng)
    if not fld:
        return None
    w = _window(rng)
    query = (f"sum by ({fld.name}) (count_over_time({app.selector} {ev.filter} "
             f"{_extraction(ev, fld.name, rng)} [{w.range}]))")
    name = wording.field_name(fld.name)
    return Draft("count_by_field", query, "metric", lambda r: _pick(
        r, f"{wording.event(ev, r)} per {name} {wording.application(app, r)} {wording.window(w, r)}",
        f"how many {wording.event(ev, r)} for each {name} {wording.application(app, r)} {wording.window(w, r)}",
        f"count {wording.event(ev, r)} grouped by {name} {wording.window(w, r)} {wording.application(app, r)}"),
        ev.pattern.id)


def top_values(app, catalog, rng):
    ev = _event(app, rng, "field")
    fld = ev and _field(ev, rng)
    if not fld:
        return None
    w = _window(rng)
    n = rng.choice([1, 3, 3, 5, 10])
    top = rng.random() < 0.75
    op = "topk" if top else "bottomk"
    query = (f"{op}({n}, sum by ({fld.name}) (count_over_time({app.selector} {ev.filter} "
             f"{_extraction(ev, fld.name, rng)} [{w.range}])))")
    name = wording.field_name(fld.name)
    most = "most" if top else "fewest"
    names = f"{n} {name}s" if n > 1 else f"{name}"
    return Draft("topk_bottomk", query, "metric", lambda r: _pick(
        r, f"{'top' if top else 'bottom'} {n} {name}s by {wording.event(ev, r)} {wording.application(app, r)} {wording.window(w, r)}",
        f"which {names} had the {most} {wording.event(ev, r)} {wording.application(app, r)} {wording.window(w, r)}",
        f"the {n} {name}s with the {most} {wording.event(ev, r)} {wording.window(w, r)} {wording.application(app, r)}"),
        ev.pattern.id)


_UNWRAP_WORDS = {"sum": ["total", "sum of the"], "avg": ["average", "mean", "avg"],
                 "max": ["highest", "maximum", "max", "largest"],
                 "min": ["lowest", "minimum", "min", "smallest"]}


def unwrap(app, catalog, rng):
    ev = _event(app, rng, "number")
    fld = ev and _field(ev, rng, numeric=True)
    if not fld:
        return None
    w = _window(rng)
    op = rng.choice(sorted(_UNWRAP_WORDS))
    # (a sum of sums, a max of maxima are the same however the series are split)
    extraction = _extraction(ev, fld.name, rng, alone=op == "avg")
    inner = (f"{op}_over_time({app.selector} {ev.filter} {extraction} "
             f"| unwrap {fld.name} [{w.range}])")
    name = wording.field_name(fld.name)
    return Draft(f"{op}_over_time", f"{op}({inner})", "metric", lambda r: _pick(
        r, f"{r.choice(_UNWRAP_WORDS[op])} {name} in {wording.event(ev, r)} {wording.application(app, r)} {wording.window(w, r)}",
        f"what is the {r.choice(_UNWRAP_WORDS[op])} {name} of {wording.event(ev, r)} {wording.window(w, r)} {wording.application(app, r)}"),
        ev.pattern.id)


def quantile(app, catalog, rng):
    ev = _event(app, rng, "number")
    fld = ev and _field(ev, rng, numeric=True)
    if not fld:
        return None
    w = _window(rng)
    q = rng.choice([0.5, 0.9, 0.95, 0.99])
    query = (f"quantile_over_time({q}, {app.selector} {ev.filter} "
             f"{_extraction(ev, fld.name, rng, alone=True)} | unwrap {fld.name} [{w.range}])")
    name = wording.field_name(fld.name)
    pct = int(q * 100)
    return Draft("quantile_over_time", query, "metric", lambda r: _pick(
        r, f"p{pct} {name} of {wording.event(ev, r)} {wording.application(app, r)} {wording.window(w, r)}",
        f"{pct}th percentile of the {name} in {wording.event(ev, r)} {wording.window(w, r)} {wording.application(app, r)}"
        if pct != 50 else f"median {name} of {wording.event(ev, r)} {wording.application(app, r)} {wording.window(w, r)}"),
        ev.pattern.id)


def offset(app, catalog, rng):
    ev = _event(app, rng)
    if not ev:
        return None
    w = rng.choice(OFFSET_WINDOWS)
    query = _sum_count(app.selector, f" {ev.filter}", w)
    return Draft("offset", query, "metric", lambda r: _pick(
        r, f"how many {wording.event(ev, r)} {wording.application(app, r)} {wording.window(w, r)}",
        f"count of {wording.event(ev, r)} {wording.window(w, r)} {wording.application(app, r)}"),
        ev.pattern.id)


def period_change(app, catalog, rng):
    ev = _event(app, rng)
    if not ev:
        return None
    w = rng.choice(OFFSET_WINDOWS)
    current = Window(w.seconds)
    now, before = (_sum_count(app.selector, f" {ev.filter}", span) for span in (current, w))
    return Draft("period_diff", f"{now} - {before}", "metric", lambda r: _pick(
        r, f"are {wording.event(ev, r)} going up {wording.application(app, r)}? "
           f"{wording.window(current, r)} minus the period before",
        f"change in {wording.event(ev, r)} {wording.application(app, r)}: {wording.window(current, r)} "
        f"compared with {wording.window(w, r)}, as a difference"), ev.pattern.id)


def threshold(app, catalog, rng):
    ev = _event(app, rng, "field")
    fld = ev and _field(ev, rng)
    if not fld:
        return None
    w = _window(rng)
    n = rng.choice([1, 2, 3, 5, 10, 20])
    query = (f"sum by ({fld.name}) (count_over_time({app.selector} {ev.filter} "
             f"{_extraction(ev, fld.name, rng)} [{w.range}])) > {n}")
    name = wording.field_name(fld.name)
    return Draft("threshold", query, "metric", lambda r: _pick(
        r, f"which {name}s had more than {n} {wording.event(ev, r)} {wording.application(app, r)} {wording.window(w, r)}",
        f"{name}s with over {n} {wording.event(ev, r)} {wording.window(w, r)} {wording.application(app, r)}"),
        ev.pattern.id)


def ratio(app, catalog, rng):
    ev = _event(app, rng)
    if not ev:
        return None
    w = _window(rng)
    other = rng.choice(app.events) if rng.random() < 0.5 and len(app.events) > 1 else None
    part = _sum_count(app.selector, f" {ev.filter}", w)
    whole_filter = f" {other.filter}" if other and other is not ev else ""
    whole = _sum_count(app.selector, whole_filter, w)
    percent = rng.random() < 0.5
    query = (f"100 * {part} / {whole}") if percent else f"{part} / {whole}"
    against = (lambda r: wording.event(other, r)) if whole_filter else (lambda r: "all lines")
    what = "percentage" if percent else "ratio"
    return Draft("ratio", query, "metric", lambda r: _pick(
        r, f"{what} of {wording.event(ev, r)} to {against(r)} {wording.application(app, r)} {wording.window(w, r)}",
        f"{wording.event(ev, r)} as a {'percentage' if percent else 'fraction'} of {against(r)} "
        f"{wording.application(app, r)} {wording.window(w, r)}"),
        ev.pattern.id)


def absent(app, catalog, rng):
    ev = _event(app, rng)
    if not ev:
        return None
    w = rng.choice([Window(60), Window(300), Window(600), Window(900)])
    query = f"absent_over_time({app.selector} {ev.filter} [{w.range}])"
    return Draft("absent", query, "metric", lambda r: _pick(
        r, f"return 1 if there were no {wording.event(ev, r)} {wording.application(app, r)} {wording.window(w, r)}",
        f"alert if {wording.event(ev, r)} stopped {wording.application(app, r)}: none {wording.window(w, r)}?"),
        ev.pattern.id)


def label_format(app, catalog, rng):
    ev = _event(app, rng, "field")
    fld = ev and _field(ev, rng)
    if not fld:
        return None
    new = rng.choice(["key", "who", "source", "target", "item", "name"])
    if new in {f.name for f in ev.pattern.fields} or new in app.stream_labels:
        return None
    w = _window(rng)
    query = (f"sum by ({new}) (count_over_time({app.selector} {ev.filter} "
             f"{_extraction(ev, fld.name, rng)} | label_format {new}={fld.name} [{w.range}]))")
    name = wording.field_name(fld.name)
    return Draft("label_format", query, "metric", lambda r: _pick(
        r, f"{wording.event(ev, r)} per {name} {wording.application(app, r)} {wording.window(w, r)}, "
           f"with the {name} renamed to '{new}'",
        f"count {wording.event(ev, r)} {wording.application(app, r)} {wording.window(w, r)} by {name}, "
        f"label it {new}"), ev.pattern.id)


def across_applications(app, catalog, rng):
    siblings = catalog.families().get(app.family, [])
    if len(siblings) < 2:
        return None
    ev = _event(app, rng)
    if not ev:
        return None
    w = _window(rng)
    selector = f"{{{app.label}=~{quote(_escape(app.family) + '.*')}}}"
    per_app = rng.random() < 0.6
    grouping = f"sum by ({app.label}) " if per_app else "sum"
    query = f"{grouping}(count_over_time({selector} {ev.filter} [{w.range}]))"
    split = f" per {app.label}" if per_app else " in total"
    return Draft("regex_selector", query, "metric", lambda r: _pick(
        r, f"{wording.event(ev, r)} {wording.family(app.family, r)}{split} {wording.window(w, r)}",
        f"how many {wording.event(ev, r)} {wording.window(w, r)} {wording.family(app.family, r)}{split}"),
        ev.pattern.id)


def without(app, catalog, rng):
    names = sorted(n for n, values in app.stream_labels.items() if len(values) > 1)
    if len(names) < 2:
        return None
    dropped = rng.choice(names)
    w = _window(rng)
    query = f"sum without ({dropped}) (count_over_time({app.selector} [{w.range}]))"
    readable = wording.field_name(dropped)
    return Draft("without_grouping", query, "metric", lambda r: _pick(
        r, f"log lines {wording.application(app, r)} {wording.window(w, r)}, per stream but ignoring {readable}",
        f"count lines {wording.application(app, r)} {wording.window(w, r)} by every label except {readable}"))


FAMILIES: dict[str, Callable[[Application, Catalog, random.Random], Draft | None]] = {
    "line_filter": line_filter, "negative_filter": negative_filter, "regex_filter": regex_filter,
    "stream_label": stream_label_lines, "field_equals": field_equals, "field_regex": field_regex,
    "numeric_filter": numeric_filter, "structured_parser": structured_parser,
    "line_format": line_format, "count": count, "total_lines": total_lines, "rate": rate,
    "bytes": bytes_volume, "count_by_label": count_by_label, "count_by_field": count_by_field,
    "top_values": top_values, "unwrap": unwrap, "quantile": quantile, "offset": offset,
    "period_change": period_change, "threshold": threshold, "ratio": ratio, "absent": absent,
    "label_format": label_format, "across_applications": across_applications,
    "without": without,
}


# ---- helpers -------------------------------------------------------------------------------

def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _threshold(values: list[str], rng: random.Random) -> str | None:
    numbers = sorted(n for n in map(_number, values) if n is not None)
    if not numbers:
        return None
    return wording.number(numbers[len(numbers) // 2])
