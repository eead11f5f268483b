"""Queries rescued from an answer the model did not finish, or wrote with one bad stage.

A small model sometimes loops inside a regexp until the token budget cuts it off
(``regexp `to\\s+spawn\\s+to\\s+spawn...``), or writes one stage Loki refuses (a named
group with a space in it). No prefix of such a text is a whole metric query: the pipeline
stops inside ``count_over_time(``. What the model wrote before the fault is often sound, so
:func:`salvage` cuts the text at a stage boundary (inside a looping regexp: after a
complete capture group) and closes what is open, the range a range function still needs
included; :func:`without_stage` removes the one stage a semantic error points at. The
pipeline's checks then judge the results like any other candidate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nl2logql.errors import QueryError
from nl2logql.logql import ast
from nl2logql.logql.checks import LOG_RANGE_OPS
from nl2logql.logql.explain import PATTERN_FIELD
from nl2logql.logql.parser import parse

# Range functions (their parenthesis holds a log range, ``[5m]`` before it closes), and
# those of them that need ``| unwrap <label>`` in their pipeline.
RANGE_FUNCTIONS = frozenset(ast.RANGE_OPS)
UNWRAPPING = RANGE_FUNCTIONS - LOG_RANGE_OPS
MAX_SALVAGED = 3  # candidates offered: each is checked, and checks cost time
_WORD_BEFORE = re.compile(r"([A-Za-z_]+)\s*$")
_CLOSERS = {"(": ")", "{": "}", "[": "]"}
_UNWRAP = re.compile(r"\|\s*unwrap\b")
_FILTER = re.compile(r"\|\s*[=~]")  # a line filter keeping lines
_PARAMETER = re.compile(r"\s*[\d.eE+-]+\s*,\s*")  # quantile_over_time's
_OPERATOR = re.compile(r"\s(?:%s)\s" % "|".join(
    map(re.escape, sorted(ast.ARITHMETIC_OPS + ast.COMPARISON_OPS + ast.SET_OPS,
                          key=len, reverse=True))))


@dataclass(frozen=True)
class _Open:
    """An open bracket: its character and index, and for a range function's ``(`` its
    name, until its range is given."""

    char: str
    at: int = 0
    function: str | None = None


@dataclass(frozen=True)
class _Cut:
    """A place to end the text: ``at`` (exclusive), the brackets then open, and the quote
    that closes a string cut short (empty outside one)."""

    at: int
    opened: tuple[_Open, ...]
    quote: str = ""


def salvage(text: str, range_: str = "1h", limit: int = MAX_SALVAGED) -> list[str]:
    """Up to ``limit`` valid queries made from the unfinished ``text``, latest cut first:
    the text up to a stage boundary or the end of a capture group in a regexp, closed. A
    cut that leaves one stage twice (a decoding loop) is passed over."""
    found: list[str] = []
    for cut in reversed(_cuts(text)):
        query = _closed(text, cut, range_)
        if query is None or query in found:
            continue
        expr = _parsed(query)
        if expr is not None and not repeats_a_stage(expr):
            found.append(query)
            if len(found) == limit:
                break
    return found


def without_stage(text: str, offset: int) -> str | None:
    """``text`` without the pipeline stage that holds character ``offset`` (where a
    semantic error points), when what is left is a valid query."""
    for start, end in _stages(text):
        if start <= offset < end:
            query = (text[:start].rstrip() + " " + text[end:].lstrip()).strip()
            return query if _parsed(query) is not None else None
    return None


def repeats_a_stage(expr: ast.Node) -> bool:
    """Whether a pipeline holds the same stage twice (the mark of a decoding loop: no
    stage does more the second time)."""
    return any(stage in query.stages[:number] for query in expr.find_all(ast.LogQuery)
               for number, stage in enumerate(query.stages))


def _parsed(query: str) -> ast.Node | None:
    try:
        return parse(query)
    except QueryError:
        return None


def _closed(text: str, cut: _Cut, range_: str) -> str | None:
    """The text up to ``cut``, with its string and brackets closed: a range function gets
    its range, and the unwrap it needs of the last label its pipeline extracts; with none
    extracted, it counts the lines its filters keep (the checks then find the number the
    question asks in them). None: a selector or a range was left open, or there is neither
    a label to unwrap nor a line filter."""
    kept = text[:cut.at].rstrip() + cut.quote
    closing = kept
    for opened in reversed(cut.opened):
        if opened.char != "(":
            return None
        if opened.function in UNWRAPPING and not _UNWRAP.search(kept, opened.at):
            captured = PATTERN_FIELD.findall(kept, opened.at)  # <name>, and (?P<name>
            if captured:
                closing += f" | unwrap {captured[-1]}"
            elif _FILTER.search(kept, opened.at):
                closing = _counting(closing, opened)
            else:
                return None  # no lines named either
        if opened.function:
            closing += f" [{range_}]"
        closing += ")"
    return closing


def _counting(text: str, opened: _Open) -> str:
    """``text`` with the range function opened at ``opened`` made ``count_over_time`` (a
    ``quantile_over_time``'s parameter dropped)."""
    name = text.rfind(opened.function, 0, opened.at)
    argument = _PARAMETER.match(text, opened.at + 1)
    return (text[:name] + "count_over_time(" + text[argument.end() if argument
                                                     else opened.at + 1:])


def _cuts(text: str) -> list[_Cut]:
    """Where ``text`` may be cut, in order: before each stage of a log pipeline and each
    binary operator between queries, in a regexp literal after each capture group at its
    top level, and at its end."""
    cuts: list[_Cut] = []
    stack: list[_Open] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char in "\"`":
            end = _string_end(text, i)
            if end is None:  # cut short: inside a regexp, after a whole capture group
                if text[:i].rstrip().endswith("regexp"):
                    cuts.extend(_Cut(at, tuple(stack), char) for at in _group_ends(text, i))
                break
            i = end + 1
            continue
        if char in _CLOSERS:
            stack.append(_Open(char, i, _range_function(text[:i]) if char == "(" else None))
        elif char in ")}]":
            if char == "]" and stack and stack[-1].char == "[" and len(stack) > 1:
                stack.pop()
                parent = stack.pop()  # the range is given: the function needs none added
                stack.append(_Open(parent.char, parent.at))
                i += 1
                continue
            if stack:
                stack.pop()
        elif _stage_starts(text, i, stack) or _operator_starts(text, i, stack):
            cuts.append(_Cut(i, tuple(stack)))
        i += 1
    else:  # the whole text, where it ends outside a string
        cuts.append(_Cut(n, tuple(stack)))
    return cuts


def _stages(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each pipeline stage in a complete ``text``: from its ``|`` (or
    ``!=``/``!~``) to the next stage, range or bracket that ends its pipeline."""
    spans = []
    cuts = _cuts(text)
    for number, cut in enumerate(cuts):
        end = len(text)
        depth = len(cut.opened)
        following = cuts[number + 1] if number + 1 < len(cuts) else None
        if following is not None and following.opened == cut.opened:
            end = following.at
        ender = _pipeline_end(text, cut.at, depth)
        spans.append((cut.at, min(end, ender)))
    return spans


def _pipeline_end(text: str, start: int, depth: int) -> int:
    """Where the pipeline around ``start`` ends: a ``[`` range or a bracket closing below
    ``depth``."""
    level, i = depth, start
    while i < len(text):
        char = text[i]
        if char in "\"`":
            end = _string_end(text, i)
            if end is None:
                return len(text)
            i = end + 1
            continue
        if char == "[" and level == depth:
            return i
        if char in "({[":
            level += 1
        elif char in ")}]":
            level -= 1
            if level < depth:
                return i
        i += 1
    return len(text)


def _stage_starts(text: str, i: int, stack: list[_Open]) -> bool:
    """A ``|`` or ``!=``/``!~`` outside a selector, after one (a stage of a pipeline)."""
    if text[i] not in "|!" or (stack and stack[-1].char == "{") or "}" not in text[:i]:
        return False
    if text[i] == "|":
        return True
    return text[i + 1:i + 2] in ("=", "~") and text[:i].rstrip().endswith(("}", "\"", "`", ")"))


def _operator_starts(text: str, i: int, stack: list[_Open]) -> bool:
    """A binary operator between whole queries (outside every pipeline): cutting before
    it keeps the left side."""
    if not text[i - 1:i].isspace() or _OPERATOR.match(text, i - 1) is None:
        return False
    return all(opened.char == "(" and not opened.function for opened in stack)


def _range_function(before: str) -> str | None:
    match = _WORD_BEFORE.search(before)
    return match.group(1) if match and match.group(1) in RANGE_FUNCTIONS else None


def _string_end(text: str, start: int) -> int | None:
    """The index of the quote closing the string opened at ``start`` (None: unterminated)."""
    quote = text[start]
    i = start + 1
    while i < len(text):
        if quote == '"' and text[i] == "\\":
            i += 2
            continue
        if text[i] == quote:
            return i
        i += 1
    return None


def _group_ends(text: str, start: int) -> list[int]:
    """Indices just after each top-level capture group's ``)`` in the unterminated regexp
    literal that opens at ``start``."""
    quote = text[start]
    found, depth, named, i = [], 0, False, start + 1
    while i < len(text):
        char = text[i]
        if char == "\\":
            # a regexp escape; in a double-quoted string the backslash is doubled
            i += 4 if quote == '"' and text[i + 1:i + 2] == "\\" else 2
            continue
        if char == "(":
            if depth == 0:
                named = text.startswith("(?P<", i)
            depth += 1
        elif char == ")" and depth:
            depth -= 1
            if depth == 0 and named:
                found.append(i + 1)
        i += 1
    return found
