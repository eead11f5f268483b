"""Text → typed AST, with errors a person can act on.

The grammar (``grammar.lark``) is compiled once per process. Syntax errors name what
was expected in words ("a label matcher such as app=\"api\""), not LALR terminal names;
checks Loki makes after parsing live in :mod:`nl2logql.logql.checks`.
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Optional

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError

from nl2logql.errors import LogQLSemanticError, LogQLSyntaxError, QueryError
from nl2logql.logql import ast
from nl2logql.logql.units import parse_bytes, parse_duration

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


@functools.lru_cache(maxsize=1)
def _lark() -> Lark:
    grammar = resources.files("nl2logql.logql").joinpath("grammar.lark").read_text()
    return Lark(grammar, parser="lalr", lexer="contextual", propagate_positions=True,
                maybe_placeholders=True)


def parse(text: str, *, check: bool = True) -> ast.Expr:
    """Parse LogQL into an AST; with ``check`` (default) also run Loki's semantic checks.

    Raises :class:`LogQLSyntaxError` or :class:`LogQLSemanticError`, never anything else.
    """
    if not isinstance(text, str):
        raise TypeError(f"parse() takes a string, not {type(text).__name__}")
    try:
        tree = _lark().parse(text)
    except UnexpectedInput as error:
        raise _syntax_error(text, error) from None
    except RecursionError:
        raise LogQLSyntaxError("query is nested too deeply", text) from None
    try:
        expr = _ToAst(text).transform(tree)
    except VisitError as error:
        if isinstance(error.orig_exc, QueryError):
            raise error.orig_exc from None
        raise
    except RecursionError:
        raise LogQLSyntaxError("query is nested too deeply", text) from None
    if check:
        from nl2logql.logql.checks import check_query

        check_query(expr, text)
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


# ---- tree → AST --------------------------------------------------------------------------

def _span(meta) -> Optional[ast.Span]:
    return None if getattr(meta, "empty", True) else ast.Span(meta.start_pos, meta.end_pos)


@v_args(meta=True)
class _ToAst(Transformer):
    """Builds AST nodes from Lark's parse tree; raises QueryError with positions."""

    def __init__(self, text: str):
        super().__init__()
        self.text = text

    def _semantic(self, message: str, start: int, end: Optional[int] = None) -> QueryError:
        return error_at(LogQLSemanticError, message, self.text, start, end)

    # -- leaves
    def string(self, meta, children):
        (token,) = children
        try:
            return unquote(str(token))
        except ValueError as bad:
            offset = token.start_pos + 1 + bad.args[0]
            raise error_at(LogQLSyntaxError, "invalid escape sequence in string (Go rules: "
                           "write \\\\ for a backslash, or use a `raw string`)",
                           self.text, offset, offset + 2)

    def number(self, meta, children):
        (token,) = children
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
            raise self._semantic(f"unable to parse literal as a float: {text}",
                                 token.start_pos, token.end_pos)

    def signed_number(self, meta, children):
        sign, value = children
        return -value if str(sign) == "-" else value

    def _duration(self, token: Token, text: Optional[str] = None) -> int:
        text = str(token) if text is None else text
        try:
            return parse_duration(text)
        except ValueError:
            raise self._semantic(f"not a valid duration: {text!r} (use units such as 500ms, 5m, 1h30m, 7d)",
                                 token.start_pos, token.end_pos)

    def range_op(self, meta, children):
        return str(children[0]).lower()

    vector_op = range_op

    def cmp_op(self, meta, children):
        return str(children[0])

    lf_cmp_op = cmp_op

    def label_list(self, meta, children):
        return tuple(str(c) for c in children)

    # -- selectors
    def matcher(self, meta, children):
        name, op, value = children
        return ast.Matcher(str(name), str(op), value, span=_span(meta))

    def matchers(self, meta, children):
        return tuple(children)

    def selector(self, meta, children):
        (matchers,) = children
        return ast.Selector(matchers or (), span=_span(meta))

    def log_expr(self, meta, children):
        if isinstance(children[0], ast.LogQuery):
            return children[0].replace(span=_span(meta))
        selector, *rest = children
        stages = rest[0] if rest else ()
        return ast.LogQuery(selector, stages, span=_span(meta))

    def pipeline(self, meta, children):
        return tuple(children)

    # -- line filters
    def filter_term(self, meta, children):
        return ast.FilterTerm(children[0], span=_span(meta))

    def ip_term(self, meta, children):
        return ast.FilterTerm(children[1], ip=True, span=_span(meta))

    def line_filter(self, meta, children):
        op, *rest = children
        terms = tuple(t for t in rest if isinstance(t, ast.FilterTerm))  # drop the `or`s
        return ast.LineFilter(str(op), terms, span=_span(meta))

    # -- parsers
    def extraction(self, meta, children):
        label, _eq, expression = children
        return ast.Extraction(str(label), expression, span=_span(meta))

    def json_parser(self, meta, children):
        return ast.JsonParser(tuple(children[1:]), span=_span(meta))

    def logfmt_parser(self, meta, children):
        flags = [c for c in children[1:] if isinstance(c, Token)]
        params = tuple(c for c in children[1:] if isinstance(c, ast.Extraction))
        for flag in flags:
            if str(flag) not in ("--strict", "--keep-empty"):
                raise error_at(LogQLSyntaxError, f"unknown logfmt flag {str(flag)!r} "
                               "(known: --strict, --keep-empty)", self.text, flag.start_pos, flag.end_pos)
        names = {str(f) for f in flags}
        return ast.LogfmtParser("--strict" in names, "--keep-empty" in names, params, span=_span(meta))

    def regexp_parser(self, meta, children):
        return ast.RegexpParser(children[1], span=_span(meta))

    def pattern_parser(self, meta, children):
        return ast.PatternParser(children[1], span=_span(meta))

    def unpack_parser(self, meta, children):
        return ast.UnpackParser(span=_span(meta))

    # -- formatters and label stages
    def line_format(self, meta, children):
        return ast.LineFormat(children[1], span=_span(meta))

    def rename(self, meta, children):
        dst, _eq, src = children
        return ast.LabelFormatItem(str(dst), str(src), template=False, span=_span(meta))

    def template(self, meta, children):
        dst, _eq, value = children
        return ast.LabelFormatItem(str(dst), value, template=True, span=_span(meta))

    def label_format(self, meta, children):
        return ast.LabelFormat(tuple(children[1:]), span=_span(meta))

    def decolorize(self, meta, children):
        return ast.Decolorize(span=_span(meta))

    def label_ref(self, meta, children):
        (ref,) = children
        return ref if isinstance(ref, ast.Matcher) else ast.LabelName(str(ref), span=_span(meta))

    def drop(self, meta, children):
        return ast.DropLabels(tuple(children[1:]), span=_span(meta))

    def keep(self, meta, children):
        return ast.KeepLabels(tuple(children[1:]), span=_span(meta))

    # -- label filters
    def label_filter_stage(self, meta, children):
        return ast.LabelFilter(children[0], span=_span(meta))

    def string_filter(self, meta, children):
        return ast.StringFilter(children[0], span=_span(meta))

    def number_filter(self, meta, children):
        name, op, value = children
        return ast.NumberFilter(str(name), op, value, span=_span(meta))

    def duration_filter(self, meta, children):
        name, op, token = children
        return ast.DurationFilter(str(name), op, self._duration(token), span=_span(meta))

    def bytes_filter(self, meta, children):
        name, op, token = children
        try:
            value = parse_bytes(str(token))
        except ValueError:
            raise self._semantic(f"not a valid byte size: {str(token)!r}", token.start_pos, token.end_pos)
        return ast.BytesFilter(str(name), op, value, span=_span(meta))

    def ip_filter(self, meta, children):
        name, op, _ip, pattern = children
        return ast.IpFilter(str(name), str(op), pattern, span=_span(meta))

    def lf_or(self, meta, children):
        left, _op, right = children
        return ast.BinaryLabelFilter("or", left, right, span=_span(meta))

    def lf_and(self, meta, children):
        left, _op, right = children
        return ast.BinaryLabelFilter("and", left, right, span=_span(meta))

    def lf_comma(self, meta, children):
        left, right = children
        return ast.BinaryLabelFilter(",", left, right, span=_span(meta))

    def lf_join_tail(self, meta, children):
        return children[0]

    # -- metric queries
    def unwrap(self, meta, children):
        _kw, *rest = children
        conversion = None
        if rest[0].type == "CONV":
            conversion, *rest = rest
            conversion = str(conversion).lower()
        label, *filters = rest
        return ast.Unwrap(str(label), conversion, tuple(filters), span=_span(meta))

    def offset(self, meta, children):
        _kw, sign, value = children
        return -self._duration(value) if sign else self._duration(value)

    def log_range(self, meta, children):
        selector, stages, unwrap, rng, offset = None, (), None, None, 0
        for child in children:
            if isinstance(child, ast.Selector):
                selector = child
            elif isinstance(child, ast.Unwrap):
                unwrap = child
            elif isinstance(child, Token) and child.type == "RANGE":
                rng = self._duration(child, str(child)[1:-1])
            elif isinstance(child, int):
                offset = child
            elif isinstance(child, ast.Node):
                stages += (child,)
        query = ast.LogQuery(selector, stages, span=ast.Span(selector.span.start,
                             stages[-1].span.end if stages else selector.span.end))
        return ast.LogRange(query, rng, offset, unwrap, span=_span(meta))

    def log_range_paren(self, meta, children):
        return children[0]

    def grouping(self, meta, children):
        keyword, labels = children
        return ast.Grouping(str(keyword).lower() == "without", labels or (), span=_span(meta))

    def range_agg(self, meta, children):
        op, param, log_range, grouping = children
        return ast.RangeAggregation(op, log_range, param, grouping, span=_span(meta))

    def _vector_agg(self, meta, op, param, expr, grouping):
        if isinstance(expr, ast.LogQuery):
            # Loki's grammar wants a metric expression here; point past the log query.
            end = expr.span.end if expr.span else len(self.text)
            while end < len(self.text) and self.text[end].isspace():
                end += 1
            raise error_at(LogQLSyntaxError, f"{op}() needs a metric expression such as "
                           f"count_over_time(... [5m]), not a log query", self.text, end, end + 1)
        return ast.VectorAggregation(op, expr, param, grouping, span=_span(meta))

    def vector_agg(self, meta, children):
        op, param, expr, grouping = children
        return self._vector_agg(meta, op, param, expr, grouping)

    def vector_agg_prefix(self, meta, children):
        op, grouping, param, expr = children
        return self._vector_agg(meta, op, param, expr, grouping)

    def label_replace(self, meta, children):
        _kw, expr, dst, replacement, src, regex = children
        return ast.LabelReplace(expr, dst, replacement, src, regex, span=_span(meta))

    def vector_fn(self, meta, children):
        return ast.VectorLiteral(children[1], span=_span(meta))

    def literal(self, meta, children):
        return ast.Literal(children[0], span=_span(meta))

    # -- binary operators
    def bin_mod(self, meta, children):
        bool_token, matching = children
        return bool_token is not None, matching

    def matching(self, meta, children):
        keyword, labels, group = children
        card, include = group if group else ("one-to-one", ())
        return ast.VectorMatching(str(keyword).lower() == "on", labels or (), card, include,
                                  span=_span(meta))

    def group_side(self, meta, children):
        keyword, labels = children
        card = "many-to-one" if str(keyword).lower() == "group_left" else "one-to-many"
        return card, labels or ()

    def binop(self, meta, children):
        left, op, (is_bool, matching), right = children
        return ast.BinaryOp(str(op).lower(), left, right, is_bool, matching, span=_span(meta))

    def start(self, meta, children):
        return children[0]

