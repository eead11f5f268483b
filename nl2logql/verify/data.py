"""The checks that ask the data (every probe is LogQL run on the backend, so a Loki is
checked as the embedded store is), each log query of a query over its own time range:

- ``selector``: the matchers select a stream together (the fix drops the one that does not);
- ``line_filter``: each line filter's text occurs in some line of the selected streams in
  the query's range (the fixes: a label matcher when the text is a label's value there, as
  a level asked as a word; else the run of a line's words holding the text's word stems,
  else the nearest fixed text of the streams' patterns; a quote that leaves out the
  values, "'Temperature exceeds warning threshold'", the one event with its words); and
  each ``!=`` text is in some line of the streams, else it excludes nothing (the same
  fixes, still negated);
- ``parser``: each parser extracts its fields from some of the lines before it;
- ``label``: each label a ``by``, a label filter or an ``unwrap`` names is on the lines
  there, and an ``unwrap``ped one is a number (the fixes: the closest label there, or one
  with the name as a part, or the extraction of the pattern of those lines that has the
  field, or for an ``unwrap`` the numeric field the question names, else the lines of the
  most common pattern with a field of that name in place of the query's filters; a label
  filter on a label none of these finds is dropped); a duration or size compared with a
  field no line writes with a unit is dropped;
- ``stream``: a value of the selected streams' labels that the question names, and the
  selector leaves open ("FSNamesystem lines", "WARNING-level"), is selected when lines
  remain;
- ``empty``: when none of the above explains why no line is left, the stage where they
  run out; a side of a difference, a sum or a share that has no lines at the time asked
  ("how many more than in the 5 minutes before") counts as 0 (``or vector(0)``), where
  Loki would answer nothing at all; a field compared with the text the line filter keeps
  (``| line=~"ciod: Missing or invalid fields on line"``) is dropped;
- ``unfiltered``: a query that takes every line of its streams while the question names
  what it is about (the fixes, most specific first: a filter on a literal it names that
  the lines hold, as an IP; the line filter of the one pattern sharing at least two of its
  content words, more than any other; a level of a level label or of ``detected_level``;
  a word the lines are asked to "mention"; a level no label holds, as the headers write
  it, "[notice]"); a side of a ratio that takes every line gets
  the one text the question quotes that no filter uses; a query that only leaves lines out
  ("the apache error lines that are not about …") keeps the level the question names;
- alerts (``absent_over_time``): a filter text no line of the streams ever held makes the
  alert fire always (the fixes: the level or stream the question names instead, a level
  no line has yet included; else the nearest text); one watching every line gets the text
  the question quotes;
- ``function``: the question asks a function of a value ("the total size") where the query
  counts lines: the pattern of those lines with a numeric field it names gives the value;
  "how many bytes" the lines state ("<n> bytes result sent") is their sum, not a count;
  of two numbers the lines state in one unit ("<m> bytes sent, <n> bytes received"), the
  one the question names; a value asked in the unit the lines write after it, no function
  named ("what processor speed, in MHz, did the kernel detect"), the largest they state;
- ``exclusion``: what the question leaves out ("without the 'terminating' messages", "other
  than the addStoredBlock ones", "NOT about unknown base files") is excluded with ``!=``
  (a ``|=`` on it turned), as the lines write it, and a quoted or code-written text left
  out is left out wherever it stands, not only where a longer text the query excludes goes
  on from it; a ``!=`` on the very lines the question asks for ("the authentication
  failures that were not for user root") keeps them, and one on the opposite of a text it
  says ("inconsistent nodesets" answered ``!= "consistent nodesets"``) keeps that text;
- ``literal``: an IP, an id or a code word the question names that no part of the query
  uses keeps its lines (one the question lists beside one a filter holds, "purgeInterval
  / snapRetainCount": either); the one text a log query's question quotes, its lead up to
  a stand-in ("'Targeting domains:...'"), keeps its lines;
- ``narrow``: a filter text that goes on past the question's words ("Failed password for
  invalid user" for "failed password attempts") keeps the words the question says, up to
  the last of them; one holding a value of the event's field the question does not name,
  with text after it ("Error loading /home/…rts: invalid or missing program image"), keeps
  the event's texts around the value;
  ``broad``: one that stops short of them ("Failed password for" for "invalid usernames")
  is the one event's text that goes on with them, and a count of lines a filter keeps for
  several events, where the question's other words are one event's alone ("offline
  registry hives windows loaded": not the ``Unloading …`` lines), keeps that event's;
- ``breakdown``: a ``by`` field a ``regexp`` finds on under half of the query's lines, where
  they are of several events writing it before the same word ("usernames with failed
  password attempts": ``<user> from``), is extracted before that word on each;
- ``outcome``: a filter on the opposite outcome of the one asked ("failed logins" answered
  with "Accepted password for") is the asked outcome's event sharing its other words;
- ``format``: a ``line_format`` writing no field, or one no line carries, goes; lines
  asked for as a quoted template ("formatted as 'no ident string from <ip>'") are written
  so, each stand-in taken from the field of the lines' event that it names;
- ``mention``: lines that "mention" an id the question names are every line holding it,
  not only those a wrapping text or an unnamed stream keeps;
- ``share``: a count divided by itself (``100 * A / A``) is divided by the lines of the
  event most of its lines belong to instead; "what fraction of bgl's log lines were FATAL"
  answered with every line over every line keeps that level in the numerator; a share of
  the lines of a level ("of apache's error lines") divides by that level's lines;
- ``program``: in logs whose line headers name the program, lines of another program than
  the one the question names ("sshd authentication failures" answered with ftpd's
  "Authentication failed") are swapped for that program's pattern sharing the most words;
  lines asked for by their program alone ("the spark lines from the SecurityManager", a
  logger's class written as code; "the windows CSI lines", a header column's value) are
  every line whose header names it, and no other;
- ``series``: a question that asks for one value ("the average size of the blocks
  received", "how many lines") gets one where the query answers a series per stream: the
  streams' series added up, averaged or the largest taken, as its function asks;
  ``grouping``: one that asks for a value per key no label of those series names ("the
  average timeout per client IP") is broken down by it; one by values the question lists
  ("'LOOKING (my state)' / 'LEADING (my state)'", "(KERNEL, APP, ...)") that the query's
  series are not is split as the lines write them (:mod:`nl2logql.verify.listed`).
"""

from __future__ import annotations

import difflib
import functools
import itertools
import os
import re
from collections import Counter

from nl2logql.engine.backend import DETECTED_LEVEL, Backend
from nl2logql.errors import Nl2LogQLError
from nl2logql.logql import ast
from nl2logql.logql.explain import parser_fields
from nl2logql.logql.parser import parse, quote
from nl2logql.logql.printer import format_ast
from nl2logql.patterns.describe import regex_literal
from nl2logql.patterns.sources import APPLICATION_LABELS
from nl2logql.verify import formats, headers, rewrite
from nl2logql.verify.agreement import (asked_breakdown, dimension, dimension_words, label_for,
                                      singular_of)
from nl2logql.verify.findings import HEAVY, LIGHT, MEDIUM, Fix, QueryWarning
from nl2logql.verify.listed import listed_breakdown, listed_values
from nl2logql.verify.nearest import VARIABLE, nearest, one_typo_apart, run_with, stems, words_of
from nl2logql.verify.shape import (ASKS_COUNT, ASKS_DURATION, ASKS_PART, ASKS_RATE, LINE_SIZES,
                                   MEASURES, PART_WORDS, QUOTED, TEMPLATE_FIELD, asked_function,
                                   asked_unit, asks_share, function_word, is_time_unit,
                                   named_function, names_field, scaled, share_whole,
                                   text_after, unit_in_stage, used_labels)
from nl2logql.verify.probe import (Probe, Scope, has_label, log_scope, no_error, range_scope,
                                   with_stage)

MAX_NAMES_SHOWN = 8  # labels listed in a "labels there:" reason
# what a question counts: the words after "how many", up to a verb or a preposition
_COUNTED = re.compile(r"\b(?:how many|(?:total )?number of|count of)\s+(?P<what>(?:(?!(?:"
                      r"did|do|does|were|was|are|is|has|have|had|in|on|for|over|during|across|"
                      r"from|by|per|that|which)\b)[\w-]+\s*){1,6})", re.I)
# "the largest number of exceptions one line reported": a clause naming the line itself
_ONE_LINE = re.compile(r"\b(?:one|any|each|every|a|a single|single)\s+(?:[\w-]+\s+){0,2}"
                       r"(?:line|entry|message|record)\b", re.I)
# a count's own extremes ("the most exceptions one line reported"), which elsewhere rank
# ("the host that logged the most errors") and so name no function of values
_COUNT_EXTREMES = (("max_over_time", re.compile(r"\bmost\b", re.I)),
                   ("min_over_time", re.compile(r"\b(?:fewest|least)\b", re.I)))
_LINES_COUNTED = re.compile(r"\b(?:lines?|events?|messages?|entries|entry|logs?|records?|"
                            r"occurrences?|times)\b", re.I)
# a host the message names, not the machine that wrote the line
_OTHER_HOST = re.compile(r"\b(?:remote|source|src|client|peer|destination|dst|target|origin"
                         r"|attacking)\s+(?:host|node|server|machine)", re.I)
# what lines are about, not what happened ("the host's total memory")
_ENTITY = re.compile(r"(?:node|host|server|peer|endpoint|addr(?:es|ess)?|user|client|port|ip|"
                     r"instanc|machine|component|program|process|servic|modul)e?s?", re.I)
_LINE_NOUN = re.compile(r"(?:line|event|messag|entr|log|record|occurr?enc)e?s?", re.I)  # a stem
_PRESENT = {"sent": "send", "got": "get", "took": "take", "wrote": "write", "written": "write",
            "ran": "run", "read": "read", "lost": "lose", "kept": "keep"}  # a log's past tense
_TIMES_COUNTED = re.compile(r"\b(?:how\s+many|number\s+of|count\s+of|\d+)\s+times\b", re.I)
MIN_SHARED_WORDS = 2  # question words a pattern must share for its filter to be a fix
MIN_COMMON_TEXT = 5  # characters of a text several events share, for it to keep their lines
MIN_QUOTED_WORDS = 3  # words of a quote that leaves out values, for it to name one event
MIN_TIED_EVENTS = 3  # events sharing as many of the question's words: it names their kind
MAX_WORD_VALUES = 6  # a field taking more words is a name, not a state
COMMON_TEXT_SLACK = 1.5  # lines a shared text may keep, as a multiple of the events' own
_TYPE_NAME = re.compile(r"(?:number|duration|bytes|ip)(?:_\d+)?")  # a field nothing named
# a word and the one after it ("user root", "user named root"), at each word of a text
_NAME_VALUE = re.compile(r"(?<![\w.-])(?=([A-Za-z_]\w*)\s+(?:named\s+|called\s+)?"
                         r"([A-Za-z][\w.-]{2,})\b)")
# ... or before it ("the root user", "the admin account"), unless it asks which one
_VALUE_NAME = re.compile(r"(?<![\w.-])(?=([A-Za-z][\w.-]{2,})\s+([A-Za-z_]\w*)\b)")
# an HTTP status asked: a class ("5xx errors") or a code ("status 404")
_STATUS_ASKED = re.compile(r"\b([1-5])xx\b|\b(?:status|code)(?: code)?:?\s+([1-5]\d\d)\b", re.I)
_STATUS_NAMES = frozenset({"status", "code", "status_code", "response_code", "http_status"})
# a label naming a node, which lines name by its address (ip:port)
_NODE_NAME = re.compile(r"node|host|server|peer|endpoint|addr", re.I)
_CAMEL_HUMP = re.compile(r"(?<=[a-z])(?=[A-Z])|[._](?=[A-Za-z])")  # allocate|Block, a.b
_CAPTURE = re.compile(r"\(\?P<\w+>[^)]*\)")
_WORDS_AROUND = re.compile(r"(?<!\\)[A-Za-z]{2}")
_NOT_A_VALUE = re.compile(r"(?:per|each|every|which|what|any|all|distinct|unique|different|"
                          r"the|no|one|that|this|same|other|given|single|top|most|new)", re.I)
# a field's name after these is a breakdown's or a question's ("per user", "which user")
_AS_DIMENSION = re.compile(r"\b(?:per|by|each|every|which|what|any|all|distinct|unique|"
                           r"different|the|a|an|no)\s+$", re.I)


# a count each line states, summed: "the total number of tries ConnectToServer reported"
# (each line: "No of tries: <tries>"), where the word names a numeric field of the lines
_TOTAL_NUMBER_OF = re.compile(r"\btotal number of (\w+)", re.I)
_IN_TOTAL = re.compile(r"\b(?:in total|total|altogether|add(?:ed|ing)? up|summed)\b", re.I)
# a unit set apart by a comma or ending the question ("what speed, in MHz, did …")
_IN_UNIT = re.compile(r"\bin\s+([kmgtp]i?b|bytes|[kmg]?hz|[mun]?s|secs?|seconds|minutes|mins"
                      r"|hours|hrs|celsius|degrees|rpm|volts|watts|[kmg]bps)\s*(?=[,?.)]|$)",
                      re.I)
# ... or named by it ("what BogoMIPS value"): a word a line may write after a number
_UNIT_VALUE = re.compile(r"\bwhat\s+([A-Za-z]{2,})\s+(?:value|reading)\b", re.I)
# what a share is of, then which part ("share of the updateClipping calls ... had …")
_PART_OF = re.compile(rf"\b(?P<word>{PART_WORDS}) of (?P<whole>.+?)\s+(?:had|have|has|were|was"
                      r"|are|is|with|that|which|where|ended|came|got|did)\b", re.I)
# ... or all that follows it ("fraction of the DHCPDISCOVER requests … hit …")
_PART_ASKED = re.compile(rf"\b(?P<word>{PART_WORDS}) of (?P<whole>.+)", re.I)
# a question that counts bytes, not lines ("how many bytes did chrome.exe send")
_HOW_MANY_BYTES = re.compile(r"\b(?:how many|number of|total(?: number of)?)\s+bytes\b", re.I)
# a question that adds up time the lines state ("how many seconds in total did … sleep")
_HOW_MANY_TIME = re.compile(r"\bhow many\s+(?:(?:milli|micro)?seconds|secs|minutes|mins|hours"
                            r"|ms)\b", re.I)

# two-letter words that link others, not what an event is about ("on" of "Link Up on")
_LINKING = frozenset("an of to in on at by or is as be it if".split())
# words after a template's word that name no variant of its field ("stored as a …")
_NOT_A_VARIANT = frozenset("a an the any all each every some its their this that".split())


