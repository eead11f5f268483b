"""Does the query answer the question asked? Three rules read from the two texts alone:

- ``range``: the question states a window ("in the last hour") and none of the query's
  ranges is that window (``[30d]``);
- ``grouping``: the question asks for a breakdown ("per user", "grouped by host", "top 3",
  "how many did each node report")
  and the query's answer collapses to one series (no ``by``/``without``, no ``topk``), or
  drops the very label asked for (``without (component)`` for "by component");
- ``application``: the question names applications and the query selects another one.

Each rule is conservative (it serves data hygiene, where a false flag throws a good pair
away, and the answer checks, where it demotes a good answer) and returns a one-line reason
or None. :mod:`nl2logql.hygiene` flags training pairs with them; :mod:`nl2logql.verify.checker`
warns about answers and repairs them.
"""

from __future__ import annotations

import re
from typing import Collection, Optional

from nl2logql.logql import ast
from nl2logql.logql.units import format_duration
from nl2logql.timephrases import Window, find_windows
from nl2logql.verify.rewrite import replace_node

_NS = 10**9

# ---- range --------------------------------------------------------------------------------

# Words that put the window before now; where find_windows reads no offset from them ("the
# hour before the incident"), an offset alone is no contradiction.
_OFFSET_CUES = re.compile(r"\b(?:ago|before|earlier|ended|ending|prior to|yesterday)\b", re.I)


