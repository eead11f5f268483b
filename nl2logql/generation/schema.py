"""What the model is told about the data: label names, their values, a few sample lines
and the log patterns that matter to the question.

Read from any :class:`~nl2logql.engine.backend.Backend` (the embedded store or a Loki), kept
within a character budget. Values the question names (``openssh-eu-west``) always stay;
other values are ranked by how many streams carry them. The sample lines come from the
stream the question most likely concerns, so the model sees the log format. The patterns
(:mod:`nl2logql.patterns`) come from the applications the question names, else from all,
ranked by BM25 similarity to the question and by how many lines they cover, so the model
sees the wording its line filters must match and the fields it can extract.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from dataclasses import dataclass, field

from nl2logql.engine.backend import DETECTED_LEVEL, UNKNOWN_LEVEL, Backend
from nl2logql.errors import Nl2LogQLError
from nl2logql.generation.retrieval import tokenize
from nl2logql.logql.parser import quote
from nl2logql.patterns import sources
from nl2logql.patterns.describe import Pattern
from nl2logql.patterns.sources import group_label, group_selector

log = logging.getLogger(__name__)

SAMPLE_LINE_CHARS = 120
PATTERN_CHARS = 160
SAMPLE_FETCH_FACTOR = 20  # fetch more lines than shown, to show lines of different shapes
PATTERNS_SHOWN = 4  # chosen on the random split's validation side (scripts/choose_patterns_shown.py)
PATTERN_FREQUENCY_WEIGHT = 1.0  # how much line counts add to BM25 in the ranking
# Ways to shrink the text when over budget: (values shown per label, sample lines, patterns).
# Patterns go last: they say what the lines hold, which values and samples only hint at.
_SHRINK_STEPS = ((None, None, None), (10, None, None), (10, 1, None), (5, 0, None),
                 (3, 0, None), (0, 0, None), (0, 0, 4), (0, 0, 2), (0, 0, 1), (0, 0, 0))


def mentioned(text: str, question: str) -> bool:
    """Whether ``text`` appears in ``question`` as a whole name (``openssh`` is not
    mentioned by ``openssh-eu-west``), ignoring case."""
    if not text or not question:
        return False
    pattern = rf"(?<![\w.-]){re.escape(text.lower())}(?![\w-])"
    return re.search(pattern, question.lower()) is not None


def _shape(line: str) -> str:
    """A line with its digits and hex ids masked: lines of one shape show one format."""
    return re.sub(r"[0-9a-f]{6,}|\d+", "#", line)


@dataclass
class SchemaContext:
    """Labels, values and sample lines; :meth:`render` makes the prompt's schema section."""

    labels: dict[str, list[str]]
    total_values: dict[str, int] = field(default_factory=dict)  # before the cut to max_values
    mentioned: dict[str, list[str]] = field(default_factory=dict)
    sample_selector: str = ""
    sample_labels: list[str] = field(default_factory=list)  # label names on those streams
    sample_lines: list[str] = field(default_factory=list)
    patterns: list[tuple[str, Pattern]] = field(default_factory=list)  # (selector, pattern)
    budget_chars: int = 2500
    # Values of Loki 3's ``detected_level`` structured metadata: no label API lists it.
    detected_levels: list[str] = field(default_factory=list)

    @classmethod
    def from_backend(cls, backend: Backend, question: str | None = None, *,
                     max_labels: int = 20, max_values: int = 30, sample_lines: int = 3,
                     max_patterns: int | None = None, budget_chars: int = 2500) -> SchemaContext:
        question = question or ""
        names = [name for name in backend.labels() if not name.startswith("__")]
        # Labels the question names come first when there are too many to show.
        names = sorted(names, key=lambda name: not mentioned(name, question))[:max_labels]
        labels, totals, named = {}, {}, {}
        for name in sorted(names):
            values = backend.label_values(name)
            totals[name] = len(values)
            named[name] = [value for value in values if mentioned(value, question)]
            if len(values) > max_values:
                values = _top_values(backend, name, values, named[name], max_values)
            labels[name] = values
        selector = _sample_selector(backend, labels, named)
        stream_labels = (sorted({name for series in backend.series([selector]) for name in series
                                 if not name.startswith("__")}) if selector else [])
        lines = _sample_lines(backend, selector, sample_lines) if selector else []
        shown = PATTERNS_SHOWN if max_patterns is None else max_patterns
        return cls(labels=labels, total_values=totals, mentioned=named,
                   sample_selector=selector, sample_labels=stream_labels, sample_lines=lines,
                   patterns=relevant_patterns(backend, question, labels, named, shown),
                   budget_chars=budget_chars, detected_levels=backend.detected_levels())

    def render(self, budget_chars: int | None = None) -> str:
        """Compact text within the budget: values are cut first (the named ones stay),
        then sample lines, then the text itself at a line boundary."""
        budget = self.budget_chars if budget_chars is None else budget_chars
        text = ""
        for values_cap, lines_cap, patterns_cap in _SHRINK_STEPS:
            text = self._compose(values_cap, lines_cap, patterns_cap)
            if len(text) <= budget:
                return text
        cut = text[:budget]
        return cut[:cut.rfind("\n")] if "\n" in cut else ""

    def _compose(self, values_cap: int | None, lines_cap: int | None,
                 patterns_cap: int | None) -> str:
        out = ["Labels and their values:"]
        for name, values in self.labels.items():
            named = self.mentioned.get(name, [])
            shown = values if values_cap is None else _keep(values, named, values_cap)
            hidden = self.total_values.get(name, len(values)) - len(shown)
            more = f" (+{hidden} more)" if hidden > 0 else ""
            out.append(f"{name}: {', '.join(shown)}{more}" if shown or more else name)
        known = [level for level in self.detected_levels if level != UNKNOWN_LEVEL]
        if known:  # "unknown" alone (no line has a level) tells the model nothing
            example = "error" if "error" in known else known[0]
            out.append(f'{DETECTED_LEVEL} (structured metadata, use `| {DETECTED_LEVEL}='
                       f'"{example}"`): {", ".join(self.detected_levels)}')
        if self.sample_labels:
            # Which labels go together: e.g. only OpenSSH streams carry `hostname`.
            out.append(f"Streams {self.sample_selector} carry: {', '.join(self.sample_labels)}")
        lines = self.sample_lines if lines_cap is None else self.sample_lines[:lines_cap]
        if lines:
            out.append(f"Sample lines of {self.sample_selector}:")
            out.extend(lines)
        shown = self.patterns if patterns_cap is None else self.patterns[:patterns_cap]
        group = None
        for selector, pattern in sorted(shown, key=lambda item: item[0]):
            if selector != group:
                out.append(f"Log patterns of {selector} (lines: template):")
                group = selector
            out.append(render_pattern(pattern))
        return "\n".join(out)


