"""Text → typed AST, with errors a person can act on.

The grammar (``grammar.lark``) is compiled once per process. Syntax errors name what
was expected in words ("a label matcher such as app=\"api\""), not LALR terminal names;
checks Loki makes after parsing live in :mod:`nl2logql.logql.checks`.
"""

from __future__ import annotations

import functools
import re
import os
from importlib import resources
from typing import Optional

from lark import Lark, Token
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from nl2logql.errors import LogQLSemanticError, LogQLSyntaxError, QueryError
from nl2logql.logql import ast
from nl2logql.logql.units import parse_bytes, parse_duration
from nl2logql.paths import cache_dir

# What each terminal means to a person, for "expected ..." in error messages.
TERMINAL_WORDS = {
    "IDENTIFIER": "a label name",
    "STRING": 'a quoted string such as "text"',
    "NUMBER": "a number",
    "DURATION": "a duration such as 5m",
    "BYTES": "a byte size such as 10KB",
    "RANGE": "a range such as [5m]",
    "LBRACE": "{",
    "RBRACE": "}",
    "LPAR": "(",
    "RPAR": ")",
    "COMMA": ",",
    "EQ": "=",
    "NEQ": "!=",
    "RE": "=~",
    "NRE": "!~",
    "CMP_EQ": "==",
    "GT": ">",
    "GTE": ">=",
    "LT": "<",
    "LTE": "<=",
    "_PIPE": "|",
    "PIPE_EXACT": "|=",
    "PIPE_MATCH": "|~",
    "PIPE_PATTERN": "|>",
    "NPA": "!>",
    "ADD": "+",
    "SUB": "-",
    "MUL": "*",
    "DIV": "/",
    "MOD": "%",
    "POW": "^",
    "PARSER_FLAG": "a parser flag such as --strict",
    "$END": "the end of the query",
}

_QUERY_START = {op.upper() for op in ast.RANGE_OPS + ast.VECTOR_OPS} | {
    "LBRACE", "LPAR", "NUMBER", "ADD", "SUB", "VECTOR", "LABEL_REPLACE"}
_OPERATORS = {"ADD", "SUB", "MUL", "DIV", "MOD", "POW", "CMP_EQ", "NEQ", "GT", "GTE", "LT",
              "LTE", "AND", "OR", "UNLESS"}

# Groups of terminals that read better as one phrase; a group applies when the parser
# expects most of it, and then stands for all of its members.
PHRASES = [
    (_QUERY_START, 'a query: a selector such as {app="api"} or an aggregation such as '
                   "sum(count_over_time({app=\"api\"}[5m]))"),
    ({"IDENTIFIER", "RBRACE"}, 'a label matcher such as app="api", or }'),
    ({"EQ", "NEQ", "RE", "NRE"}, "a matcher operator (=, !=, =~ or !~)"),
    ({"PIPE_EXACT", "PIPE_MATCH", "NRE", "NEQ", "PIPE_PATTERN", "NPA", "_PIPE"},
     'a pipeline stage (|= "text", | json, | label="value", ...)'),
    (_OPERATORS, "a binary operator (+, -, *, /, ==, >, and, or, ...)"),
    ({"NUMBER", "ADD", "SUB"}, "a number"),
]


def _cache_file() -> str | bool:
    """Where Lark keeps the compiled tables (saves ~75 ms a process); False if nowhere.
    Lark checks the grammar's and options' hash on load and rebuilds when they differ."""
    folder = str(cache_dir())
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError:
        return False
    return os.path.join(folder, "logql-grammar.lark-cache") if os.access(folder, os.W_OK) else False


@functools.lru_cache(maxsize=1)
def _lark() -> Lark:
    grammar = resources.files("nl2logql.logql").joinpath("grammar.lark").read_text()
    # The builder runs during parsing (no parse tree); keep_all_tokens lets it see punctuation,
    # to give spans that include it.
    return Lark(grammar, parser="lalr", lexer="contextual", keep_all_tokens=True,
                maybe_placeholders=True, transformer=_AstBuilder(), cache=_cache_file())


def parse(text: str, *, check: bool = True) -> ast.Expr:
    """Parse LogQL into an AST; with ``check`` (default) also run Loki's semantic checks.

    Raises :class:`LogQLSyntaxError` or :class:`LogQLSemanticError`, never anything else.
    """
    if not isinstance(text, str):
        raise TypeError(f"parse() takes a string, not {type(text).__name__}")
    try:
        result = _lark().parse(text)
    except UnexpectedInput as error:
        raise _syntax_error(text, error) from None
    if isinstance(result, _Fail):
        raise result.make(text)
    expr = result.value
    if check:
        from nl2logql.logql.checks import check_query

        try:
            check_query(expr, text)
        except RecursionError:
            raise LogQLSyntaxError("query is nested too deeply", text) from None
    return expr


