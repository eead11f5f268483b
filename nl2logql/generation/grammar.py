"""The LogQL grammar as a decoding constraint (llguidance).

``logql_grammar`` translates ``nl2logql/logql/grammar.lark`` — the one grammar the parser,
printer and explainer also derive from — into llguidance's Lark dialect, and can narrow
stream selectors to the labels and values a backend reported. ``compile_constraint`` turns
that text into a :class:`~nl2logql.generation.contracts.Constraint` for one tokenizer.

llguidance runs an Earley parser over a greedy (longest-match) lexer and lacks regex
lookaround and terminal priorities, so the translation rewrites the few terminals that
need them (``_terminal_rewrites``), keeps the keywords Lark's contextual lexer prefers out
of label-filter names (``_label_filters_without_keywords``), and takes in checks the parser
makes while building the AST (valid durations, numbers and byte sizes; no log query inside
an aggregation: ``_log_query_only_alone``). It puts a range after its pipeline, the one
order the training data writes (``_RANGE_BEFORE_PIPELINE``). Where it cannot be exact it is
narrower than the parser, or differs only where two word-like lexemes touch with no space
between them (``10or5``, ``sumby``, ``x > 5mor y="a"``), which Lark reads as one word; every
decoded candidate is re-parsed by :func:`nl2logql.logql.parser.parse` anyway.
"""

from __future__ import annotations

import json
import re
import sys
import threading
import weakref
from importlib import resources

import numpy as np
import torch

from nl2logql.generation.contracts import Constraint, ConstraintState
from nl2logql.logql import units
from nl2logql.logql.parser import quote

__all__ = ["GrammarError", "LLGuidanceConstraint", "compile_constraint", "logql_grammar"]

_IDENTIFIER = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")

# One gap between lexemes: a few spaces, or one line break plus indentation (pretty-printed
# queries). Bounded, so a model cannot stall on endless whitespace.
_WHITESPACE = r"/[ \t]{1,8}|[ \t]{0,8}\n[ \t]{0,24}/"

# Lexemes of a Lark grammar file, enough to drop comments and aliases without touching
# string or regex literals.
_LARK_LEXEME = re.compile(r"""
      (?P<string>"(?:[^"\\\n]|\\.)*"i?)
    | (?P<comment>//[^\n]*)
    | (?P<regex>/(?:[^/\\\n]|\\.)+/[imsux]*)
    | (?P<alias>->[ \t]*\w+)
    | (?P<other>[^"/\-()\[\]|]+|.)
""", re.VERBOSE | re.DOTALL)

# Lexeme lengths no query needs (the longest in every gold and synthesized query: a
# 19-character name, an 8-character number; a flattened Kubernetes label, ~45; a Unix
# time in nanoseconds, 19 digits), bounded so that a small model caught in a loop cannot
# spell ``unwrap_over_time_format_format...`` for ever or a 90-digit number.
MAX_IDENTIFIER, MAX_NUMBER, MAX_DURATION = 64, 24, 16

# A definition starts at column 0: ``name:``, ``?name:``, ``!name:``, ``NAME.2:`` or ``%...``.
_DEFINITION = re.compile(r"^(?P<head>[?!]?(?P<name>\w+)(?:\.\d+)?[ \t]*:|%\w+)", re.MULTILINE)


class GrammarError(ValueError):
    """llguidance refused a grammar (the message is llguidance's)."""


# ---- grammar translation ---------------------------------------------------------------------

def _drop_comments_and_aliases(text: str) -> str:
    """Tree shape is irrelevant to a constraint, so ``-> alias`` goes; ``//`` comments too."""
    out = []
    for m in _LARK_LEXEME.finditer(text):
        if m.lastgroup not in ("comment", "alias"):
            out.append(m.group())
    return "".join(out)


def _definitions(text: str) -> list[tuple[str, str, str]]:
    """``(name, head, body)`` per definition, in file order (directives: name is ``%...``)."""
    starts = list(_DEFINITION.finditer(text))
    defs = []
    for m, nxt in zip(starts, starts[1:] + [None]):
        body = text[m.end(): nxt.start() if nxt else len(text)].strip()
        name = m.group("name") or m.group("head")
        defs.append((name, m.group("head"), body))
    return defs


def _regexes(definition: str) -> list[str]:
    """The patterns of the ``/regex/`` literals in a terminal's definition."""
    return [m.group()[1:-1] for m in _LARK_LEXEME.finditer(definition) if m.lastgroup == "regex"]