class DataChecks:
    """The data checks of one query, each log query over its own scope."""

    def __init__(self, backend: Backend, probe: Probe, expr: ast.Expr, question: str = ""):
        self.backend, self.probe, self.expr, self.question = backend, probe, expr, question
        self.found: list[QueryWarning] = []

    def run(self) -> list[QueryWarning]:
        absent = {r.range.query for r in self.expr.find_all(ast.RangeAggregation)
                  if r.op == "absent_over_time"}
        # a side counted as 0 where it has no lines ("… or vector(0)"): none is an answer
        zero = {r.query for node in self.expr.find_all(ast.BinaryOp)
                if node.op == "or" and isinstance(node.right, ast.VectorLiteral)
                for r in node.left.find_all(ast.LogRange)}
        for query, scope in self._log_queries():
            if query in absent:  # no line is the answer it looks for: only streams must exist
                # (of a level, none yet: "nothing at ERROR level" selects the level anyway)
                streams = self._without_unseen_level(query)
                if self._selects_streams(streams, scope):
                    self._absent_filters(query, streams.selector)
                    # (the event asked must be of the logs, not of the window watched)
                    self._opposite_outcome(query, log_scope(self.backend))
                continue
            count = self.probe.count(query, scope)  # None: it failed to run
            if not count and (query in zero and self._held_elsewhere(query)
                              or not self._selects_lines(query, scope)):
                continue
            before = len(self.found)
            if not count:  # each filter alone, as the whole query says nothing
                self._line_filters(query, scope)
            self._parsers(query, scope)
            self._label_filters(query, scope)
            if count == 0 and len(self.found) == before:
                self._empty(query, scope)
            self._negations(query)
            self._opposite_outcome(query, scope)
            self._both_phases(query, scope, count)
            if count:
                self._level_as_text(query, scope, count)
                self._level_unnamed(query, scope, count)
                self._spelled_two_ways(query, scope, count)
            if count:
                self._stream_named(query, scope)
                self._narrowing(query, scope, count)
                self._value_in_filter(query, scope, count)
                self._mentioning(query, scope, count)
                self._literal_only(query, scope, count)
            self._line_formats(query, scope, count)
            if count and query is self.expr:
                self._format_asked(query, scope)
            self._exclusions(query, scope)
            self._excluded_subject(query, scope)
            if count:
                self._excluded_streams(query, scope)
                if _filters_lines(query.stages):
                    self._other_program(query, scope)
                    self._program_lines(query, scope, count)
                    self._other_programs(query, scope, count)
                    self._value_unfiltered(query, scope, count)
                    self._variant_unfiltered(query, scope, count)
            if query.stages:
                self._literal_unused(query, scope)
                if query is self.expr:
                    self._quote_unused(query, scope, count)
            if count:
                self._status_unused(query, scope, count)
            if not any(map(_selects_lines, self.expr.find_all(ast.LogQuery))):
                if not self._share_asked:  # a share's lines are its numerator's business
                    self._unfiltered(query)  # (a ratio's denominator may take every line)
            elif not query.stages:
                self._quoted_unused(query)
            else:
                self._level_unkept(query)
            if count and len(self.found) == before:  # (the other checks' fixes come first)
                self._event_within(query, scope, count)
            if count and len(self.found) == before:
                self._word_within(query, scope, count)
        self._groupings()
        self._listed_breakdown()
        self._unwraps()
        self._counted_value()
        self._stand_in_value()
        self._counted_by_lines()
        self._stated_bytes()
        self._other_stated_number()
        self._self_ratio()
        self._level_share()
        self._share_of_level()
        self._share_of_count()
        self._share_of_what()
        self._stream_series()
        self._empty_side()
        return self.found

    @functools.cached_property
    def _breakdown_examples(self) -> list[str]:
        """Values the question lists of what it breaks down by: examples, not a filter."""
        asked = asked_breakdown(self.question) or _BREAK_DOWN.search(self.question)
        return listed_values(self.question) if asked else []

    def _listed_breakdown(self) -> None:
        found = listed_breakdown(self.probe, self.question, self.expr)
        if found is not None:
            reason, fixed, change = found
            self._warn("grouping", reason, MEDIUM, Fix(fixed, change))

    def _held_elsewhere(self, query: ast.LogQuery) -> bool:
        """Whether ``query`` keeps lines in the logs' whole range (its own may have none)."""
        return bool(self.probe.count(query, log_scope(self.backend)))

    def _empty_side(self) -> None:
        """A difference or a sum of two numbers ("how many more than in the 5 minutes
        before"), or a share, one side of which has no lines at the time asked: Loki answers
        nothing at all, where the question's answer counts that side as 0."""
        for node in self.expr.find_all(ast.BinaryOp):
            if node.op not in ("-", "+", "/") or not all(map(_one_number, (node.left, node.right))):
                continue
            for side, other in ((node.left, node.right), (node.right, node.left)):
                if side is node.right and node.op == "/":
                    continue  # (a share of no lines at all has no answer)
                ranges = list(side.find_all(ast.LogRange))
                scope = range_scope(self.backend, ranges[0]) if ranges else None
                if scope is None or self.probe.has_samples(side, scope) is not False \
                        or not self.probe.has_samples(other, scope) \
                        or not all(self._held_elsewhere(r.query) for r in ranges):
                    continue  # (a side no filter of which finds a line is wrong, not 0)
                zeroed = ast.BinaryOp("or", side, ast.VectorLiteral(0.0))
                fixed = rewrite.replace_node(self.expr, node, node.replace(
                    **{"left" if side is node.left else "right": zeroed}))
                self._warn("empty", f"`{_short(side)}` has no lines at the time asked, so the "
                           f"query answers nothing where that side is 0", MEDIUM,
                           Fix(format_ast(fixed), "count it as 0 where it has no lines"))
                return

    def _log_queries(self) -> list[tuple[ast.LogQuery, Scope]]:
        if isinstance(self.expr, ast.LogQuery):
            return [(self.expr, log_scope(self.backend))]
        found = {(r.query, range_scope(self.backend, r)): None
                 for r in self.expr.find_all(ast.LogRange)}
        return list(found)

    def _warn(self, check: str, reason: str, severity: int, fix: Fix | None = None) -> None:
        warning = QueryWarning(check, reason, severity, fix)
        if warning not in self.found:
            self.found.append(warning)

    # -- nothing left --------------------------------------------------------------------------

    def _selects_streams(self, query: ast.LogQuery, scope: Scope) -> bool:
        """Whether the selector selects a stream; a warning when it selects none."""
        if self.probe.streams(query.selector, _widest(scope, log_scope(self.backend))) == 0:
            self._selector(query)
            return False
        return True

    def _selects_lines(self, query: ast.LogQuery, scope: Scope) -> bool:
        """Whether the selector has lines in ``scope``; a warning when it has none."""
        selector = query.selector
        if not self._selects_streams(query, scope):
            return False
        if self.probe.count(ast.LogQuery(selector), scope) == 0:
            self._warn("selector", f"{format_ast(selector)} has no lines in {scope.name}", LIGHT)
            return False
        return True

    def _unfiltered(self, query: ast.LogQuery) -> None:
        """Every line of the streams is taken, yet the question names what it is about.
        The fixes, most specific first: a literal the lines hold (an IP, an id, a quoted
        text, then a word as a program writes it: filter on it), the one event pattern its
        words match (that pattern's line filter), a level (select it), a word it says the
        lines mention, the program whose lines it means (as their header names it); else a
        warning without a fix when its words match some pattern. Past a literal, every line
        of a stream the question names (the DataBlockScanner's) is what it asks for."""
        found, match = self._lines_asked(query)
        if found is not None:
            fixed, reason, change = found
            self._warn("unfiltered", reason, MEDIUM, self._fix(query, fixed, change))
        elif match is not None:
            self._warn("unfiltered", _event_reason(query, ", ".join(match[2])), MEDIUM)

    def _lines_asked(self, query: ast.LogQuery) -> tuple[tuple | None, tuple | None]:
        """The lines the question picks out of an unfiltered query, most specific first (see
        :meth:`_unfiltered`): ``(fixed, reason, change)`` or None, and the pattern its words
        match best (None where it names a stream)."""
        named = any(_names_stream(self.question, m.name, m.value) for m in query.selector.matchers
                    if m.op == "=" and m.name not in APPLICATION_LABELS)
        match = None if named else self._event_match(query)
        for asked in (self._literal_asked,
                      lambda q: self._literal_asked(q, code_words(self.question)),
                      self._value_asked,
                      lambda q: self._event_asked(q, match),
                      self._level_asked,
                      lambda q: self._literal_asked(q, mentioned_words(self.question)),
                      self._program_asked):
            found = asked(query)
            if found is not None or named:
                return found, match
        return None, match

    def _level_unkept(self, query: ast.LogQuery) -> None:
        """The query only leaves lines out ("the apache error lines that are not about a
        workerEnv error state" answered ``!= "workerEnv…"``): the level the question names
        is still to be kept, else the program ("the PowerManagerService lines other than
        …")."""
        if _filters_lines(query.stages) or any(isinstance(s, ast.LabelFilter)
                                               for s in query.stages):
            return
        found = self._level_asked(query) or self._program_asked(query)
        if found is not None:
            fixed, reason, change = found
            self._warn("unfiltered", reason, MEDIUM, self._fix(query, fixed, change))

    @functools.cached_property
    def _asked_words(self) -> frozenset[str]:
        """The question's content words, but numbers, a letter alone (the "s" of "bgl's")
        and the "times" of a count ("how many times did it fail to sync": not the "time" of
        a ``totalTime`` field), and two words written as one, as logs write them ("shut
        down": shutdown, "log in": login); once a check."""
        from nl2logql.generation.schema import content_words

        question = _TIMES_COUNTED.sub(" ", self.question)
        joined = [a + b for a, b in itertools.pairwise(re.findall(r"[A-Za-z]{2,}|\S", question))
                  if a.isalpha() and b.isalpha() and content_words(a) and content_words(b)]
        return frozenset(w for w in content_words(question) + content_words(" ".join(joined))
                         if not w.isdigit() and len(w) > 1)

    def _event_match(self, query: ast.LogQuery) -> tuple[int, bool, list[str], object,
                                                          list] | None:
        """The pattern of the streams sharing the most of the question's content words:
        how many, whether no other shares as many, the words, the pattern, and the
        patterns sharing the same words (it among them)."""
        from nl2logql.generation.schema import content_words

        named = set(content_words(" ".join(m.value for m in query.selector.matchers)))
        named |= set(content_words(" ".join(left_out(self.question))))  # not what it is about
        asked = self._asked_words - named
        scored = []
        for pattern in self._patterns(query.selector):
            if pattern.line_filter:
                # a tie goes to the pattern whose fixed words the question covers more of
                # ("accepted socket connections": not "Closed socket connection for client")
                fixed = set(content_words(VARIABLE.sub(" ", pattern.template))) or {""}
                shared = _pattern_shares(asked, pattern)
                scored.append((len(shared), len(asked & fixed) / len(fixed), pattern.count,
                               pattern, shared))
        scored.sort(key=lambda item: item[:3], reverse=True)
        if not scored or scored[0][0] == 0:
            return None
        best, pattern, shared = scored[0][0], scored[0][3], scored[0][4]
        tied = [item[3] for item in scored if item[4] == shared]  # the question cannot tell
        return (best, len(scored) == 1 or scored[1][:2] < scored[0][:2], sorted(shared), pattern,
                tied)

    def _event_asked(self, query: ast.LogQuery, match) -> tuple[ast.LogQuery, str, str] | None:
        """The lines of the one pattern (``match``, of :meth:`_event_match`) that shares at
        least :data:`MIN_SHARED_WORDS` of the question's content words, more than any other
        does. Where three or more share the same words, the question names their kind
        ("connection errors": every "<host> error : ..." event): the text they all hold
        around a word of the question."""
        if match is None or match[0] < MIN_SHARED_WORDS:
            return None
        # the head of the phrase that names them comes last ("connection errors": errors)
        heads = sorted(match[2], key=lambda w: self.question.lower().rfind(w), reverse=True)
        common = _common_text([p.template for p in match[4]], heads) \
            if len(match[4]) >= MIN_TIED_EVENTS else None
        kept = ast.LineFilter("|=", (ast.FilterTerm(common),)) if common else None
        if kept is not None and self._their_lines(query, kept, match[4]):
            return (query.replace(stages=(kept, *query.stages)),
                    _event_reason(query, ", ".join(match[2])),
                    f"keep the lines with {quote(common)}, which the {len(match[4])} events "
                    "the question's words fit all hold")
        if not match[1]:
            return None
        pattern = match[3]
        return (query.replace(stages=(*_event_filters(pattern.line_filter), *query.stages)),
                _event_reason(query, ", ".join(match[2])),
                f"keep the lines of the pattern {quote(pattern.template)}")

    def _their_lines(self, query: ast.LogQuery, kept: ast.LineFilter, patterns: list) -> bool:
        """Whether ``kept`` keeps about the lines of ``patterns`` and not many more (a text
        every line holds, "block" in HDFS, names no kind of event)."""
        scope = log_scope(self.backend)
        theirs = sum(self.probe.count(query.replace(stages=(_stage(p.line_filter),)), scope)
                     for p in patterns)
        return 0 < self.probe.count(query.replace(stages=(kept,)), scope) <= \
            COMMON_TEXT_SLACK * theirs

    def _value_asked(self, query: ast.LogQuery) -> tuple[ast.LogQuery, str, str] | None:
        """The lines of the event whose field has the value the question gives it ("failed
        password attempts for the root user": ``|= "Failed password for root"``, the
        template's text up to the field, then the value): of the events where that text
        keeps lines, the one sharing the most of the question's words, at least
        :data:`MIN_SHARED_WORDS` and more than any other."""
        scope = log_scope(self.backend)
        asked = self._asked_words
        scored = []
        for pattern, name, value in self._named_values(query.selector, scope):
            before = pattern.template.split(f"<{name}>")[0]
            text = VARIABLE.split(before)[-1].lstrip() + value
            if not re.search(r"[A-Za-z]{2}", text[:-len(value)]):
                continue  # no words of the event's own before the value
            fixed = query.replace(stages=(ast.LineFilter("|=", (ast.FilterTerm(text),)),
                                          *query.stages))
            if self.probe.count(fixed, scope):
                scored.append((len(_pattern_shares(asked, pattern)), text, fixed))
        scored.sort(key=lambda item: item[0], reverse=True)
        if not scored or scored[0][0] < MIN_SHARED_WORDS or (
                len(scored) > 1 and scored[1][0] == scored[0][0] and scored[1][1] != scored[0][1]):
            return None
        _, text, fixed = scored[0]
        return (fixed, f"the query takes every line of {_selector_name(query.selector)}, but "
                f"the question asks for the lines with {quote(text)}",
                f"keep the lines with {quote(text)}")

    def _line_filters(self, query: ast.LogQuery, scope: Scope) -> None:
        for index, stage in enumerate(query.stages):
            if isinstance(stage, ast.LineFilter) and stage.op in ("|=", "|~"):
                self._line_filter(query, index, stage, scope)

    def _empty(self, query: ast.LogQuery, scope: Scope) -> None:
        """Where the lines run out, when no other check said why; a filter there on the
        name of the streams' program, which other lines write ("Received block" lines
        kept to those saying "PacketResponder", which the responder's other lines do),
        selects the program's streams instead."""
        for index, stage in enumerate(query.stages):
            if self.probe.count(query.replace(stages=query.stages[:index + 1]), scope) == 0:
                if isinstance(stage, ast.LineFilter):
                    fix = self._as_label(query, stage, stage.terms[0]) \
                        if len(stage.terms) == 1 else None
                else:
                    fix = self._line_text_as_field(query, stage)
                self._warn("empty", f"no line is left after `{format_ast(stage)}` in "
                           f"{scope.name}", MEDIUM, fix)
                return

    def _selector(self, query: ast.LogQuery) -> None:
        """The matchers select no stream together: the fix drops the one matcher (not the
        application's) whose absence selects some."""
        selector, fix = query.selector, None
        scope = log_scope(self.backend)
        for matcher in reversed(selector.matchers):
            kept = selector.replace(matchers=tuple(m for m in selector.matchers if m != matcher))
            if kept.matchers and self.probe.streams(kept, scope):
                fix = Fix(format_ast(rewrite.replace_node(self.expr, selector, kept)),
                          f"drop {format_ast(matcher)}")
                break
        self._warn("selector", f"the matchers of {format_ast(selector)} select no stream "
                   "together", HEAVY, fix)

    def _line_filter(self, query: ast.LogQuery, index: int, stage: ast.LineFilter,
                     scope: Scope) -> None:
        # After a line_format the filter sees the new line: test it where it stands.
        earlier = query.stages[:index]
        base = earlier if any(isinstance(s, ast.LineFormat) for s in earlier) else ()
        for term in stage.terms:
            if term.ip:
                continue
            alone = stage.replace(terms=(term,))
            test = ast.LogQuery(query.selector, base + (alone,))
            if self.probe.count(test, scope) != 0:
                continue
            wide = log_scope(self.backend)
            if wide.range > scope.range and self.probe.count(test, wide):
                self._warn("line_filter", f"no line in {scope.name} contains "
                           f"{quote(term.value)} (earlier lines do)", LIGHT)
                continue
            self._missing_text(query, stage, term)

    def _missing_text(self, query: ast.LogQuery, stage: ast.LineFilter,
                      term: ast.FilterTerm) -> None:
        where = _selector_name(query.selector)
        regex = stage.op in ("|~", "!~")
        negated = stage.op in ("!=", "!~")
        what = f"matches {quote(term.value)}" if regex else f"contains {quote(term.value)}"
        reason = f"no line of {where} {what}"
        if negated:
            reason += f", so `{stage.op}` excludes nothing"
        severity = MEDIUM if negated else HEAVY
        asked = not regex and not negated and len(stage.terms) == 1 and \
            term.value.lower() in self.question.lower()
        # "'BLOCK* ask ... to delete'" asked: any text at the dots; at the end, none
        cut = elided_end(term.value) if asked else None
        elided = elided_regex(term.value) if asked and not cut else None
        if cut or elided:
            matching = ast.LineFilter("|=", (ast.FilterTerm(cut),)) if cut else \
                ast.LineFilter("|~", (ast.FilterTerm(elided),))
            fixed = query.replace(stages=tuple(matching if s is stage else s
                                               for s in query.stages))
            if self.probe.count(ast.LogQuery(query.selector, (matching,)), log_scope(self.backend)):
                self._warn("line_filter", reason, severity, self._fix(
                    query, fixed, f"match {quote(cut or elided)} instead of {quote(term.value)}"))
                return
        quoted = self._quoted_exactly(term.value)
        if quoted is not None and quoted != term.value and not regex and \
                self._occurs(query.selector)(quoted):  # the quote's own case, as the lines say it
            fixed = query.replace(stages=tuple(s.replace(terms=tuple(
                ast.FilterTerm(quoted) if t is term else t for t in s.terms)) if s is stage else s
                for s in query.stages))
            self._warn("line_filter", reason, severity, self._fix(
                query, fixed, f"filter on {quote(quoted)} as the question quotes it"))
            return
        if quoted is not None and not any(
                self._occurs(selector)(term.value) for selector in _widenings(query.selector)):
            event = None if regex else self._quoted_event(query.selector, quoted)
            if event is not None:  # "'Temperature exceeds warning threshold'": "(41C)" left out
                fixed = query.replace(stages=tuple(
                    _stage(event.line_filter) if s is stage else s for s in query.stages))
                self._warn("line_filter", f"{reason}, the text the question quotes", severity,
                           self._fix(query, fixed, f"keep the lines of the pattern "
                                                   f"{quote(event.template)}, the quote's words"))
                return
            self._warn("line_filter", f"{reason}, the text the question quotes", severity)
            return  # not in these logs, then: an empty answer is the right one
        fix = None if negated else self._as_label(query, stage, term)
        if fix is not None:
            self._warn("line_filter", f"{reason}; it is a label value there", severity, fix)
            return
        either = None if regex or negated or len(stage.terms) != 1 else \
            self._either(query.selector, term.value)
        if either is not None:  # "session opened/closed": both events, as the lines say them
            fixed = query.replace(stages=tuple(either if s is stage else s for s in query.stages))
            self._warn("line_filter", reason, severity,
                       self._fix(query, fixed, f"filter on {format_ast(either)[3:]} instead of "
                                               f"{quote(term.value)}"))
            return
        words = words_of(term.value, regex)
        text = None
        for selector in _widenings(query.selector):
            text = self._in_lines(selector, words)
            if text is not None:
                reason += f"; lines of {_selector_name(selector)} hold {quote(text)}"
                break
        else:
            selector = query.selector
            text = None if negated else self._inner_literal(query, words)
            if text is not None:  # "Allocated under /user/root/sortrand2": the path is meant
                reason += f"; lines of {where} hold {quote(text)}"
            else:
                found = nearest(words, self._patterns(selector), self._occurs(selector))
                if found is not None:
                    reason += f"; nearest pattern: {quote(found.pattern.template)}"
                    text = found.fragment
        if text is not None:
            replacement = self._replacement(stage, term, text, selector)
            fixed = ast.LogQuery(selector, tuple(replacement if s is stage else s
                                                 for s in query.stages))
            change = (f"filter on {format_ast(replacement).split(' ', 1)[1]} instead of "
                      f"{quote(term.value)}{_without(query.selector, selector)}")
            fix = self._fix(query, fixed, change)
        elif not negated and len(stage.terms) == 1:
            # a text of the model's own only empties the answer; the question's own words
            # may name an event that the lines say otherwise
            fix = self._drop(stage) if self._unasked(term.value, regex) else \
                self._asked_otherwise(query, stage)
        self._warn("line_filter", reason, severity, fix)

    def _asked_otherwise(self, query: ast.LogQuery, stage: ast.LineFilter) -> Fix | None:
        """The query's one line filter is the question's words that no line holds ("the
        lines where xinetd removed a service"): the lines those words pick out as the lines
        say it ("xinetd[1798]: removing chargen"), as for a query with no filter, where
        such a line holds half its words at least (else the event it names is none of
        these logs', and no line is the answer)."""
        kept = query.replace(stages=tuple(s for s in query.stages if s is not stage))
        if _filters_lines(kept.stages):
            return None
        found, _ = self._lines_asked(kept)
        if found is None:
            return None
        fixed, _, change = found
        [term] = stage.terms
        wanted = [_without_e(w) for w in stems(words_of(term.value, stage.op == "|~"))]
        lines = self.probe.lines(fixed, log_scope(self.backend)) or []
        if not wanted or 2 * max((sum(w in line.lower() for w in wanted) for line in lines),
                                 default=0) < len(wanted):
            return None
        return self._fix(query, fixed, f"drop `{_short(stage)}`, {change}")

    def _inner_literal(self, query: ast.LogQuery, words: str) -> str | None:
        """The longest literal or code word of the question inside ``words`` that the lines
        of ``query``'s streams hold."""
        occurs = self._occurs(query.selector)
        inner = [t for t in question_literals(self.question) + code_words(self.question)
                 if t in words and t != words and occurs(t)]
        return max(inner, key=len) if inner else None

    def _quoted_event(self, selector: ast.Selector, quoted: str):
        """The one pattern with a run of words that are those of a quote that leaves its
        values out ("'Temperature exceeds warning threshold'": "Temperature (41C) exceeds
        warning threshold"; "'Took seconds to build instance'"), each word of three letters
        or more quoted."""
        wanted = [w.lower() for w in re.findall(r"[A-Za-z]\w*", quoted)]
        if len(wanted) < MIN_QUOTED_WORDS:
            return None
        found = []
        for pattern in self._patterns(selector):
            words = [w.lower() for w in re.findall(r"[A-Za-z]\w*", VARIABLE.sub(" ", pattern.template))]
            words = [w for w in words if len(w) >= 3 or w in wanted]
            if pattern.line_filter and any(words[i:i + len(wanted)] == wanted
                                           for i in range(len(words))):
                found.append(pattern)
        return found[0] if len({p.line_filter for p in found}) == 1 else None

    def _quoted_exactly(self, text: str) -> str | None:
        """The question's quote that is ``text`` but for case, with no stand-in for a value
        ("'Bad protocol version identification'", not "'message repeated N times'")."""
        return next((quoted for quoted in quoted_texts(self.question)
                     if text.lower() == quoted.lower() and not _STAND_IN.search(quoted)), None)

    def _unasked(self, text: str, regex: bool) -> bool:
        """Whether none of the words of a filter's text is in the question past its lead-in
        (who asks), or the text is LogQL's own syntax (``|= "ip("``: the start of an
        ``ip("…")`` filter)."""
        if _CALL.fullmatch(text):
            return True
        # who asks ("Capacity planner here: ...", "SRE on call - ...") is not what
        body = _LEAD_IN.sub("", self.question, count=1)
        asked = {w.lower() for w in re.findall(r"\w+", body)}
        return not asked & {w.lower() for w in re.findall(r"\w+", words_of(text, regex))}

    def _negations(self, query: ast.LogQuery) -> None:
        """A ``!=`` whose text no line of the streams holds excludes nothing: the question
        named something to leave out, and this text is not how the lines say it."""
        scope = log_scope(self.backend)
        for stage, term in _filter_terms(query, ("!=", "!~")):
            positive = ast.LineFilter("|~" if stage.op == "!~" else "|=", (term,))
            if not term.ip and self.probe.count(
                    ast.LogQuery(query.selector, (positive,)), scope) == 0:
                self._missing_text(query, stage, term)

    def _in_lines(self, selector: ast.Selector, words: str) -> str | None:
        """The commonest shortest run of words, in the lines of ``selector`` that hold
        each stem and number of ``words`` (two at least), that holds them all and no id
        (three digits or more the words do not have); first the
        runs whose words start with more of the stems ("allocated containers", not a class
        name "...Allocator] ...RMContainerRequestor" on more lines)."""
        numbers = re.findall(r"\b\d{2,}\b", words)  # "HTTP 404": the code is wanted too
        wanted = stems(words) + numbers
        if len(wanted) < 2:
            return None
        filters = tuple(ast.LineFilter("|~", (ast.FilterTerm(
            rf"\b{stem}\b" if stem in numbers else f"(?i){stem}"),)) for stem in wanted)
        lines = self.probe.lines(ast.LogQuery(selector, filters), log_scope(self.backend))
        # a run holding an id ("sshd(pam_unix)[1325]: …", a process's) keeps its lines alone
        runs = Counter(run for run in (run_with(line, wanted) for line in lines or ())
                       if run is not None and set(re.findall(r"\d{3,}", run)) <= set(numbers))

        def starting(run: str) -> int:
            starts = re.findall(r"(?<![a-z0-9])[a-z0-9]+", run.lower())
            return sum(any(word.startswith(stem) for word in starts) for stem in wanted)

        return min(runs, key=lambda run: (-starting(run), -runs[run], len(run), run)) \
            if runs else None

    def _as_label(self, query: ast.LogQuery, stage: ast.LineFilter,
                  term: ast.FilterTerm) -> Fix | None:
        """A filter text no line holds that is the value of a label of these streams (a
        level asked as a word: ``|= "WARN"`` for ``log_level="WARN"``): the fix selects
        the label instead (with the first matcher alone when the others rule it out)."""
        if stage.op not in ("|=", "|~") or len(stage.terms) != 1 or \
                stage.op == "|~" and re.escape(stage.terms[0].value) != stage.terms[0].value:
            return None  # (a regexp only as a plain text)
        scope = log_scope(self.backend)
        named = {m.name for m in query.selector.matchers}
        for selector in _widenings(query.selector):
            for labels in self.probe.series(selector, scope) or ():
                match = next(((name, value) for name, value in sorted(labels.items())
                              if name not in named and _same_value(term.value, value, name)),
                             None)
                if match is None:
                    continue
                matcher = ast.Matcher(match[0], "=", match[1])
                fixed = ast.LogQuery(ast.Selector(selector.matchers + (matcher,)),
                                     tuple(s for s in query.stages if s is not stage))
                change = (f"select {format_ast(matcher)} instead of filtering on "
                          f"{quote(term.value)}{_without(query.selector, selector)}")
                return self._fix(query, fixed, change)
        return None

    def _line_text_as_field(self, query: ast.LogQuery, stage: ast.Stage) -> Fix | None:
        """A field compared with the text the query's line filter keeps (``| line=~"ciod:
        Missing or invalid fields on line"`` after ``|= "Missing or invalid fields on
        line"``) tests the field, not the line, and keeps nothing: the fix drops it."""
        if not (isinstance(stage, ast.LabelFilter) and isinstance(stage.expr, ast.StringFilter)):
            return None
        value = stage.expr.matcher.value.lower()
        kept = [term.value.lower() for s in query.stages if isinstance(s, ast.LineFilter)
                and s.op == "|=" for term in s.terms]
        if not any(len(text) >= 8 and text in value for text in kept):
            return None
        return self._fix(query, query.replace(stages=tuple(s for s in query.stages
                                                           if s is not stage)),
                         f"drop `{format_ast(stage)}`, the line's text compared with a field")

    def _fix(self, query: ast.LogQuery, fixed: ast.LogQuery, change: str) -> Fix:
        """The whole query with the log query ``query`` replaced by ``fixed``."""
        return Fix(format_ast(rewrite.replace_node(self.expr, query, fixed)), change)

    def _occurs(self, selector: ast.Selector):
        """A test: whether some line of ``selector``'s streams holds a text."""
        scope = log_scope(self.backend)

        def occurs(text: str) -> bool:
            found = ast.LogQuery(selector, (ast.LineFilter("|=", (ast.FilterTerm(text),)),))
            return bool(self.probe.count(found, scope))

        return occurs

    def _either(self, selector: ast.Selector, text: str) -> ast.LineFilter | None:
        """``|~ "session (opened|closed)"`` for ``session opened/closed`` (``a/b`` one word
        or the other), when the lines hold each reading."""
        found = _EITHER.fullmatch(text)
        if found is None:
            return None
        before, first, second, after = found.groups()
        occurs = self._occurs(selector)
        if not (occurs(before + first + after) and occurs(before + second + after)):
            return None
        return ast.LineFilter("|~", (ast.FilterTerm(
            f"{regex_literal(before)}({regex_literal(first)}|{regex_literal(second)})"
            f"{regex_literal(after)}"),))

    def _replacement(self, stage: ast.LineFilter, term: ast.FilterTerm, fragment: str,
                     selector: ast.Selector) -> ast.LineFilter:
        """The filter with ``term`` swapped for ``fragment``. A regex of alternatives
        (``a|b``) keeps each alternative that has a nearest fragment of its own."""
        negated = stage.op in ("!=", "!~")
        op, value = "!=" if negated else "|=", fragment
        regex = stage.op in ("|~", "!~")
        alternatives = term.value.split("|") if regex and "(" not in term.value else []
        if len(alternatives) > 1:
            patterns = self._patterns(selector)
            occurs = self._occurs(selector)
            found = [nearest(words_of(a, regex=True), patterns, occurs) for a in alternatives]
            texts = list(dict.fromkeys(f.fragment for f in found if f is not None))
            if len(texts) > 1:
                op, value = "!~" if negated else "|~", "|".join(regex_literal(t) for t in texts)
        if len(stage.terms) == 1:
            return ast.LineFilter(op, (ast.FilterTerm(value),))
        if op != stage.op:  # the other terms stay regexes
            value = regex_literal(fragment)
        return stage.replace(terms=tuple(ast.FilterTerm(value) if t == term else t
                                         for t in stage.terms))

    def _patterns(self, selector: ast.Selector) -> list:
        """The patterns of the applications ``selector`` may select (of all, when it
        names none)."""
        from nl2logql.engine.store import matches
        from nl2logql.engine.store import selector_matchers
        from nl2logql.patterns import sources

        try:
            groups = sources.patterns(self.backend)
        except Nl2LogQLError:
            return []
        out = []
        for group in groups:
            labels = {m.name: m.value for m in selector_matchers(group.selector)}
            relevant = [m for m in selector.matchers if m.name in labels]
            if matches(labels, relevant):
                out.extend(group.patterns)
        return out

    # -- parsers and labels --------------------------------------------------------------------

    def _parsers(self, query: ast.LogQuery, scope: Scope) -> None:
        for index, stage in enumerate(query.stages):
            if not isinstance(stage, ast.PARSER_STAGES):
                continue
            before = self.probe.count(query.replace(stages=query.stages[:index]), scope)
            if not before:
                return
            upto = query.replace(stages=query.stages[:index + 1])
            fields = parser_fields(stage)
            if isinstance(stage, (ast.RegexpParser, ast.PatternParser)):
                if fields and self.probe.count(with_stage(upto, has_label(fields[0])), scope) == 0:
                    unused = not set(fields) & used_labels(self.expr)  # then it may just go
                    self._warn("parser", f"`{_short(stage)}` extracts {fields[0]} from none of "
                               f"the {before:,} lines before it", MEDIUM,
                               self._extraction_fix(fields[0], [(query, scope)])
                               or (self._drop(stage) if unused else None))
            elif self.probe.count(with_stage(upto, no_error()), scope) == 0:
                self._warn("parser", f"`{_short(stage)}` fails on all {before:,} lines before it",
                           MEDIUM)

    def _label_filters(self, query: ast.LogQuery, scope: Scope) -> None:
        for index, stage in enumerate(query.stages):
            if not isinstance(stage, ast.LabelFilter):
                continue
            upto = query.replace(stages=query.stages[:index])
            for name in _filter_labels(stage.expr):
                self._label_exists(name, [(upto, scope)], f"`{format_ast(stage)}`", stage)
            if self._unit_mismatch(upto, stage, scope):
                unit = "duration" if isinstance(stage.expr, ast.DurationFilter) else "size"
                self._warn("label", f"`{_short(stage)}` compares {stage.expr.name} with a {unit}"
                           f", but no line writes {stage.expr.name} with a unit", MEDIUM,
                           self._drop(stage))

    def _unit_mismatch(self, upto: ast.LogQuery, stage: ast.LabelFilter, scope: Scope) -> bool:
        """Whether ``stage`` compares a field with a duration or a size (``size = 24h``)
        where the lines carry the field, none of them with a unit."""
        if not isinstance(stage.expr, (ast.DurationFilter, ast.BytesFilter)):
            return False
        name = stage.expr.name
        with_unit = ast.Matcher(name, "=~", r"[0-9.]+ ?[A-Za-zµ]+")
        return (bool(self.probe.count(with_stage(upto, has_label(name)), scope))
                and self.probe.count(with_stage(upto, ast.LabelFilter(ast.StringFilter(
                    with_unit))), scope) == 0)

    def _drop(self, stage: ast.Node) -> Fix:
        return Fix(format_ast(rewrite.replace_node(self.expr, stage, None)),
                   f"drop `{_short(stage)}`")

    def _program_asked(self, query: ast.LogQuery) -> tuple[ast.LogQuery, str, str] | None:
        """The lines of the one program the question names ("kernel log lines"), where the
        streams' lines name their program in a syslog-like header ("combo kernel: ...",
        "sshd(pam_unix)[19939]: ..."), and not every line is that program's."""
        named = self._named_program(query.selector)
        if named is None:
            return None
        name = named[0]
        fixed, scope = with_stage(query, _program_stage(*named)), log_scope(self.backend)
        if not 0 < self.probe.count(fixed, scope) < self.probe.count(query, scope):
            return None
        return fixed, _event_reason(query, f"the lines of {name}"), f"keep the lines {name} writes"

    def _named_program(self, selector: ast.Selector) -> tuple[str, headers.Style] | None:
        """The one program of the streams' line headers that the question names, and how
        the headers name it."""
        from nl2logql.generation.schema import content_words

        # the words of a quote are the line's, not a program's ("'No network route'"), nor
        # are those of what it leaves out ("not for user root")
        quoted = {w for q in quoted_texts(self.question) + left_out(self.question)
                  for w in content_words(q)}
        asked = [w for w in self._asked_words - quoted if len(w) >= 3]
        tokens = [w for w in self._written if w.lower() not in quoted]
        written = {w.lower() for w in tokens}
        programs = {(headers.program(p), headers.program_style(p)) for p in self._patterns(selector)
                    if headers.program_style(p) is not None}
        # a program the question writes out ("QQ"; a logger's class as code, "SecurityManager":
        # spark.SecurityManager), else the one a word starts ("ftp": ftpd)
        named = {(name, style) for name, style in programs
                 if {name.lower(), name.rsplit("/", 1)[-1].lower()} & written
                 or name.rsplit(".", 1)[-1] in tokens and re.search(r"[a-z][A-Z]", name)} or \
            {(name, style) for name, style in programs if any(_starts_name(w, name) for w in asked)}
        return next(iter(named)) if len({name for name, _ in named}) == 1 else None

    @functools.cached_property
    def _written(self) -> list[str]:
        """The question's words as written, outside its quotes (a program's name among
        them: "QQ", "SecurityManager", "CSI"); once a check."""
        return re.findall(r"[\w.$-]*\w", QUOTED.sub(" ", self.question))

    def _program_lines(self, query: ast.LogQuery, scope: Scope, count: int) -> None:
        """Lines asked for by the program that writes them alone ("the spark lines from the
        SecurityManager", "the android WindowManager lines", "the windows CSI lines"): every
        line whose header names it, and no other; not one event's, nor others that mention
        its name."""
        from nl2logql.generation.schema import content_words

        found = self._program_named_alone(query.selector)
        if found is None or query is not self.expr:
            return
        name, stage = found
        places = [m.value.lower() for m in query.selector.matchers if m.name in APPLICATION_LABELS]
        if any(w not in name.lower() and not any(p.startswith(w) for p in places)
               for w in content_words(self.question)):
            return  # the question says more of the lines than whose they are
        kept = tuple(s for s in query.stages if not (isinstance(s, ast.LineFilter)
                                                     and s.op in ("|=", "|~")))
        fixed = query.replace(stages=(stage, *kept))
        after = self.probe.count(fixed, scope)
        if after and after != count:
            self._warn("program", f"the question asks for the lines {name} writes, but the "
                       f"query keeps {'only some of them' if after > count else 'others too'}",
                       MEDIUM, self._fix(query, fixed, f"keep the lines {name} writes"))

    def _program_named_alone(self, selector: ast.Selector) -> tuple[str, ast.Node] | None:
        """The program the question names and the filter keeping its lines: of the
        syslog-like headers (:meth:`_named_program`), else the one a header column names
        that the question writes out ("CSI"; only here, as such columns also hold words a
        question says otherwise: HPC's ``node``)."""
        named = self._named_program(selector)
        if named is not None:
            return named[0], _program_stage(*named)
        written = {w.lower() for w in self._written}
        columns = {name: keeps for name, keeps in
                   headers.column_programs(self._patterns(selector)).items()
                   if name.lower() in written}
        if len(columns) != 1:
            return None
        [(name, keeps)] = columns.items()
        return name, ast.LineFilter("|~", (ast.FilterTerm(keeps),))

    def _other_program(self, query: ast.LogQuery, scope: Scope) -> None:
        """The question names the program whose lines it means ("sshd authentication
        failures") where the query keeps none of them (ftpd's "Authentication failed"): the
        line filter of that program's pattern sharing the most of the question's words."""
        named = self._named_program(query.selector)
        if named is None or self.probe.count(
                with_stage(_unformatted(query), _program_stage(*named)), scope) != 0:
            return
        name = named[0]
        asked = self._asked_words
        mine = [(len(_pattern_shares(asked, p)), p.count, p)
                for p in self._patterns(query.selector)
                if headers.program(p) == name and p.line_filter]
        shared, _, pattern = max(mine, key=lambda m: m[:2], default=(0, 0, None))
        # the query's own filters may say more of what is asked ("captive network support
        # ... as Authenticated": "Captive: CNPluginHandler en0", not networkd's lines)
        own = _shared(asked, _template_words(" ".join(
            term.value for _, term in _filter_terms(query, ("|=", "|~")))), "")
        if shared < max(MIN_SHARED_WORDS, len(own) + 1):
            return
        fixed = query.replace(stages=(_program_stage(*named), _stage(pattern.line_filter)) + tuple(
            s for s in query.stages if not isinstance(s, ast.LineFilter)))
        if self.probe.count(fixed, scope):
            self._warn("program", f"the question names {name}, whose lines the query keeps none "
                       "of", MEDIUM, self._fix(query, fixed, f"keep the lines of {name}'s pattern "
                                               f"{quote(pattern.template)}"))

    def _other_programs(self, query: ast.LogQuery, scope: Scope, count: int) -> None:
        """The question names the program whose lines it means ("connections chrome
        opened") where the query keeps other programs' lines too: its lines alone; not
        where the question asks for every line that mentions something, nor where the query
        already filters on the program's name."""
        named = self._named_program(query.selector)
        if named is None or _MENTIONING.search(self.question) or any(
                named[0] in term.value for _, term in _filter_terms(query, ("|=", "|~"))):
            return
        fixed = query.replace(stages=(_program_stage(*named), *query.stages))
        if 0 < self.probe.count(fixed, scope) < count:
            self._warn("program", f"the question names {named[0]}, but the query keeps other "
                       "programs' lines too", MEDIUM,
                       self._fix(query, fixed, f"keep the lines {named[0]} writes"))

    def _value_unfiltered(self, query: ast.LogQuery, scope: Scope, count: int) -> None:
        """The question gives the value of a field the query extracts ("failures for user
        guest") but keeps every value of it: the lines with that value."""
        extracted = {f for s in query.stages for f in parser_fields(s)}
        compared = {n for s in query.stages if isinstance(s, ast.LabelFilter)
                    for n in _filter_labels(s.expr)}
        given = {name: {v for v in values if singular_of(v.lower()) != name}
                 for name, values in self._question_values().items()}
        for name, values in given.items():
            if name not in extracted or name in compared or len(values) != 1:
                continue  # (two values are compared or broken down: "Paused to Resumed")
            value = values.pop()
            kept = ast.LabelFilter(ast.StringFilter(ast.Matcher(name, "=", value)))
            at = 1 + max(i for i, s in enumerate(query.stages) if name in parser_fields(s))
            fixed = query.replace(stages=query.stages[:at] + (kept,) + query.stages[at:])
            if 0 < self.probe.count(_unformatted(fixed), scope) < count:
                self._warn("value", f"the question gives {name} {quote(value)}, but the query "
                           f"keeps every {name}", MEDIUM,
                           self._fix(query, fixed, f"keep {name}={quote(value)}"))
                return

    def _variant_unfiltered(self, query: ast.LogQuery, scope: Scope, count: int) -> None:
        """The question says which variant of an event the miner merged into one pattern
        ("blocks spark stored as values in memory", where the pattern is "Block <block>
        stored as <word> in memory …" and lines say "as values" and "as bytes"): the word
        the question says after the two the template writes before the field (the first in
        any form of its stem, a word may come between: "storing blocks as bytes"), kept
        with the template's text up to it, where some of the lines hold that text and not
        all."""
        if not self._counts_lines(query):
            return  # (a ratio's other side keeps every variant)
        asked = QUOTED.sub(" ", self.question)  # a quote is a text asked for as it is
        for pattern in self._patterns(query.selector):
            for field in pattern.fields:
                before = VARIABLE.split(pattern.template.split(f"<{field.name}>")[0])[-1]
                last = re.search(r"([A-Za-z]{3,})\s+([A-Za-z]{2,})\s+$", before)
                if field.numeric or last is None or not pattern.line_filter:
                    continue
                stem = last.group(1)[:len(last.group(1)) - 2]  # stored as: "store as"
                said = re.search(rf"\b{stem}\w*\s+(?:\w+\s+)?{last.group(2)}\s+"
                                 r"([A-Za-z]{2,})\b", asked, re.I)  # "storing blocks as bytes"
                if said is None or said.group(1).lower() in _NOT_A_VARIANT or \
                        not self.probe.count(with_stage(query, _stage(pattern.line_filter)), scope):
                    continue
                text = before.lstrip() + said.group(1)
                if any(_squeezed(text) in _squeezed(t.value) for _, t in _filter_terms(
                        query, ("|=", "|~"))):
                    continue  # kept already, spelt either way ("Node ?card")
                fixed = query.replace(stages=(_stage(f"|= {quote(text)}"), *query.stages))
                if 0 < (self.probe.count(fixed, scope) or 0) < count:
                    self._warn("value", f"the question asks for the lines with {quote(text)}, "
                               f"but the query keeps every {field.name} of "
                               f"{quote(before.strip())}", MEDIUM,
                               self._fix(query, fixed, f"keep the lines with {quote(text)}"))
                    return

    def _level_asked(self, query: ast.LogQuery,
                     text: str | None = None) -> tuple[ast.LogQuery, str, str] | None:
        """The query keeping only the level the question (or ``text`` of it) names ("error
        lines"), why and what changed: by a level label of the selected streams, else by
        Loki 3's ``detected_level`` metadata of their lines, else as the lines' headers
        write it. None when it names no level they have."""
        from nl2logql.generation.retrieval import tokenize

        # "the FATAL lines that are not about data TLB errors": errors are left out
        words = set(tokenize(outside_left_out(self.question if text is None else text)))

        def asked(value: str) -> bool:
            return any(_names_level(word, value.lower()) for word in words)

        named = {m.name for m in query.selector.matchers}
        scope = log_scope(self.backend)
        for labels in self.probe.series(query.selector, scope) or ():
            for name, value in sorted(labels.items()):
                if name not in named and _is_level(name) and asked(value):
                    matcher = ast.Matcher(name, "=", value)
                    selector = ast.Selector(query.selector.matchers + (matcher,))
                    return (query.replace(selector=selector), _level_reason(value),
                            f"select {format_ast(matcher)}")
        for value in self.backend.detected_levels():
            stage = ast.LabelFilter(ast.StringFilter(ast.Matcher(DETECTED_LEVEL, "=", value)))
            fixed = with_stage(query, stage)
            if asked(value) and self.probe.count(fixed, scope):
                return fixed, _level_reason(value), f"add `{format_ast(stage)}`"
        # a level no label holds (Apache's "[notice]", which Loki detects as info): as the
        # lines' headers write it
        written = {(found.group(0), found.group(1)) for p in self._patterns(query.selector)
                   for found in map(_LEVEL_TOKEN.fullmatch, headers.header(p).split()) if found}
        for token, level in sorted(written):
            if asked(level):
                stage = ast.LineFilter("|=", (ast.FilterTerm(token),))
                if self.probe.count(with_stage(query, stage), scope):
                    return (with_stage(query, stage), _level_reason(token.strip("[]<>")),
                            f"add `{format_ast(stage)}`")
        return None

    def _spelled_two_ways(self, query: ast.LogQuery, scope: Scope, count: int) -> None:
        """A filter text with two words some lines write as one ("shutting down Node card",
        where lines also say "NodeCard"), or one word others write as two: either way."""
        for stage, term in _filter_terms(query, ("|=",)):
            text = term.value
            # where a space may come or go: between two words, or in a CamelCase word
            joints = [m.start() for m in re.finditer(r"(?<=[A-Za-z]{3}) (?=[A-Za-z]{3})", text)]
            joints += [m.start(2) for m in re.finditer(r"\b([A-Z][a-z]{2,})([A-Z][a-z]{2,})\b",
                                                       text)]
            for at in joints:
                rest = at + 1 if text[at] == " " else at
                head = text[rest]  # ("Card" joined, "card" apart)
                either = (regex_literal(text[:at]) + rf"\s?[{head.upper()}{head.lower()}]"
                          + regex_literal(text[rest + 1:]))
                fixed = rewrite.replace_node(query, stage, ast.LineFilter("|~", (
                    ast.FilterTerm(either),)))
                if (self.probe.count(fixed, scope) or 0) > count:
                    other = text[:at] + ("" if rest > at else " ") + text[rest:]
                    self._warn("line_filter", f"lines write {quote(text)} also as "
                               f"{quote(other)}", MEDIUM,
                               self._fix(query, fixed, f"keep the lines with {quote(text)}"
                                                       " either way"))
                    return

    def _level_unnamed(self, query: ast.LogQuery, scope: Scope, count: int) -> None:
        """Lines of a level the question names in capitals ("Count bgl's FATAL lines per
        component"), where the query's filters keep lines of every level: that level's
        alone (a query without filters is :meth:`_unfiltered`'s)."""
        said = _SHOUTED_LEVEL.search(outside_left_out(self.question))
        if said is None or not _filters_lines(query.stages) or \
                re.search(r"level|severity", format_ast(query), re.I) or any(
                _names_level(t.value.lower(), said.group().split()[0].lower())
                for _, t in _filter_terms(query, ("|=", "|~"))):
            return
        found = self._level_asked(query, said.group())
        if found is not None and (self.probe.count(found[0], scope) or count) < count:
            fixed, reason, change = found
            self._warn("level", reason, MEDIUM, self._fix(query, fixed, change))

    def _level_as_text(self, query: ast.LogQuery, scope: Scope, count: int) -> None:
        """The level the question names ("How many ERROR lines") filtered as a text
        (``|= "ERROR"``), which lines of other levels hold too ("WARN … ERROR"): by the
        level."""
        terms = [(stage, term) for stage, term in _filter_terms(query, ("|=",))]
        if len(terms) != 1 or len(terms[0][0].terms) != 1 or \
                not re.fullmatch(r"\W*[A-Za-z]+\W*", terms[0][1].value) or \
                terms[0][1].value in quoted_texts(self.question):
            return  # (a level is one word: "data TLB error interrupt" is an event)
        stage, term = terms[0]
        bare = query.replace(stages=tuple(s for s in query.stages if s is not stage))
        by_text, asked = self._level_asked(bare, term.value), self._level_asked(bare)
        if by_text is None or asked is None or by_text[0] != asked[0]:
            return
        fixed, _, change = asked
        if 0 < (self.probe.count(fixed, scope) or 0) < count:
            self._warn("stream", f"the question asks for a level, but lines of other levels "
                       f"hold {quote(term.value)} too", MEDIUM, self._fix(query, fixed, change))

    def _stream_named(self, query: ast.LogQuery, scope: Scope) -> None:
        """The question names one of the selected streams' label values ("the FSNamesystem
        lines", "nova-api", "WARNING-level") that the selector leaves open: select it, when
        lines remain."""
        found = self._stream_asked(query, scope)
        if found is not None:
            fixed, reason, change = found
            self._warn("stream", reason, MEDIUM, self._fix(query, fixed, change))

    def _opposite_outcome(self, query: ast.LogQuery, scope: Scope) -> None:
        """A filter on the opposite outcome or phase of the one asked ("failed logins"
        answered with "Accepted password for"; "where TrustedInstaller finished its
        initialization" with "Starting TrustedInstaller initialization."): the event of the
        asked one that shares the most of the filter's other words ("Failed password for";
        of several, the one the others hold) takes its place."""
        for opposites in _OPPOSITES:
            asked = _outcome(self.question, opposites)
            if asked is None:
                continue
            for stage, term in _filter_terms(query, ("|=",)):
                if _outcome(term.value, opposites) in (None, asked):
                    continue
                event = self._outcome_event(query.selector, term.value, asked, opposites)
                if event is None:
                    continue
                fixed = query.replace(stages=tuple(
                    ast.LineFilter("|=", (ast.FilterTerm(event),)) if s is stage else s
                    for s in query.stages))
                if self.probe.count(fixed, scope):
                    other = next(name for name, _ in opposites if name != asked)
                    self._warn("outcome", f"the question asks about what {asked}, but "
                               f"{quote(term.value)} keeps what {other}", MEDIUM,
                               self._fix(query, fixed, f"filter on {quote(event)}"))
                    return

    def _both_phases(self, query: ast.LogQuery, scope: Scope, count: int) -> None:
        """"Where TrustedInstaller started or ended its finalization": the lines of both
        phases of the event the question's other words name ("Starting TrustedInstaller
        finalization." and "Ending …", two patterns apart by that word alone), where the
        query's filters keep other lines."""
        if not _BOTH_PHASES.search(self.question):
            return
        pairs = []  # (question words shared, the filter keeping both)
        templates = [p.template.split() for p in self._patterns(query.selector)]
        for one, other in itertools.permutations(templates, 2):
            apart = [i for i, (a, b) in enumerate(zip(one, other)) if a != b]
            if len(one) != len(other) or len(apart) != 1 or not (
                    _STARTED.fullmatch(one[apart[0]]) and _ENDED.fullmatch(other[apart[0]])):
                continue
            at = apart[0]
            before = VARIABLE.split(" ".join(one[:at]))[-1]
            after = VARIABLE.split(" ".join(one[at + 1:]))[0]
            shared = _shared(self._asked_words, _template_words(f"{before} {after}"), "")
            regex = (regex_literal(f"{before} " if before else "")
                     + f"({re.escape(one[at])}|{re.escape(other[at])})"
                     + regex_literal(f" {after}" if after else ""))
            pairs.append((len(shared), ast.LineFilter("|~", (ast.FilterTerm(regex),))))
        pairs.sort(key=lambda pair: pair[0], reverse=True)
        if not pairs or pairs[0][0] < MIN_SHARED_WORDS or \
                len(pairs) > 1 and pairs[1][0] == pairs[0][0]:
            return
        kept = pairs[0][1]
        fixed = query.replace(stages=(kept, *(s for s in query.stages if not (
            isinstance(s, ast.LineFilter) and s.op in ("|=", "|~")))))
        lines = self.probe.count(fixed, scope)
        if lines and lines != count:
            self._warn("outcome", "the question asks about both what started and what ended, "
                       "but the query keeps other lines", MEDIUM,
                       self._fix(query, fixed, f"keep the lines matching "
                                               f"{quote(kept.terms[0].value)}"))

    def _outcome_event(self, selector: ast.Selector, text: str, asked: str,
                       opposites) -> str | None:
        """The event text of the streams' patterns with the ``asked`` outcome sharing the
        most of ``text``'s words but its outcome's; of several, the one the others hold."""
        rest = set(stems(re.sub("|".join(words.pattern for _, words in opposites), " ", text,
                                flags=re.I)))
        scored = {}
        for pattern in self._patterns(selector):
            event = _event_text(pattern.line_filter) if pattern.line_filter else ""
            if event and _outcome(event, opposites) == asked:
                scored[event] = len(rest & set(stems(event)))
        best = max(scored.values(), default=0)
        if not best:
            return None
        tied = [e for e, n in scored.items() if n == best]
        return next((e for e in tied if all(e in t for t in tied)), None)

    def _narrowing(self, query: ast.LogQuery, scope: Scope, count: int) -> None:
        """A filter text that says more or less than the question: "Failed password for
        invalid user" for "failed password attempts" keeps only some of the lines asked
        about (the fix keeps the words up to the last of at least two the question says,
        when that finds more lines); "Failed password for" for "invalid usernames" keeps
        lines the question leaves out (the fix is the one event's text that goes on with
        words the question says, when that finds fewer lines). Texts the question quotes or
        names as literals stay."""
        asked = stems(_TIMES_COUNTED.sub(" ", self.question))  # (not a count's "times")
        literals = [t.lower() for t in question_literals(self.question)]
        for stage, term in _filter_terms(query, ("|=",)):
            if len(stage.terms) != 1 or any(_overlaps(term.value, t) for t in literals):
                continue
            for text, wider in ((_asked_prefix(term.value, asked), True),
                                (self._asked_extension(query.selector, term.value, asked), False)):
                if text is None:
                    continue
                changed = ast.LineFilter("|=", (ast.FilterTerm(text),))
                fixed = query.replace(stages=tuple(changed if s is stage else s
                                                   for s in query.stages))
                after = self.probe.count(fixed, scope)
                if not after or (after > count) != wider or after == count:
                    continue
                if wider:
                    reason = (f"{quote(term.value)} goes on past what the question says "
                              f"({quote(term.value[len(text):].strip())} keeps only some of "
                              "the lines)")
                else:
                    reason = (f"{quote(term.value)} stops short of what the question says "
                              f"({quote(text[len(term.value):].strip())})")
                self._warn("narrow" if wider else "broad", reason, MEDIUM,
                           self._fix(query, fixed, f"filter on {quote(text)}"))
                return

    def _value_in_filter(self, query: ast.LogQuery, scope: Scope, count: int) -> None:
        """A filter text that holds a value of an event's field the question does not name,
        and goes on past it ("ciod: Error loading /home/yates/…rts: invalid or missing
        program image" for "the lines where ciod could not load a program image"), keeps
        that value's lines only: the event's own texts around the value, each a filter,
        keep every one."""
        literals = [t.lower() for t in question_literals(self.question)]
        for stage, term in _filter_terms(query, ("|=",)):
            if len(stage.terms) != 1 or any(_overlaps(term.value, t) for t in literals):
                continue
            upto = query.replace(stages=query.stages[:query.stages.index(stage) + 1])
            line = next(iter(self.probe.lines(upto, scope) or ()), None)
            taken = [(name, value, span) for name, value, span
                     in self._values_taken_in(query.selector, line or "", term.value)
                     if not self._names_value(value)]
            # (a value that ends the text is more likely chosen: "Failed password for root")
            if not taken or not _texts_around(term.value[taken[-1][2][1]:], []):
                continue
            texts = _texts_around(term.value, [span for _, _, span in taken])
            fixed = query.replace(stages=tuple(itertools.chain.from_iterable(
                [ast.LineFilter("|=", (ast.FilterTerm(t),)) for t in texts] if s is stage
                else [s] for s in query.stages)))
            if (self.probe.count(fixed, scope) or 0) <= count:
                continue
            name, value, _ = taken[0]
            self._warn("narrow", f"{quote(term.value)} holds {quote(value)}, one value of the "
                       f"event's {name} the question does not name, so it keeps only some of "
                       "the event's lines", MEDIUM,
                       self._fix(query, fixed, "filter on " + " and ".join(map(quote, texts))))
            return

    def _values_taken_in(self, selector: ast.Selector, line: str,
                         text: str) -> list[tuple[str, str, tuple[int, int]]]:
        """The values of the fields of ``line``'s pattern that ``text`` takes in where the
        line holds it: ``(field, value, span)``, the span within ``text``."""
        start = line.find(text)
        if start < 0:
            return []
        end = start + len(text)
        for pattern in self._patterns(selector):
            event = _event_text(pattern.line_filter) if pattern.line_filter else ""
            spans = _field_spans(pattern.template, line) if event and event in line else None
            inside = [(name, (max(left, start), min(right, end))) for name, (left, right)
                      in spans or () if left < end and right > start and right > left]
            if inside:
                return [(name, line[left:right], (left - start, right - start))
                        for name, (left, right) in inside]
        return []

    def _names_value(self, value: str) -> bool:
        """Whether the question names ``value``: a word of it ("spawned": spawn), or a
        token with a digit as it is."""
        question = self.question.lower()
        return any(_said(stem, self._question_stems) for stem in stems(value)) or any(
            token in question for token in re.findall(r"\d[\w.:-]*", value.lower()))

    @functools.cached_property
    def _question_stems(self) -> list[str]:
        return stems(self.question)

    def _asked_extension(self, selector: ast.Selector, text: str, asked: list[str]) -> str | None:
        """The one event text of the streams' patterns that starts with ``text`` and goes
        on with content words the question says, every one of them (a short one too: "Link
        Up" is no link that went down)."""
        found = set()
        said = set(re.findall(r"[a-z]+", self.question.lower()))
        for pattern in self._patterns(selector):
            longer = _event_text(pattern.line_filter) if pattern.line_filter else ""
            rest = stems(longer[len(text):]) if longer.startswith(text) else []
            short = set(re.findall(r"\b[a-z]{2}\b", longer[len(text):].lower())) - _LINKING
            if rest and all(_said(stem, asked) for stem in rest) and short <= said:
                found.add(longer)
        return found.pop() if len(found) == 1 else None

    def _line_formats(self, query: ast.LogQuery, scope: Scope, kept: int | None) -> None:
        """A ``line_format`` that writes no field, or one no line carries there
        (``{{.DELETE}}``), replaces each line by text of the model's own: it goes. Where
        the query keeps no line (``kept``), "there" is after its parsers alone."""
        for index, stage in enumerate(query.stages):
            if not isinstance(stage, ast.LineFormat):
                continue
            fields = list(dict.fromkeys(TEMPLATE_FIELD.findall(stage.template)))
            upto = query.replace(stages=tuple(
                s for s in query.stages[:index] if kept or not isinstance(s, ast.LineFilter)))
            missing = [f for f in fields
                       if self.probe.count(with_stage(upto, has_label(f)), scope) == 0]
            if fields and not missing:
                continue
            why = (f"writes {', '.join(missing)}, which no line carries there" if missing
                   else "writes no field of the lines")
            self._warn("format", f"`{_short(stage)}` {why}", MEDIUM, self._drop(stage))
            return

    def _format_asked(self, query: ast.LogQuery, scope: Scope) -> None:
        """Lines asked for as a quoted template ("print each build as '<instance id> built
        in <seconds>s'") that the query does not write so: of the events among its lines,
        the one with the most lines whose fields give every stand-in (by its name, a name
        the template gives the field, the unit after it, the words around the stand-in)
        is written so; a label filter on a label left stays."""
        asked = formats.asked_format(self.question)
        written = [s for s in query.stages if isinstance(s, ast.LineFormat)]
        if asked is None or (written and asked.writes(written[-1].template)):
            return
        filters = tuple(s for s in _unformatted(query).stages if isinstance(s, ast.LineFilter))
        plain = query.replace(stages=filters)
        streams = self._stream_label_names(query.selector, scope)
        best = None
        for pattern in self._patterns(query.selector):
            sources = _format_sources(asked, pattern, streams) if pattern.line_filter else None
            if sources is None:
                continue
            event = _stage(pattern.line_filter)
            lines = self.probe.count(with_stage(plain, event), scope)
            if lines and (best is None or lines > best[0]):
                best = (lines, event, sources)
        if best is None:
            return
        lines, event, sources = best
        stages = list(filters)
        if (self.probe.count(plain, scope) or 0) > lines:  # other events' lines are not asked
            stages.append(event)
        stages += [_stage(extraction) for _, extraction in sources.values() if extraction]
        known = {label for label, _ in sources.values()} | streams
        stages += [s for s in query.stages
                   if isinstance(s, ast.LabelFilter) and set(_filter_labels(s.expr)) <= known]
        extracted = query.replace(stages=tuple(stages))
        kept = self.probe.count(extracted, scope)
        if not kept or any((self.probe.count(with_stage(extracted, has_label(label)), scope)
                            or 0) < headers.AGREEMENT * kept for label, _ in sources.values()):
            return
        fixed = with_stage(extracted, ast.LineFormat(asked.line_format(
            {stand_in: label for stand_in, (label, _) in sources.items()})))
        self._warn("format", f"the question asks for each line as {quote(asked.text)}, which "
                   "the query does not write", MEDIUM,
                   self._fix(query, fixed, f"write each line as {quote(asked.text)}"))

    def _mentioning(self, query: ast.LogQuery, scope: Scope, count: int) -> None:
        """"Every line that mentions instance af5f…", "lines that mention datanode
        10.251.73.220": all lines holding the id, so a filter that wraps it in words of
        its own ("instance af5f…") or a stream the question does not name narrows them."""
        if not _MENTIONING.search(self.question):
            return
        values = self._stream_values(query.selector)
        literals = [t for t in token_literals(self.question) if t not in values]
        if not literals:
            return
        matchers = tuple(m for m in query.selector.matchers if m.name in APPLICATION_LABELS
                         or _names_stream(self.question, m.name, m.value))
        stages = tuple(
            ast.LineFilter("|=", (ast.FilterTerm(literal),))
            if isinstance(stage, ast.LineFilter) and stage.op == "|=" and len(stage.terms) == 1
            and (literal := next((t for t in literals if t in stage.terms[0].value), None))
            else stage for stage in query.stages)
        wider = ast.LogQuery(ast.Selector(matchers), stages)
        if wider == query or not matchers or (self.probe.count(wider, scope) or 0) <= count:
            return
        self._warn("mention", "the question asks for every line that mentions "
                   f"{', '.join(literals)}, but the query keeps only some", MEDIUM,
                   self._fix(query, wider, "keep every line with "
                             + ", ".join(quote(t) for t in literals)))

    def _literal_only(self, query: ast.LogQuery, scope: Scope, count: int) -> None:
        """The query keeps every line with an IP or an id the question names, or every line
        but some, and no more, where the question also says what happened ("how many blocks
        did the DataNodes receive from 10.251.214.67", "non-GET HTTP requests"): the lines
        of the one event its words match go with it, unless it asks for every line that
        mentions something."""
        if _MENTIONING.search(self.question):
            return
        literals = token_literals(self.question)
        terms = list(_filter_terms(query, ("|=", "|~", "!=", "!~")))
        if not terms or not all(stage.op in ("!=", "!~") or (stage.op == "|=" and any(
                _overlaps(term.value, t) for t in literals)) for stage, term in terms):
            return
        match = self._event_match(query)
        found = self._event_asked(query, match)
        if found is None:
            return
        from nl2logql.generation.schema import content_words

        excluded = content_words(" ".join(t.value for s, t in terms if s.op in ("!=", "!~")))
        if any(_alike(a, b) for a in match[2] for b in excluded):
            return  # the words are of the lines it leaves out ("all but the failed passwords")
        fixed, _, change = found
        kept = self.probe.count(fixed, scope)
        if kept and kept < count:
            self._warn("unfiltered", "the query's filters name no event, but the question is "
                       f"about {', '.join(match[2])}", MEDIUM, self._fix(query, fixed, change))

    def _event_within(self, query: ast.LogQuery, scope: Scope, count: int) -> None:
        """The query counts lines its filters keep for several events, and the question's
        other words name one of them ("offline registry hives did windows load":
        ``Loading offline registry hive:``, not ``Unloading …``; "gmetad get no answer from
        a datasource": those of gmetad's lines, not all of them): that event's lines, where
        its pattern is the only one the query keeps that holds any of those words (or holds
        them all and more than any other), and the lines holding them are its own ("root"
        is also a user of other events). Words of the question's quotes are no others (a
        quote is a text asked for as it is), nor those that call lines lines ("messages")
        or name what they are about ("host")."""
        from nl2logql.generation.schema import content_words

        if _MENTIONING.search(self.question) or not self._counts_lines(query):
            return
        kept = [term.value for _, term in _filter_terms(query, ("|=", "|~"))]
        if any(found.group(1) in kept for found in _ABOUT_CODE.finditer(self.question)):
            return  # "the lines about the BATTERY_CHANGED broadcast": all of them
        literals = token_literals(self.question)
        if all(any(_overlaps(text, t) for t in literals) for text in kept):
            return  # no filter (_unfiltered's), or only an IP's or an id's (_literal_only's)
        # (with the filters' words joined: "Node card" says "NodeCard")
        joined = [a + b for text in kept
                  for a, b in itertools.pairwise(re.findall(r"[A-Za-z]{2,}", text))]
        said = content_words(" ".join(kept + joined + [m.value for m in query.selector.matchers]
                                      + left_out(self.question) + quoted_texts(self.question)))
        other = {w for w in self._asked_words if not _LINE_NOUN.fullmatch(w)
                 and not _ENTITY.fullmatch(w) and not any(_alike(w, s) for s in said)}
        events = []  # (words shared, the query keeping the event's lines, how many)
        for pattern in self._patterns(query.selector):
            shared = _pattern_shares(other, pattern) if pattern.line_filter else None
            fixed_words = _template_words(VARIABLE.sub(" ", pattern.template))
            if not shared or not _shared(shared, fixed_words, headers.program(pattern)):
                continue  # only a field's name ("request paths": POST's <path>) names no event
            # the pattern's own filter, or its text holding those words where the filter
            # keeps another event's lines too ("Closed socket connection for client /" of
            # "… (no session established for client)")
            found = []
            for stage in (_stage(pattern.line_filter), _run_holding(pattern.template, shared)):
                fixed = stage and query.replace(stages=(stage, *query.stages))
                if fixed and (lines := self.probe.count(fixed, scope)):
                    found.append((lines, fixed))
            if found:
                lines, fixed = min(found, key=lambda f: f[0])
                events.append((shared, fixed, lines))
        # the one the question's words name the most of ("su sessions closed": "session
        # closed for user", not "session opened"), holding every word the others share
        events = [e for e in events if all(o[0] < e[0] for o in events if o is not e)]
        if len(events) != 1:
            return  # none, or the question's words name several of them alike
        [(shared, fixed, lines)] = events
        holding = query.replace(stages=(*query.stages, *(
            ast.LineFilter("|~", (ast.FilterTerm(rf"(?i)\b{re.escape(word)}"),))
            for word in sorted(shared))))
        if lines < count and (self.probe.count(holding, scope) or 0) <= lines:
            event = fixed.stages[0].terms[0].value
            self._warn("broad", f"the query keeps the lines of other events too, but the "
                       f"question's words ({', '.join(sorted(shared))}) are those of the lines "
                       f"with {quote(event)}",
                       MEDIUM, self._fix(query, fixed, f"keep the lines with {quote(event)}"))

    def _word_within(self, query: ast.LogQuery, scope: Scope, count: int) -> None:
        """The query keeps the lines of one event, a field of which takes a few words, and
        the question says one of them ("the BIOS-e820 lines the kernel marked as usable":
        the lines' "(usable)", not their "(reserved)"): the lines with that word as they
        write it."""
        if not self._counts_lines(query):
            return
        asked = {w.lower() for w in re.findall(r"[A-Za-z]{3,}", QUOTED.sub(" ", self.question))}
        kept = " ".join(term.value for _, term in _filter_terms(query, ("|=", "|~"))).lower()
        lines = self.probe.lines(query, scope)  # a pattern one of them fails keeps fewer
        for pattern in self._patterns(query.selector):
            if not pattern.extraction or not pattern.line_filter:
                continue
            stages = _stages(pattern.line_filter)
            if lines and not all(_passes(stages, line) for line in lines) or \
                    self.probe.count(with_stage(query, *stages), scope) != count:
                continue  # not this event's lines alone
            for name in (f.name for f in pattern.fields if f.type == "word"):
                by_value = ast.VectorAggregation("sum", ast.RangeAggregation(
                    "count_over_time", ast.LogRange(with_stage(query, _stage(pattern.extraction)),
                                                    scope.range, scope.offset)),
                    grouping=ast.Grouping(labels=(name,)))
                values = {labels.get(name, "") for labels in
                          self.probe.answer_labels(by_value, scope) or []}
                said = [v for v in values if v.strip("()[]{}<>'\",.;:!").lower() in asked]
                if not 2 <= len(values) <= MAX_WORD_VALUES or len(said) != 1 or \
                        said[0].lower() in kept:
                    continue
                fixed = with_stage(query, _stage(f"|= {quote(said[0])}"))
                if 0 < (self.probe.count(fixed, scope) or 0) < count:
                    self._warn("value", f"the question asks for the lines whose {name} is "
                               f"{quote(said[0])}, but the query keeps every {name}", MEDIUM,
                               self._fix(query, fixed, f"keep the lines with {quote(said[0])}"))
                    return

    def _counts_lines(self, query: ast.LogQuery) -> bool:
        """Whether the expression is ``query``'s lines or their count alone (not a side of
        a ratio, whose words the sides share, nor values of the lines)."""
        if self.expr == query:
            return True
        return len(list(self.expr.find_all(ast.LogRange))) == 1 and any(
            r.op in ("count_over_time", "rate") and r.range.query == query
            for r in self.expr.find_all(ast.RangeAggregation))

    def _absent_filters(self, query: ast.LogQuery, streams: ast.Selector) -> None:
        """An alert on lines that do not come (``absent_over_time``) filtering on a text no
        line of its streams ever held fires always: the text is not how the lines say it.
        The fixes: the level or the stream the question names instead, else the nearest
        text the lines hold. Without a filter, one on the text the question quotes
        (``streams``: those the alert is on, a level no line has yet aside)."""
        scope = log_scope(self.backend)
        values = self._stream_values(streams)
        literals = [t for t in question_literals(self.question) if t not in values]
        if not query.stages:
            if literals:
                text = ast.LineFilter("|=", (ast.FilterTerm(literals[0]),))
                fixed = query.replace(stages=(text,))
                found = (fixed, f"the alert watches every line of {_selector_name(query.selector)}"
                         f", but the question names {quote(literals[0])}",
                         f"keep the lines with {quote(literals[0])}")
            else:
                found = self._watched(query, scope)
            if found is not None:
                self._warn("unfiltered", found[1], MEDIUM, self._fix(query, found[0], found[2]))
            return
        for stage, term in _filter_terms(query, ("|=", "|~")):
            alone = ast.LogQuery(query.selector, (stage.replace(terms=(term,)),))
            if term.ip or term.value in literals or self.probe.count(alone, scope) != 0:
                continue  # (a text the question quotes may well never have come)
            without = query.replace(stages=tuple(s for s in query.stages if s is not stage))
            found = self._watched(without, scope)
            if found is None:
                self._missing_text(query, stage, term)
                continue
            fixed, reason, change = found
            self._warn("line_filter", f"no line of {_selector_name(query.selector)} ever "
                       f"contains {quote(term.value)}, so the alert always fires; {reason}",
                       HEAVY, self._fix(query, fixed, f"{change} instead of filtering on "
                                                      f"{quote(term.value)}"))

    def _without_unseen_level(self, query: ast.LogQuery) -> ast.LogQuery:
        """``query`` without a matcher on a level label its other streams have, whatever
        the value: an alert may select a level no line has yet."""
        levels = [m for m in query.selector.matchers if _is_level(m.name)]
        rest = rewrite.drop_matchers(query, levels)
        labels = self._stream_label_names(rest.selector, log_scope(self.backend))
        return rewrite.drop_matchers(query, [m for m in levels if m.name in labels])

    def _watched(self, query: ast.LogQuery, scope: Scope) -> tuple[ast.LogQuery, str, str] | None:
        """What an alert should watch that the question names: a level, else a stream."""
        return (self._level_asked(query) or self._unseen_level(query)
                or self._stream_asked(query, scope))

    def _unseen_level(self, query: ast.LogQuery) -> tuple[ast.LogQuery, str, str] | None:
        """For an alert: the level the question names ("nothing at ERROR level") selected
        by the streams' level label although no line has it yet (its absence is the
        point), spelled as that label's values are (upper or lower case)."""
        asked = _ASKED_LEVEL.search(self.question)
        if asked is None:
            return None
        word = (asked.group(1) or asked.group(2)).lower()
        named = {m.name for m in query.selector.matchers}
        for labels in self.probe.series(query.selector, log_scope(self.backend)) or ():
            for name, value in sorted(labels.items()):
                if name in named or not _is_level(name):
                    continue
                matcher = ast.Matcher(name, "=", word.upper() if value.isupper() else word)
                fixed = query.replace(selector=ast.Selector(query.selector.matchers + (matcher,)))
                return fixed, _level_reason(word.upper()), f"select {format_ast(matcher)}"
        return None

    def _stream_asked(self, query: ast.LogQuery, scope: Scope
                      ) -> tuple[ast.LogQuery, str, str] | None:
        """The query selecting the stream the question names among those it takes, why and
        what changed; None when it names none, or no line would remain."""
        values = self._unselected_values(query, scope)
        excluded = " ".join(left_out(self.question))
        for name, found in sorted(values.items()):
            asked = [v for v in sorted(found) if _names_stream(self.question, name, v)
                     and not _names_stream(excluded, name, v)]  # "other than the FSNamesystem"
            if len(found) < 2 or len(asked) != 1:
                continue  # nothing to choose, or no one value named
            matcher = ast.Matcher(name, "=", asked[0])
            if any(matcher in s.matchers for s in self.expr.find_all(ast.Selector)):
                continue  # another part selects it (a share's numerator): this one is the whole
            fixed = query.replace(selector=ast.Selector(query.selector.matchers + (matcher,)))
            if self.probe.count(fixed, scope):
                return (fixed, f"question names {quote(asked[0])} but the query takes every "
                        f"{name} of {_selector_name(query.selector)}",
                        f"select {format_ast(matcher)}")
        return None

    def _unselected_values(self, query: ast.LogQuery, scope: Scope) -> dict[str, set[str]]:
        """The values of each stream label the selector leaves open (applications aside)
        among the streams it selects."""
        named = {m.name for m in query.selector.matchers}
        values: dict[str, set[str]] = {}
        for labels in self.probe.series(query.selector, scope) or ():
            for name, value in labels.items():
                if name not in named and name not in APPLICATION_LABELS:
                    values.setdefault(name, set()).add(value)
        return values

    def _stream_values(self, selector: ast.Selector) -> set[str]:
        """The label values of the streams ``selector`` selects."""
        return {value for labels in self.probe.series(selector, log_scope(self.backend)) or ()
                for value in labels.values()}

    def _literal_asked(self, query: ast.LogQuery, literals: list[str] | None = None
                       ) -> tuple[ast.LogQuery, str, str] | None:
        """The query keeping the lines that hold a literal the question names and some
        line of the streams holds: an IP, an id, a quoted text (or one of ``literals``)."""
        scope = log_scope(self.backend)
        values = self._stream_values(query.selector) | set(self._breakdown_examples)
        for literal in question_literals(self.question) if literals is None else literals:
            stage = ast.LineFilter("|=", (ast.FilterTerm(literal),))
            fixed = query.replace(stages=(stage, *query.stages))
            if literal not in values and self.probe.count(fixed, scope):
                return (fixed, f"the query takes every line of {_selector_name(query.selector)}"
                        f", but the question names {quote(literal)}",
                        f"keep the lines with {quote(literal)}")
        return None

    def _literal_unused(self, query: ast.LogQuery, scope: Scope) -> None:
        """The question names an IP, an id or a word written as code that the lines hold and
        that no part of the query uses ("all lines that mention datanode 10.251.73.220",
        "a network-vif-plugged event"): its lines are the ones asked about. Its filter
        comes first; where the query's own line filters then keep nothing (and none of
        them can be mended), it takes their place."""
        if len(set(self.expr.find_all(ast.LogQuery))) != 1:
            return  # which side of a ratio it belongs to is a guess
        # a regexp or pattern that names it keeps every line all the same
        used = format_ast(self.expr.transform(_without_parsers)).replace("\\", "")
        values = self._stream_values(query.selector)
        excluded = " ".join(left_out(self.question))
        named = token_literals(self.question) + code_words(self.question) + _HYPHENATED.findall(
            self.question) + self._field_values(query.selector, scope)
        examples = " ".join([m.group(1) for m in _EXAMPLE.finditer(self.question)]
                            + self._breakdown_examples)
        for literal in dict.fromkeys(named):
            if literal in used or literal in values or literal in excluded or literal in examples:
                continue  # (what the question leaves out is the exclusion check's)
            first = (ast.LineFilter("|=", (ast.FilterTerm(literal),)),)
            fixed = query.replace(stages=first + query.stages)
            kept = self.probe.count(fixed, scope)
            if kept and kept == self.probe.count(query, scope):
                continue  # every line holds it already ("the blockMap" of addStoredBlock lines)
            if not kept:
                if any(isinstance(s, ast.LineFormat) for s in query.stages) or any(
                        w.check == "line_filter" and w.fix for w in self.found):
                    continue  # (a filter text of its own to mend first: it says which event)
                fixed = query.replace(stages=first + tuple(
                    s for s in query.stages if not isinstance(s, ast.LineFilter)))
                if not self.probe.count(fixed, scope):
                    continue
            change = f"keep the lines with {quote(literal)}"
            fix = self._alternative(query, literal, scope) or self._fix(query, fixed, change)
            part = next((n for n in self.expr.find_all(ast.BinaryOp) if n.op == "/"
                         and rewrite.same_sides(n)), None)
            if part is not None and ASKS_PART.search(self.question):
                # "what fraction of the failures were for root", answered A / A: the part
                fix = Fix(format_ast(rewrite.replace_node(self.expr, part, part.replace(
                    left=rewrite.replace_node(part.left, query, fixed)))), change)
            self._warn("literal", f"question names {quote(literal)}, which the query does not "
                       "use", MEDIUM, fix)
            return

    def _alternative(self, query: ast.LogQuery, literal: str, scope: Scope) -> Fix | None:
        """A literal the question lists beside one a filter holds ("purgeInterval /
        snapRetainCount" answered ``|= "autopurge.purgeInterval set to"``): either, as the
        lines write the filter's text with one or the other."""
        for found in _ALTERNATIVES.finditer(self.question):
            if literal not in found.group(1, 2):
                continue
            other = found.group(2 if literal == found.group(1) else 1)
            for stage, term in _filter_terms(query, ("|=",)):
                if other not in term.value or literal in term.value:
                    continue
                before, _, after = term.value.partition(other)
                either = ast.LineFilter("|~", (ast.FilterTerm(
                    f"{regex_literal(before)}({re.escape(other)}|{re.escape(literal)})"
                    f"{regex_literal(after)}"),))
                fixed = rewrite.replace_node(query, stage, either)
                if (self.probe.count(fixed, scope) or 0) > (self.probe.count(query, scope) or 0):
                    return self._fix(query, fixed, f"keep the lines with {quote(other)} or "
                                                   f"{quote(literal)}")
        return None

    def _status_unused(self, query: ast.LogQuery, scope: Scope, count: int) -> None:
        """The question asks for an HTTP status or a class of them ("2xx responses",
        "status 404") and the query keeps lines of every status: those whose status, where
        their pattern writes it (``status: 200``), is the one asked for."""
        asked = _STATUS_ASKED.search(self.question)
        if asked is None or len(set(self.expr.find_all(ast.LogQuery))) != 1:
            return  # (which side of a share it belongs to is a guess)
        code = rf"{asked.group(1)}\d\d" if asked.group(1) else asked.group(2)
        for pattern in self._patterns(query.selector):
            name = next((f.name for f in pattern.fields
                         if f.numeric and f.name.lower() in _STATUS_NAMES), None)
            local = name and pattern.field_regexp(name)
            before = local and _stage(local).pattern.split(f"(?P<{name}>")[0]
            if not before or not _WORDS_AROUND.search(before):
                continue
            stage = ast.LineFilter("|~", (ast.FilterTerm(rf"{before}{code}\b"),))
            at = _filters_end(query)
            fixed = query.replace(stages=(*query.stages[:at], stage, *query.stages[at:]))
            kept = self.probe.count(fixed, scope)
            if kept and kept < count:
                self._warn("literal", f"question asks for status {asked.group(0).split()[-1]}, "
                           "which the query does not select", MEDIUM,
                           self._fix(query, fixed, f"keep the lines with status {code}"))
                return

    def _field_values(self, selector: ast.Selector, scope: Scope) -> list[str]:
        """The values the question gives a field of the lines (:meth:`_named_values`)."""
        return list(dict.fromkeys(value for _, _, value in self._named_values(selector, scope)))

    def _question_values(self) -> dict[str, list[str]]:
        """A field's name in the question: the values it gives it (see
        :meth:`_named_values`)."""
        named: dict[str, list[str]] = {}
        for match in _NAME_VALUE.finditer(self.question):
            if not _AS_DIMENSION.search(self.question[:match.start()]):
                name = match.group(1).lower()  # "logins for root": a user, as lines say it
                named.setdefault("user" if name == "for" else name, []).append(match.group(2))
        for match in _VALUE_NAME.finditer(QUOTED.sub(" ", self.question)):  # not a quote's
            if not _NOT_A_VALUE.fullmatch(match.group(1)):
                named.setdefault(match.group(2).lower(), []).append(match.group(1))
        return named

    def _named_values(self, selector: ast.Selector, scope: Scope) -> list[tuple[object, str, str]]:
        """``(pattern, field, value)`` for each value the question gives a field of the
        lines: the word after the field's name ("failures for user guest"; after "for", a
        user's: "logins for root"), unless the name is a breakdown's ("per user"), or the
        word before it ("the root user"), where some line of the pattern has that field
        with that value."""
        named = self._question_values()
        found, tried = [], {}
        for pattern in self._patterns(selector):
            for f in pattern.fields:
                if len(f.name) < 3 or _TYPE_NAME.fullmatch(f.name):
                    continue
                values = named.get(f.name.lower(), []) + named.get(f"{f.name.lower()}s", [])
                extraction = values and (pattern.field_regexp(f.name) or pattern.extraction)
                if not extraction or not _WORDS_AROUND.search(
                        _CAPTURE.sub(" ", extraction.split(None, 2)[-1])):
                    continue  # a field between no words is any word of a line
                for value in values:
                    if singular_of(value.lower()) == f.name.lower():
                        continue  # "for user 'fztu'": the name, not a value
                    if (extraction, value) not in tried:  # (the line filter first: cheap)
                        held = ast.LogQuery(selector, (
                            ast.LineFilter("|=", (ast.FilterTerm(value),)), _stage(extraction),
                            ast.LabelFilter(ast.StringFilter(ast.Matcher(f.name, "=", value)))))
                        tried[extraction, value] = bool(self.probe.count(held, scope))
                    if tried[extraction, value]:
                        found.append((pattern, f.name, value))
        return found

    def _groupings(self) -> None:
        for node in self.expr.find_all(ast.VectorAggregation, ast.RangeAggregation):
            if node.grouping is None or node.grouping.without:
                continue
            made = {r.dst for r in node.find_all(ast.LabelReplace)}
            places = [(r.query, range_scope(self.backend, r)) for r in node.find_all(ast.LogRange)]
            for name in node.grouping.labels:
                if name not in made and self._label_exists(name, places, f"`by ({name})`",
                                                           grouped=True):
                    self._bare_address(name, places)
                    for query, scope in places:
                        self._partial_breakdown(name, query, scope)
                    if len(node.grouping.labels) == 1 and len(places) == 1:
                        self._labelled_breakdown(node, *places[0])

    def _labelled_breakdown(self, node: ast.Node, query: ast.LogQuery, scope: Scope) -> None:
        """"broken down by their timeout" answered ``by (session)``, or ``by (timeout)`` of
        a capture after "session", where the lines call another field the timeout
        ("timeout of <duration>"): the breakdown is by that one, named as asked."""
        [name] = node.grouping.labels
        word = _breakdown_word(self.question)
        if word is None or not _filters_lines(query.stages):
            return
        captured = _word_before_capture(query, name)
        if captured is None:
            return  # a label a parser does not place (a stream's, a json field, a label_format)
        for pattern in self._patterns(query.selector):
            field = _labelled_field(word, pattern, numeric=False)
            if field is None or not pattern.line_filter:
                continue
            key = _WORD_AT_END.search(pattern.template.split(f"<{field}>", 1)[0])
            if key is None or captured == key.group(1).lower():
                return  # the query captures that field
            fixed, lines = self._extracting(query, name, pattern, field, scope)
            if lines:
                grouped = rewrite.replace_node(node, query, fixed).replace(
                    grouping=node.grouping.replace(labels=(field,)))
                expr = rewrite.rename_field(rewrite.replace_node(self.expr, node, grouped),
                                            field, word)
                self._warn("breakdown", f"the question asks for a breakdown by {word}, which "
                           f"the lines write as {quote(pattern.template)}, but the query "
                           f"breaks down by its {name} after {captured!r}", MEDIUM,
                           Fix(format_ast(expr), f"break it down by {word}"))
                return

    def _partial_breakdown(self, name: str, query: ast.LogQuery, scope: Scope) -> None:
        """A breakdown by a field that the query's ``regexp`` finds on fewer than half of its
        lines ("usernames with failed password attempts": ``invalid user (?P<user>…) from``
        on the invalid users' lines alone), where its lines are of several events that write
        the field before the same words (``<user> from``): the field is extracted before
        those words, on each event's lines. Not where the question says the words the
        regexp puts before the field ("invalid usernames")."""
        at = next((i for i, s in enumerate(query.stages)
                   if isinstance(s, ast.RegexpParser) and name in parser_fields(s)), None)
        kept = self.probe.count(query, scope) if at is not None else None
        if not kept:
            return
        carried = self.probe.count(with_stage(query, has_label(name)), scope) or 0
        before = query.stages[at].pattern.split(f"<{name}>")[0]
        # (most lines with it: a narrower event may be meant, "which valid usernames")
        if carried >= kept / 2 or set(stems(before)) & set(stems(self.question)):
            return
        follows = set()
        for pattern in self._patterns(query.selector):
            event = _stage(pattern.line_filter) if pattern.line_filter else None
            if event and name in {f.name for f in pattern.fields} and \
                    self.probe.count(with_stage(query, event), scope):
                word = _WORD_AT_START.search(pattern.template.split(f"<{name}>", 1)[1])
                follows.add(word.group(1) if word else None)
        if len(follows) != 1 or None in follows:
            return
        wider = _stage("| regexp " + quote(rf"(?P<{name}>\S+)\s+{follows.pop()}\b"))
        fixed = query.replace(stages=tuple(wider if i == at else s
                                           for i, s in enumerate(query.stages)))
        found = self.probe.count(with_stage(fixed, has_label(name)), scope) or 0
        if found >= headers.AGREEMENT * kept:
            self._warn("breakdown", f"`by ({name})` has {name} on {carried} of the {kept} lines "
                       "the query keeps; the others are counted without it", MEDIUM,
                       self._fix(query, fixed, f"extract {name} on every event's lines"))

    def _bare_address(self, name: str, places: list[tuple[ast.LogQuery, Scope]]) -> None:
        """A node's label (``datanode``) that a parser fills with IPs alone, where the lines
        name the node by its address (``10.251.73.220:50010``): the address is extracted,
        as the pattern of the most of the query's lines writes it."""
        if not _NODE_NAME.search(name):
            return
        expr, template = self.expr, None
        for query, scope in places:
            if name not in {f for s in query.stages for f in parser_fields(s)}:
                return
            carried = self.probe.count(with_stage(query, has_label(name)), scope)
            if not carried or self.probe.count(with_stage(query, _ip_only(name)), scope) != carried:
                return
            best = None
            for pattern in self._patterns(query.selector):
                address = pattern.address_regexp(name)
                if pattern.line_filter and address:
                    fixed, lines = self._extracting(query, name, pattern, name, scope, address)
                    if lines and (best is None or lines > best[0]):
                        best = (lines, fixed, pattern.template)
            if best is None or self.probe.count(with_stage(best[1], has_label(name)),
                                                scope) != carried:
                return
            expr, template = rewrite.replace_node(expr, query, best[1]), best[2]
        if template is not None:
            self._warn("label", f"{name} holds IPs alone, where the lines name a node by its "
                       "address (ip:port)", MEDIUM,
                       Fix(format_ast(expr), f"extract {name} as the pattern "
                                             f"{quote(template)} writes it"))

    def _unwraps(self) -> None:
        for log_range in self.expr.find_all(ast.LogRange):
            unwrap = log_range.unwrap
            if unwrap is None:
                continue
            scope = range_scope(self.backend, log_range)
            self._unwrapped_measure(log_range)
            self._unwrapped_other_field(log_range)
            self._unwrapped_lines_counted(log_range)
            for kept in unwrap.filters:  # a filter after it on a label no line carries
                for name in _filter_labels(kept):
                    self._label_exists(name, [(log_range.query, scope)],
                                       f"`unwrap {unwrap.label} | {_short(kept)}`", kept)
            if not self._label_exists(unwrap.label, [(log_range.query, scope)],
                                      f"`unwrap {unwrap.label}`", numeric=True):
                continue
            numeric = log_range.replace(unwrap=ast.Unwrap(
                unwrap.label, unwrap.conversion,
                (ast.StringFilter(ast.Matcher("__error__", "=", "")),)))
            samples = self.probe.has_samples(ast.VectorAggregation(
                "sum", ast.RangeAggregation("sum_over_time", numeric)), scope)
            if samples is False:
                self._warn("label", f"`unwrap {unwrap.label}` is not a number on any line in "
                           f"{scope.name}", MEDIUM,
                           self._extraction_fix(unwrap.label, [(log_range.query, scope)], True)
                           or self._counting_fix(log_range))

    def _counting_fix(self, log_range: ast.LogRange) -> Fix | None:
        """Where the question counts ("how many times a minute did hadoop resolve a host",
        answered with the average of the host's name): the count of the lines, the parser
        that extracted the name dropped, summed over the streams. Not where it asks a
        measure ("how many result bytes on average") or a number one line states ("the
        largest 'total interrupts' count one line reported"): a number of the lines."""
        node = self._aggregation_of(log_range)
        if node is None or not ASKS_COUNT.search(self.question) or \
                _ONE_LINE.search(self.question) or \
                any(asks.search(self.question) for _, _, asks, _ in MEASURES):
            return None
        label = log_range.unwrap.label
        query = log_range.query.replace(stages=tuple(
            s for s in log_range.query.stages if label not in parser_fields(s)))
        counted = ast.RangeAggregation("count_over_time", log_range.replace(query=query,
                                                                          unwrap=None))
        outer = next((v for v in self.expr.find_all(ast.VectorAggregation) if v.expr is node),
                     None)
        if outer is not None and outer.op not in ("sum", "avg", "min", "max"):  # topk: kept
            replaced, by = node, counted
        else:
            replaced = outer or node
            by = ast.VectorAggregation("sum", counted, grouping=replaced.grouping)
        return Fix(format_ast(rewrite.replace_node(self.expr, replaced, by)),
                   "count the lines, as the question counts")

    def _aggregation_of(self, log_range: ast.LogRange) -> ast.RangeAggregation | None:
        """The range aggregation taken over ``log_range``."""
        return next((n for n in self.expr.find_all(ast.RangeAggregation)
                     if n.range is log_range), None)

    def _unwrapped_lines_counted(self, log_range: ast.LogRange) -> None:
        """"How many 'File Output Committer Algorithm version is ...' lines", answered with
        a function of a number of those lines that the question neither names nor asks a
        function of: the count of the lines."""
        unquoted = QUOTED.sub(" ", self.question)  # ("how many '…' lines": lines)
        counted = _COUNTED.search(unquoted)
        label = log_range.unwrap.label
        if counted is None or not _LINES_COUNTED.search(counted.group("what")) or \
                named_function(self.question) or names_field(unquoted, label):
            return
        fix = self._counting_fix(log_range)
        if fix is not None:
            self._warn("function", f"question counts lines, but the query takes a function of "
                       f"{label}", MEDIUM, fix)

    def _unwrapped_other_field(self, log_range: ast.LogRange) -> None:
        """Of two numbers the question names ("the highest scoreboard slot … found a child
        in"), the query unwraps one the function's word is not about (``child``), or one it
        does not name at all ("the median overlapAmount" answered with the line's
        ``previousNotificationEnd``): the one named first after that word (``slot``), as the
        pattern of the lines extracts it."""
        label = log_range.unwrap.label
        node = self._aggregation_of(log_range)
        asking = function_word(self.question)
        if node is None or asking is None:
            return
        for pattern in self._patterns(log_range.query.selector):
            numbers = [f.name for f in pattern.fields if f.numeric]
            if label not in numbers:
                continue
            named = sorted((found.start(), name) for name in numbers
                           if (found := _mention(name, self.question[asking.end():])))
            if not named or named[0][1] == label or (
                    len(named) < 2 or label not in {n for _, n in named}) and (
                    _mention(label, self.question) or not _written_as_code(
                        _mention(named[0][1], self.question[asking.end():]).group())):
                continue  # (a name as code writes it, not a word: "time" may mean a "took")
            field = named[0][1]
            if self._unwrap_fix(node, pattern, field, (node.op, node.param),
                                f"question asks `{node.op}` of {field}, but the query "
                                f"unwraps {label}"):
                return

    def _unwrapped_measure(self, log_range: ast.LogRange) -> None:
        """The question asks how long something took ("how long, in ms, did the slowest
        read take") or how big it was ("the average size in bytes of the results sent")
        where the query unwraps a field its own parser does not write before such a unit:
        the one it extracts that it does (``<variable> took <took> ms``, ``<bytes> bytes
        result``), else the one the pattern of its lines writes so."""
        asked = QUOTED.sub(" ", self.question)
        label = log_range.unwrap.label
        stages = log_range.query.stages
        for what, measure, asks, is_unit in MEASURES:
            measured = {f for s in stages for f in parser_fields(s)
                        if is_unit(unit_in_stage(s, f))}
            if not asks.search(asked) or label in measured or label in _MEASURE_NAMES[measure]:
                continue
            reason = f"the question asks {what}, but the query unwraps {label}, which no " \
                     f"unit of {measure} follows"
            if len(measured) == 1:
                field = measured.pop()
                fixed = log_range.replace(unwrap=log_range.unwrap.replace(label=field))
                self._warn("function", reason, MEDIUM, Fix(
                    format_ast(rewrite.replace_node(self.expr, log_range, fixed)),
                    f"unwrap {field}, which the query extracts before a unit of {measure}"))
                return
            if not measured and any(label in parser_fields(s) for s in stages):
                self._measured_by_pattern(log_range, is_unit, reason)  # (else: label's check)
                return

    def _measured_by_pattern(self, log_range: ast.LogRange, is_unit, reason: str) -> None:
        """Unwrap the one number the pattern of the query's lines writes before a unit of
        the kind asked, extracted as the pattern does."""
        node = self._aggregation_of(log_range)
        if node is None or not _filters_lines(log_range.query.stages):
            return
        for pattern in self._patterns(log_range.query.selector):
            fields = [f.name for f in pattern.fields
                      if f.numeric and is_unit(pattern.unit_after(f.name))]
            if len(fields) == 1 and pattern.line_filter and \
                    self._unwrap_fix(node, pattern, fields[0], (node.op, node.param), reason):
                return

    def _counted_value(self) -> None:
        """The question asks a function of a value ("the total size of the blocks added")
        where the query counts lines and extracts no field it names: the pattern of those
        lines with a numeric field the question names gives the value to unwrap."""
        asked = asked_function(self.question)
        total = _TOTAL_NUMBER_OF.search(self.question)  # "the total number of tries": a sum
        if asked is None and total is not None:
            asked = ("sum_over_time", None)
        counted = _COUNTED.search(self.question)  # "how many seconds did …", not "… messages"
        if asked is None and _HOW_MANY_TIME.search(self.question) and not (
                counted and _LINES_COUNTED.search(counted.group("what"))):
            asked = named_function(self.question) or ("sum_over_time", None)
        # a value asked in a unit the lines write it in, no function named: what one line
        # states ("what processor speed, in MHz, did the kernel detect"), the largest
        stated = asked is None and _value_unit(self.question) is not None
        if stated:
            asked = ("max_over_time", None)
        ranges = list(self.expr.find_all(ast.RangeAggregation))
        if asked is None or len(ranges) != 1 or ranges[0].op not in (
                "count_over_time", "rate", *(LINE_SIZES if stated else ())):
            return
        node = ranges[0]
        if node.op == "rate" and (asked_unit(self.question) or ASKS_RATE.search(self.question)):
            return  # "total allocated vcpus messages per second": a rate of lines, as asked
        query, scope = node.range.query, range_scope(self.backend, node.range)
        if any(names_field(self.question, f) for s in query.stages for f in parser_fields(s)):
            return  # shape's function rule's case
        # without a line filter, which lines are meant is a guess unless all carry the value
        every = None if _filters_lines(query.stages) else self.probe.count(query, scope)
        best = None
        for pattern in self._patterns(query.selector):
            named = _measured_field(self.question, pattern)
            if named is None or not pattern.extraction or not pattern.line_filter or (
                    total and singular_of(total.group(1)).lower() != singular_of(named)):
                continue
            fixed, lines = self._extracting(query, named, pattern, named, scope)
            if lines and every in (None, lines) and (best is None or lines > best[0]):
                best = (lines, fixed, named, pattern.template)
        if best is None:
            return
        _, fixed, field, template = best
        op = asked[0]
        does = "measures the lines' own size" if node.op in LINE_SIZES else "counts lines"
        self._warn("function", f"question asks for `{op}` of {field}, but the query {does}",
                   MEDIUM, Fix(self._unwrapping(node, fixed, field, asked),
                               f"take `{op}` of {field} as the pattern {quote(template)} "
                               "extracts it"))

    def _unwrapping(self, node: ast.RangeAggregation, query: ast.LogQuery, field: str,
                    function: tuple[str, float | None]) -> str:
        """The whole query with ``node`` taking ``function`` of ``field`` of ``query``."""
        op, param = function
        valued = node.replace(op=op, param=param, range=node.range.replace(
            query=query, unwrap=ast.Unwrap(field)))
        return format_ast(rewrite.replace_node(self.expr, node, valued))

    def _stand_in_value(self) -> None:
        """The question quotes a line with a letter for a number ("sum up the N in
        'message repeated N times'", "on average, how many does each 'PAM N more
        authentication failures' report") where the query counts lines: the function it
        names (or, for "how many instances" of "N instances", the sum) of that number."""
        ranges = list(self.expr.find_all(ast.RangeAggregation))
        if len(ranges) != 1 or ranges[0].op not in ("count_over_time", "rate"):
            return
        node, named = ranges[0], named_function(self.question)
        stand_ins = [(quoted, before, after) for quoted in quoted_texts(self.question)
                     for before, after in _stand_in_contexts(quoted)]
        for (quoted, before, after), pattern in itertools.product(
                stand_ins, self._patterns(node.range.query.selector)):
            asked = named or (("sum_over_time", None) if _counts_noun(self.question, after)
                              else None)
            field = _field_between(pattern, before, after)
            if asked is None or field is None or not pattern.line_filter:
                continue
            if self._unwrap_fix(node, pattern, field, asked, f"question asks for `{asked[0]}` "
                                f"of the number in {quote(quoted)}, but the query counts lines"):
                return

    def _unwrap_fix(self, node: ast.RangeAggregation, pattern, field: str,
                    function: tuple[str, float | None], reason: str) -> bool:
        """Warn (``reason``) with the fix taking ``function`` of ``pattern``'s ``field``
        over the query's lines (the pattern's, where the query filters none); whether the
        field was found on any."""
        query, scope = node.range.query, range_scope(self.backend, node.range)
        fixed, lines = self._extracting(_event_lines(query, pattern), field, pattern, field,
                                        scope)
        if lines:
            self._warn("function", reason, MEDIUM, Fix(
                self._unwrapping(node, fixed, field, function),
                f"take `{function[0]}` of {field}, the number the pattern "
                f"{quote(pattern.template)} has there"))
        return bool(lines)

    def _counted_by_lines(self) -> None:
        """The question counts what each line counts itself ("the total number of floating
        point alignment exceptions", the lines saying "<n> floating point alignment
        exceptions") where the query counts lines: the sum of that number. The words after
        the number (two at least, up to the noun counted) must all be in what the question
        counts, the first of them first; or, where the question asks a total ("in total,
        how many containers got allocated", the lines saying "allocated containers <n>"),
        the word before it is
        what the question counts. A question counting lines or events counts lines (events
        a total of them counts as the lines do), and a number after a colon is a port. "The
        largest number of exceptions one line reported" asks the maximum of that number."""
        from nl2logql.generation.schema import content_words

        ranges = list(self.expr.find_all(ast.RangeAggregation))
        counted = _COUNTED.search(self.question)
        if len(ranges) != 1 or ranges[0].op != "count_over_time" or counted is None:
            return
        total = _IN_TOTAL.search(self.question)
        what, one_line = counted.group("what"), _ONE_LINE.search(self.question,
                                                                 counted.start("what"))
        what = what[:one_line.start() - counted.start("what")] if one_line else what
        lines = _LINES_COUNTED.search(what)
        if lines and not (total and lines.group(0).lower().startswith("event")):
            return  # (but "in total, how many re-synch state events": what the lines count)
        function = _per_line_function(self.question) if one_line else "sum_over_time"
        words = content_words(what)
        asked = set(words)
        node = ranges[0]
        for pattern in self._patterns(node.range.query.selector):
            for field in (f.name for f in pattern.fields if f.numeric):
                after = _text_after(pattern, field)
                # up to the noun counted ("<n> torus sender z- retransmission error(s) (dcr")
                said = [w for w in content_words(after) if len(w) > 1]
                if words and words[-1] in said:
                    said = said[:len(said) - said[::-1].index(words[-1])]
                before = pattern.template.split(f"<{field}>", 1)[0]
                # the noun counted, then the number ("containers 3"; "vcpu: 8" is a key's value)
                head = VARIABLE.split(before)[-1]
                last = content_words(head)[-1:]
                counts_before = total and words and last and last[0] in (words[0], words[-1]) \
                    and re.search(r"[A-Za-z] $", before)
                if not (counts_before or len(set(said)) >= 2 and set(said) <= asked and
                        said[0] == words[0]) or before.endswith(":") or not pattern.line_filter:
                    continue
                counted_text = (head if counts_before else after).strip()
                if self._unwrap_fix(node, pattern, field, (function, None),
                                    f"the lines count {counted_text} themselves, but the "
                                    "query counts lines"):
                    return

    def _stated_bytes(self) -> None:
        """The question asks about bytes the lines state ("bytes Dropbox.exe sent", the
        lines saying "<n> bytes sent") where the query takes the size of the lines
        themselves (``bytes_over_time``), or counts the lines where it asks how many bytes:
        the sum (a rate: per second) of that number, the field whose words after "bytes"
        the question says too."""
        ranges = list(self.expr.find_all(ast.RangeAggregation))
        counted = ("count_over_time", "rate") if _HOW_MANY_BYTES.search(self.question) else ()
        if len(ranges) != 1 or ranges[0].op not in LINE_SIZES + counted or \
                not re.search(r"\bbytes\b", self.question, re.I):
            return
        node, asked = ranges[0], self._asked_words
        query, scope = node.range.query, range_scope(self.backend, node.range)
        found = []
        for pattern in self._patterns(query.selector):
            for field in (f.name for f in pattern.fields if f.numeric):
                if (pattern.unit_after(field) or "").lower() != "bytes" or not pattern.line_filter:
                    continue
                said = _words_after(_text_after(pattern, field), "bytes")
                if said and _asked_any(said, asked):
                    found.append((pattern, field, tuple(said)))
        if len({said for _, _, said in found}) != 1:
            return  # none, or several the question's words fit
        best = None
        # the extraction finding it on the most lines; without a filter of the query's, on
        # the lines of its event, else of every event it finds it on (Proxifier writes
        # "<n> bytes sent" and "<n> bytes (<k> KB) sent" alike)
        wider = [] if _filters_lines(query.stages) else [query]
        for pattern, field, said in found:
            for extraction, lines_of in itertools.product(
                    filter(None, (pattern.field_regexp(field), pattern.extraction)),
                    [_event_lines(query, pattern)] + wider):
                fixed = _with_extraction(lines_of, field, _stage(extraction), field)
                lines = self.probe.count(with_stage(fixed, has_label(field)), scope)
                if lines and (best is None or lines > best[0]):
                    best = (lines, fixed, field, pattern.template, said)
        if best is None:
            return
        lines, fixed, field, template, said = best
        if lines != self.probe.count(fixed, scope):  # lines without the number fail the unwrap
            fixed = with_stage(fixed, has_label(field))
        op = "rate" if ASKS_RATE.search(self.question) else "sum_over_time"
        takes = "counts the lines" if node.op in counted else "takes the size of the lines"
        self._warn("function", f"the lines state the bytes {' '.join(said)}, but the query "
                   + takes, MEDIUM,
                   Fix(self._unwrapping(node, fixed, field, (op, None)),
                       f"take `{op}` of {field}, the number of bytes the pattern "
                       f"{quote(template)} has there"))

    def _other_stated_number(self) -> None:
        """The query takes a number the lines state in a unit ("<n> bytes received") where
        the question asks for the other one they state in it ("the 99th percentile of bytes
        sent", the lines saying "<m> bytes sent, <n> bytes received"): that one, as the
        query's own parser writes it, else extracted as the pattern has it."""
        ranges = list(self.expr.find_all(ast.RangeAggregation))
        if len(ranges) != 1 or ranges[0].range.unwrap is None:
            return
        node, asked = ranges[0], self._asked_words
        taken, stages = node.range.unwrap.label, node.range.query.stages
        if re.search(rf"\b{re.escape(taken)}\b", self.question, re.I):
            return  # the question names the field taken ("the lowest free memory": free)
        for stage in stages:  # the query's own parser writing both
            unit = unit_in_stage(stage, taken) if taken in parser_fields(stage) else None
            other = [f for f in parser_fields(stage) if f != taken and unit
                     and unit_in_stage(stage, f) == unit
                     and _asked_any(_words_after(text_after(stage, f), unit), asked)]
            if len(other) == 1 and not _asked_any(
                    _words_after(text_after(stage, taken), unit), asked):
                fixed = node.range.replace(unwrap=node.range.unwrap.replace(label=other[0]))
                self._warn("function", f"the question asks for other {unit} than the query's "
                           f"{taken}", MEDIUM,
                           Fix(format_ast(rewrite.replace_node(self.expr, node.range, fixed)),
                               f"take {other[0]}, the {unit} the query's parser writes that "
                               "the question names"))
                return
        for pattern in self._patterns(node.range.query.selector):
            numeric = [f.name for f in pattern.fields if f.numeric]
            unit = taken in numeric and pattern.unit_after(taken)
            said = unit and _words_after(_text_after(pattern, taken), unit)
            if not said or _asked_any(said, asked) or not any(
                    e and _stage(e) in stages
                    for e in (pattern.field_regexp(taken), pattern.extraction)):
                continue  # (the query extracts the field as this pattern does)
            other = [f for f in numeric if f != taken and pattern.unit_after(f) == unit
                     and _asked_any(_words_after(_text_after(pattern, f), unit), asked)]
            extraction = len(other) == 1 and pattern.field_regexp(other[0])
            if not extraction:
                continue
            field = other[0]
            query = _with_extraction(node.range.query, taken, _stage(extraction), field)
            if not self.probe.count(with_stage(query, has_label(field)),
                                    range_scope(self.backend, node.range)):
                continue
            self._warn("function", f"the question asks for other {unit} than the query's "
                       f"{taken}", MEDIUM,
                       Fix(self._unwrapping(node, query, field, (node.op, node.param)),
                           f"take {field}, the {unit} of the pattern {quote(pattern.template)} "
                           "the question names"))
            return

    def _exclusions(self, query: ast.LogQuery, scope: Scope) -> None:
        """The question leaves out lines ("without the 'terminating' messages", "other than
        the addStoredBlock ones", "NOT about unknown base files") that the query keeps, or
        asks for: each such text the lines hold is excluded (``!=``), a ``|=`` on it turned."""
        if not self._one_log_query:
            return  # which part of a ratio a text is left out of is a guess
        texts = self._excluded_texts(query.selector)
        values = {v.lower() for v in self._stream_values(query.selector)} if texts else set()
        # quoted or written as code, a text is what to leave out, not a part of a longer one
        specific = set(quoted_texts(self.question)) | set(
            code_words(QUOTED.sub(" ", self.question)))
        stages, changes = list(query.stages), []
        for text in texts:
            if text.lower() in values:
                continue  # a stream, not a text: a matcher's business
            terms = [(i, t) for i, s in enumerate(stages) if isinstance(s, ast.LineFilter)
                     for t in s.terms if _overlaps(t.value, text)]
            narrower = [(i, t) for i, t in terms if stages[i].op == "!=" and text in specific
                        and len(stages[i].terms) == 1 and len(t.value) > len(text)]
            if narrower and self._still_held(query, text, scope) and not any(
                    stages[i].op in ("!=", "!~") and (i, t) not in narrower for i, t in terms):
                index, term = narrower[0]  # "not about workerEnv": every line saying it
                stages[index] = ast.LineFilter("!=", (ast.FilterTerm(text),))
                changes.append(f"exclude {quote(text)}, not only {quote(term.value)}")
                continue
            if any(stages[i].op in ("!=", "!~") for i, _ in terms):
                continue
            kept = [(i, t) for i, t in terms if stages[i].op == "|=" and len(stages[i].terms) == 1]
            if kept:
                stages[kept[0][0]] = stages[kept[0][0]].replace(op="!=")
                changes.append(f"exclude {quote(kept[0][1].value)} instead of keeping it")
                continue
            excluded = ast.LineFilter("!=", (ast.FilterTerm(text),))
            at = max((i + 1 for i, s in enumerate(stages) if isinstance(s, ast.LineFilter)),
                     default=0)
            stages.insert(at, excluded)
            changes.append(f"exclude {quote(text)}")
        if not changes:
            return
        fixed = query.replace(stages=tuple(stages))
        if self.probe.count(fixed, scope):
            self._warn("exclusion", "the question leaves out lines the query keeps", MEDIUM,
                       self._fix(query, fixed, "; ".join(changes)))

    def _still_held(self, query: ast.LogQuery, text: str, scope: Scope) -> bool:
        """Whether some line ``query`` keeps holds ``text``."""
        held = query.replace(stages=(*query.stages, _stage("|= " + quote(text))))
        return bool(self.probe.count(held, scope))

    def _excluded_subject(self, query: ast.LogQuery, scope: Scope) -> None:
        """The query leaves out the very lines the question asks for ("the authentication
        failures that were not for user root" answered ``!= "authentication failure; …"``):
        a ``!=`` on a text whose leading words (or word) the question says, outside what it
        leaves out (:func:`_said_lead`), keeps those lines instead; of several ("where a VM was paused or
        stopped" answered ``!= "paused" != "stopped"``), either where it says "or"; as the
        lines write them where they write them in another case. A text the question says
        with a prefix that makes it its opposite ("inconsistent nodesets" answered ``!=
        "consistent nodesets"``) keeps the prefixed text."""
        if not self._one_log_query:
            return
        said = outside_left_out(self.question).lower()
        # what it leaves out by a literal ("leave out the ones about 187.141.143.180")
        left = question_literals(" ".join(left_out(self.question)))
        asked, texts = [], []  # the excluding stages whose texts the question asks for
        for stage in query.stages:
            if not isinstance(stage, ast.LineFilter) or stage.op != "!=" or len(stage.terms) != 1 \
                    or any(text in stage.terms[0].value for text in left):
                continue
            text = stage.terms[0].value
            # "inconsistent nodesets" answered != "consistent nodesets": the word's opposite
            if opposite := re.search(rf"\b(?:un|in|im|ir|non-?|dis){re.escape(text.lower())}",
                                     said):
                asked.append(stage)
                texts.append(opposite.group(0))
                continue
            found = _said_lead(text, said)
            if found and not _negated(said[:found.start()]):
                asked.append(stage)
                texts.append(text)
        if not asked:
            return
        each = [_stage(f"|= {quote(t)}") for t in texts]
        # "paused or stopped": either; as the lines write it, whatever its case
        either = [_stage(f"|~ {quote('(?i)' + '|'.join(map(re.escape, texts)))}")]
        one_of = len(texts) > 1 and re.search(r"\bor\b", said)
        stages = [s for s in query.stages if s not in asked[1:]]
        at = stages.index(asked[0])
        for kept in [either] if one_of else [each, either]:
            fixed = query.replace(stages=tuple(stages[:at] + kept + stages[at + 1:]))
            if self.probe.count(fixed, scope):
                listed = " or ".join(quote(t) for t in texts)
                self._warn("exclusion", f"the query leaves out {listed}, the lines the "
                           "question asks for", MEDIUM,
                           self._fix(query, fixed, f"keep {listed} instead of excluding it"))
                return

    def _excluded_streams(self, query: ast.LogQuery, scope: Scope) -> None:
        """The question leaves out streams the query selects ("leaving out the
        PacketResponder and FSNamesystem components"): a ``!=`` matcher for each."""
        spans = QUOTED.sub(" ", " ".join(left_out(self.question)))  # quoted: a line's text
        if not spans.strip() or not self._one_log_query:
            return
        excluded = sorted((name, value)
                          for name, values in self._unselected_values(query, scope).items()
                          for value in values if _names_stream(spans, name, value))
        if not excluded:
            return
        matchers = tuple(ast.Matcher(name, "!=", value) for name, value in excluded)
        # a filter leaving out a stream's name by its lines is the matcher's work now
        stages = tuple(s for s in query.stages if not (
            isinstance(s, ast.LineFilter) and s.op == "!=" and len(s.terms) == 1
            and any(_names_stream(s.terms[0].value, name, value) for name, value in excluded)))
        fixed = ast.LogQuery(ast.Selector(query.selector.matchers + matchers), stages)
        if self.probe.count(fixed, scope):
            self._warn("exclusion", "the question leaves out "
                       f"{', '.join(quote(v) for _, v in excluded)}, which the query selects",
                       MEDIUM, self._fix(query, fixed, "exclude " + ", ".join(
                           format_ast(m) for m in matchers)))

    def _excluded_texts(self, selector: ast.Selector) -> list[str]:
        """The texts the question leaves out, each as some line of ``selector`` holds it:
        quoted, an id (an IP), or written as code (``addStoredBlock``, ``servers/detail``),
        else the run of a line's words that holds the words after "not about"."""
        found = []
        for span in left_out(self.question):
            quoted = quoted_texts(span)
            texts = quoted + [t for t in token_literals(span) + code_words(span)
                              if not any(_overlaps(t, q) for q in quoted)]
            if not texts and " " not in span.strip():
                texts = [span.strip()]  # one word ("non-GET"): as it stands
            elif not texts:
                run = self._in_lines(selector, span)
                texts = [run] if run else []
            found += [t for t in texts if self._occurs(selector)(t)]
        return list(dict.fromkeys(found))

    def _quote_unused(self, query: ast.LogQuery, scope: Scope, count: int | None) -> None:
        """Lines asked for by the one text the question quotes ("the boot command lines
        that target a domain ('Targeting domains:...')"), which no filter of the query uses:
        the lines holding its lead (up to a stand-in), among the query's where some are,
        else in place of its filters."""
        quoted = quoted_texts(self.question)
        lead = _STAND_IN.split(quoted[0])[0].strip() if len(quoted) == 1 else ""
        used = " ".join(t.value for f in query.stages if isinstance(f, ast.LineFilter)
                        for t in f.terms).lower()
        if len(lead) < MIN_LITERAL or not re.search(r"[A-Za-z]{3}", lead) or \
                lead.lower() in used or lead in " ".join(left_out(self.question)) or \
                formats.asked_format(self.question) is not None:
            return  # (a quoted template is how to write the lines, not which)
        kept = ast.LineFilter("|=", (ast.FilterTerm(lead),))
        for fixed in (with_stage(query, kept), query.replace(stages=(kept, *(
                s for s in query.stages if not isinstance(s, ast.LineFilter))))):
            if (lines := self.probe.count(fixed, scope)) and lines != count:
                self._warn("literal", f"question quotes {quote(quoted[0])}, which the query "
                           "does not use", MEDIUM,
                           self._fix(query, fixed, f"keep the lines with {quote(lead)}"))
                return

    def _quoted_unused(self, query: ast.LogQuery) -> None:
        """One side of a ratio takes every line, and the question quotes one text, held by
        the lines, that no filter uses ("the ratio of 'Got exception while serving' to
        'Served block'"): that side is about it."""
        used = " ".join(t.value for f in self.expr.find_all(ast.LineFilter) for t in f.terms)
        unused = [t for t in quoted_texts(self.question) if t not in used]
        if len(unused) != 1:
            return
        fixed = query.replace(stages=(ast.LineFilter("|=", (ast.FilterTerm(unused[0]),)),))
        if self.probe.count(fixed, log_scope(self.backend)):
            self._warn("unfiltered", f"a part of the query takes every line of "
                       f"{_selector_name(query.selector)}, but the question names "
                       f"{quote(unused[0])}", MEDIUM,
                       self._fix(query, fixed, f"keep the lines with {quote(unused[0])} there"))

    def _self_ratio(self) -> None:
        """A count divided by itself (``100 * A / A``, or by a count of the very same
        lines in other words) is always 1, where the question asks for the share of
        something wider: the denominator counts the lines of the pattern most of the
        numerator's lines belong to."""
        for ratio in self.expr.find_all(ast.BinaryOp):
            if ratio.op != "/":
                continue
            ranges = list(ratio.right.find_all(ast.LogRange))
            if len(ranges) != 1 or not _filters_lines(ranges[0].query.stages):
                continue
            query, scope = ranges[0].query, range_scope(self.backend, ranges[0])
            own = self.probe.count(query, scope)
            itself = scaled(ratio.left)[0] == scaled(ratio.right)[0]
            if not itself and not (own and self._counts_alike(ratio, ranges[0], own)):
                continue
            best = None
            for pattern in self._patterns(query.selector):
                if not pattern.line_filter:
                    continue
                first = _stage(pattern.line_filter)  # its event's text; the rest narrows it
                wider = ast.LogQuery(query.selector, (first,))
                shared = self.probe.count(with_stage(query, first), scope)
                if shared and (best is None or shared > best[0]) \
                        and (self.probe.count(wider, scope) or 0) > (own or 0):
                    best = (shared, wider, format_ast(first).split(" ", 1)[1])
            if best is None:
                continue
            right = rewrite.replace_node(ratio.right, query, best[1])
            fixed = rewrite.replace_node(self.expr, ratio, ratio.replace(right=right))
            self._warn("share", "the query divides a count by " + (
                "itself" if itself else "a count of the very same lines") + " (always 1)", MEDIUM,
                       Fix(format_ast(fixed), f"divide by the lines with {best[2]}"))

    @functools.cached_property
    def _one_log_query(self) -> bool:
        """Whether the query has one log query (no ratio, no comparison of two)."""
        return len(list(self.expr.find_all(ast.LogQuery))) == 1

    @functools.cached_property
    def _share_asked(self) -> bool:
        """Whether the question asks a share and the query divides two counts."""
        return asks_share(self.question) and any(
            node.op == "/" and node.left.find(ast.LogRange) and node.right.find(ast.LogRange)
            for node in self.expr.find_all(ast.BinaryOp))

    def _level_share(self) -> None:
        """"What fraction of bgl's log lines were FATAL" answered with every line over every
        line: the numerator keeps the level the question names."""
        if not self._share_asked:
            return
        for ratio, numerator, denominator in self._ratios_of_one_query():
            found = None if numerator.stages or denominator.stages else \
                self._level_asked(numerator)
            if found is not None:
                query, reason, change = found
                self._warn("share", reason, MEDIUM, Fix(
                    self._side_replaced(ratio, "left", numerator, query),
                    f"{change} in the numerator"))
                return

    def _share_of_level(self) -> None:
        """"What share of apache's error lines were …" answered over every line: the
        denominator keeps the level the lines the share is of are called by."""
        whole = share_whole(self.question)
        if not self._share_asked or not whole:
            return
        for ratio, numerator, denominator in self._ratios_of_one_query():
            found = None if denominator.stages or not numerator.stages else \
                self._level_asked(denominator, whole)
            if found is not None:
                query, _, change = found
                self._warn("share", f"the share is of {whole}, but the query divides by "
                           "every line", MEDIUM, Fix(
                               self._side_replaced(ratio, "right", denominator, query),
                               f"{change} in the denominator"))
                return

    def _share_of_count(self) -> None:
        """"What share of android's updateClipping calls had isOverlap:true" answered with
        a count of the part alone: divided by the count of the lines the share is of, where
        that keeps more lines: the text a quote of theirs starts with ("'cancelNotification,
        index:N' calls": "cancelNotification,index:"), else a filter's text up to its last
        word the question says they are ("updateClipping")."""
        part = _PART_OF.search(QUOTED.sub(lambda m: " " * len(m.group()), self.question))
        base, factor = scaled(self.expr)
        counted = base.expr if isinstance(base, ast.VectorAggregation) and base.op == "sum" \
            and base.grouping is None else base
        if part is None or not isinstance(counted, ast.RangeAggregation) or \
                counted.op != "count_over_time" or counted.grouping is not None:
            return
        query, scope = counted.range.query, range_scope(self.backend, counted.range)
        if not (count := self.probe.count(query, scope)):
            return
        whole = stems(part.group("whole"))
        said_whole = self.question[part.start("whole"):part.end("whole")]
        said_part = self.question[part.end("whole"):].lower()
        leads = [_STAND_IN.split(text)[0].strip() for text in quoted_texts(said_whole)]
        filters = list(_filter_terms(query, ("|=",)))
        for stage, term in filters:
            said = _start_said(term.value, whole)
            texts = [lead for lead in leads if term.value.startswith(lead)] + \
                ([said] if said and len(said.split()) < len(term.value.split()) else [])
            wholes = [(rewrite.replace_node(query, stage, ast.LineFilter("|=", tuple(
                ast.FilterTerm(text) if t is term else t for t in stage.terms))),
                f"the lines with {quote(text)}") for text in texts if text and text != term.value]
            # "... notices were AuthFail" answered |= "…notice id:" |= "AuthFail": that
            # filter is the part's
            if len(filters) > 1 and len(stage.terms) == 1 and re.search(
                    rf"(?<!\w){re.escape(term.value.lower())}(?!\w)", said_part):
                wholes.append((query.replace(stages=tuple(s for s in query.stages
                                                          if s is not stage)),
                               f"the lines it keeps but for {quote(term.value)}"))
            for every, lines in wholes:
                if (self.probe.count(every, scope) or 0) <= count:
                    continue
                fixed: ast.Expr = ast.BinaryOp("/", base, rewrite.replace_node(base, query, every))
                percent = factor == 1 and part.group("word").lower().startswith("percent")
                if percent:
                    fixed = ast.BinaryOp("*", fixed, ast.Literal(100.0))
                self._warn("share", f"question asks for the {part.group('word')} of "
                           f"{said_whole}, but the query counts the part alone", MEDIUM,
                           Fix(format_ast(rewrite.replace_node(self.expr, base, fixed)),
                               f"divide by {lines}" + (", times 100" if percent else "")))
                return

    def _share_of_what(self) -> None:
        """"What fraction of thunderbird's DHCPDISCOVER requests … hit 'no free leases'"
        answered over every line: the denominator keeps the lines of what the share is of,
        the start of the numerator's event up to its last word the question says they are
        ("DHCPDISCOVER"), where that keeps more lines than the numerator and fewer than
        all."""
        part = _PART_ASKED.search(QUOTED.sub(" ", self.question))
        if part is None:
            return
        for ratio, numerator, denominator in self._ratios_of_one_query():
            terms = list(_filter_terms(numerator, ("|=",)))
            if denominator.stages or not terms:
                continue
            # what the share is of: the question's words after "fraction of" but the part's
            wanted = stems(terms[0][1].value)
            whole = [w for w in stems(part.group("whole")) if not _said(w, wanted)]
            scope = range_scope(self.backend, next(ratio.right.find_all(ast.LogRange)))
            counts = [self.probe.count(q, scope) or 0 for q in (numerator, denominator)]
            for pattern in self._patterns(numerator.selector):
                if terms[0][1].value not in pattern.template:
                    continue
                text = _start_said(VARIABLE.split(pattern.template)[0], whole)
                if not text or text in terms[0][1].value:
                    continue
                every = denominator.replace(stages=(_stage(f"|= {quote(text)}"),))
                if counts[0] < (self.probe.count(every, scope) or 0) < counts[1]:
                    self._warn("share", f"the share is of the lines with {quote(text)}, but "
                               "the query divides by every line", MEDIUM, Fix(
                                   self._side_replaced(ratio, "right", denominator, every),
                                   f"divide by the lines with {quote(text)}"))
                    return

    def _ratios_of_one_query(self):
        """``(ratio, numerator, denominator)`` of each ``/`` whose sides take one log query
        each."""
        for ratio in self.expr.find_all(ast.BinaryOp):
            over = [list(side.find_all(ast.LogRange)) for side in (ratio.left, ratio.right)]
            if ratio.op == "/" and all(len(ranges) == 1 for ranges in over):
                yield ratio, over[0][0].query, over[1][0].query

    def _side_replaced(self, ratio: ast.BinaryOp, side: str, query: ast.LogQuery,
                       fixed: ast.LogQuery) -> str:
        """The whole query with ``query`` of ``ratio``'s ``side`` ("left", "right") replaced
        by ``fixed``."""
        part = rewrite.replace_node(getattr(ratio, side), query, fixed)
        return format_ast(rewrite.replace_node(self.expr, ratio, ratio.replace(**{side: part})))

    def _counts_alike(self, ratio: ast.BinaryOp, denominator: ast.LogRange, lines: int) -> bool:
        """Whether the numerator of ``ratio`` counts what its denominator does (the same
        aggregation of the same range) on the very same ``lines`` lines, in other words."""
        ranges = list(ratio.left.find_all(ast.LogRange))
        if len(ranges) != 1:
            return False
        numerator = ranges[0].query
        alike = rewrite.replace_node(scaled(ratio.left)[0], numerator, denominator.query)
        return alike == scaled(ratio.right)[0] and self.probe.count(
            numerator, range_scope(self.backend, ranges[0])) == lines

    def _stream_series(self) -> None:
        node = scaled(self.expr)[0]
        if isinstance(node, ast.VectorAggregation):
            self._values_aggregated(node)
        elif isinstance(node, ast.RangeAggregation):
            self._series_per_stream(node)

    def _series_per_stream(self, node: ast.RangeAggregation) -> None:
        """The question asks for one value (no breakdown, nothing listed) where the query
        answers a series per stream: they are added up, averaged or the largest taken, as
        its function asks. Series split by an extracted field are the ``fields`` rule's."""
        if node.grouping is not None or node.op not in rewrite.ONE_VALUE:
            return
        breakdown = asked_breakdown(self.question)
        if breakdown:
            self._stream_breakdown(node, breakdown)
            return
        if _LISTS.search(self.question):
            return
        scope = range_scope(self.backend, node.range)
        answer = self.probe.answer_labels(node, scope)
        op = rewrite.ONE_VALUE[node.op]
        fixed = rewrite.replace_node(self.expr, node, ast.VectorAggregation(op, node))
        if answer and len(answer) == 1 and op == "sum":  # a count or a total: of every stream
            self._warn("series", "question asks for one value, but the query answers one "
                       "stream's series, named by its labels", LIGHT,
                       Fix(format_ast(fixed), f"take `{op}` of the streams' series"))
            return
        if not answer or len(answer) < 2:
            return
        streams = self._stream_label_names(node.range.query.selector, scope)
        varying = {name for labels in answer for name in labels
                   if len({other.get(name) for other in answer}) > 1}
        if not varying or not varying <= streams:
            return
        self._warn("series", f"question asks for one value, but the query answers {len(answer)} "
                   f"series, one per stream ({', '.join(sorted(varying))})", MEDIUM,
                   Fix(format_ast(fixed), f"take `{op}` of the streams' series"))

    def _stream_breakdown(self, node: ast.RangeAggregation, breakdown: re.Match) -> None:
        """"the highest N … per application" answered by a series per stream, which carry
        the streams' other labels too (``hostname``): the series of each value of the
        label asked are added up, averaged or the largest taken, as the function asks."""
        scope = range_scope(self.backend, node.range)
        streams = self._stream_label_names(node.range.query.selector, scope)
        words = dimension_words(self.question, breakdown)
        label = label_for(words, streams)
        answer = self.probe.answer_labels(node, scope)
        if label is None and answer and node is self.expr \
                and not label_for(words, {name for labels in answer for name in labels}):
            # "the average timeout per client IP": no label of the answer's is the key
            self._warn("grouping", f'question asks for a breakdown ("{breakdown.group(0)}") '
                       "but no label of the query's series names it", MEDIUM)
            return
        if label is None or not answer or all(set(labels) <= {label} for labels in answer):
            return
        op = rewrite.ONE_VALUE[node.op]
        fixed = ast.VectorAggregation(op, node, grouping=ast.Grouping(labels=(label,)))
        self._warn("series", f"question asks for a value per {label}, but the query answers "
                   f"one per stream, named by all its labels", MEDIUM,
                   Fix(format_ast(rewrite.replace_node(self.expr, node, fixed)),
                       f"take `{op} by ({label})` of the streams' series"))

    def _values_aggregated(self, node: ast.VectorAggregation) -> None:
        """A ``sum`` of averages, extremes or percentiles is a number nobody asks for: of
        several series the average (the largest, the smallest) is. Of one series, that sum,
        or its own average, is the same number with its labels lost: it is taken as it is."""
        inner = node.expr
        if not isinstance(inner, ast.RangeAggregation) or inner.grouping is not None \
                or inner.op not in _PER_SERIES:
            return
        own = rewrite.ONE_VALUE.get(inner.op)  # none for a percentile
        if node.op not in ("sum", own):
            return
        scope = range_scope(self.backend, inner.range)
        answer = self.probe.answer_labels(inner, scope)
        if not answer:
            return
        streams = self._stream_label_names(inner.range.query.selector, scope)
        one_stream = len({frozenset((n, v) for n, v in labels.items() if n in streams)
                          for labels in answer}) == 1
        # One stream's series split by an extracted field (the fields rule's next) have
        # the same largest value as the stream, not the same average.
        if node.grouping is None and (len(answer) == 1 or one_stream and inner.op in _EXTREMES):
            self._warn("series", f"`{node.op}` of one stream's `{inner.op}` only drops its "
                       "labels", LIGHT,
                       Fix(format_ast(rewrite.replace_node(self.expr, node, inner)),
                           f"take the `{inner.op}` as it is"))
        elif node.op == "sum" and own:
            fixed = rewrite.replace_node(self.expr, node, node.replace(op=own))
            self._warn("series", f"`sum` adds up the `{inner.op}` of {len(answer)} series", MEDIUM,
                       Fix(format_ast(fixed), f"take `{own}` of them"))

    def _stream_label_names(self, selector: ast.Selector, scope: Scope) -> set[str]:
        """The label names of the streams ``selector`` selects."""
        return {name for labels in self.probe.series(selector, scope) or () for name in labels}

    def _label_exists(self, name: str, places: list[tuple[ast.LogQuery, Scope]],
                      where: str, droppable: ast.Node | None = None,
                      numeric: bool = False, grouped: bool = False) -> bool:
        """Whether some line at one of ``places`` carries ``name``; False with a warning
        (and a rename to the closest label there, else its extraction, else dropping the
        ``droppable`` stage) when none does, True when unknown or when no line reaches
        there at all."""
        if name.startswith("__"):
            return True
        counts = []
        for query, scope in places:
            if not self.probe.count(query, scope):
                continue  # no line reaches here: the emptiness is reported where it starts
            counts.append(self.probe.count(with_stage(query, has_label(name)), scope))
        if not counts or any(c != 0 for c in counts):
            return True
        there = set()
        for query, scope in places:
            there |= self.probe.labels(query, scope) or set()
        shown = sorted(n for n in there if not n.startswith("__"))
        reason = f"no line carries {name} at {where}"
        if shown:
            listed = ", ".join(shown[:MAX_NAMES_SHOWN]) + (", …" if len(shown) > MAX_NAMES_SHOWN else "")
            reason += f"; labels there: {listed}"
        # the closest spelling, else a label with the name as a part (level: detected_level);
        # never the application's label (allocation_time is no misspelt "application")
        renamable = [n for n in shown if n not in APPLICATION_LABELS]
        close = (difflib.get_close_matches(name, renamable, n=1, cutoff=0.6)
                 or [n for n in renamable if name in n.split("_")])
        fix = None
        if close:
            fix = Fix(format_ast(rewrite.rename_label(self.expr, name, close[0])),
                      f"use {close[0]} instead of {name}")
        self._warn("label", reason, MEDIUM,
                   fix or self._extraction_fix(name, places, numeric, grouped)
                   or self._header_fix(name, places)
                   or (self._header_asked(name, places) if grouped else None)
                   or (self._drop(droppable) if droppable is not None else None))
        return False

    def _header_asked(self, name: str, places: list[tuple[ast.LogQuery, Scope]]) -> Fix | None:
        """A breakdown by a label of the model's own (``by (root)``: a value it filtered
        on) where the question breaks down by the host or program the lines' headers name
        ("which thunderbird hosts"): by that one, extracted from the headers."""
        word = _breakdown_word(self.question)
        if word in (None, name.lower()):
            return None
        renamed = rewrite.rename_label(self.expr, name, word)
        if list(renamed.find_all(ast.LogQuery)) != list(self.expr.find_all(ast.LogQuery)):
            return None  # (a label the pipeline uses too: more than the breakdown is wrong)
        fix = self._header_fix(word, places, renamed)
        return fix and Fix(fix.query, f"break it down by {word}, as the question asks, "
                                      f"{fix.change[0].lower()}{fix.change[1:]}")

    def _header_fix(self, name: str, places: list[tuple[ast.LogQuery, Scope]],
                    expr: ast.Expr | None = None) -> Fix | None:
        """A ``component`` (``program``, ``host``...) that no line carries, where the lines'
        headers name the program that wrote them ("combo kernel: ...", "|Step_LSC|") or
        the host: extracted from the header, first in the pipeline (of ``expr``, by default
        the query)."""
        kind = name.lower()
        if kind not in headers.PROGRAM_LABELS | headers.HOST_LABELS or \
                (kind in headers.HOST_LABELS and _OTHER_HOST.search(self.question)):
            return None  # (a remote host is the message's, not the header's machine)
        expr = expr or self.expr
        for upto, scope in places:
            query = self._whole(upto)
            patterns = self._patterns(query.selector)
            styles = Counter(headers.program_style(p) for p in patterns)
            style = max((s for s in styles if s is not None), key=styles.get, default=None)
            extraction = style.extracts(name) if style and kind in headers.PROGRAM_LABELS \
                else headers.column_regexp(map(headers.header, patterns), name,
                                           [p.count for p in patterns])
            if extraction is None:
                return None
            fixed = query.replace(stages=(_stage("| regexp " + quote(extraction)),
                                          *query.stages))
            if not self.probe.count(with_stage(fixed, has_label(name)), scope):
                return None
            expr = rewrite.replace_node(expr, query, fixed)
        return Fix(format_ast(expr), f"extract {name} from the lines' headers")

    def _extraction_fix(self, name: str, places: list[tuple[ast.LogQuery, Scope]],
                        numeric: bool = False, grouped: bool = False) -> Fix | None:
        """Extract ``name`` (or the field of a pattern that fits it; for a breakdown,
        ``grouped``, else the one field the question names) with the extraction of the
        pattern that has the most of the query's lines; the parsers that claimed it go.
        Only for a query whose line filters say which lines it means: without them, which
        pattern is meant would be a guess."""
        best: tuple[int, ast.LogQuery, ast.LogQuery, str, str] | None = None
        for upto, scope in places:
            if not _filters_lines(upto.stages):
                continue
            query = self._whole(upto)
            for pattern in self._patterns(query.selector):
                # (the text's name first: "my id = <id_2>" is my_id, not the id before it)
                field = _labelled_field(name, pattern, numeric) or \
                    _field_for(name, pattern.fields, numeric) or (
                        _measured_field(self.question, pattern) if numeric else None)
                address = None
                if field is None and not numeric and _NODE_NAME.search(name):
                    address = pattern.address_regexp(name)  # a node, named by its address
                    field = name if address else None
                if field is None and grouped:  # "list source IPs", "by (count)"
                    field = _asked_field(self.question, pattern, name) or \
                        _field_after(_breakdown_word(self.question), pattern) or \
                        _quoted_field(self.question, pattern)
                if field is None or not pattern.extraction or not pattern.line_filter:
                    continue
                fixed, lines = self._extracting(query, name, pattern, field, scope, address)
                if lines and (best is None or lines > best[0]):
                    best = (lines, query, fixed, field, pattern.template)
        if best is None:
            return self._refiltered_fix(name, places) if numeric else \
                self._ending_fix(name, places) if grouped else None
        _, query, fixed, field, template = best
        expr = rewrite.replace_node(self.expr, query, fixed)
        if field != name:
            # the number unwrapped is another field; a breakdown by the name stays asked
            expr = rewrite.rename_unwrap(expr, name, field) if numeric \
                else rewrite.rename_label(expr, name, field)
        return Fix(format_ast(expr), f"extract {field} as the pattern {quote(template)} does")

    def _ending_fix(self, name: str, places: list[tuple[ast.LogQuery, Scope]]) -> Fix | None:
        """A breakdown by a label no line carries ("the rarest 'Received disconnect'
        reasons") where the miner made a pattern of each value: the query's one filter text
        goes on alike in several patterns, which end in different texts ("…: <number>: Bye
        Bye [preauth]", "…: <number>: disconnected by user"). That ending is the label (a
        bracketed tail most of them share left out)."""
        if len(places) != 1 or not (_breakdown_names(self.question, name)
                                    or names_field(QUOTED.sub(" ", self.question), name)):
            return None
        upto, scope = places[0]
        query = self._whole(upto)
        texts = [t.value for s in query.stages if isinstance(s, ast.LineFilter) and s.op == "|="
                 for t in s.terms]
        if len(texts) != 1:
            return None
        goes_on = [p.template.split(texts[0], 1)[1] for p in self._patterns(query.selector)
                   if texts[0] in p.template]
        shared = os.path.commonprefix(goes_on)
        shared = shared[:shared.rfind(" ") + 1]  # up to a word's end
        endings = Counter(t[len(shared):] for t in goes_on)
        if len(endings) < 2 or any(VARIABLE.search(e) or not e.strip() for e in endings):
            return None
        tails = Counter(m.group(0) for e in endings
                        if (m := re.search(r" [\[(][^\])]*[\])]$", e)))
        tail, shared_by = tails.most_common(1)[0] if tails else ("", 0)
        before = "".join(r"\S+" if VARIABLE.fullmatch(piece) else regex_literal(piece)
                         for piece in re.split(f"({VARIABLE.pattern})", texts[0] + shared)
                         if piece)
        optional = f"(?:{regex_literal(tail)})?" if 2 * shared_by > len(endings) else ""
        stage = _stage("| regexp " + quote(f"{before}(?P<{name}>.+?){optional}$"))
        fixed = _with_extraction(query, name, stage, name)
        lines = self.probe.count(query, scope)
        if not lines or self.probe.count(with_stage(fixed, has_label(name)), scope) != lines:
            return None
        return Fix(format_ast(rewrite.replace_node(self.expr, query, fixed)),
                   f"extract {name} as the text the patterns of {quote(texts[0])} end in")

    def _refiltered_fix(self, name: str, places: list[tuple[ast.LogQuery, Scope]]) -> Fix | None:
        """A number to unwrap that none of the lines the query keeps has, where patterns of
        the application have a field of that name ("the highest ambient temperature" kept
        to the lines saying "Temperature (41C) exceeds …", where "ambient=<ambient>" is
        written on others), or the number the question asks ("the average stratum",
        unwrapped as ``word``): the lines of that pattern (:meth:`_number_patterns`), in
        place of the query's filters (its exclusions too, where they leave none)."""
        expr, pattern, field = self.expr, None, name
        for upto, scope in places:
            query = self._whole(upto)
            if not self.probe.count(query, scope):
                return None  # no line kept at all: the text filtered on is what is wrong
            found = self._number_patterns(query.selector, name)
            if not found:
                return None
            pattern, field = found
            for ops in (("|=", "|~"), ("|=", "|~", "!=", "!~")):  # its lines may be left out
                kept = tuple(s for s in query.stages
                             if not (isinstance(s, ast.LineFilter) and s.op in ops))
                refiltered = query.replace(stages=_stages(pattern.line_filter) + kept)
                fixed, lines = self._extracting(refiltered, name, pattern, field, scope)
                if lines:
                    break
            else:
                return None
            expr = rewrite.replace_node(expr, query, fixed)
        if field != name:
            expr = rewrite.rename_unwrap(expr, name, field)
        return Fix(format_ast(expr), f"keep the lines of the pattern {quote(pattern.template)}, "
                                     f"which has {field}, and extract it there")

    def _number_patterns(self, selector: ast.Selector, name: str) -> tuple[object, str] | None:
        """The pattern whose field ``name`` is, the most common; else, of those with a
        number the question asks (:func:`_measured_field`), the one sharing the most of its
        words ("instance build time": "Took <took> seconds to build instance", not the
        commoner "… time: <time>"), and that field."""
        patterns = [p for p in self._patterns(selector) if p.extraction and p.line_filter]
        named = [p for p in patterns if name in (_field_for(name, p.fields, True),
                                                 _labelled_field(name, p, True))]
        if named:
            return max(named, key=lambda p: p.count), name
        measured = [(len(_pattern_shares(self._asked_words, p)), p.count, p, field)
                    for p in patterns if (field := _measured_field(self.question, p))]
        best = max(measured, key=lambda m: m[:2], default=None)
        return (best[2], best[3]) if best and best[0] else None

    def _whole(self, upto: ast.LogQuery) -> ast.LogQuery:
        """The log query of the query that ``upto`` is the start of (a label filter's
        lines are those of the stages before it)."""
        return next((q for q in self.expr.find_all(ast.LogQuery) if q.selector == upto.selector
                     and q.stages[:len(upto.stages)] == upto.stages), upto)

    def _extracting(self, query: ast.LogQuery, name: str, pattern, field: str, scope: Scope,
                    address: str | None = None) -> tuple[ast.LogQuery, int | None]:
        """``query`` extracting ``pattern``'s ``field`` in place of ``name``, and on how many
        lines of the pattern's event it finds it. The words around the field suffice (they
        also find it where another event quotes this one) when every line they find it on
        is of the event; else the pattern's whole-line extraction. A node's ``address``
        regexp (:meth:`Pattern.address_regexp`) is the extraction, wherever it finds it."""
        event, found = _stage(pattern.line_filter), has_label(field)
        unformatted = _unformatted(query)  # counted where the lines are still the log's
        local = address or pattern.field_regexp(field)
        for extraction in ([local] if local else []) + [pattern.extraction]:
            stage = _stage(extraction)
            probed = _with_extraction(unformatted, name, stage, field)
            lines = self.probe.count(with_stage(probed, event, found), scope)
            if extraction in (pattern.extraction, address) or \
                    lines == self.probe.count(with_stage(probed, found), scope):
                return _with_extraction(query, name, stage, field), lines