def validate(text: str) -> Optional[QueryError]:
    """The first error in ``text``, or ``None`` when Loki would accept it."""
    try:
        parse(text)
    except QueryError as error:
        return error
    return None


# ---- errors -----------------------------------------------------------------------------

def position(text: str, pos: int) -> tuple[int, int]:
    """1-based (line, column) of a 0-based offset."""
    pos = max(0, min(pos, len(text)))
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return line, column


def error_at(cls: type[QueryError], message: str, text: str, start: int, end: Optional[int] = None,
             expected: Optional[list[str]] = None) -> QueryError:
    line, column = position(text, start)
    return cls(message, text, line, column, start, end, expected or [])


def describe_expected(names: set[str]) -> list[str]:
    names = set(names)
    words = []
    for group, phrase in PHRASES:
        if len(group & names) * 2 > len(group) and group & names:
            words.append(phrase)
            names -= group
    for name in sorted(names):
        words.append(TERMINAL_WORDS.get(name, name.lower()))
    return words


def _token_text(token: Token) -> str:
    if token.type == "$END":
        return "end of query"
    text = str(token)
    return repr(text) if len(text) < 40 else repr(text[:37] + "...")


def _syntax_error(text: str, error: UnexpectedInput) -> LogQLSyntaxError:
    if isinstance(error, UnexpectedToken):
        token = error.token
        start = token.start_pos if token.start_pos is not None else len(text)
        if token.type == "$END":
            start = len(text.rstrip())
        end = token.end_pos if token.type != "$END" else None
        expected = describe_expected(set(error.accepts or error.expected))
        message = f"unexpected {_token_text(token)}"
        if expected:
            message += ", expected " + " or ".join(expected)
        return error_at(LogQLSyntaxError, message, text, start, end, expected)
    if isinstance(error, UnexpectedEOF):
        expected = describe_expected(set(error.expected))
        return error_at(LogQLSyntaxError, "unexpected end of query, expected " + " or ".join(expected),
                        text, len(text.rstrip()), None, expected)
    assert isinstance(error, UnexpectedCharacters)
    pos = error.pos_in_stream
    char = text[pos]
    if char == '"' and (bad := _bad_escape(text, pos)) is not None:
        return error_at(LogQLSyntaxError, INVALID_ESCAPE, text, bad, bad + 2)
    if char in "\"`":
        message = "string literal not terminated"
    elif char == "[":
        message = "missing closing ']' in range"
    else:
        message = f"unexpected character {char!r}"
    expected = describe_expected(set(error.allowed or ()))
    if expected and char not in "\"`[":
        message += ", expected " + " or ".join(expected)
    return error_at(LogQLSyntaxError, message, text, pos, pos + 1, expected)


# ---- Go string literals ------------------------------------------------------------------

INVALID_ESCAPE = ("invalid escape sequence in string (Go rules: write \\\\ for a backslash, "
                  "or use a `raw string`)")
_GO_ESCAPE = re.compile(r'\\(?:[abfnrtv\\"]|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3})')


def _bad_escape(text: str, quote_pos: int) -> Optional[int]:
    """Offset of the first invalid escape in the double-quoted string opening at ``quote_pos``."""
    pos = quote_pos + 1
    while pos < len(text) and text[pos] not in '"\n':
        if text[pos] == "\\":
            escape = _GO_ESCAPE.match(text, pos)
            if not escape:
                return pos
            pos = escape.end()
        else:
            pos += 1
    return None


_SIMPLE_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t",
                   "v": "\v", "\\": "\\", '"': '"'}
_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}


def unquote(literal: str) -> str:
    """Go's ``strconv.Unquote`` for ``"..."`` and backquoted literals; ``ValueError`` if invalid."""
    if literal.startswith("`"):
        return literal[1:-1].replace("\r", "")
    body = literal[1:-1]
    if "\\" not in body:
        return body
    out, i = [], 0
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        esc = body[i + 1]
        if esc in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[esc])
            i += 2
        elif esc in _HEX_ESCAPES:
            width = _HEX_ESCAPES[esc]
            digits = body[i + 2 : i + 2 + width]
            if len(digits) != width or any(c not in "0123456789abcdefABCDEF" for c in digits):
                raise ValueError(i)
            code = int(digits, 16)
            if esc != "x" and (code > 0x10FFFF or 0xD800 <= code <= 0xDFFF):
                raise ValueError(i)
            out.append(chr(code))
            i += 2 + width
        elif esc in "01234567":
            digits = body[i + 1 : i + 4]
            if len(digits) != 3 or any(c not in "01234567" for c in digits) or int(digits, 8) > 255:
                raise ValueError(i)
            out.append(chr(int(digits, 8)))
            i += 4
        else:
            raise ValueError(i)
    return "".join(out)