def ranges_of(expr: ast.Node) -> list[tuple[int, int]]:
    """``(range, offset)`` in seconds of every log range, in source order."""
    return [(r.range // _NS, r.offset // _NS) for r in expr.find_all(ast.LogRange)]


def offsets_loose(question: str) -> bool:
    """Whether the question words its window relative to another time ("ago", "before")."""
    return _OFFSET_CUES.search(question) is not None


def range_reason(question: str, expr: ast.Expr) -> Optional[str]:
    windows = find_windows(question)
    ranges = ranges_of(expr)
    if not windows or not ranges:
        return None
    loose = offsets_loose(question)
    for window in windows:
        for seconds, offset in ranges:
            if window.seconds == seconds and (window.offset == offset
                                              or (loose and not window.offset)):
                return None
    stated = ", ".join(f'"{phrase_of(question, w)}" ({window_text(w.seconds, w.offset)})'
                       for w in windows)
    actual = ", ".join(window_text(s, o, brackets=True) for s, o in dict.fromkeys(ranges))
    return f"question says {stated} but the query's ranges are {actual}"


def window_text(seconds: int, offset: int, brackets: bool = False) -> str:
    """``1h offset 2h``, or ``[1h] offset 2h`` as a query writes it."""
    text = format_duration(seconds * _NS)
    text = f"[{text}]" if brackets else text
    return f"{text} offset {format_duration(offset * _NS)}" if offset else text


def phrase_of(question: str, window: Window) -> str:
    """The shortest run of the question's words that states ``window`` (for the reason)."""
    words = question.split()
    for length in range(1, 9):
        for start in range(len(words) - length + 1):
            text = " ".join(words[start:start + length])
            if find_windows(text) == [window]:
                return text.strip(",.?;:!")
    return window.range


# ---- grouping -----------------------------------------------------------------------------

# Words after "per"/"for each" that do not name a dimension: time units, "per cent", and
# the items a rate or an average is taken over ("per request", "per instance claim").
_NOT_A_DIMENSION = (r"(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?"
                    r"|years?|\d[\w.]*|cent|percent|a|an|the|one|each|every|events?|lines?"
                    r"|messages?|entry|entries|requests?|calls?|instance claims?|occurrences?"
                    r"|attempts?)")
_COUNT_WORD = r"(?:\d+|two|three|four|five|ten)"
# "how many unique users": a count of the series of a breakdown by user
DISTINCT = re.compile(r"\b(?:how many|number of|count of|count the) (?:distinct|unique|different) "
                      r"(?P<distinct>[a-z]\w*)", re.I)
# After a bare "by", words that name a stream's dimension ("count lines by component"),
# not who did something ("received by DataNodes"); a value after them is a filter ("by
# host LabSZ-1").
_LABEL_WORDS = (r"component|level|severity|host|hostname|node|service|application|app"
                r"|program|container|pod|namespace|file|status")
# A breakdown: "per user", "for each host", "grouped by application", "top 3 IPs", "which
# hosts", "the most common exceptions", "how many unique users", "by component". Any other
# bare "by" is too often passive ("received by DataNodes") to count.
# "how often did each occur": a verb after "each", not what the answer is broken down by
_NOT_EACH = (r"(?:one|of|occur|happen|appear|show|take|last|run|fail|succeed|see|get|have|log"
             r"|report|send|receive|come|go|start|end|make|do)")
_BREAKDOWN = re.compile(
    rf"\b(?:per|for each|for every|from each|(?:broken|break|breaks) down by"
    rf"|(?:grouped|group|split) by)[ -](?:(?:their|its|the) )?"
    # ("per closed connection": a value of each event, not a breakdown by "closed")
    rf"(?!{_NOT_A_DIMENSION}\b(?! (?:types?|kinds?|codes?)\b))(?![a-z]+[^e]ed\b)"
    rf"(?P<word>[a-z]\w*)"
    rf"|\btop {_COUNT_WORD} (?P<top>[a-z]\w*)"
    rf"|\b(?:did|does|do|has|have|had) each (?!{_NOT_EACH}\b)(?P<each>[a-z]\w*)"
    rf"|\bwhich (?:{_COUNT_WORD} )?(?!(?:is|was|has|does|this|its)\b)(?:(?P<kind>[a-z][\w-]*) )?"
    rf"(?P<which>[a-z]\w*)s\b"
    rf"|\bthe most (?:common|frequent) (?P<most>[a-z]\w*)s\b"
    rf"|{DISTINCT.pattern}"
    rf"|\bby (?:the |each )?(?:log )?(?P<label>{_LABEL_WORDS})(?:e?s)?(?: codes?| types?)?\b"
    rf"(?![ -]?[=:'\"`(]|[ -](?-i:[\w.$-]*[A-Z0-9]))",
    re.I)


def asked_breakdown(question: str) -> Optional[re.Match]:
    """The question's breakdown phrase; its ``dimension(match)`` is the word after it."""
    return _BREAKDOWN.search(question)


def dimension(match: re.Match) -> str:
    """The word that names the breakdown's dimension ("user" in "per user")."""
    return next(word for name, word in match.groupdict().items() if word and name != "kind")


def dimension_words(question: str, match: re.Match) -> list[str]:
    """The word naming the breakdown and the one after it ("source" and "IP" in "per
    source IP"), and the one before it that says which kind ("DataNode" in "which 2
    DataNode IPs")."""
    after = question[match.end():].split()
    kind = [match.group("kind")] if match.group("kind") else []
    return [dimension(match)] + [re.sub(r"\W", "", w) for w in after[:1]] + kind


def singular_of(word: str) -> str:
    """The word without a plural's ``s`` ("IPs": ``IP``; "directories": ``directory``);
    "status", "address" and "analysis" end in an ``s`` of their own."""
    if len(word) >= 5 and word.lower().endswith("ies"):
        return word[:-3] + "y"
    return word[:-1] if len(word) >= 3 and word.endswith("s") \
        and not word.lower().endswith(("ss", "us", "is")) else word


def label_for(words: list[str], labels: set[str]) -> str | None:
    """The label a breakdown's words name: the same word, its singular, a label with it as
    a ``_``-part (``ip`` → ``source_ip``), one it starts (``host`` → ``hostname``), or
    one that starts it (``usernames`` → ``user``)."""
    usable = sorted(name for name in labels if not name.startswith("__"))
    for word in reversed([w.lower() for w in words if w]):  # "source IP": IP names it
        singular = singular_of(word)
        for test in (lambda n: n.lower() in (word, singular),
                     lambda n: singular in n.lower().split("_"),
                     lambda n: n.lower().startswith(singular),
                     lambda n: len(n) >= 3 and singular.startswith(n.lower())):
            found = [name for name in usable if test(name)]
            if found:
                return min(found, key=len)
    return None


def grouping_reason(question: str, expr: ast.Expr) -> Optional[str]:
    if ast.kind(expr) == "log" or keeps_labels(expr):
        return None
    # `max(max_over_time(…) by (program))`: the outer aggregation drops the breakdown
    inner = isinstance(expr, ast.VectorAggregation) and expr.op in ("sum", "avg", "min", "max") \
        and isinstance(expr.expr, ast.RangeAggregation) and expr.expr.grouping is not None
    if not inner and any(g.labels or g.without for g in expr.find_all(ast.Grouping)):
        return None
    match = asked_breakdown(question)
    if not match:
        return None
    return (f'question asks for a breakdown ("{match.group(0).strip()}") but the query '
            "aggregates to one series (no by/without, no topk/bottomk)")


def dropped_breakdown(question: str, expr: ast.Expr) -> Optional[tuple[str, ast.Expr, str]]:
    """``(reason, fixed, label)`` where the question breaks the answer down by a label the
    query's ``without`` drops ("count lines by component": not ``sum without (component)``):
    that label becomes the ``by``."""
    match = asked_breakdown(question)
    if match is None:
        return None
    for grouping in expr.find_all(ast.Grouping):
        label = grouping.without and label_for(dimension_words(question, match),
                                               set(grouping.labels))
        if label:
            fixed = replace_node(expr, grouping, ast.Grouping(labels=(label,)))
            return (f'question asks for a breakdown ("{match.group(0).strip()}") but the query '
                    f"drops {label} (`without`)", fixed, label)
    return None


def keeps_labels(expr: ast.Node) -> bool:
    """Whether the answer can have more than one series (so it can be a breakdown)."""
    if isinstance(expr, ast.VectorAggregation):
        if expr.op in ("topk", "bottomk", "approx_topk") or expr.grouping:
            return True
        return expr.op in ("sort", "sort_desc") and keeps_labels(expr.expr)
    if isinstance(expr, ast.RangeAggregation):
        return True  # a range aggregation keeps every stream's labels
    if isinstance(expr, ast.BinaryOp):
        return keeps_labels(expr.left) or keeps_labels(expr.right)
    if isinstance(expr, ast.LabelReplace):
        return keeps_labels(expr.expr)
    return isinstance(expr, ast.LogQuery)


# ---- application --------------------------------------------------------------------------

def app_matchers(expr: ast.Node, label: str = "application") -> list[ast.Matcher]:
    return [m for selector in expr.find_all(ast.Selector) for m in selector.matchers
            if m.name == label]


def named_applications(question: str, applications: Collection[str]) -> list[str]:
    """The applications ``question`` names, longest first; a name found is blanked out so
    ``openssh-eu-west`` does not also count as ``openssh``."""
    from nl2logql.generation.schema import mentioned  # heavy import: only when needed

    named = []
    for name in sorted(applications, key=lambda a: (-len(a), a)):
        if mentioned(name, question):
            named.append(name)
            question = re.sub(re.escape(name), " ", question, flags=re.I)
    return named


_EVERY_APPLICATION = re.compile(r"\b(?:all|every|each)(?: of the| the)? (?P<system>[\w.-]+) "
                                r"(?:applications?|apps?|deployments?)\b", re.I)


def every_application(question: str, applications: Collection[str]) -> Optional[str]:
    """The system whose every application the question asks about ("across all openssh
    applications": ``openssh``), when it has several; else None."""
    match = _EVERY_APPLICATION.search(question)
    if match is None:
        return None
    system = match.group("system").lower()
    return system if sum(a.lower().startswith(system) for a in applications) > 1 else None


def application_reason(question: str, expr: ast.Expr, applications: Collection[str],
                       label: str = "application") -> Optional[str]:
    system = every_application(question, applications)
    if system is not None:
        wanted = [a for a in applications if a.lower().startswith(system)]
        for matcher in app_matchers(expr, label):
            if matcher.op != "=~" or not all(_full_match(matcher.value, a) for a in wanted):
                return (f"question asks about all {system} applications but the query selects "
                        f"{label}{matcher.op}\"{matcher.value}\"")
        return None
    named = named_applications(question, applications)
    if not named:
        return None
    lowered = {name.lower() for name in named}
    for matcher in app_matchers(expr, label):
        if matcher.op == "=" and not _covers(lowered, matcher.value.lower()):
            return (f"question names {', '.join(named)} but the query selects "
                    f'{label}="{matcher.value}"')
        if matcher.op == "=~" and not any(_full_match(matcher.value, n) for n in named):
            return (f"question names {', '.join(named)} but the query selects "
                    f'{label}=~"{matcher.value}", which matches none of them')
    return None


def _covers(named: set[str], value: str) -> bool:
    """Whether ``value`` is one of the named applications. A bare system word ("hdfs")
    also covers its deployments (``hdfs-eu-west``): it is as often the software's name."""
    return value in named or any("-" not in n and value.startswith(n + "-") for n in named)


def _full_match(pattern: str, value: str) -> bool:
    try:
        return re.fullmatch(pattern, value) is not None  # Loki anchors label regexes
    except re.error:
        return True  # a regex Python cannot read: no evidence of a contradiction