def _format_sources(asked: formats.AskedFormat, pattern,
                    streams: set[str]) -> dict[str, tuple[str, str | None]] | None:
    """For each stand-in of ``asked``, the label that gives it, named as the stand-in, and
    the ``| regexp`` that extracts it from ``pattern``'s lines (a field once at most; none
    for a label of the ``streams``); None when a stand-in has no source."""
    sources, taken = {}, set()
    for stand_in in asked.stand_ins:
        name = formats.label_name(stand_in)
        if name is None:
            return None
        if name in streams:
            sources[stand_in] = (name, None)
            continue
        field = _stand_in_field(asked, stand_in, name, pattern, taken)
        if field:
            taken.add(field)
            extraction = _renamed(pattern.field_regexp(field), field, name)
        else:
            extraction = _key_span(pattern.template, stand_in, name)
        if not extraction:
            return None
        sources[stand_in] = (name, extraction)
    return sources


def _renamed(extraction: str | None, field: str, name: str) -> str | None:
    """A ``| regexp`` stage capturing ``field`` as ``name``."""
    return extraction and extraction.replace(f"(?P<{field}>", f"(?P<{name}>")


def _stand_in_field(asked: formats.AskedFormat, stand_in: str, name: str, pattern,
                    taken: set[str]) -> str | None:
    """The field of ``pattern`` a stand-in means: by its name ("<blk>": ``block``), by the
    name the template gives the field ("<instance id>": "instance: <uuid>"), by the unit
    after it ("<MB>": "memory <memory> MB"), by the words around the stand-in ("vcpus=<n>",
    "<N> repeated failures"), an IP by its kind."""
    fields = [f for f in pattern.fields if f.name not in taken]
    before, after = asked.words_around(stand_in)
    units = [f.name for f in fields  # the unit, not the key of the next field ("dest: ")
             if re.search(rf"<{f.name}>\s*{re.escape(name)}\b(?!\s*[=:])", pattern.template, re.I)]
    ips = [f.name for f in fields if f.type == "ip"]
    found = _field_for(name, fields, False) or next(
        filter(None, (_labelled_field(w, pattern, False) for w in reversed(stand_in.split()))),
        None) or (units[0] if len(units) == 1 else None) or next(
        filter(None, (_field_for(w, fields, False) for w in (before, after) if w)), None) or (
        ips[0] if name in ("address", "ip_address", "addr") and len(ips) == 1 else None)
    return found if found not in taken else None


