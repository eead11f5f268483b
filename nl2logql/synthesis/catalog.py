"""What a backend holds, in the terms questions use: applications, their stream labels,
and events (the log patterns) with the fields each carries and values seen in them.

Everything here is read from the backend (labels, series, patterns, one extraction query
per event), so the same code works on the sample store, a user's files or a Loki.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from nl2logql.engine.backend import Backend
from nl2logql.errors import Nl2LogQLError
from nl2logql.logql import ast
from nl2logql.logql.parser import parse, quote
from nl2logql.patterns.describe import Field, Pattern
from nl2logql.patterns.sources import group_label, patterns

EVENTS_PER_APPLICATION = 40   # the most frequent patterns of each application
VALUES_KEPT = 20              # field values remembered per field, the most frequent first
MIN_LITERAL = 4               # a shorter line filter says too little to quote in a question
# Field names that only repeat the type: a question cannot name them ("per number").
_TYPE_NAMES = re.compile(r"^(?:number|word|text|value|id|ip|duration|bytes|size)?(?:_\d+)?$")
_FIELD_CAPTURE = {"number": r"[\d.]+", "duration": r"[\d.]+\w*", "bytes": r"[\d.]+\w*",
                  "ip": r"[\d.:a-fA-F]+", "word": r"\S+", "text": r"\S+"}
_KEY_VALUE = re.compile(r"(?<![\w.])([A-Za-z_][A-Za-z0-9_]*)=(\S*)")


@dataclass
class Event:
    """One pattern of one application: how to select its lines and extract its fields."""

    pattern: Pattern
    literal: str                              # the line filter's text
    stream_labels: dict[str, str] = field(default_factory=dict)  # labels all its lines share
    values: dict[str, list[str]] = field(default_factory=dict)   # field → values, by frequency
    parser: str | None = None                 # "logfmt" or "json" when the lines are such

    @property
    def filter(self) -> str:
        return f"|= {quote(self.literal)}"

    @property
    def fields(self) -> list[Field]:
        """Fields a question can name, with values seen."""
        return [f for f in self.pattern.fields
                if f.name in self.values and not _TYPE_NAMES.match(f.name)]

    def focused_regexp(self, name: str) -> str | None:
        """``| regexp`` capturing just ``name`` after the words before it in the template
        (``size (?P<size>[\\d.]+)``), as people write them; None when nothing precedes it."""
        spot = self.pattern.template.find(f"<{name}>")
        if spot <= 0:
            return None
        before = re.split(r">", self.pattern.template[:spot])[-1]
        words = before.split(" ")[-3:] if not before.endswith(" ") else before.split(" ")[-4:]
        context = " ".join(words).lstrip()
        if len(context.strip()) < 3:
            return None
        kind = next(f.type for f in self.pattern.fields if f.name == name)
        return f"| regexp `{regex_escape(context)}(?P<{name}>{_FIELD_CAPTURE[kind]})`"


@dataclass
class Application:
    """The streams of one application (one value of the grouping label)."""

    label: str                                 # "application"
    name: str                                  # "openssh-eu-west"
    family: str                                # "openssh": what its deployments share
    stream_labels: dict[str, list[str]] = field(default_factory=dict)  # other labels' values
    events: list[Event] = field(default_factory=list)

    @property
    def selector(self) -> str:
        return f"{{{self.label}={quote(self.name)}}}"

    def matcher(self, **labels: str) -> str:
        """The selector with extra equality matchers."""
        extra = "".join(f", {name}={quote(value)}" for name, value in labels.items())
        return f"{{{self.label}={quote(self.name)}{extra}}}"


@dataclass
class Catalog:
    applications: list[Application]

    def families(self) -> dict[str, list[Application]]:
        grouped: dict[str, list[Application]] = {}
        for app in self.applications:
            grouped.setdefault(app.family, []).append(app)
        return grouped


def application_label(backend: Backend) -> str:
    """The label whose values name the applications."""
    return group_label(backend.labels()) or "application"


def family(name: str) -> str:
    """What an application's deployments share: its name up to the first ``-``, ``_`` or
    ``.`` (openssh-eu-west → openssh)."""
    return re.split(r"[-_.]", name)[0]


def build_catalog(backend: Backend) -> Catalog:
    """The applications, labels and events of ``backend``; deployments with the same
    patterns share the work of reading field values."""
    label = application_label(backend)
    apps = []
    known_events: dict[tuple, list[Event]] = {}
    for group in patterns(backend):
        name = _group_value(group.selector, label)
        if name is None:
            continue
        app = Application(label=label, name=name, family=family(name),
                          stream_labels=_stream_labels(backend, group.selector, label))
        key = tuple(p.id for p in group.patterns)
        if key not in known_events:
            known_events[key] = [event for pattern in group.patterns[:EVENTS_PER_APPLICATION]
                                 if (event := _event(backend, app, pattern)) is not None]
        app.events = known_events[key]
        apps.append(app)
    return Catalog(apps)


def _group_value(selector: str, label: str) -> str | None:
    selector_ast = parse(selector)
    for matcher in selector_ast.find_all(ast.Matcher):
        if matcher.name == label and matcher.op == "=":
            return matcher.value
    return None


def _stream_labels(backend: Backend, selector: str, group: str) -> dict[str, list[str]]:
    values: dict[str, set[str]] = {}
    for labels in backend.series([selector]):
        for name, value in labels.items():
            if name not in (group, "service_name") and value:
                values.setdefault(name, set()).add(value)
    return {name: sorted(found) for name, found in sorted(values.items())}


def _literal(pattern: Pattern) -> str | None:
    if not pattern.line_filter:
        return None
    filters = [node for node in parse("{x=\"y\"} " + pattern.line_filter).find_all(ast.LineFilter)
               if node.op == "|="]
    if not filters or len(filters[0].terms) != 1:
        return None
    text = _whole_words(filters[0].terms[0].value)
    return text if len(text) >= MIN_LITERAL else None


def _whole_words(literal: str) -> str:
    """The literal without a cut-off first token (``] Terminating instance``, ``.host9
    phys_ram=``) and without punctuation at either end: what a person would quote."""
    text = literal.strip()
    if text and not text[0].isalnum() and " " in text:
        text = text.split(" ", 1)[1]
    return text.lstrip(" \t\"')]}:;,.=|/->").rstrip(" \t:;,=|/-<")


def _event(backend: Backend, app: Application, pattern: Pattern) -> Event | None:
    """The event for ``pattern``, with the stream labels its lines share and its field
    values, read by running its extraction once; None when it cannot be quoted or read."""
    literal = _literal(pattern)
    if literal is None:
        return None
    event = Event(pattern=pattern, literal=literal, parser=_parser(pattern.example))
    extraction = pattern.extraction or ""
    try:
        data = backend.query_range(f"{app.selector} {event.filter} {extraction}", limit=2000)
    except Nl2LogQLError:
        return None
    shared: dict[str, set[str]] = {}
    counts: dict[str, Counter] = {f.name: Counter() for f in pattern.fields}
    for stream in data.get("result", []):
        labels = stream["stream"]
        for name in app.stream_labels:
            shared.setdefault(name, set()).add(labels.get(name, ""))
        for name, counter in counts.items():
            if labels.get(name):
                counter[labels[name]] += len(stream.get("values", []))
    if not data.get("result"):
        return None
    event.stream_labels = {name: next(iter(values)) for name, values in shared.items()
                           if len(values) == 1 and "" not in values}
    event.values = {name: [value for value, _ in counter.most_common(VALUES_KEPT)]
                    for name, counter in counts.items() if counter}
    return event


def _parser(line: str) -> str | None:
    stripped = line.strip()
    if stripped.startswith("{") and stripped.endswith("}"):
        return "json"
    if len(_KEY_VALUE.findall(line)) >= 2:
        return "logfmt"
    return None


def logfmt_fields(line: str) -> dict[str, str]:
    """The keys ``| logfmt`` reads from ``line`` with a non-empty value."""
    return {key: value for key, value in _KEY_VALUE.findall(line) if value}


def regex_escape(text: str) -> str:
    """``text`` as an RE2 literal, spaces kept as written (as people write regexes)."""
    return re.sub(r"([\\.+*?()|\[\]{}^$])", r"\\\1", text)