def _regex_body(definition: str) -> str:
    """The pattern of a terminal defined by a single ``/regex/``."""
    (pattern,) = _regexes(definition)
    return pattern


def _without_suffix(pattern: str, suffix: str) -> str:
    """``pattern`` minus a trailing lookahead; fails loudly if the grammar file changed."""
    if not pattern.endswith(suffix):
        raise ValueError(f"grammar.lark changed: {pattern!r} no longer ends with {suffix!r}")
    return pattern[: -len(suffix)]


def _python_regex(pattern: str) -> str:
    """A whole-text Python pattern from :mod:`nl2logql.logql.units` as a lexeme pattern:
    no anchors or blanks (a lexeme has none), ASCII digits (Rust's ``\\d`` is Unicode)."""
    return pattern.removeprefix("^").removesuffix("$").replace(r"\s*", "").replace(r"\d", "[0-9]")


def _duration(body: str) -> str:
    # Lark: /D(?![a-zA-Z0-9_])/; the AST builder then keeps what Loki parses: a Prometheus
    # duration (integers, units in order) or a Go one (no d/w/y). Decoding takes the
    # intersection up front. The trailing lookahead is dropped: the greedy lexer already
    # extends a duration as far as it can; a letter right after it (``5mor``) is the one
    # spelling this lets through.
    lark = _without_suffix(_regex_body(body), "(?![a-zA-Z0-9_])")
    prometheus = _python_regex(units._PROM_DURATION.pattern)
    go = "(?:" + _python_regex(units._GO_PART.pattern) + ")+"
    return f"/{lark}/ & (/{prometheus}/ | /{go}/) & /.{{1,{MAX_DURATION}}}/"


def _bytes(body: str) -> str:
    # Lark: /(?!0[bBxXoO])B(?![a-zA-Z0-9_]|[+-][0-9])/, then the builder's parse_bytes. The
    # leading lookahead becomes an intersection with a complement (llguidance's & and ~);
    # the trailing one is dropped, as for durations.
    pattern = _without_suffix(_regex_body(body), "(?![a-zA-Z0-9_]|[+-][0-9])")
    head = "(?!0[bBxXoO])"
    if not pattern.startswith(head):
        raise ValueError(f"grammar.lark changed: BYTES no longer starts with {head!r}")
    checked = _python_regex(units._BYTES.pattern)
    return f"/{pattern[len(head):]}/ & ~/0[bBxXoO](?s:.*)/ & /{checked}/"


def _number(body: str) -> str:
    # The builder rejects what Go's ParseFloat does: 0b/0o literals, hex without a p exponent.
    alternatives = " | ".join(f"/{p}/" for p in _regexes(body))
    return f"({alternatives}) & ~/0[bBoO](?s:.*)/ & ~/0[xX][^pP]*/ & /.{{1,{MAX_NUMBER}}}/"


def _identifier(body: str) -> str:
    return f"/{_regex_body(body)}/ & /.{{1,{MAX_IDENTIFIER}}}/"


def _conversion(body: str) -> str:
    # Lark: /(?i:duration|...)(?=\s*\()/. Every rule using CONV puts "(" right after it, and
    # the Earley parser keeps both readings of ``duration`` (CONV or IDENTIFIER) alive.
    names = _without_suffix(_regex_body(body), r"(?=\s*\()").removeprefix("(?i:").removesuffix(")")
    return " | ".join(_ascii_caseless(name) for name in names.split("|"))


def _string(body: str, max_string: int) -> str:
    # Bound the length so a model cannot ramble inside a literal forever.
    quoted, raw = _regexes(body)
    quoted = _without_suffix(quoted, ')*"') + f"){{0,{max_string}}}\""
    # An octal escape above \377 is a syntax error: allow \000-\377 only.
    quoted = quoted.replace(r"\\[0-7]{3}", r"\\[0-3][0-7]{2}")
    raw = _without_suffix(raw, "[^`]*`") + f"[^`]{{0,{max_string}}}`"
    return f"/{quoted}/ | /{raw}/"


_NAMED_CAPTURE = r"\(\?P<[A-Za-z_][A-Za-z0-9_]*>"