def quote(value: str) -> str:
    """The literal for ``value``: backquotes where that needs no escapes, else ``"..."``."""
    if "\\" in value and "`" not in value and "\r" not in value:
        return f"`{value}`"
    escaped = []
    for ch in value:
        if ch in ('"', "\\"):
            escaped.append("\\" + ch)
        elif ch == "\n":
            escaped.append("\\n")
        elif ch == "\t":
            escaped.append("\\t")
        elif ch == "\r":
            escaped.append("\\r")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            escaped.append(f"\\x{ord(ch):02x}")
        else:
            escaped.append(ch)
    return '"' + "".join(escaped) + '"'


# ---- parse stack → AST --------------------------------------------------------------------
#
# The builder runs inside Lark's LALR parser (``Lark(transformer=...)``): each rule's method
# is called as the rule is reduced, so no parse tree is built and walked afterwards. Lark
# cannot pass positions to an embedded transformer, so every value on the parse stack is
# wrapped in a _Positioned that carries the text its rule covered, punctuation included
# (``keep_all_tokens``): the same spans ``propagate_positions`` used to give.


class _Positioned:
    """A built value on the parse stack, with the offsets of the text its rule covered."""

    __slots__ = ("end_pos", "start_pos", "value")

    def __init__(self, value, start_pos, end_pos):
        self.value = value
        self.start_pos = start_pos
        self.end_pos = end_pos


class _Fail(Exception):
    """An error found while building the AST. It travels up the parse stack as a value and
    is raised once the whole text has parsed, so a syntax error anywhere still wins."""

    def __init__(self, make):
        super().__init__()
        self.make = make  # text -> QueryError


def _error(cls: type[QueryError], message: str, start: int, end: int | None = None) -> _Fail:
    return _Fail(lambda text: error_at(cls, message, text, start, end))


def _semantic(message: str, start: int, end: int | None = None) -> _Fail:
    return _error(LogQLSemanticError, message, start, end)


def _rule(method):
    """Lark callback for ``method(children, span)``: unwraps the children, computes the span
    from the first to the last child that has a position, and passes failures up."""

    def callback(self, children):
        values = []
        start = end = None
        for child in children:
            kind = type(child)
            if kind is _Positioned:
                values.append(child.value)
                if child.start_pos is None:  # an empty rule (bin_mod with no modifier)
                    continue
            elif kind is _Fail:
                return child
            else:  # a Token or a None placeholder
                values.append(child)
                if child is None:
                    continue
            if start is None:
                start = child.start_pos
            end = child.end_pos
        try:
            value = method(self, values, None if start is None else ast.Span(start, end))
        except _Fail as fail:
            return fail
        return _Positioned(value, start, end)

    callback.__name__ = method.__name__
    return callback


def _rules(cls):
    for name, member in list(vars(cls).items()):
        if not name.startswith("_") and callable(member):
            setattr(cls, name, _rule(member))
    return cls


def _tokens(children, type_: str) -> list[Token]:
    return [c for c in children if isinstance(c, Token) and c.type == type_]


def _nodes(children, cls=ast.Node) -> tuple:
    return tuple(c for c in children if isinstance(c, cls))


def _duration(token: Token, text: str | None = None) -> int:
    text = str(token) if text is None else text
    try:
        return parse_duration(text)
    except ValueError:
        raise _semantic(f"not a valid duration: {text!r} (use units such as 500ms, 5m, 1h30m, 7d)",
                        token.start_pos, token.end_pos)