def render_pattern(pattern: Pattern) -> str:
    """One pattern as the prompt shows it: ``520: Failed password for <user> from <ip>
    port <port> ssh2 (numbers: port)``."""
    numbers = [f.name for f in pattern.fields if f.numeric]
    note = f" (numbers: {', '.join(numbers)})" if numbers else ""
    template = pattern.template
    if len(template) > PATTERN_CHARS:
        template = template[:PATTERN_CHARS - 1] + "…"
    return f"{pattern.count}: {template}{note}"


def relevant_patterns(backend: Backend, question: str, labels: dict[str, list[str]],
                      named: dict[str, list[str]], limit: int) -> list[tuple[str, Pattern]]:
    """The ``limit`` patterns that best fit the question: from the applications it names
    (all when it names none), by BM25 over the templates plus a share for frequency.
    A pattern several applications share (deployments of one system) counts once."""
    if limit <= 0:
        return []
    try:
        groups = sources.patterns(backend)
    except Nl2LogQLError as error:  # patterns help; their absence must not stop a question
        log.warning("no log patterns for the prompt: %s", error)
        return []
    wanted = _named_groups(backend, group_label(labels), named)
    asked = [group for group in groups if group.selector in wanted]
    candidates: dict[str, tuple[str, Pattern]] = {}
    for group in asked or groups:
        for pattern in group.patterns:
            candidates.setdefault(pattern.template, (group.selector, pattern))
    if not candidates:
        return []
    items = list(candidates.values())
    relevance = bm25_scores(content_words(question),
                            [content_words(p.template) for _, p in items])
    most = max(math.log1p(p.count) for _, p in items) or 1.0
    score = [r + PATTERN_FREQUENCY_WEIGHT * math.log1p(p.count) / most
             for r, (_, p) in zip(relevance, items)]
    order = sorted(range(len(items)), key=lambda i: (-score[i], i))
    return [items[i] for i in order[:limit]]