def _capture_string(string: str) -> str:
    """``string`` (the rewritten STRING terminal) narrowed to literals holding a named
    capture group: Loki refuses a ``regexp`` parser that extracts nothing."""
    forms = []
    for form in re.findall(r"/((?:[^/\\]|\\.)*)/", string):
        body, close = form[:-1], form[-1]  # '"(?:...){0,n}' or '`[^`]{0,n}', then the quote
        chars = body[1:]                    # one char class or group with its {0,n} bound
        forms.append(f"/{body[0]}{chars}{_NAMED_CAPTURE}{chars}{close}/")
    return " | ".join(forms)


def _terminal_rewrites(terminals: dict[str, str], max_string: int) -> dict[str, str | None]:
    """Explicit rewrites for what llguidance lacks (None: leave the terminal out)."""
    return {
        "DURATION": _duration(terminals["DURATION"]),
        "BYTES": _bytes(terminals["BYTES"]),
        "NUMBER": _number(terminals["NUMBER"]),
        "IDENTIFIER": _identifier(terminals["IDENTIFIER"]),
        "CONV": _conversion(terminals["CONV"]),
        "STRING": _string(terminals["STRING"], max_string),
        # Lark takes any /\[[^\]]*\]/ and checks the duration while building the AST.
        "RANGE": '"[" DURATION "]"',
        "COMMENT": None,  # a model has no reason to write comments
    }


def _ascii_caseless(word: str) -> str:
    """A regex for ``word`` in any ASCII case: Unicode case folding would also let ``ſum``
    (long s) or a Kelvin sign in, which the parser's lower-casing does not expect."""
    return "/" + "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c) for c in word) + "/"


def _ascii_keywords(body: str) -> str:
    """Every ``"kw"i`` literal in a rule or terminal body as :func:`_ascii_caseless`."""
    return re.sub(r'("(?:[^"\\]|\\.)*")i', lambda m: _ascii_caseless(json.loads(m.group(1))), body)


def _alternatives(body: str) -> list[str]:
    """The top-level ``|`` alternatives of a rule body."""
    alternatives, current, depth = [], [], 0
    for m in _LARK_LEXEME.finditer(body):
        piece = m.group()
        if piece == "|" and depth == 0:
            alternatives.append("".join(current).strip())
            current = []
            continue
        depth += piece in ("(", "[")
        depth -= piece in (")", "]")
        current.append(piece)
    alternatives.append("".join(current).strip())
    return alternatives


def _log_query_only_alone(rules: dict[str, str]) -> dict[str, str]:
    """Rule bodies where a log query is the whole query or nothing.

    Lark lets ``log_expr`` be any operand (``atom: log_expr | ...``); the AST builder then
    rejects ``sum({app="a"})`` and the semantic checks ``{app="a"} or 1``. Decoding moves
    ``log_expr`` from ``atom`` up to ``start``, which also removes the reading of
    ``{app="a"} != ...`` as a comparison that Lark's shift preference never takes."""
    (holder,) = [name for name, body in rules.items()
                 if name != "log_expr" and "log_expr" in _alternatives(body)]
    kept = [a for a in _alternatives(rules[holder]) if a != "log_expr"]
    start = _alternatives(rules["start"])
    return {holder: "\n    | ".join(kept), "start": " | ".join(["log_expr"] + start)}


# Words Lark reads as keywords where a label filter may also start: a stage's first word
# after "|", and "or"/"and" after a filter.
_FILTER_KEYWORDS = ("JSON", "LOGFMT", "REGEXP", "PATTERN", "UNPACK", "LINE_FORMAT", "LABEL_FORMAT",
                    "DECOLORIZE", "DROP", "KEEP", "UNWRAP", "OR", "AND")
_FILTER_LABEL, _FILTER_MATCHER = "FILTER_LABEL", "filter_matcher"  # decoding-only


def _label_filters_without_keywords(rules: dict[str, str], terminals: dict[str, str]) -> dict[str, str]:
    """Rule and terminal bodies where a label filter never names a label after a keyword.

    Lark's contextual lexer takes ``unwrap`` in ``| unwrap < 5`` for the keyword wherever
    the keyword may come (``sum_over_time(... | unwrap < 5 ...)`` is then a syntax error),
    and Loki's lexer always does; llguidance would read a label named ``unwrap``. So
    decoding's label filters take any name but those keywords: narrower than the parser,
    which reads ``| json > 5`` in a log query as a filter on a label ``json``."""
    words = [json.loads(terminals[name].removesuffix("i")) for name in _FILTER_KEYWORDS]
    keywords = "|".join(_ascii_caseless(word)[1:-1] for word in words)

    def filter_names(body: str) -> str:
        return re.sub(r"\bIDENTIFIER\b", _FILTER_LABEL, body)

    return {
        "lf_atom": re.sub(r"\bmatcher\b", _FILTER_MATCHER, filter_names(rules["lf_atom"])),
        _FILTER_MATCHER: filter_names(rules["matcher"]),
        _FILTER_LABEL: f"{terminals['IDENTIFIER']} & ~/(?:{keywords})/",
    }


