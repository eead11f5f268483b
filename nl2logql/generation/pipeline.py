"""One question → the best validated LogQL query, with its explanation and result.

The CLI, the web UI, evaluation and the Python API all call :class:`Assistant` (or
:func:`generate`, which keeps one Assistant per configuration), so they all get the same
retrieval, prompt, constraint, validation and ranking.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any

from nl2logql.engine.backend import Backend, with_timeout
from nl2logql.errors import LogQLSemanticError, Nl2LogQLError, QueryError
from nl2logql.generation.contracts import Completion
from nl2logql.generation.data_examples import DATA_EXAMPLES, choose_examples, data_index
from nl2logql.generation.models import DIVERSE_TEMPERATURE, LocalModel, Model, load_model
from nl2logql.generation.prompt import INSTRUCTIONS, build_prompt, clean_question, extract_query
from nl2logql.generation.retrieval import ExampleIndex
from nl2logql.generation.salvage import repeats_a_stage, salvage, without_stage
from nl2logql.generation.schema import SchemaContext
from nl2logql.logql import ast
from nl2logql.logql.explain import Step, explain
from nl2logql.logql.parser import parse
from nl2logql.logql.printer import format_ast, pretty
from nl2logql.timephrases import find_windows
from nl2logql.verify.checker import Checker
from nl2logql.verify.findings import (CHECK_MODES, CHECKED, DEFAULT_RESAMPLE, PARSES, RETURNS_DATA,
                                      QueryWarning, weight)
from nl2logql.verify.repair import repair

LOG_LINES_SHOWN = 100
# How a failed completion is worded (``eval --replay`` reads them back).
CUT_OFF = "cut off by the token budget before the query was complete"
STOPPED = "the grammar constraint stopped it: "
SHORTENED = "the model's query failed ({}); this is the longest complete query it wrote before that"
SALVAGED = "the model's query failed ({}); this query keeps what it wrote before the fault"
DEFAULT_RANGE = "1h"  # a salvaged range function's range, when the question states none


@dataclass
class Candidate:
    """One model output and what we learned about it."""

    text: str                       # what the model wrote (the query part)
    query: str | None = None        # canonical form, when it parses
    kind: str | None = None         # "log" | "metric", when it parses
    valid: bool = False
    error: str | None = None        # why it is not valid, one line
    finished: bool = True           # False: cut off by the token budget
    unknown_labels: list[str] = field(default_factory=list)
    ran: bool = False
    rows: int | None = None         # series or lines returned
    run_error: str | None = None
    logprob: float | None = None
    # When the model's whole text failed (``shortened_because``: why), this candidate is
    # the longest complete query it wrote on the way (``shortened_from``: the whole text).
    shortened_from: str | None = None
    shortened_because: str | None = None
    order: int = 0                  # decoding order: 0 is the greedy answer
    checked: bool = False           # the checks ran on it (``warnings`` is their finding)
    warnings: list[QueryWarning] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)  # how it was made from the model's query

    def rank(self) -> tuple:
        """Bigger is better: valid, the model's whole text, names existing labels, runs,
        returns data, likely."""
        return (self.valid, self.shortened_from is None, not self.unknown_labels,
                self.ran and not self.run_error, bool(self.rows), self._likelihood())

    def checked_rank(self) -> tuple:
        """Bigger is better: valid, fewer and lighter warnings, runs and returns data, the
        model's whole text, fewer repairs (the model's own query over one the checks
        rebuilt); then the greedy answer (measured: on a tie it beats samples), then the
        likelihood."""
        return (self.valid, -weight(self.warnings), self.ran and not self.run_error,
                bool(self.rows), self.shortened_from is None, -len(self.repairs),
                self.order == 0, self._likelihood())

    def _likelihood(self) -> float:
        return self.logprob if self.logprob is not None else float("-inf")

    @property
    def level(self) -> str | None:
        """How far it is known to be right (:data:`~nl2logql.verify.findings.LEVELS`)."""
        if not self.valid:
            return None
        if not (self.ran and self.rows and not self.run_error):
            return PARSES
        return CHECKED if self.checked and not self.warnings else RETURNS_DATA


@dataclass
class Generation:
    question: str
    query: str | None                # the best valid query, None when there is none
    pretty: str | None
    kind: str | None                 # "log" | "metric"
    explanation: list[Step]
    valid: bool
    candidates: list[Candidate]
    result: dict | None              # Loki's `data` for the best query, when run
    timings: dict[str, float]
    prompt: str
    message: str | None = None       # what the user should know (no valid query, a note)
    level: str | None = None         # findings.PARSES < RETURNS_DATA < CHECKED; None: no query
    warnings: list[QueryWarning] = field(default_factory=list)  # what the checks found
    repairs: list[str] = field(default_factory=list)  # what was repaired, and why

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["explanation"] = [step.to_dict() for step in self.explanation]
        return data


class Assistant:
    """Keeps a model, a backend and the example index loaded for many questions."""

    def __init__(self, *, model: Model | None = None, backend: Backend | None = None,
                 base_model: str | None = None, adapter: str | None = None,
                 endpoint: str | None = None, endpoint_model: str | None = None,
                 split: str = "random", k: int = 4, n: int = 1, constrain: bool = True,
                 max_new_tokens: int = 160, run_timeout: float = 10.0, checks: str = "repair",
                 resample: int = DEFAULT_RESAMPLE, patterns: int | None = None,
                 data_examples: int = DATA_EXAMPLES):
        if checks not in CHECK_MODES:
            raise ValueError(f"checks must be one of {', '.join(CHECK_MODES)}, not {checks!r}")
        self.model = model or load_model(base_model=base_model, adapter=adapter, endpoint=endpoint,
                                         endpoint_model=endpoint_model, split=split)
        self.backend = backend
        self.index = ExampleIndex.for_split(split)
        self.k, self.n = k, n
        self.constrain = constrain
        self.max_new_tokens = max_new_tokens
        self.run_timeout = run_timeout
        self.checks = checks
        self.resample = resample  # candidates sampled when the first ones fail the checks
        self.patterns = patterns  # log patterns in the prompt (None: schema.PATTERNS_SHOWN)
        self.data_examples = data_examples  # of the k examples, synthesized from the backend's logs
        if isinstance(self.model, LocalModel):
            self.model.warm_prefix(INSTRUCTIONS)  # every prompt starts with these: prefill once
            if constrain:  # compiles the tokenizer for the constraint (seconds, once)
                self.model.constraint(self._grammar(None))

    def ask(self, question: str, *, run: bool = False, k: int | None = None,
            n: int | None = None) -> Generation:
        timings: dict[str, float] = {}
        started = time.perf_counter()
        try:
            question = clean_question(question)
        except ValueError as error:
            return _no_query(question, str(error), timings)
        k = self.k if k is None else k
        n = self.n if n is None else n

        clock = time.perf_counter()
        schema = self._schema(question)
        examples = choose_examples(question, k, self.index, self._data_index(),
                                   data_k=self.data_examples)
        prompt = build_prompt(question, schema=schema, examples=examples)
        grammar = self._grammar(schema) if self.constrain else None
        timings["context"] = time.perf_counter() - clock

        clock = time.perf_counter()
        completions = self.model.complete(prompt, n=n, max_new_tokens=self.max_new_tokens,
                                          grammar=grammar, temperature=0.0)
        timings["model"] = time.perf_counter() - clock
        if completions:  # one call: every candidate carries the same timings
            timings.update({f"model_{k}": v for k, v in completions[0].timings.items()})

        clock = time.perf_counter()
        results: dict[int, dict] = {}
        # Checked against this question's backend (the UI swaps ``backend`` per session);
        # one checker per question shares its probes between candidates and repairs.
        checker = Checker(self.backend)
        candidates = self._consider(question, completions, schema, results, checker, run=run)
        if self.resample and self.checks != "none" and not _clean(candidates):
            # The model's likeliest answers fail a check that no fix cures: sample others.
            resampling = time.perf_counter()
            sampled = self.model.complete(prompt, n=self.resample, grammar=grammar,
                                          max_new_tokens=self.max_new_tokens,
                                          temperature=DIVERSE_TEMPERATURE)
            timings["resample"] = time.perf_counter() - resampling
            candidates = _dedupe(candidates + self._consider(
                question, sampled, schema, results, checker, run=run, first=len(completions)))
            candidates.sort(key=Candidate.checked_rank, reverse=True)
        timings["validate_and_run"] = time.perf_counter() - clock - timings.get("resample", 0.0)

        best = candidates[0] if candidates and candidates[0].valid else None
        result = results.get(id(best)) if run and best is not None else None
        timings["total"] = time.perf_counter() - started
        if best is None:
            reason = candidates[0].error if candidates else "the model returned nothing"
            return Generation(question, None, None, None, [], False, candidates, None, timings,
                              prompt, f"no valid query: {reason}")
        expr = parse(best.query)
        message = None
        if best.shortened_from is not None:
            kept = SHORTENED if best.shortened_from.startswith(best.text) else SALVAGED
            message = kept.format(best.shortened_because)
        elif best.run_error:
            message = f"the query is valid but failed to run: {best.run_error}"
        elif best.unknown_labels:
            message = "the query names labels the data source lacks: " + ", ".join(best.unknown_labels)
        return Generation(question, best.query, pretty(expr), best.kind, explain(expr), True,
                          candidates, result, timings, prompt, message, level=best.level,
                          warnings=list(best.warnings), repairs=list(best.repairs))

    # ---- steps ---------------------------------------------------------------------------

    def _consider(self, question: str, completions: list[Completion],
                  schema: SchemaContext | None, results: dict[int, dict], checker: Checker, *,
                  run: bool,
                  first: int = 0) -> list[Candidate]:
        """The completions as candidates, best first: judged, checked and repaired (as
        ``checks`` says) and run on the backend (``results``: by candidate id)."""
        candidates = []
        for order, completion in enumerate(completions, first):
            for candidate in self._judge(question, completion, schema):
                candidate.order = order
                candidates.append(candidate)
        candidates = _dedupe(candidates)
        if self.checks != "none":
            for candidate in candidates:
                _check(checker, question, candidate)
                if self.checks == "repair" and candidate.warnings:
                    _repair(checker, question, candidate)
            candidates = _dedupe(candidates)
        if self.backend is not None and (run or len(candidates) > 1 or self.checks != "none"):
            for candidate in candidates:
                if candidate.valid:
                    results[id(candidate)] = self._run(candidate)
        by = Candidate.rank if self.checks == "none" else Candidate.checked_rank
        return sorted(candidates, key=by, reverse=True)

    def _schema(self, question: str) -> SchemaContext | None:
        if self.backend is None:
            return None
        return SchemaContext.from_backend(self.backend, question, max_patterns=self.patterns)

    def _data_index(self) -> ExampleIndex | None:
        if self.backend is None or not self.data_examples:
            return None
        return data_index(self.backend, known=self.index.systems)

    def _grammar(self, schema: SchemaContext | None) -> str | None:
        from nl2logql.generation.grammar import logql_grammar

        return logql_grammar(schema.labels if schema else None)

    def _judge(self, question: str, completion: Completion,
               schema: SchemaContext | None) -> list[Candidate]:
        """The completion's text as a candidate; when that is not a valid query, the
        longest complete prefix that is (a stage repeated in a pipeline marks a decoding
        loop, not a query: such prefixes are passed over), else the queries
        :mod:`~nl2logql.generation.salvage` makes of it, for the checks to choose from."""
        text = extract_query(completion.text)
        whole = self._judge_text(text, completion.finished, schema, dead_end=completion.dead_end)
        whole.logprob = completion.logprob
        if whole.valid:
            return [whole]
        for prefix in completion.complete_prefixes:
            candidate = self._judge_text(extract_query(prefix), True, schema)
            if candidate.valid and not repeats_a_stage(parse(candidate.query)):
                return [self._shortened(candidate, whole)]
        salvaged = [self._shortened(self._judge_text(query, True, schema), whole)
                    for query in self._salvage(question, text, completion.finished)]
        return salvaged or [whole]

    @staticmethod
    def _salvage(question: str, text: str, finished: bool) -> list[str]:
        if not finished:
            windows = find_windows(question)
            return salvage(text, windows[0].range if windows else DEFAULT_RANGE)
        try:
            parse(text)
        except LogQLSemanticError as error:
            kept = without_stage(text, error.pos)
            return [kept] if kept else []
        except QueryError:
            pass
        return []

    @staticmethod
    def _shortened(candidate: Candidate, whole: Candidate) -> Candidate:
        candidate.logprob = whole.logprob
        candidate.shortened_from, candidate.shortened_because = whole.text, whole.error
        return candidate

    def _judge_text(self, text: str, finished: bool, schema: SchemaContext | None,
                    dead_end: str | None = None) -> Candidate:
        candidate = Candidate(text, finished=finished)
        if not finished:
            candidate.error = f"{STOPPED}{dead_end}" if dead_end else CUT_OFF
            return candidate
        try:
            expr = parse(text)
        except QueryError as error:
            candidate.error = error.headline()
            return candidate
        candidate.query, candidate.kind, candidate.valid = format_ast(expr), ast.kind(expr), True
        if schema is not None:
            known = set(schema.labels)
            candidate.unknown_labels = sorted({m.name for s in expr.find_all(ast.Selector)
                                               for m in s.matchers} - known)
        return candidate

    def _run(self, candidate: Candidate) -> dict | None:
        """Run with a time limit; record rows or the one-line reason it failed."""
        if candidate.kind == "log":
            call = lambda: self.backend.query_range(candidate.query, limit=LOG_LINES_SHOWN)  # noqa: E731
        else:
            call = lambda: self.backend.query(candidate.query)  # noqa: E731
        try:
            data = with_timeout(call, self.run_timeout)
        except Nl2LogQLError as error:
            candidate.run_error = str(error).split("\n", 1)[0]
            return None
        candidate.ran = True
        candidate.rows = len(data.get("result", []))
        return data


def _check(checker: Checker, question: str, candidate: Candidate) -> None:
    if candidate.valid:
        candidate.warnings = checker.check(question, candidate.query)
        candidate.checked = checker.backend is not None


def _repair(checker: Checker, question: str, candidate: Candidate) -> None:
    """Apply the fixes that make the candidate check better (its ``text`` stays what
    the model wrote; ``repairs`` says what changed)."""
    fixed = repair(checker, question, candidate.query, candidate.warnings)
    if fixed.repairs:
        expr = parse(fixed.query)
        candidate.query, candidate.kind = format_ast(expr), ast.kind(expr)
        candidate.warnings, candidate.repairs = fixed.warnings, fixed.repairs


def _clean(candidates: list[Candidate]) -> bool:
    """Whether the best candidate is valid and passed every check."""
    return bool(candidates) and candidates[0].valid and not candidates[0].warnings


def _dedupe(candidates: list[Candidate]) -> list[Candidate]:
    seen, unique = set(), []
    for candidate in candidates:
        key = candidate.query or candidate.text
        if key not in seen:
            seen.add(key)
            unique.append(candidate)
    return unique


def _no_query(question: str, reason: str, timings: dict) -> Generation:
    return Generation(question, None, None, None, [], False, [], None, timings, "", reason)


_ASSISTANTS: dict[tuple, Assistant] = {}


def generate(question: str, *, backend: Backend | None = None, base_model: str | None = None,
             adapter: str | None = None, k: int = 4, n: int = 1, run: bool = False,
             checks: str = "repair") -> Generation:
    """Answer one question with a LogQL query (the model stays loaded between calls)."""
    key = (base_model, adapter, id(backend), checks)
    if key not in _ASSISTANTS:
        _ASSISTANTS[key] = Assistant(backend=backend, base_model=base_model, adapter=adapter,
                                     checks=checks)
    return _ASSISTANTS[key].ask(question, run=run, k=k, n=n)