# Words of a question that ask for an aggregation or a time range, not for log content.
_QUERY_WORDS = frozenset("""
many much number count total per last past hour hours minute minutes day days week weeks
month today yesterday each top average avg rate sum lines line logs log entries happen
""".split())
_SUFFIXES = ("ures", "ure", "ing", "ed", "es", "s")


def content_words(text: str) -> list[str]:
    """Words for matching a question with templates, crudely stemmed (failed, failures
    → fail) and without the words that only shape the query."""
    words = []
    for word in tokenize(text):
        if word in _QUERY_WORDS:
            continue
        for suffix in _SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                word = word[:-len(suffix)]
                break
        words.append(word)
    return words


def _named_groups(backend: Backend, name: str | None, named: dict[str, list[str]]) -> set[str]:
    """The group selectors (by the application label ``name``) of the streams that carry
    a value the question names."""
    if name is None:
        return set()
    return {group_selector({name: labels[name]})
            for label, values in named.items() for value in values
            for labels in backend.series([f"{{{label}={quote(value)}}}"]) if name in labels}


def bm25_scores(query: list[str], documents: list[list[str]], k1: float = 1.2,
                b: float = 0.75) -> list[float]:
    """Okapi BM25 of each document for the query (a few hundred short documents: no index)."""
    if not documents:
        return []
    average = sum(map(len, documents)) / len(documents) or 1.0
    frequency = Counter(term for document in documents for term in set(document))
    idf = {term: math.log1p((len(documents) - n + 0.5) / (n + 0.5))
           for term, n in frequency.items()}
    scores = []
    for document in documents:
        counts = Counter(document)
        norm = k1 * (1 - b + b * len(document) / average)
        scores.append(sum(idf[t] * counts[t] * (k1 + 1) / (counts[t] + norm)
                          for t in set(query) if t in counts))
    return scores


def _keep(values: list[str], named: list[str], cap: int) -> list[str]:
    """The named values plus the first ``cap`` others, in their original order."""
    keep = set(named) | set([v for v in values if v not in named][:cap])
    return [value for value in values if value in keep]


def _stream_counts(backend: Backend, name: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for labels in backend.series([f"{{{name}=~\".+\"}}"]):
        if name in labels:
            counts[labels[name]] = counts.get(labels[name], 0) + 1
    return counts


def _top_values(backend: Backend, name: str, values: list[str], named: list[str],
                limit: int) -> list[str]:
    """The values on the most streams (ties alphabetical), plus every named one; sorted."""
    counts = _stream_counts(backend, name)
    ranked = sorted(values, key=lambda value: (-counts.get(value, 0), value))
    return sorted(set(ranked[:limit]) | set(named))


def _sample_selector(backend: Backend, labels: dict[str, list[str]],
                     named: dict[str, list[str]]) -> str:
    """The stream the question most likely concerns: a named value of the application-like
    label, else any named value, else the application value on the most streams."""
    primary = group_label(labels)  # the application-like label
    candidates = ([primary] if primary else []) + [name for name in labels if name != primary]
    for name in candidates:
        if named.get(name):
            return f"{{{name}={quote(named[name][0])}}}"
    name = primary or next(iter(labels), None)
    if name is None:
        return ""
    counts = _stream_counts(backend, name)
    if not counts:
        return ""
    largest = min(counts, key=lambda value: (-counts[value], value))
    return f"{{{name}={quote(largest)}}}"


def _sample_lines(backend: Backend, selector: str, count: int) -> list[str]:
    """Up to ``count`` recent lines of different shapes, each cut to a short length."""
    if count <= 0:
        return []
    data = backend.query_range(selector, limit=count * SAMPLE_FETCH_FACTOR)
    entries = sorted((entry for stream in data.get("result", []) for entry in stream["values"]),
                     key=lambda entry: entry[0], reverse=True)
    lines, shapes = [], set()
    for _, line in entries:
        line = " ".join(line.split())
        if not line or _shape(line) in shapes:
            continue
        shapes.add(_shape(line))
        lines.append(line if len(line) <= SAMPLE_LINE_CHARS
                     else line[:SAMPLE_LINE_CHARS - 1] + "…")
        if len(lines) == count:
            break
    return lines