_LINE_RANGE, _VALUE_RANGE = "log_range_lines", "log_range_values"  # decoding-only rules
# Loki also takes the range before the pipeline (``rate({app="a"}[5m] |= "x")``), but no
# training pair or example writes it, and a small model that starts it has left what it
# learned: such answers ran on into loops (``[1h] offset 1h30m | offset = 1h30m ...``) until
# the token budget cut them off. Decoding puts the range after the pipeline only.
_RANGE_BEFORE_PIPELINE = re.compile(r"RANGE \[offset\] (?:stage|unwrap)")


def _range_aggregations_by_unwrap(rules: dict[str, str]) -> dict[str, str | None]:
    """Rule bodies where each range aggregation takes the ranges Loki's checks allow it.

    The parser takes any ``op(range)`` and the semantic checks then refuse
    ``count_over_time(... | unwrap x ...)``, ``sum_over_time`` without ``unwrap``,
    ``quantile_over_time`` without its parameter and a ``by`` on ``sum_over_time``; a
    model decoding against the parser's grammar writes those, so decoding splits
    ``log_range`` into ranges with and without ``unwrap`` and pairs each operation with
    the ones it may take (the sets come from :mod:`nl2logql.logql.checks`)."""
    from nl2logql.logql.checks import GROUPABLE_RANGE_OPS, LOG_RANGE_OPS, UNWRAP_RANGE_OPS

    def ops(names: set[str]) -> str:
        return "(" + " | ".join(f'"{name}"i' for name in sorted(names)) + ")"

    ranges = [a for a in _alternatives(rules["log_range"])
              if "log_range" not in a and not _RANGE_BEFORE_PIPELINE.search(a)]
    quantile = {"quantile_over_time"}
    value_only = UNWRAP_RANGE_OPS - LOG_RANGE_OPS - quantile
    choices = [
        (LOG_RANGE_OPS - UNWRAP_RANGE_OPS, _LINE_RANGE, ""),
        (LOG_RANGE_OPS & UNWRAP_RANGE_OPS, f"({_LINE_RANGE} | {_VALUE_RANGE})", ""),
        (value_only - GROUPABLE_RANGE_OPS, _VALUE_RANGE, ""),
        (value_only & GROUPABLE_RANGE_OPS, _VALUE_RANGE, " [grouping]"),
        (quantile, f'number "," {_VALUE_RANGE}', " [grouping]"),
    ]
    alternatives = [f'{ops(names)} "(" {body} ")"{tail}' for names, body, tail in choices if names]
    return {
        "range_agg": "\n    | ".join(alternatives),
        "range_op": None,
        "log_range": None,
        _LINE_RANGE: "\n    | ".join([a for a in ranges if "unwrap" not in a] + [f'"(" {_LINE_RANGE} ")"']),
        _VALUE_RANGE: "\n    | ".join([a for a in ranges if "unwrap" in a] + [f'"(" {_VALUE_RANGE} ")"']),
    }


def _go_string_literal(value: str) -> str:
    """The LogQL literal for ``value`` as a grammar string literal (JSON escapes)."""
    return json.dumps(quote(value), ensure_ascii=False)


def _selector_matcher(schema: dict[str, list[str]]) -> str:
    """``matcher`` for stream selectors: known label names, and for = and != known values."""
    alternatives = []
    for label in sorted(schema):
        if not _IDENTIFIER.fullmatch(label):
            continue  # Loki cannot select on it anyway
        name = json.dumps(label)
        values = sorted(set(schema[label]))
        if values:
            literals = " | ".join(_go_string_literal(v) for v in values)
            alternatives.append(f"{name} (EQ | NEQ) ({literals})")
            alternatives.append(f"{name} (RE | NRE) string")
        else:
            alternatives.append(f"{name} (EQ | NEQ | RE | NRE) string")
    if not alternatives:
        raise ValueError("schema names no usable label")
    return "\n    | ".join(alternatives)