def _key_span(template: str, stand_in: str, name: str) -> str | None:
    """A ``| regexp`` extracting, as ``name``, the token the template writes after the
    stand-in's word as a key ("src: /<ip>:<number>" for "<src>": ``10.250.19.102:54106``)."""
    for word in reversed(stand_in.split()):
        key = re.search(rf"(?<![\w.]){re.escape(word)}\s*[=:]\s*/?(?=<)", template, re.I)
        if key:
            return "| regexp " + quote(regex_literal(key.group(0)) + rf"(?P<{name}>[^\s,;\]]+)")
    return None


def _unformatted(query: ast.LogQuery) -> ast.LogQuery:
    """``query`` up to its first ``line_format``: its lines while they are still the log's."""
    at = next((i for i, s in enumerate(query.stages) if isinstance(s, ast.LineFormat)), None)
    return query if at is None else query.replace(stages=query.stages[:at])


def _filters_end(query: ast.LogQuery) -> int:
    """Where the query's leading line filters end (a new one goes there)."""
    return next((i for i, s in enumerate(query.stages) if not isinstance(s, ast.LineFilter)),
                len(query.stages))


def _ip_only(name: str) -> ast.LabelFilter:
    """``| name=~"<IPv4>"``: keeps the lines whose ``name`` is an IP and no more."""
    return ast.LabelFilter(ast.StringFilter(ast.Matcher(name, "=~", r"\d+\.\d+\.\d+\.\d+")))


