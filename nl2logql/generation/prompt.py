"""The one prompt format, shared by inference and training.

A plain-text prompt with ``### ...:`` section markers rather than a chat template: the
same text works for a local base model, a LoRA-tuned one and any completion endpoint, and
training sees exactly what inference sends. Layout::

    INSTRUCTIONS            fixed, identical for every question (a cacheable KV prefix)
    ### Schema:             labels, values, sample lines (SchemaContext.render)
    ### Question: ...       the retrieved examples, one pair each
    ### LogQL:
    <query>
    ### Question: ...       the user's question, on one line
    ### LogQL:
                            <- the model writes target(query) here, then stops

Every question is flattened to one line after its marker, so nothing a user types can
open a new section; the decoding grammar then only admits LogQL.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata

from nl2logql.datasets import Pair
from nl2logql.generation.schema import SchemaContext

log = logging.getLogger(__name__)

INSTRUCTIONS = (
    "Translate the question into one Grafana Loki LogQL query.\n"
    "Use only the labels and values listed under Schema; match the log lines' wording "
    "in line filters and parsers.\n"
    "Write the query on one line and nothing else.\n"
)
SCHEMA_MARKER = "### Schema:"
QUESTION_MARKER = "### Question:"
ANSWER_MARKER = "### LogQL:"

CHARS_PER_TOKEN = 4
PROMPT_BUDGET_CHARS = 550 * CHARS_PER_TOKEN  # ~730 real tokens: LogQL runs ~3 chars/token
SCHEMA_FLOOR_CHARS = 600  # the schema shrinks to this before any example is dropped
MAX_QUESTION_CHARS = 2000
TRUNCATION_NOTE = " [question truncated]"


def clean_question(question: str) -> str:
    """The question as it goes into a prompt: control and format characters removed,
    whitespace collapsed onto one line, cut to :data:`MAX_QUESTION_CHARS`.
    Raises ``ValueError("empty question")`` when nothing is left."""
    if not isinstance(question, str):
        raise TypeError(f"question must be a string, not {type(question).__name__}")
    length = len(question)
    if length > 50 * MAX_QUESTION_CHARS:
        question = question[:2 * MAX_QUESTION_CHARS]  # don't scan megabytes just to cut them
    # Newlines and tabs become spaces; other control/format characters (NUL, escapes,
    # bidi overrides, zero-width marks) go.
    text = "".join(" " if ch.isspace() else ch for ch in question
                   if ch.isspace() or unicodedata.category(ch) not in ("Cc", "Cf"))
    text = " ".join(text.split())
    if not text:
        raise ValueError("empty question")
    if text.endswith(TRUNCATION_NOTE) and len(text) <= MAX_QUESTION_CHARS + len(TRUNCATION_NOTE):
        return text  # cut already (the pipeline cleans, then the prompt cleans again)
    if length > 50 * MAX_QUESTION_CHARS or len(text) > MAX_QUESTION_CHARS:
        log.warning("question of %s characters cut to %s", f"{length:,}", f"{MAX_QUESTION_CHARS:,}")
        text = text[:MAX_QUESTION_CHARS].rstrip() + TRUNCATION_NOTE
    return text


def target(query: str) -> str:
    """What the model must write after the prompt: the canonical one-line query when the
    gold parses, else the gold as written."""
    from nl2logql.logql.parser import validate
    from nl2logql.logql.printer import format as canonical

    query = query.strip()
    return canonical(query) if validate(query) is None else query


def _pair_text(question: str, answer: str) -> str:
    return f"{QUESTION_MARKER} {question}\n{ANSWER_MARKER}\n{answer}\n"


def _example_text(pair: Pair) -> str:
    # Examples pass through the same cleaning; one that cannot (empty) is a data bug.
    return _pair_text(clean_question(pair.question), target(pair.logql))


def _fit_schema(schema: SchemaContext | str | None, budget: int) -> str:
    if schema is None or budget <= 0:
        return ""
    if isinstance(schema, SchemaContext):
        return schema.render(budget)
    text = schema.strip()
    if len(text) <= budget:
        return text
    cut = text[:budget]
    return cut[:cut.rfind("\n")] if "\n" in cut else ""


def build_prompt(question: str, *, schema: SchemaContext | str | None,
                 examples: list[Pair]) -> str:
    """The prompt for ``question``, ending with the answer cue. Within
    :data:`PROMPT_BUDGET_CHARS`: the schema shrinks first (to a floor), then the
    least similar examples (the last ones) are dropped."""
    ending = f"{QUESTION_MARKER} {clean_question(question)}\n{ANSWER_MARKER}\n"
    shots = [_example_text(pair) for pair in examples]
    fixed = len(INSTRUCTIONS) + len(SCHEMA_MARKER) + 2 + len(ending)
    room = PROMPT_BUDGET_CHARS - fixed
    schema_text = _fit_schema(schema, max(SCHEMA_FLOOR_CHARS, room - sum(map(len, shots))))
    while shots and len(schema_text) + sum(map(len, shots)) > room:
        shots.pop()
    schema_text = _fit_schema(schema, min(len(schema_text), room - sum(map(len, shots))))
    parts = [INSTRUCTIONS]
    if schema_text:
        parts.append(f"{SCHEMA_MARKER}\n{schema_text}\n")
    parts.extend(shots)
    parts.append(ending)
    return "".join(parts)


_FENCE = re.compile(r"```[\w-]*[ \t]*\n?(.*?)(?:```|$)", re.S)
_CUE = re.compile(r"^\s*(?:#+\s*)?(?:logql|query)\s*:\s*", re.I)
_QUOTES = ("\"", "'", "`")


def extract_query(completion_text: str) -> str:
    """The query in a model's completion: code fences, a leading ``LogQL:`` cue, wrapping
    quotes and anything after the first blank line or next ``###`` marker are removed."""
    text = completion_text or ""
    fenced = _FENCE.search(text)
    if fenced:
        text = fenced.group(1)
    text = _CUE.sub("", text.lstrip(), count=1)
    kept = []
    for line in text.strip().splitlines():
        if not line.strip() or line.lstrip().startswith("###"):
            break
        kept.append(line.rstrip())
    text = "\n".join(kept).strip()
    # A LogQL query never starts with a quote, so matching quotes around it are wrapping.
    if len(text) >= 2 and text[0] in _QUOTES and text[-1] == text[0]:
        inner = text[1:-1]
        if text[0] == '"':  # a JSON-style string: its escapes belong to the wrapping
            try:
                inner = json.loads(text)
            except ValueError:
                pass
        text = inner.strip()
    return text