def logql_grammar(schema: dict[str, list[str]] | None = None, *, max_string: int = 400) -> str:
    """Our LogQL grammar in llguidance's Lark dialect.

    With ``schema`` (label name → known values), stream selectors may only name known
    labels, and their ``=``/``!=`` matchers only known values (regex matchers stay free).
    Label filters after parsers stay free: parsers extract labels no schema lists.
    """
    source = resources.files("nl2logql.logql").joinpath("grammar.lark").read_text()
    defs = _definitions(_drop_comments_and_aliases(source))
    terminals = {name: body for name, head, body in defs if name.isupper()}
    rules = {name: body for name, head, body in defs if not name.isupper() and not head.startswith("%")}
    rewritten = _terminal_rewrites(terminals, max_string)
    replaced = (rewritten | _log_query_only_alone(rules) | _range_aggregations_by_unwrap(rules)
                | _label_filters_without_keywords(rules, terminals | rewritten))

    # "ignore_once": the %ignore regex spans the whole gap, so its bound holds (llguidance
    # 1.9's name; newer docs call it "skip_repetition": "once"; a test checks the bound).
    lines = ['%llguidance {"ignore_once": true}', f"%ignore {_WHITESPACE}"]
    for name, head, body in defs:
        if head.startswith("%"):
            continue  # %import/%ignore: our own bounded whitespace replaces them
        if name in replaced:
            body = replaced[name]
            if body is None:
                continue
        body = body.replace("REGEXP string", "REGEXP CAPTURE_STRING")  # see _capture_string
        if schema and name == "matchers":
            body = re.sub(r"\bmatcher\b", "selector_matcher", body)
        body = _ascii_keywords(re.sub(r"[ \t]+\n", "\n", body))  # trailing blanks where aliases were
        lines.append(f"{name}: {body}")  # priorities and ?/! prefixes do not apply
    lines.append(f"CAPTURE_STRING: {_capture_string(replaced['STRING'])}")
    for name in (_LINE_RANGE, _VALUE_RANGE, _FILTER_MATCHER, _FILTER_LABEL):  # in no source line
        lines.append(f"{name}: {_ascii_keywords(replaced[name])}")
    if schema:
        lines.append(f"selector_matcher: {_selector_matcher(schema)}")
    return "\n".join(lines) + "\n"


# ---- constraint ------------------------------------------------------------------------------

_tokenizers: weakref.WeakKeyDictionary[object, object] = weakref.WeakKeyDictionary()
_tokenizers_lock = threading.Lock()

assert sys.byteorder == "little", "token bitmasks are unpacked as little-endian words"

# End-of-turn tokens that also end a query, besides the tokenizer's own EOS.
_EXTRA_STOP_TOKENS = ("<end_of_turn>",)


def _stop_token_ids(hf_tokenizer) -> list[int]:
    from nl2logql.generation.models import token_id

    ids = [hf_tokenizer.eos_token_id] if hf_tokenizer.eos_token_id is not None else []
    extra = [token_id(hf_tokenizer, t) for t in _EXTRA_STOP_TOKENS]
    ids += [i for i in extra if i is not None and i not in ids]
    if not ids:
        raise ValueError("the tokenizer has no end-of-sequence token")
    return ids


def _ll_tokenizer(hf_tokenizer, vocabulary=None):
    """llguidance's view of a (fast) HF tokenizer; built once per tokenizer object.

    From ``vocabulary``'s token bytes (:mod:`nl2logql.generation.vocab`) it takes 0.4 s;
    from the tokenizer's JSON, 1.7 s. Without llguidance's "slices" (token subsets it
    precomputes to speed masks up): they cost 1.3 s to build and 1.1 s at the first mask,
    and measured no faster on LogQL, whose masks are the same either way.
    """
    import llguidance
    import llguidance.hf

    with _tokenizers_lock:
        cached = _tokenizers.get(hf_tokenizer)
        if cached is None:
            stop = _stop_token_ids(hf_tokenizer)
            if vocabulary is None:
                cached = llguidance.hf.from_tokenizer(hf_tokenizer, eos_token=stop, slices=[])
            else:
                view = llguidance.TokenizerWrapper(_TokenList(hf_tokenizer, vocabulary))
                cached = llguidance.LLTokenizer(view, eos_token=stop, slices=[])
            _tokenizers[hf_tokenizer] = cached
        return cached