def elided_regex(text: str) -> str | None:
    """A regex for a text with stand-ins for what varies ("BLOCK* ask ... to delete",
    "PAM N more authentication failure(s)"): any text where each stands, "(s)" an
    optional plural. None without a stand-in between two runs of words."""
    parts = [p.strip() for p in _STAND_IN.split(text.replace("(s)", "\0"))]
    while parts and not parts[-1]:
        parts.pop()
    while parts and not parts[0]:
        parts.pop(0)
    if len(parts) < 2 or not all(re.search(r"[A-Za-z]{2}", p) for p in (parts[0], parts[-1])):
        return None
    return r"\s+.*?".join(regex_literal(p).replace("\0", "s?") for p in parts if p)


def elided_end(text: str) -> str | None:
    """The words of a text that only its end elides ("Authentication failed from ...":
    "Authentication failed from"), two at least; None where it elides nothing else."""
    kept = _STAND_IN.split(text)[0].strip()
    only_end = kept != text.strip() and _STAND_IN.sub("", text).strip() == kept
    return kept if only_end and len(kept.split()) >= 2 else None


def _field_for(name: str, fields, numeric: bool) -> str | None:
    """The pattern field that ``name`` means: the same name, one sharing a ``_``-part, the
    last part first (``src_ip``: ``ip``; ``block_size``: ``size``), or a close spelling; a
    number when it is to be unwrapped."""
    usable = [f.name for f in fields if f.numeric or not numeric]
    if name in usable:
        return name
    for part in reversed(name.lower().split("_")):  # the last part is the noun: block_size
        found = [f for f in usable if part in f.lower().split("_")]
        if found:
            return found[0]
    close = difflib.get_close_matches(name, usable, n=1, cutoff=0.7)
    return close[0] if close else None


