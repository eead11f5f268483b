"""From a mined cluster to a :class:`Pattern`: named, typed fields and ready LogQL.

A cluster's template is a tuple of whitespace-separated tokens in which variables are
Drain's ``<*>`` or a mask's typed placeholder (``<IP>``, ``<NUM>``, ``[<IP>]``). Here each
variable gets a name from its context (``port <NUM>`` → ``port``, ``uid=<NUM>`` → ``uid``,
else its type: ``ip``, ``number``), made unique, and a type read from its values. Then
three pieces of LogQL, each checked on the cluster's own lines before it is offered:

- the line filter: the longest constant run, spaced as the lines space it
  (``|= "Failed password for"``; :mod:`~nl2logql.patterns.sources` adds the run only its
  lines hold, where other patterns' lines hold that one too);
- a ``pattern`` parser (``<_>Failed password for <user> from <ip> port <port> ssh2``);
- an equivalent ``regexp`` with named captures.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field
from typing import Sequence

from nl2logql.logql.checks import is_label_name
from nl2logql.logql.parser import quote
from nl2logql.patterns.masking import PLACEHOLDER, PLACEHOLDERS, WILDCARD

# The types a field can have; the first three can be ``unwrap``ped.
NUMERIC_TYPES = ("number", "duration", "bytes")
FIELD_TYPES = NUMERIC_TYPES + ("ip", "word", "text")

SAMPLE_LINES = 200          # member lines a pattern is checked on
MAX_FIELD_NAME = 24
# Words before a variable that name a relation, not the variable: the type names it.
_LINKING_WORDS = frozenset("""
a an the and or of in on at to from by with is are was were be been as into via than
after before over under per not no has have had got for
""".split())
# ... except these, which say what follows (``for root``, ``user admin``).
_IMPLIED_NAMES = {"for": "user", "user": "user", "by": "user"}
_SIZE_UNITS = frozenset("b bytes byte kb mb gb tb kib mib gib".split())
_DURATION = re.compile(r"^[-+]?\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h)(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))*$")
_NUMBER = re.compile(r"^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$")
_IPV4 = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")
_IPV6 = re.compile(r"^[0-9a-fA-F:]*:[0-9a-fA-F:]+$")
_HUMAN_BYTES = re.compile(r"^\d+(?:\.\d+)?(?:[kKMGTP]i?)?B$")
_PLACEHOLDER = re.compile(rf"{re.escape(WILDCARD)}|{PLACEHOLDER.pattern}")
_REGEX_SPECIAL = frozenset("\\.+*?()|[]{}^$")


@dataclass(frozen=True)
class Field:
    """A named variable of a pattern."""

    name: str
    type: str  # one of FIELD_TYPES

    @property
    def numeric(self) -> bool:
        """Whether ``| unwrap <name>`` reads numbers from it."""
        return self.type in NUMERIC_TYPES


@dataclass
class Pattern:
    """One log template of a stream group, with its fields and checked LogQL."""

    id: str                      # stable: a short hash of the template
    template: str                # "Failed password for <user> from <ip> port <port> ssh2"
    count: int                   # lines it covers
    example: str                 # one whole line
    fields: list[Field] = field(default_factory=list)
    line_filter: str | None = None   # '|= "Failed password for"', checked on its lines
    pattern: str | None = None       # '| pattern "<_>Failed password for <user> ..."'
    regexp: str | None = None        # '| regexp "for (?P<user>\\S+) from ..."'

    @property
    def extraction(self) -> str | None:
        """The stage that extracts the fields: the ``pattern`` parser, else the regexp."""
        return self.pattern or self.regexp

    def field_regexp(self, name: str) -> str | None:
        """A ``| regexp`` stage that extracts only ``name``, between the words around it in
        the template (``from (?P<ip>\\S+) port``). Unlike the whole-line extraction, it
        also finds the field where another template quotes this one ("message repeated 2
        times: [ Failed password for root from …]"). None when ``name`` is no field."""
        names = [f.name for f in self.fields]
        if name not in names:
            return None
        parts = re.split("<(" + "|".join(map(re.escape, names)) + ")>", self.template)
        at = parts.index(name)  # literals at even places, names at odd ones
        before, after = _context_before(parts[at - 1]), _context_after(parts[at + 1])
        if not before and not after:
            return None
        kind = next(f.type for f in self.fields if f.name == name)
        spaced = kind == "text"
        if before.endswith("=") and not spaced:
            # key=value ends at the space (the next key may differ line to line), or at the
            # comma after it ("total=<total>, active=…": not "1,")
            after = after[:1] if after[:1] in (",", ";") else ""
        lazy = bool(after) and (spaced or not after[:1].isspace())
        capture = (".+" if spaced else r"\S+") + ("?" if lazy else "")
        return "| regexp " + quote(f"{_anchored(parts[at - 1], before)}(?P<{name}>{capture})"
                                   f"{regex_literal(after)}")

    def address_regexp(self, name: str) -> str | None:
        """A ``| regexp`` stage that extracts, as ``name``, the first ``<ip>:<port>`` of the
        template (how a node is named: ``10.251.73.220:50010``), after the words before
        it. None when the template writes no address so."""
        types = {f.name: f.type for f in self.fields}
        for found in re.finditer(r"<(\w+)>:<(\w+)>", self.template):
            ip, port = found.groups()
            if types.get(ip) != "ip" or types.get(port) not in NUMERIC_TYPES:
                continue
            literal = re.split(r"<\w+>", self.template[:found.start()])[-1]
            before = _context_before(literal)
            if not before.strip():
                return None
            return "| regexp " + quote(rf"{_anchored(literal, before)}(?P<{name}>[\d.]+:\d+)")
        return None

    def unit_after(self, name: str) -> str | None:
        """The word right after field ``name`` in the template, which often says what it
        measures ("Took <took> seconds": seconds; "memory <memory> MB": MB), or None."""
        found = re.search(rf"<{re.escape(name)}>\s*([A-Za-z]+)\b", self.template)
        return found.group(1) if found else None

    def query(self, selector: str) -> str:
        """A log query for this pattern's lines, fields extracted."""
        stages = [stage for stage in (self.line_filter, self.extraction) if stage]
        return " ".join([selector, *stages])

    def to_dict(self) -> dict:
        data = asdict(self)
        data["fields"] = [asdict(f) for f in self.fields]
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Pattern:
        return cls(**{**data, "fields": [Field(**f) for f in data.get("fields", [])]})


def _context_before(literal: str) -> str:
    """The end of the literal before a field that says where it starts: its last token
    with two letters or digits, and what follows that token ("port ", "uid=", " ["
    when nothing better is there)."""
    tokens = re.findall(r"\S+\s*", literal)
    for i in range(len(tokens) - 1, -1, -1):
        if sum(ch.isalnum() for ch in tokens[i]) >= 2:
            return "".join(tokens[i:])
    return literal.lstrip()


def _context_after(literal: str) -> str:
    """The start of the literal after a field: up to its first token ("] ", " port")."""
    found = re.match(r"\s*\S+", literal)
    return found.group() if found else literal


def _anchored(literal: str, context: str) -> str:
    """RE2 for ``context``, the end of ``literal`` before a field, held to a token's start
    where it begins one ("from " matches at a word's start, not inside "datafrom ")."""
    start = r"\b" if context[:1].isalnum() and _starts_token(literal, context) else ""
    return start + regex_literal(context)


def _starts_token(literal: str, context: str) -> bool:
    start = len(literal) - len(context)
    return start == 0 or literal[start - 1].isspace()


# ---- template → pieces -------------------------------------------------------------------

@dataclass
class _Piece:
    """A literal run or a variable of a template, in order."""

    text: str = ""            # literal text (whitespace between tokens is " ")
    variable: str | None = None  # the placeholder ("<*>", "<IP>"), None for literal text
    whole: bool = False       # the variable is a whole token


def _pieces(tokens: Sequence[str]) -> list[_Piece]:
    pieces: list[_Piece] = []

    def literal(text: str) -> None:
        if pieces and pieces[-1].variable is None:
            pieces[-1].text += text
        else:
            pieces.append(_Piece(text))

    for index, token in enumerate(tokens):
        if index:
            literal(" ")
        pos, parts = 0, list(_PLACEHOLDER.finditer(token))
        for match in parts:
            if match.start() > pos:
                literal(token[pos:match.start()])
            if pieces and pieces[-1].variable is not None:
                pieces[-1].variable = WILDCARD  # two placeholders touching: one field
            else:
                pieces.append(_Piece(variable=match.group(), whole=match.group() == token))
            pos = match.end()
        if pos < len(token):
            literal(token[pos:])
    return pieces


def regex_literal(text: str) -> str:
    """RE2 for a literal run: specials escaped, any whitespace run matches ``\\s+``."""
    out = []
    for chunk in re.split(r"(\s+)", text):
        if chunk and chunk.isspace():
            out.append(r"\s+")
        else:
            out.append("".join("\\" + ch if ch in _REGEX_SPECIAL else ch for ch in chunk))
    return "".join(out)


def _capture(piece: _Piece, following: _Piece | None) -> str:
    # A whole-token variable runs to the next space; one inside a token stops at the
    # first occurrence of the literal after it.
    if piece.whole or following is None or following.text[:1].isspace():
        return r"\S+"
    return r"\S+?"


def _content_regex(pieces: list[_Piece]) -> re.Pattern:
    """Matches a member line's whole content; one group per variable."""
    parts = []
    for i, piece in enumerate(pieces):
        nxt = pieces[i + 1] if i + 1 < len(pieces) else None
        parts.append(regex_literal(piece.text) if piece.variable is None
                     else f"({_capture(piece, nxt)})")
    return re.compile("".join(parts) + r"\s*\Z")


def template_regex(tokens: Sequence[str]) -> re.Pattern:
    """Matches the content of a line of the template ``tokens``, one group per field."""
    return _content_regex(_pieces(tokens))


# ---- fields ------------------------------------------------------------------------------

def value_type(values: Sequence[str], placeholder: str | None = None) -> str:
    """The type all ``values`` share (a mask's type first; ``word`` when they differ)."""
    values = [v for v in values if v]
    if any(any(ch.isspace() for ch in v) for v in values):
        return "text"
    if not values:
        return {"number": "number", "ip": "ip", "duration": "duration",
                "bytes": "bytes"}.get(PLACEHOLDERS.get(placeholder or "", ""), "word")
    for kind, test in (("number", _NUMBER.match), ("duration", _DURATION.match),
                       ("bytes", _HUMAN_BYTES.match),
                       ("ip", lambda v: _IPV4.match(v) or (":" in v and _IPV6.match(v)))):
        if all(test(v) for v in values):
            return kind
    return "word"


def _label(word: str) -> str | None:
    name = re.sub(r"[^a-z0-9_]+", "_", word.lower()).strip("_")
    name = re.sub(r"_+", "_", name)[:MAX_FIELD_NAME].strip("_")
    if not name or name[0].isdigit() or not is_label_name(name):
        return None
    return name


def _context_name(before: str, kind: str, whole: bool) -> str | None:
    """The name the text before a variable gives it: ``uid=`` → ``uid``, ``port `` →
    ``port``, ``for `` → ``user``; None for a linking word or no word."""
    key = re.search(r"([A-Za-z_][\w.-]*)[=:]$", before)  # in the same token: uid=<NUM>
    if key and not before.endswith("::"):
        return _label(key.group(1).split(".")[-1])
    key = re.search(r"([A-Za-z_][\w.-]*) [=:] ?$", before)  # "total = <NUM>", "In =<NUM>"
    if key:
        return _label(key.group(1).split(".")[-1])
    words = before.split()
    if not words or not before[-1:].isspace():
        return None
    key = re.fullmatch(r"([A-Za-z_][\w-]*)[=:]", words[-1])  # "status: 200", "len= 5"
    if key and whole:
        return _label(key.group(1))
    word = words[-1].lower().lstrip("([{")  # "(TID <NUM>)": tid
    if word in _IMPLIED_NAMES and kind in ("word", "text"):
        return _IMPLIED_NAMES[word]
    if word in _LINKING_WORDS or not re.fullmatch(r"[a-z][a-z_-]*", word):
        return None
    return _label(word)


def _fields(pieces: list[_Piece], values: list[tuple[str, ...]],
            reserved: frozenset[str]) -> list[Field]:
    fields, used = [], set(reserved)
    var_index = 0
    for i, piece in enumerate(pieces):
        if piece.variable is None:
            continue
        column = [row[var_index] for row in values]
        kind = value_type(column, piece.variable)
        after = pieces[i + 1].text.split() if i + 1 < len(pieces) else []
        if kind == "number" and after and after[0].lower().strip(",.;)") in _SIZE_UNITS:
            kind = "bytes"
        before = pieces[i - 1].text if i else ""
        name = _context_name(before, kind, piece.whole) or _type_name(piece.variable, kind)
        name = _unique(name, used)
        used.add(name)
        fields.append(Field(name, kind))
        var_index += 1
    return fields


def _type_name(placeholder: str, kind: str) -> str:
    masked = PLACEHOLDERS.get(placeholder)
    if kind in ("ip", "number", "duration", "bytes"):
        return kind
    return _label(masked or "") or kind


def _unique(name: str, used: set[str]) -> str:
    if name not in used:
        return name
    n = 2
    while f"{name}_{n}" in used:
        n += 1
    return f"{name}_{n}"


# ---- LogQL -------------------------------------------------------------------------------

def _longest_run(pieces: list[_Piece]) -> str | None:
    """The longest literal run, trimmed; a run that is only punctuation is no filter."""
    runs = sorted((p.text.strip() for p in pieces if p.variable is None),
                  key=len, reverse=True)
    return next((run for run in runs if _names_something(run)), None)


def _names_something(run: str) -> bool:
    return sum(ch.isalnum() for ch in run) >= 2


def as_written(run: str, lines: Sequence[str]) -> str | None:
    """``run`` (a template's words, one space apart) as ``lines`` write it: their
    spacing ("halt  (command" where the template says "halt (command"), where every line
    holds it so; else None."""
    if not lines:
        return None
    found = re.search(regex_literal(run), lines[0])
    written = found.group() if found else None
    return written if written and all(written in line for line in lines) else None


def literal_runs(template: str) -> list[str]:
    """A template's fixed runs between its fields, trimmed, longest first; those that
    are only punctuation are left out."""
    runs = (run.strip() for run in re.split(r"<[^<>\s]*>", template))
    return sorted(filter(_names_something, runs), key=len, reverse=True)


def names_event(run: str) -> bool:
    """Whether a fixed run holds a word of four letters or more that is not a linking
    word ("to delete", "DHCPOFFER on"; not "from /")."""
    return any(word.lower() not in _LINKING_WORDS for word in re.findall(r"[A-Za-z]{4,}", run))


def _pattern_text(fields: list[Field], content: str, spans: list[tuple[int, int]],
                  has_header: bool) -> str | None:
    """Loki's pattern syntax, its literals copied from the example (exact whitespace);
    None where two captures would touch (Loki refuses ``<a><b>``)."""
    out, pos = (["<_>"] if has_header else []), 0
    for (start, end), f in zip(spans, fields):
        literal = content[pos:start]
        if out and not literal:
            return None
        if literal:
            out.append(literal)
        out.append(f"<{f.name}>")
        pos = end
    if content[pos:]:
        out.append(content[pos:])
    return "".join(out)


def _regexp_text(pieces: list[_Piece], fields: list[Field]) -> str:
    parts, var_index = [], 0
    for i, piece in enumerate(pieces):
        if piece.variable is None:
            parts.append(regex_literal(piece.text))
            continue
        nxt = pieces[i + 1] if i + 1 < len(pieces) else None
        parts.append(f"(?P<{fields[var_index].name}>{_capture(piece, nxt)})")
        var_index += 1
    return "".join(parts).strip()


def _checked(stage_check, sample: list[tuple[str, tuple[str, ...]]]) -> bool:
    try:
        return all(stage_check(line, wanted) for line, wanted in sample)
    except ValueError:  # the engine refuses the expression
        return False


def describe(tokens: Sequence[str], count: int, lines: Sequence[str],
             content_starts: Sequence[int] | None, *,
             reserved: Sequence[str] = ()) -> Pattern | None:
    """The pattern of a cluster: ``tokens`` its template, ``lines`` some of its member lines
    (whole lines; ``content_starts`` where each one's content begins, None to find the
    template anywhere in the line). Field names avoid ``reserved`` (the stream's own
    labels). None when no member line fits the template."""
    from nl2logql.engine.stages import PatternMatcher, RegexpParser

    tokens = _keyed(tokens, lines[:SAMPLE_LINES], content_starts)
    pieces = _pieces(tokens)
    regex = _content_regex(pieces)
    sample, first = [], None  # (line, field values) of the lines that fit; the first match
    starts = content_starts if content_starts is not None else [None] * len(lines)
    for line, start in zip(lines[:SAMPLE_LINES], starts):
        found = regex.match(line, start) if start is not None else regex.search(line)
        if found:
            sample.append((line, found.groups()))
            first = first or found
    if first is None:
        return None
    example, start, found = first.string, first.start(), first
    fields = _fields(pieces, [values for _, values in sample], frozenset(reserved))
    template = "".join(p.text if p.variable is None else f"<{fields[i].name}>"
                       for i, p in zip(_variable_numbers(pieces), pieces)).strip()
    pattern = Pattern(id=_pattern_id(tokens), template=template, count=count,
                      example=example, fields=fields)

    run = _longest_run(pieces)
    run = run and as_written(run, [line for line, _ in sample])
    if run:
        pattern.line_filter = f"|= {quote(run)}"
    if not fields:
        return pattern

    content = example[start:]
    spans = [(found.start(g) - start, found.end(g) - start) for g in range(1, len(fields) + 1)]
    text = _pattern_text(fields, content, spans, has_header=start > 0)
    if text:
        try:
            matcher = PatternMatcher(text)
        except ValueError:
            matcher = None
        # Loki's captures keep the spaces of a doubled separator: equal up to those.
        if matcher and _checked(lambda line, wanted: tuple(v.strip() for v in
                                                           matcher.matches(line) or ())
                                == wanted, sample):
            pattern.pattern = f"| pattern {quote(text)}"

    expression = _regexp_text(pieces, fields)
    try:
        parser = RegexpParser(expression)
    except ValueError:
        parser = None
    if parser and _checked(lambda line, wanted: parser.match(line) == wanted, sample):
        pattern.regexp = f"| regexp {quote(expression)}"
    return pattern


_KEY_PREFIX = re.compile(r"[A-Za-z_][\w.-]*[=:]")


def _keyed(tokens: Sequence[str], lines: Sequence[str],
           starts: Sequence[int] | None) -> tuple[str, ...]:
    """Drain's ``<*>`` in place of ``rhost=1.2.3.4`` becomes ``rhost=<*>`` when every
    member line has the same ``key=`` there: the key names the field."""
    if WILDCARD not in tokens:
        return tuple(tokens)
    regex = _content_regex(_pieces(tokens))
    starts = starts if starts is not None else [None] * len(lines)
    rows = [found.groups() for line, start in zip(lines, starts)
            if (found := (regex.match(line, start) if start is not None
                          else regex.search(line)))]
    if not rows:
        return tuple(tokens)
    # Whole-token variables are, in order, the tokens that are one placeholder.
    whole_tokens = iter(i for i, token in enumerate(tokens) if _PLACEHOLDER.fullmatch(token))
    out = list(tokens)
    variables = [piece for piece in _pieces(tokens) if piece.variable is not None]
    for column, piece in enumerate(variables):
        if not piece.whole:
            continue
        index = next(whole_tokens)
        if piece.variable != WILDCARD:
            continue
        keys = {found.group() if (found := _KEY_PREFIX.match(row[column])) else None
                for row in rows}
        key = keys.pop() if len(keys) == 1 else None
        if key and all(len(row[column]) > len(key) for row in rows):
            out[index] = key + WILDCARD
    return tuple(out)


def describe_cluster(cluster, mining, lines: Sequence[str], *,
                     reserved: Sequence[str] = ()) -> tuple[Pattern | None, list[str]]:
    """:func:`describe` for one cluster of a :class:`~nl2logql.patterns.mining.Mining`
    of ``lines``, and the member lines it was checked on."""
    members = mining.members(cluster.id, limit=SAMPLE_LINES)
    sample = [lines[i] for i in members]
    starts = [int(mining.content_start[i]) for i in members]
    return describe(cluster.tokens, cluster.count, sample, starts, reserved=reserved), sample


def _variable_numbers(pieces: list[_Piece]) -> list[int]:
    """For each piece, how many variables come before it (its field's index if it is one)."""
    numbers, seen = [], 0
    for piece in pieces:
        numbers.append(seen)
        if piece.variable is not None:
            seen += 1
    return numbers


def _pattern_id(tokens: Sequence[str]) -> str:
    return hashlib.sha1(" ".join(tokens).encode("utf-8", "replace")).hexdigest()[:8]