class _TokenList:
    """What llguidance's ``TokenizerWrapper`` reads: token bytes, special ids, and
    encoding by the HF tokenizer (text only, as its JSON path does)."""

    def __init__(self, hf_tokenizer, vocabulary) -> None:
        self.eos_token_id = hf_tokenizer.eos_token_id
        self.bos_token_id = hf_tokenizer.bos_token_id
        self.tokens = vocabulary.token_bytes
        self.special_token_ids = vocabulary.special_ids
        self._backend = hf_tokenizer.backend_tokenizer

    def __call__(self, text: str) -> list[int]:
        if not isinstance(text, str):
            raise TypeError("text only")  # tells llguidance to pass text, not bytes
        return self._backend.encode(text, add_special_tokens=False).ids


class _State:
    """One sequence's position in the grammar."""

    def __init__(self, matcher, tokenizer_vocab_size: int, vocab_size: int):
        # The numpy helpers, not llguidance.torch: importing that one runs torch.compile
        # (1.1 s of imports at the first question) for a kernel we do not use.
        import llguidance.numpy as llg_numpy

        self._matcher = matcher
        self._vocab_size = vocab_size
        self._fill = llg_numpy.fill_next_token_bitmask
        self._bitmask = llg_numpy.allocate_token_bitmask(1, tokenizer_vocab_size)
        self.error: str | None = None

    def allowed(self) -> torch.Tensor:
        self._fill(self._matcher, self._bitmask)
        if self._matcher.is_error():
            # llguidance gave up (e.g. its Earley parser's item limit): nothing is allowed,
            # a dead end the decode loop ends the text at, with the reason kept.
            self.error = self._matcher.get_error()
            return torch.zeros(self._vocab_size, dtype=torch.bool)
        # Bit i of 32-bit word w is token 32*w + i: on a little-endian host that is the byte
        # stream's bits in little order (numpy unpacks 262k bits in ~0.1 ms; torch shifts ~20 ms).
        bits = np.unpackbits(self._bitmask[0].view(np.uint8), bitorder="little")
        mask = torch.from_numpy(bits).view(torch.bool)
        if mask.numel() >= self._vocab_size:
            return mask[: self._vocab_size]
        return torch.cat([mask, mask.new_zeros(self._vocab_size - mask.numel())])

    def advance(self, token_id: int) -> None:
        if not self._matcher.consume_token(int(token_id)):
            raise ValueError(f"token {token_id} is outside the grammar: {self._matcher.get_error()}")

    def forced(self) -> list[int]:
        return [] if self._matcher.is_stopped() else list(self._matcher.compute_ff_tokens())

    @property
    def done(self) -> bool:
        return self._matcher.is_stopped()

    @property
    def accepting(self) -> bool:
        """The text so far is a complete query."""
        return self._matcher.is_accepting()


class LLGuidanceConstraint:
    """A LogQL grammar compiled for one tokenizer; :meth:`start` is cheap (a matcher copy)."""

    def __init__(self, ll_tokenizer, grammar_text: str, vocab_size: int | None = None):
        import llguidance

        grammar = llguidance.LLMatcher.grammar_from_lark(grammar_text)
        is_error, messages = llguidance.LLMatcher.validate_grammar_with_warnings(grammar, ll_tokenizer)
        if is_error:
            raise GrammarError("llguidance rejected the grammar: " + "; ".join(messages))
        self._template = llguidance.LLMatcher(ll_tokenizer, grammar, log_level=0)
        if self._template.is_error():
            raise GrammarError("llguidance rejected the grammar: " + self._template.get_error())
        # The model's embedding table may be larger than the tokenizer: extra ids are never allowed.
        self._tokenizer_vocab_size = ll_tokenizer.vocab_size
        self.vocab_size = max(vocab_size or 0, self._tokenizer_vocab_size)

    def start(self) -> ConstraintState:
        return _State(self._template.deep_copy(), self._tokenizer_vocab_size, self.vocab_size)


def compile_constraint(tokenizer, grammar_text: str, *, vocab_size: int | None = None,
                       vocabulary=None) -> Constraint:
    """``grammar_text`` (from :func:`logql_grammar`) as a constraint for ``tokenizer``
    (a fast HF tokenizer). ``vocab_size``: the model's, when larger than the tokenizer's;
    ``vocabulary``: its cached tables (:class:`~nl2logql.generation.vocab.Vocabulary`)."""
    return LLGuidanceConstraint(_ll_tokenizer(tokenizer, vocabulary), grammar_text, vocab_size)