def _labelled_field(name: str, pattern, numeric: bool) -> str | None:
    """The field the pattern's text calls ``name`` ("HBM brightnessOut =<number>":
    ``number`` is the brightnessOut; "timeout of <duration>": the timeout; "reason
    #<number_2>": the reason; "my id = <id_2>": ``my_id``), a number when it is to be
    unwrapped."""
    written = re.escape(name).replace("_", r"[\s_]")
    found = re.search(rf"(?<![\w.]){written}(?:\s*[=:#]|\s+of)\s*<(\w+)>", pattern.template,
                      re.I)
    field = next((f for f in pattern.fields if found and f.name == found.group(1)), None)
    return field.name if field is not None and (field.numeric or not numeric) else None


_EXTREMES = frozenset({"max_over_time", "min_over_time"})
# Range functions whose values mean nothing added up across series.
_PER_SERIES = frozenset({"avg_over_time", "max_over_time", "min_over_time", "quantile_over_time"})
# Questions that want several answers, each named ("which hosts", "list the", "for every").
_LISTS = re.compile(r"\b(?:which|list|each|every|what are)\b", re.I)
_DURATION_NAMES = frozenset("time took duration elapsed latency seconds secs ms".split())
# the names a field of a measure already has
_MEASURE_NAMES = {"time": _DURATION_NAMES, "size": frozenset("size bytes length len".split())}
_ADDRESSES = re.compile(r"\b(?:ips?|address(?:es)?|hosts?|servers?|clients?|peers?|nodes?"
                        r"|machines?|sources?|destinations?|targets?)\b", re.I)