@_rules
class _AstBuilder:
    """One method per grammar rule; ``c`` holds every child (tokens and punctuation too,
    None for a missing optional part), ``span`` the rule's source offsets."""

    # -- leaves
    def string(self, c, span):
        (token,) = c
        try:
            return unquote(str(token))
        except ValueError as bad:
            offset = token.start_pos + 1 + bad.args[0]
            raise _error(LogQLSyntaxError, "invalid escape sequence in string (Go rules: "
                         "write \\\\ for a backslash, or use a `raw string`)", offset, offset + 2)

    def number(self, c, span):
        (token,) = c
        text = str(token)
        try:
            if text[:2].lower() == "0x":
                if "p" not in text.lower():
                    raise ValueError
                return float.fromhex(text)
            if text[:2].lower() in ("0b", "0o"):
                raise ValueError
            return float(text)
        except ValueError:
            raise _semantic(f"unable to parse literal as a float: {text}", token.start_pos, token.end_pos)

    def signed_number(self, c, span):
        sign, value = c
        return -value if str(sign) == "-" else value

    def range_op(self, c, span):
        return str(c[0]).lower()

    vector_op = range_op

    def cmp_op(self, c, span):
        return str(c[0])

    lf_cmp_op = cmp_op

    def label_list(self, c, span):
        return tuple(str(name) for name in c[::2])  # names between commas

    # -- selectors
    def matcher(self, c, span):
        name, op, value = c
        return ast.Matcher(str(name), str(op), value, span=span)

    def matchers(self, c, span):
        return tuple(c[::2])

    def selector(self, c, span):
        return ast.Selector(c[1] or (), span=span)  # "{" [matchers] "}"

    def log_expr(self, c, span):
        if isinstance(c[0], Token):  # "(" log_expr ")"
            return c[1].replace(span=span)
        return ast.LogQuery(c[0], c[1] if len(c) > 1 else (), span=span)

    def pipeline(self, c, span):
        return tuple(c)

    def stage(self, c, span):  # "|" label_parser: the parser node's span leaves out the "|"
        return c[1]

    # -- line filters
    def filter_term(self, c, span):
        return ast.FilterTerm(c[0], span=span)

    def ip_term(self, c, span):
        return ast.FilterTerm(c[2], ip=True, span=span)  # IP "(" string ")"

    def line_filter(self, c, span):
        return ast.LineFilter(str(c[0]), _nodes(c, ast.FilterTerm), span=span)

    # -- parsers
    def extraction(self, c, span):
        label, _eq, expression = c
        return ast.Extraction(str(label), expression, span=span)

    def json_parser(self, c, span):
        return ast.JsonParser(_nodes(c, ast.Extraction), span=span)

    def logfmt_parser(self, c, span):
        flags = _tokens(c, "PARSER_FLAG")
        for flag in flags:
            if str(flag) not in ("--strict", "--keep-empty"):
                raise _error(LogQLSyntaxError, f"unknown logfmt flag {str(flag)!r} "
                             "(known: --strict, --keep-empty)", flag.start_pos, flag.end_pos)
        names = {str(f) for f in flags}
        return ast.LogfmtParser("--strict" in names, "--keep-empty" in names,
                                _nodes(c, ast.Extraction), span=span)

    def regexp_parser(self, c, span):
        return ast.RegexpParser(c[1], span=span)

    def pattern_parser(self, c, span):
        return ast.PatternParser(c[1], span=span)

    def unpack_parser(self, c, span):
        return ast.UnpackParser(span=span)

    # -- formatters and label stages
    def line_format(self, c, span):
        return ast.LineFormat(c[2], span=span)  # "|" LINE_FORMAT string

    def rename(self, c, span):
        dst, _eq, src = c
        return ast.LabelFormatItem(str(dst), str(src), template=False, span=span)

    def template(self, c, span):
        dst, _eq, value = c
        return ast.LabelFormatItem(str(dst), value, template=True, span=span)

    def label_format(self, c, span):
        return ast.LabelFormat(_nodes(c, ast.LabelFormatItem), span=span)

    def decolorize(self, c, span):
        return ast.Decolorize(span=span)

    def label_ref(self, c, span):
        (ref,) = c
        return ref if isinstance(ref, ast.Matcher) else ast.LabelName(str(ref), span=span)

    def drop(self, c, span):
        return ast.DropLabels(_nodes(c), span=span)

    def keep(self, c, span):
        return ast.KeepLabels(_nodes(c), span=span)

    # -- label filters
    def label_filter_stage(self, c, span):
        return ast.LabelFilter(c[1], span=span)  # "|" label_filter

    def string_filter(self, c, span):
        return ast.StringFilter(c[0], span=span)

    def number_filter(self, c, span):
        name, op, value = c
        return ast.NumberFilter(str(name), op, value, span=span)

    def duration_filter(self, c, span):
        name, op, token = c
        return ast.DurationFilter(str(name), op, _duration(token), span=span)

    def bytes_filter(self, c, span):
        name, op, token = c
        try:
            value = parse_bytes(str(token))
        except ValueError:
            raise _semantic(f"not a valid byte size: {str(token)!r}", token.start_pos, token.end_pos)
        return ast.BytesFilter(str(name), op, value, span=span)

    def ip_filter(self, c, span):
        return ast.IpFilter(str(c[0]), str(c[1]), c[4], span=span)  # name op IP "(" string ")"

    def lf_or(self, c, span):
        return ast.BinaryLabelFilter("or", c[0], c[2], span=span)

    def lf_and(self, c, span):
        return ast.BinaryLabelFilter("and", c[0], c[2], span=span)

    def lf_comma(self, c, span):  # atom "," filter, or atom filter
        return ast.BinaryLabelFilter(",", c[0], c[-1], span=span)

    def lf_join_tail(self, c, span):
        return c[0]

    def lf_atom(self, c, span):  # "(" label_filter ")"
        return c[1]

    # -- metric queries
    def unwrap(self, c, span):
        # "|" UNWRAP label ("|" filter)*  or  "|" UNWRAP CONV "(" label ")" ("|" filter)*
        if c[2].type == "CONV":
            conversion, label, rest = str(c[2]).lower(), c[4], c[6:]
        else:
            conversion, label, rest = None, c[2], c[3:]
        return ast.Unwrap(str(label), conversion, tuple(rest[1::2]), span=span)

    def offset(self, c, span):
        _kw, sign, value = c
        return -_duration(value) if sign else _duration(value)

    def log_range(self, c, span):
        selector, stages, unwrap, rng, offset = None, (), None, None, 0
        for child in c:
            if isinstance(child, ast.Selector):
                selector = child
            elif isinstance(child, ast.Unwrap):
                unwrap = child
            elif isinstance(child, Token):
                if child.type == "RANGE":
                    rng = _duration(child, str(child)[1:-1])
            elif isinstance(child, int):
                offset = child
            elif isinstance(child, ast.Node):
                stages += (child,)
        query = ast.LogQuery(selector, stages, span=ast.Span(selector.span.start,
                             stages[-1].span.end if stages else selector.span.end))
        return ast.LogRange(query, rng, offset, unwrap, span=span)

    def log_range_paren(self, c, span):
        return c[1]

    def grouping(self, c, span):
        keyword, _lpar, labels, _rpar = c
        return ast.Grouping(str(keyword).lower() == "without", labels or (), span=span)

    def range_agg(self, c, span):
        op, _lpar, param, _comma, log_range, _rpar, grouping = c
        return ast.RangeAggregation(op, log_range, param, grouping, span=span)

    def _vector_agg(self, span, op, param, expr, grouping):
        if isinstance(expr, ast.LogQuery):
            # Loki's grammar wants a metric expression here; point past the log query.
            def make(text):
                end = expr.span.end if expr.span else len(text)
                while end < len(text) and text[end].isspace():
                    end += 1
                return error_at(LogQLSyntaxError, f"{op}() needs a metric expression such as "
                                f"count_over_time(... [5m]), not a log query", text, end, end + 1)
            raise _Fail(make)
        return ast.VectorAggregation(op, expr, param, grouping, span=span)

    def vector_agg(self, c, span):
        op, _lpar, param, _comma, expr, _rpar, grouping = c
        return self._vector_agg(span, op, param, expr, grouping)

    def vector_agg_prefix(self, c, span):
        op, grouping, _lpar, param, _comma, expr, _rpar = c
        return self._vector_agg(span, op, param, expr, grouping)

    def label_replace(self, c, span):
        # LABEL_REPLACE "(" expr "," dst "," replacement "," src "," regex ")"
        return ast.LabelReplace(c[2], c[4], c[6], c[8], c[10], span=span)

    def vector_fn(self, c, span):
        return ast.VectorLiteral(c[2], span=span)  # VECTOR "(" number ")"

    def literal(self, c, span):
        return ast.Literal(c[0], span=span)

    # -- binary operators
    def bin_mod(self, c, span):
        bool_token, matching = c
        return bool_token is not None, matching

    def matching(self, c, span):
        keyword, _lpar, labels, _rpar, group = c
        card, include = group if group else ("one-to-one", ())
        return ast.VectorMatching(str(keyword).lower() == "on", labels or (), card, include, span=span)

    def group_side(self, c, span):
        keyword, _lpar, labels, _rpar = c
        card = "many-to-one" if str(keyword).lower() == "group_left" else "one-to-many"
        return card, labels or ()

    def binop(self, c, span):
        left, op, (is_bool, matching), right = c
        return ast.BinaryOp(str(op).lower(), left, right, is_bool, matching, span=span)

    def atom(self, c, span):  # "(" expr ")"
        return c[1]

    def start(self, c, span):
        return c[0]