_HEADER_LABELS = headers.PROGRAM_LABELS | headers.HOST_LABELS | {"severity", "pid"}


def _field_after(word: str | None, pattern) -> str | None:
    """The field a breakdown's ``word`` names in the pattern's text, a word or two before
    it ("each scoreboard slot": "scoreboard slot <slot>"; "which BSSIDs": "BSSID changed
    to <ip>")."""
    found = word and re.search(rf"(?<![\w.<]){re.escape(word)}s?(?:\s+[\w.-]+){{0,2}}?\s*[=:]?"
                               r"\s*<(\w+)>", pattern.template, re.I)
    return found.group(1) if found else None


def _quoted_field(question: str, pattern) -> str | None:
    """The field of ``pattern`` a quote ending in a letter that stands in for it points at
    ("by the state it moved to (the 'to X' part)": ``to <word_2>``; not "'Authentication
    failed from ...' lines", a text quoted short)."""
    for text in quoted_texts(question):
        before = re.fullmatch(r"(.*\w\W*?)\s*\b[A-Z]", text)
        if before and (found := re.search(rf"(?<!\w){re.escape(before.group(1).strip())}"
                                          r"\s*<(\w+)>", pattern.template)):
            return found.group(1)
    return None


def _asked_field(question: str, pattern, name: str) -> str | None:
    """The one field of ``pattern`` that is no number and that the question names ("top 4
    attacked usernames": ``user``; "source IPs": ``ip``), else its only field that is no
    number where the question asks for the breakdown ``name`` names ("which 3 time
    servers", ``by (time)``: ``synchronized to <word>``), unless that is a label a line's
    header gives (a program, a host, a level)."""
    words = [f for f in pattern.fields if not f.numeric]
    named = [f.name for f in words if names_field(question, f.name)]
    if not named and name not in _HEADER_LABELS and not name.endswith("level") \
            and (_breakdown_names(question, name) or _breakdown_in(question, pattern)):
        # (an address only where the question asks for one: "reasons" are no IPs)
        named = [f.name for f in words if f.type != "ip" or _ADDRESSES.search(question)]
    return named[0] if len(named) == 1 else None


def _per_line_function(question: str) -> str:
    """The function of the number each line states that the question asks ("the largest
    number of exceptions one line reported": ``max_over_time``); else their sum."""
    named = named_function(question)
    if named is not None and named[0] in ("max_over_time", "min_over_time", "avg_over_time"):
        return named[0]
    return next((f for f, says in _COUNT_EXTREMES if says.search(question)), "sum_over_time")


def _breakdown_word(question: str) -> str | None:
    """The word naming the breakdown the question asks, singular ("which 2 channels":
    channel); None where it asks none."""
    breakdown = asked_breakdown(question)
    return singular_of(dimension(breakdown)).lower() if breakdown else None


def _breakdown_in(question: str, pattern) -> bool:
    """Whether the pattern's own words name the breakdown the question asks ("which 2
    channels": "en0: channel changed to <word>")."""
    words = re.findall(r"[A-Za-z]{3,}", VARIABLE.sub(" ", pattern.template))
    return _breakdown_word(question) in {singular_of(w).lower() for w in words}


def _breakdown_names(question: str, name: str) -> bool:
    """Whether the question asks for a breakdown whose words name ``name``."""
    breakdown = asked_breakdown(question)
    return breakdown is not None and names_field(
        " ".join([breakdown.group(0)] + dimension_words(question, breakdown)), name)


def _measured_field(question: str, pattern) -> str | None:
    """The one numeric field of ``pattern`` the question asks a value of: by its name
    ("the block size": ``size``), else, when the question asks how long something took,
    the one field that is a duration ("instance build time": ``Took <took> seconds``)."""
    numbers = [f for f in pattern.fields if f.numeric]
    named = [f.name for f in numbers
             if not _TYPE_NAME.fullmatch(f.name) and names_field(question, f.name)]
    whole = {n: found for n in named if (found := _mention(n, question))}
    if len(whole) > 1 and (asking := function_word(question)):
        # "the highest scoreboard slot ... found a child in": the one right after the word
        after = sorted((m.start(), n) for n, m in whole.items() if m.start() > asking.end())
        whole = dict.fromkeys(n for _, n in after[:1])
    named = list(whole) if len(whole) == 1 else named  # "used RAM": used_ram, not used_disk
    if not named and ASKS_DURATION.search(QUOTED.sub(" ", question)):  # not a quoted text's
        named = [f.name for f in numbers if f.name in _DURATION_NAMES or f.type == "duration"
                 or is_time_unit(pattern.unit_after(f.name))]
    if not named:  # "the largest number of alignment exceptions": "<n> alignment exceptions"
        named = [f.name for f in numbers if _counts_noun(question, pattern.unit_after(f.name))]
    unit = _value_unit(question)
    if not named and unit:  # "what processor speed, in MHz": "Detected <n> MHz processor"
        named = [f.name for f in numbers if (pattern.unit_after(f.name) or "").lower() == unit]
    return named[0] if len(named) == 1 else None


def _written_as_code(word: str) -> bool:
    """Whether a word is a name as code writes it ("overlapAmount", "used_ram"), not a word
    of prose ("time")."""
    return bool(re.search(r"[a-z][A-Z]|_|[A-Za-z]\d", word))


def _mention(field: str, text: str) -> re.Match | None:
    """Where ``text`` names ``field`` as a whole word (``used_ram``: "used RAM"), or its
    plural."""
    return re.search(rf"\b{field.replace('_', '[ _]')}s?\b", text, re.I)


def _value_unit(question: str) -> str | None:
    """The unit a question asks a value in, set apart ("what speed, in MHz, did …") or as
    the value's name ("what BogoMIPS value did …"), lower case."""
    found = _IN_UNIT.search(question) or _UNIT_VALUE.search(question)
    return found.group(1).lower() if found else None


_LETTER = re.compile(r"(?<![\w'-])([B-HJ-Z])(?![\w'-])")  # N, X, K: a number written as a letter
# the word next to a stand-in, across spaces and light punctuation ("uid=N"), not "..."
_WORD_AT_END = re.compile(r"([A-Za-z]\w*)[\s:=,;(\[]*$")
_WORD_AT_START = re.compile(r"^[\s:=,;)\]]*([A-Za-z]\w*)")


def _stand_in_contexts(quoted: str) -> list[tuple[str | None, str | None]]:
    """For each letter standing in for a number in a quoted line ("message repeated N
    times"), the words right before and after it ("repeated", "times")."""
    found = []
    for match in _LETTER.finditer(quoted):
        before = _WORD_AT_END.search(quoted[:match.start()])
        after = _WORD_AT_START.search(quoted[match.end():])
        if before or after:
            found.append((before and before.group(1), after and after.group(1)))
    return found


def _field_between(pattern, before: str | None, after: str | None) -> str | None:
    """The numeric field of ``pattern`` with ``before`` as the word before it and
    ``after`` as the word after it in the template (those given)."""
    for f in pattern.fields:
        if not f.numeric:
            continue
        left = _WORD_AT_END.search(pattern.template.split(f"<{f.name}>")[0])
        right = pattern.unit_after(f.name)
        if (before is None or (left and left.group(1).lower() == before.lower())) and \
                (after is None or (right or "").lower() == after.lower()):
            return f.name
    return None


def _word_before_capture(query: ast.LogQuery, name: str) -> str | None:
    """The word a parser of ``query`` writes right before the field ``name`` (``session``
    in ``session\\s+(?P<name>…)``), lower-cased."""
    for stage in query.stages:
        if name in parser_fields(stage) and isinstance(stage, (ast.RegexpParser,
                                                               ast.PatternParser)):
            capture = f"(?P<{name}>" if isinstance(stage, ast.RegexpParser) else f"<{name}>"
            before = re.sub(r"\\[A-Za-z]", " ", stage.pattern.split(capture, 1)[0])  # not \s
            found = re.search(r"([A-Za-z]\w*)[^A-Za-z]*$", before)
            return found.group(1).lower() if found else None
    return None


def _counts_noun(question: str, noun: str | None) -> bool:
    """Whether the question asks "how many <noun>" (the word after a stand-in number)."""
    return noun is not None and re.search(
        rf"\b(?:how many|number of) {re.escape(singular_of(noun))}s?\b", question, re.I) is not None


def _with_extraction(query: ast.LogQuery, name: str, stage: ast.Node,
                     field: str) -> ast.LogQuery:
    """``query`` extracting ``field`` (for ``name``) with ``stage``, where the parsers that
    claimed either stood (else before the first stage that reads labels, else last)."""
    claimed = [i for i, s in enumerate(query.stages)
               if {name, field} & set(parser_fields(s))]
    readers = [i for i, s in enumerate(query.stages)
               if isinstance(s, (ast.LabelFilter, ast.LineFormat, ast.LabelFormat))]
    at = (claimed or readers or [len(query.stages)])[0]
    stages = [s for i, s in enumerate(query.stages) if i not in claimed]
    stages.insert(at, stage)
    return query.replace(stages=tuple(stages))


def _text_after(pattern, field: str) -> str:
    """The fixed text the pattern writes after a field, up to the next one."""
    return VARIABLE.split(pattern.template.split(f"<{field}>", 1)[1])[0]


def _words_after(text: str, unit: str) -> list[str]:
    """Up to three content words of the text after a field, past its unit ("sent" of
    "<bytes> bytes sent, <bytes_2> …")."""
    from nl2logql.generation.schema import content_words

    return [w for w in content_words(text)
            if not w.startswith(unit.lower()[:3])][:3]


def _asked_any(words: list[str], asked) -> bool:
    """Whether the question says any of ``words`` (a verb in any tense: "sent", "sends")."""
    return any(_alike(_PRESENT.get(a, a), _PRESENT.get(w, w)) for a in asked for w in words)


def _said_lead(text: str, said: str) -> re.Match | None:
    """Where ``said`` (a question, lower case) says the lead of ``text``: its leading words
    ("authentication failure"), or the start of a later run of words with two content
    words at least ("error : A connection request was canceled …": "a connection request
    was canceled"), or the text where it is one word ("GOODBYE"; alone, not inside a name:
    "dfs.DataNode$PacketResponder")."""
    from nl2logql.generation.schema import content_words

    for run in re.finditer(r"[A-Za-z]+(?: [A-Za-z]+)+|^[A-Za-z]{4,}$", text):
        words = run.group(0).lower().split()
        if len(words) == 1:
            return re.search(rf"(?<![\w.$]){re.escape(words[0])}", said)
        for n in range(len(words), 1, -1):  # the longest start said
            lead = " ".join(words[:n])
            if (run.start() == 0 or len(content_words(lead)) >= 2) and \
                    (found := re.search(rf"\b{re.escape(lead)}", said)):
                return found
            if run.start() == 0:
                break  # the leading words: all of them, as before
    return None


def _start_said(text: str, asked: list[str]) -> str:
    """``text`` up to its last word the question says (of ``asked`` stems):
    "updateClipping isOverlap:true" for "the updateClipping calls": "updateClipping"; ""
    where it says none."""
    words = text.split()
    said = [n for n, word in enumerate(words, 1) if any(_said(s, asked) for s in stems(word))]
    return " ".join(words[:said[-1]]).strip(",;:") if said else ""


def _said(stem: str, asked: list[str]) -> bool:
    """Whether a word's stem is one of the question's (``asked``), or starts one or is
    started by one (user, usernam); "valid" is not "invalid"."""
    return any(stem.startswith(a) or a.startswith(stem) for a in asked if len(a) >= 3)


def _texts_around(text: str, spans: list[tuple[int, int]]) -> list[str]:
    """The parts of ``text`` outside ``spans`` (in order) long enough to filter on."""
    parts, at = [], 0
    for left, right in spans:
        parts.append(text[at:max(left, at)])
        at = max(at, right)
    parts.append(text[at:])
    parts = [p.strip(" ,;:") for p in parts]  # (no separator of the value's own)
    return [p for p in parts if len(p) >= MIN_COMMON_TEXT and re.search(r"[A-Za-z]", p)]


def _one_number(expr: ast.Expr) -> bool:
    """Whether ``expr`` is one number of lines or values: an aggregation with no breakdown
    (``sum(count_over_time(…))``), or one scaled."""
    base, _ = scaled(expr)
    return isinstance(base, ast.VectorAggregation) and base.op in ("sum", "max", "min", "avg") \
        and (base.grouping is None or not base.grouping.labels and not base.grouping.without)


def _run_holding(template: str, words: set[str]) -> ast.LineFilter | None:
    """A filter on the fixed text of ``template`` holding the most of ``words`` (two at
    least), where one does."""
    runs = [run.strip(" /:,") for run in VARIABLE.split(template)]
    scored = [(sum(w in run.lower() for w in words), run) for run in runs
              if len(run) >= MIN_COMMON_TEXT]
    held, run = max(scored, default=(0, ""))
    return ast.LineFilter("|=", (ast.FilterTerm(run),)) if held >= MIN_SHARED_WORDS else None


def _field_spans(template: str, line: str) -> list[tuple[str, tuple[int, int]]] | None:
    """``(field, span)`` of each field of ``template`` in ``line`` (the template ends the
    line; its words may be apart by any space); None where it does not match."""
    names = VARIABLE.findall(template)
    fixed = [r"\s+".join(map(re.escape, re.split(r"\s+", part)))
             for part in VARIABLE.split(template)]
    match = re.search("(.*?)".join(fixed) + r"\s*$", line)
    if match is None:
        return None
    return [(name.strip("<>"), match.span(number + 1)) for number, name in enumerate(names)]


def _asked_prefix(text: str, asked: list[str]) -> str | None:
    """The start of ``text`` up to its last word the question says (of ``asked`` stems),
    when that start holds two such words and the rest holds a content word ("invalid or
    missing program image, Permission" for "could not load a program image"); else None."""
    words = text.split()
    said, end = 0, 0
    for number, word in enumerate(words):
        stem = stems(word)
        if stem and _said(stem[0], asked):
            said, end = said + 1, number + 1
    if said < MIN_SHARED_WORDS or not any(map(stems, words[end:])):
        return None
    return " ".join(words[:end]).strip(",;:")


def _without_parsers(node: ast.Node) -> ast.Node:
    if isinstance(node, ast.LogQuery):
        return node.replace(stages=tuple(s for s in node.stages if not isinstance(
            s, (ast.RegexpParser, ast.PatternParser))))
    return node


def _filter_terms(query: ast.LogQuery, ops: tuple[str, ...]):
    """``(stage, term)`` of each line filter with one of ``ops``, up to a ``line_format``
    (later filters see the new lines)."""
    for stage in query.stages:
        if isinstance(stage, ast.LineFormat):
            return
        if isinstance(stage, ast.LineFilter) and stage.op in ops:
            for term in stage.terms:
                yield stage, term


def _selects_lines(query: ast.LogQuery) -> bool:
    """Whether some stage drops lines: a line or label filter (a parser alone keeps all)."""
    return any(isinstance(s, (ast.LineFilter, ast.LabelFilter)) for s in query.stages)


def _event_lines(query: ast.LogQuery, pattern) -> ast.LogQuery:
    """The lines ``query`` means: its own where its line filters say which, else those of
    ``pattern``'s event."""
    return query if _filters_lines(query.stages) else query.replace(
        stages=_event_filters(pattern.line_filter) + query.stages)


def _filters_lines(stages) -> bool:
    return any(isinstance(s, ast.LineFilter) and s.op in ("|=", "|~") for s in stages)


def _program_stage(name: str, style: headers.Style) -> ast.Node:
    """The filter keeping the lines whose header names the program ``name``."""
    return _stage("|~ " + quote(style.keeps(name)))


# "per scond" is a rate's unit misspelt, not the "seconds" of an event ("Took 2.3 seconds")
_TIME_UNITS = frozenset("second minute hour day week month year".split())


def _shared(asked: set[str], words: list[str], program: str) -> set[str]:
    """The question's words a pattern holds: its template's, also misspelt ("invlaid
    user": ``Invalid user``), and the program writing it, a question word being its start
    ("ftp connections": ``ftpd``)."""
    words = set(words)
    held = asked & words
    held |= {w for w in asked - held
             if any(_alike(w, t) for t in words if t not in _TIME_UNITS)}
    if program:
        held |= {w for w in asked if _starts_name(w, program)}
    return held


def _starts_name(word: str, name: str) -> bool:
    """Whether a question's word names a program by its start ("ftp": ``ftpd``), half of
    its name at least ("not" is no ``NotificationManager``); a path's last part counts."""
    name = name.rsplit("/", 1)[-1].lower()
    return len(word) >= 3 and 2 * len(word) >= len(name) and name.startswith(word)


def _word_edge(text: str, at: int) -> bool:
    """Whether ``at`` is not inside a word of ``text``."""
    return at in (0, len(text)) or not (text[at - 1].isalnum() and text[at].isalnum())


def _common_text(templates: list[str], words: list[str]) -> str | None:
    """The longest text that each template holds in one run of its fixed text around the
    first of ``words`` (stems, as the question's) that they all hold; a stem's ending "e"
    left off ("remove": "removing")."""
    for word in words:
        word = _without_e(word)
        runs = [[r for r in VARIABLE.split(t) if word in r.lower()] for t in templates]
        if not all(runs):
            continue
        best, first = None, runs[0][0]
        starts = [i for i in range(len(first)) if _word_edge(first, i)]
        for i in starts:
            for j in range(len(first), i, -1):
                text = first[i:j]
                if not _word_edge(first, j):
                    continue
                if word in text.lower() and all(any(text in r for r in rs) for rs in runs[1:]):
                    if best is None or len(text.strip()) > len(best):
                        best = text.strip()
                    break
        if best and len(best) >= MIN_COMMON_TEXT:
            return best
    return None


def _without_e(stem: str) -> str:
    """A stem as its other forms hold it ("remove": remov, in "removing")."""
    return stem[:-1] if stem.endswith("e") and len(stem) > 4 else stem


def _alike(word: str, other: str) -> bool:
    """One typo apart, or the same but for an ending "e" ("receive": receiv, "allocate":
    the misspelt "alloct" of "allocted") or an "ed" of the word's own that a stem lost
    ("speed": spe, where "speeds" is speed)."""
    a, b = word.removesuffix("e"), other.removesuffix("e")
    return a == b or one_typo_apart(word, other) or one_typo_apart(a, b) or \
        f"{word}ed" == other or f"{other}ed" == word


def _pattern_shares(asked: set[str], pattern) -> set[str]:
    """The question's words ``pattern`` holds (:func:`_shared` of its template's words)."""
    return _shared(asked, _template_words(pattern.template), headers.program(pattern))


@functools.lru_cache(maxsize=4096)
def _template_words(template: str) -> list[str]:
    """The content words of a pattern's template, a word written as code also in its
    parts ("NameSystem.allocateBlock": allocat, block)."""
    from nl2logql.generation.schema import content_words

    return content_words(template) + content_words(_CAMEL_HUMP.sub(" ", template))


# what a question or a line says happened: a failure or a success
_FAILED = re.compile(r"\b(?:fail(?:s|ed|ures?|ing)?|unsuccessful(?:ly)?|denied|rejected"
                     r"|refused)\b", re.I)
_SUCCEEDED = re.compile(r"\b(?:accept(?:s|ed)?|success(?:es|ful|fully)?|succeed(?:s|ed)?"
                        r"|granted)\b", re.I)
# ... or where it is in what it does: beginning it or done with it
_STARTED = re.compile(r"\b(?:start(?:s|ed|ing)?|begin(?:s|ning)?|began)\b", re.I)
_ENDED = re.compile(r"\b(?:end(?:s|ed|ing)?|finish(?:es|ed|ing)?|complet(?:e|es|ed|ing|ion))\b",
                    re.I)
# both of them asked ("started or ended its finalization")
_BOTH_PHASES = re.compile(rf"{_STARTED.pattern}\s+(?:or|and|/)\s+{_ENDED.pattern}", re.I)
_OPPOSITES = ((("failed", _FAILED), ("succeeded", _SUCCEEDED)),
              (("started", _STARTED), ("ended", _ENDED)))


def _outcome(text: str, opposites) -> str | None:
    """Which of two ``opposites`` ("failed" or "succeeded"...) the text says, where
    it says one of them and not the other."""
    (one, says_one), (other, says_other) = opposites
    first, second = bool(says_one.search(text)), bool(says_other.search(text))
    return None if first == second else one if first else other


@functools.lru_cache(maxsize=4096)
def _event_text(line_filter: str) -> str:
    """The text a pattern's line filter keeps (its first ``|=``; the others exclude)."""
    event = _stage(line_filter)
    return event.terms[0].value if event.op == "|=" else ""


def _passes(stages: tuple[ast.Node, ...], line: str) -> bool:
    """Whether ``line`` passes a pattern's line filter (``|=`` and ``!=`` stages; any
    other stage passes it, for the backend to judge)."""
    return all(any(t.value in line for t in s.terms) == (s.op == "|=") for s in stages
               if isinstance(s, ast.LineFilter) and s.op in ("|=", "!="))


def _event_filters(line_filter: str) -> tuple[ast.Node, ...]:
    """The ``|=`` stages of a pattern's line filter: its event's texts (a second one where
    other events' lines hold the first: ``|= ":e3:ba:c3 via eth1" |= "DHCPOFFER on"``)."""
    return tuple(s for s in _stages(line_filter) if s.op == "|=")


def _stage(text: str) -> ast.Node:
    """One pipeline stage from its text (``| pattern "..."``)."""
    return _stages(text)[0]


def _stages(text: str) -> tuple[ast.Node, ...]:
    """The pipeline stages of a text (a pattern's line filter may be two)."""
    return parse("{x=\"y\"} " + text).stages


def _widest(a: Scope, b: Scope) -> Scope:
    return a if a.start <= b.start else b


def _filter_labels(expr) -> list[str]:
    if isinstance(expr, ast.BinaryLabelFilter):
        return _filter_labels(expr.left) + _filter_labels(expr.right)
    if isinstance(expr, ast.StringFilter):
        return [expr.matcher.name]
    return [expr.name]


def _selector_name(selector: ast.Selector) -> str:
    """``openssh-eu-west`` for ``{application="openssh-eu-west"}``, else the selector."""
    equal = [m.value for m in selector.matchers if m.op == "="]
    return equal[0] if len(selector.matchers) == 1 and equal else format_ast(selector)


def _short(stage: ast.Node, limit: int = 60) -> str:
    text = format_ast(stage)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _same_value(text: str, value: str, label: str) -> bool:
    """Whether a filter text names a label's value: the same word, ignoring case, or for a
    level the same level (``WARN`` and ``warning``, ``err`` and ``error``)."""
    text, value = text.strip().lower(), value.lower()
    last = re.split(r"[.$/:]", value)[-1]  # dfs.FSNamesystem: "FSNamesystem"
    return text in (value, last) or (_is_level(label) and (_names_level(text, value)
                                                    or _names_level(value, text)))


_LEVEL_PHRASES = (re.compile(r"\b(\w+)[ -]level\b", re.I), re.compile(r"\blevel (\w+)\b", re.I))
# a level in capitals, as the lines write it, naming lines ("bgl's FATAL lines")
_SHOUTED_LEVEL = re.compile(rf"\b(?-i:[A-Z]{{4,}}) (?:lines?|messages?|entries|events|logs?)\b",
                            re.I)


def _names_stream(question: str, label: str, value: str) -> bool:
    """Whether the question names a stream's label value: a level as "WARNING-level" or
    "level error"; another value by a form no plain word has: itself or its last part,
    in CamelCase (``FSNamesystem``, as written) or with separators (``nova-api``; a
    ``resource_tracker`` also as "resource tracker")."""
    if _is_level(label):
        return any(m.group(1).lower() == value.lower()
                   for phrase in _LEVEL_PHRASES for m in phrase.finditer(question))
    for form in dict.fromkeys((value, re.split(r"[.$/:]", value)[-1])):
        camel = re.search(r"\w[A-Z]", form) is not None and re.search(r"[a-z]", form) is not None
        if camel or re.search(r"[_.$-]", form):
            text = re.escape(form.replace("_", " ")).replace(r"\ ", "[ _]")
            flags = 0 if camel else re.I
            if re.search(rf"(?<![\w.$-]){text}(?![\w$-])", question, flags):
                return True
    return False


_LEVELS = r"(error|warn|warning|info|debug|fatal|critical)"
# a level as a line's header writes it, bracketed or bare ("[notice]", "NOTICE")
_LEVEL_TOKEN = re.compile(r"[\[<(]?(emerg|emergency|alert|crit|critical|err|error|warn|warning"
                          r"|notice|info|debug|trace|fatal|severe)[\]>):]?", re.I)
_ASKED_LEVEL = re.compile(rf"\b{_LEVELS}[- ]level\b|\blevel (?:of )?{_LEVELS}\b", re.I)


def _is_level(label: str) -> bool:
    return "level" in label or "severity" in label


def _names_level(word: str, level: str) -> bool:
    """Whether a (lower-case) word names a (lower-case) level: itself, a start of it
    (warn, err) or a form of it (errors, warnings)."""
    return len(word) >= 3 and (level.startswith(word) or
                               word in (level + "s", level + "ing", level + "ings"))


def _widenings(selector: ast.Selector) -> list[ast.Selector]:
    """The selector, then its first matcher alone (the application, as a query is written):
    where the text of a filter is, when the other matchers picked the wrong streams."""
    return list(dict.fromkeys((selector, ast.Selector(selector.matchers[:1]))))


def _without(selector: ast.Selector, widened: ast.Selector) -> str:
    dropped = [format_ast(m) for m in selector.matchers if m not in widened.matchers]
    return f", without {', '.join(dropped)}" if dropped else ""


def _event_reason(query: ast.LogQuery, words: str) -> str:
    return (f"the query takes every line of {_selector_name(query.selector)}, but the question "
            f"is about {words}")


def _level_reason(value: str) -> str:
    return f"the query takes lines of every level, but the question asks for {value} lines"


# A question's literals: a quoted text, or a token with a digit that is not a time (an IP,
# an id such as blk_-1608999687919862906 or a UUID).
_TOKEN = re.compile(r"[A-Za-z0-9_][\w.:/@-]*[A-Za-z0-9_]")
# (a long number with a unit, "a 20000ms timeout", is a text the lines may hold)
_NOT_LITERAL = re.compile(r"^(?:\d{4}-\d{2}-\d{2}.*|\d{1,2}:\d{2}(?::\d{2})?|\d+|\d{1,3}[a-z]{1,3})$")
MIN_LITERAL = 6
_MENTIONED = re.compile(r"\b(?:mention|contain|say)(?:s|ing)?\s+(?:(?:an?|the|any)\s+)?"
                        r"(?:(?:word|text|string)\s+)?(?P<word>[A-Za-z][\w.:/@-]*\w)", re.I)
# lines said to be about a name as code writes it ("about the BATTERY_CHANGED broadcast")
_ABOUT_CODE = re.compile(r"\babout (?:the |a |an )?([A-Za-z]\w*(?:_\w+|[a-z][A-Z]\w*))")
_MENTIONING = re.compile(r"(?<!not )(?<!n't )\b(?:mention|referenc|contain)\w*\b", re.I)
_NOT_MENTIONED = {"that", "this", "these", "those", "what", "which", "some", "all", "it", "its"}


# What a question leaves out comes after one of these, up to the end of its sentence.
_EXCLUDING = re.compile(r"\b(?:without|excluding|except(?: for)?|other than|not about|not for"
                        r"|leaving out|leave out|drop|dropping|filter(?:ed)? out|ignor(?:e|ing))"
                        r"\b(?P<span>(?:[^.;?]|[.?](?=\w))*)", re.I)
# words that leave out what follows them ("but not the failed passwords", "hide 'Received
# block' lines", "ecxept received block lines")
_NEGATIONS = frozenset("not no never nor without except excluding exclude other hide hiding "
                       "drop dropping ignore ignoring skip".split())


def _negated(before: str) -> bool:
    """Whether a word of ``before`` (misspelt, too) leaves out what comes after it."""
    return any(word in _NEGATIONS or any(one_typo_apart(word, n) for n in _NEGATIONS)
               for word in re.findall(r"[a-z]+", before.lower()))


_NON = re.compile(r"\bnon-(?P<span>[A-Za-z][\w/.]*)")  # "non-GET requests": GET is left out
# A question's lead-in that says who asks: a few words, then ":" or " - " and the request
# ("Capacity planner here: total ...", "paged for API latency - how many"), not a quote's
# colon nor a time's, nor words the request goes on with ("every error: line ...").
_LEAD_IN = re.compile(
    r"^\s*[A-Za-z][\w' ]{0,40}?(?::\s|\s[-–]\s)(?=(?:how|what|which|who|when|where|why|show|"
    r"list|give|get|count|compute|total|find|is|are|do|does|did|can|could|print|top|average|"
    r"avg|mean|median|sum|number|rate|ratio|percentage|pull|fetch|return|need|please|pls)\b)",
    re.I)
_STAND_IN = re.compile(r"\.\.\.|…|<[^<>]*>|\b[A-Z]\b")  # "... N times", "<ip>": any value
# two things the question lists as either ("purgeInterval / snapRetainCount")
_ALTERNATIVES = re.compile(r"\b(\w+)\s*(?:/|\bor\b)\s*(\w+)\b")
_BREAK_DOWN = re.compile(r"\bbreak(?:s|ing)?\s*down\b|\bbroken down\b", re.I)
_EXAMPLE = re.compile(r"\b(?:like|such as|e\.g\.,?|for example)\s+(\S+)", re.I)  # not the filter
_HYPHENATED = re.compile(r"\b[a-z]+(?:-[a-z]+){2,}\b")  # network-vif-plugged: a code, no prose
_EITHER = re.compile(r"(.*?\b)([A-Za-z]+)/([A-Za-z]+)(\b.*)")  # "session opened/closed"
_CALL = re.compile(r"\s*[A-Za-z_]\w*\(\s*")  # a function's name and parenthesis, nothing inside
_CODE_WORD = re.compile(r"[A-Za-z_][\w./]*\w")
_SHOUTED_RUN = re.compile(r"\b[A-Z][A-Z-]*[A-Z](?: [A-Z][A-Z-]*[A-Z])+\b")


def _looks_code(word: str) -> bool:
    """``addStoredBlock``, ``NameSystem.delete``, ``pam_unix``, ``servers/detail``: words
    as a program writes them, not as a person does."""
    return len(word) >= 4 and (bool(re.search(r"[a-z][A-Z]|[._/]", word)))


def _shouted(word: str) -> bool:
    """``REPORT``: a word in capitals, as a program writes it (a level in capitals is a
    level; shorter capitals are acronyms: SSH, HTTP)."""
    return len(word) >= 5 and word.isalpha() and word.isupper() and \
        not re.fullmatch(_LEVELS, word, re.I)


def code_words(text: str) -> list[str]:
    """The words of ``text`` written as code (:func:`_looks_code`), and outside its quotes
    those in capitals (:func:`_shouted`), a run of capitals as one text ("POSSIBLE
    BREAK-IN ATTEMPT", "ERROR IN CONTACTING RM")."""
    inside = [m.span(1) for m in QUOTED.finditer(text)]

    def shouted(match: re.Match) -> bool:
        return not any(start <= match.start() < end for start, end in inside) and \
            any(_shouted(word) for word in match.group().split())

    runs = [m for m in _SHOUTED_RUN.finditer(text) if shouted(m)]
    rest = _SHOUTED_RUN.sub(lambda m: " " * len(m.group()) if shouted(m) else m.group(), text)
    return [m.group() for m in runs] + [m.group() for m in _CODE_WORD.finditer(rest)
                                        if _looks_code(m.group()) or shouted(m)]


def _squeezed(text: str) -> str:
    """A text or regexp without its spaces, case or escapes: "Node\\s?[Cc]ard", "NodeCard"
    and "Node card" alike."""
    text = re.sub(r"\[([A-Za-z])[A-Za-z]\]", r"\1", text)  # a letter in either case
    return re.sub(r"\\s[?+*]?|\s|\\", "", text).lower()


def _overlaps(a: str, b: str) -> bool:
    a, b = a.lower(), b.lower()
    return a in b or b in a


def left_out(question: str) -> list[str]:
    """What follows each word that leaves something out ("without the 'terminating'
    messages"), up to the end of its sentence, and the word after "non-" ("non-GET"); a
    quoted text's own words ("'PAM service ignoring max retries'") leave nothing out."""
    inside = [m.span(1) for m in QUOTED.finditer(question)]
    return [m.group("span") for m in itertools.chain(_EXCLUDING.finditer(question),
                                                     _NON.finditer(question))
            if not any(start <= m.start() < end for start, end in inside)]


def outside_left_out(question: str) -> str:
    """The question without what it leaves out."""
    return functools.reduce(lambda text, span: text.replace(span, " "), left_out(question),
                            question)


def quoted_texts(question: str) -> list[str]:
    return [m.group(1).strip() for m in QUOTED.finditer(question)]


def question_literals(question: str) -> list[str]:
    """Texts a question asks to find verbatim: quoted ones, then tokens with a digit that
    are no number, duration, date or time of day, in the order they come."""
    return list(dict.fromkeys(t for t in quoted_texts(question) + token_literals(question) if t))


def token_literals(question: str) -> list[str]:
    """The question's tokens with a digit that are no number, duration, date or time of
    day (an IP, a block id, an instance's uuid), in the order they come."""
    return [t for t in _TOKEN.findall(question) if len(t) >= MIN_LITERAL
            and any(c.isdigit() for c in t) and not _NOT_LITERAL.match(t)]


def mentioned_words(question: str) -> list[str]:
    """The words lines are asked to "mention" or "contain" ("lines that mention ACPI")."""
    return [m.group("word") for m in _MENTIONED.finditer(question)
            if m.group("word").lower() not in _NOT_MENTIONED]
