"""Question/LogQL pairs: NL2QL, NL2QL-exec, the user's own files, and the committed splits.

A split file (``data/splits/<name>.json``, written by ``scripts/make_splits.py``) holds ids
only, plus the SHA-256 of the source files it was cut from. :func:`load_split` turns it
back into :class:`Pair` lists. NL2QL-exec's test side is a separate evaluation set
(``Split.exec_test``): it never joins training or retrieval.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from nl2logql import paths
from nl2logql.errors import DataError

log = logging.getLogger(__name__)

NL2QL_FILE = "nl2ql/nl2ql.jsonl"
EXEC_DIR = "nl2ql-exec"
EXEC_SYSTEMS = ("hdfs", "openssh", "openstack")
LEAVE_OUT_SPLITS = tuple(f"leave-out-{system}" for system in EXEC_SYSTEMS)
SPLIT_NAMES = ("random", "unseen-template", *LEAVE_OUT_SPLITS)
# The sides of a split an evaluation scores: test, or validation to choose settings on.
SCORED_SIDES = ("test", "validation")


@dataclass(frozen=True)
class Pair:
    """One natural-language question and its gold LogQL query."""

    id: str
    question: str
    logql: str
    system: str = ""
    source: str = ""  # "nl2ql", "nl2ql-exec" or the user's file name


@dataclass
class Split:
    """Pairs of one committed split. ``test`` is NL2QL's held-out side; ``exec_test`` is
    NL2QL-exec's fixed test side; ``invalid`` names the ids whose gold Loki rejects,
    ``flagged`` those :mod:`nl2logql.hygiene` finds contradicting their question."""

    train: list[Pair]
    test: list[Pair]
    validation: list[Pair]
    exec_test: list[Pair] = field(default_factory=list)
    name: str = ""
    invalid: frozenset[str] = frozenset()
    flagged: frozenset[str] = frozenset()  # ids whose gold contradicts its question


# ---- where the data is --------------------------------------------------------------------

def data_root() -> Path:
    """``$NL2LOGQL_DATA`` when it holds the datasets, else the project's ``data/``."""
    root = paths.data_root()
    return root if (root / NL2QL_FILE).is_file() else paths.PROJECT_DATA


def splits_dir() -> Path:
    return data_root() / "splits"


def source_files() -> list[Path]:
    """The files a split is cut from (their hash goes into the split file)."""
    root = data_root()
    exec_files = [root / EXEC_DIR / f"{system}.jsonl" for system in EXEC_SYSTEMS]
    return [root / NL2QL_FILE, *exec_files, root / EXEC_DIR / "split.json"]


def data_sha256() -> dict[str, str]:
    root = data_root()
    return {path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in source_files()}


# ---- validity -----------------------------------------------------------------------------

@lru_cache(maxsize=4096)
def is_valid(logql: str) -> bool:
    """Whether our parser (and so Loki) accepts the query."""
    from nl2logql.logql.parser import validate

    return validate(logql) is None


def _drop_invalid(rows: list[tuple[int, Pair]], path: Path, keep_invalid: bool) -> list[Pair]:
    """Skip (or keep) pairs whose gold does not parse, reporting them by line in one message."""
    bad_lines = [line for line, pair in rows if not is_valid(pair.logql)]
    if bad_lines:
        # Kept on purpose (e.g. to be measured) is routine; skipped data deserves a warning.
        level, action = (logging.INFO, "kept") if keep_invalid else (logging.WARNING, "skipped")
        log.log(level, "%s: %d invalid gold queries %s (lines %s)", path, len(bad_lines), action,
                ", ".join(map(str, bad_lines)))
    return [pair for _, pair in rows if keep_invalid or is_valid(pair.logql)]


# ---- readers ------------------------------------------------------------------------------

def _read_jsonl(path: Path) -> list[tuple[int, dict]]:
    rows = []
    with open(path, encoding="utf-8") as handle:
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                row = json.loads(text)
            except json.JSONDecodeError as error:
                raise DataError(f"{path}:{number}: not JSON ({error.msg})") from None
            if not isinstance(row, dict):
                raise DataError(f"{path}:{number}: expected a JSON object")
            rows.append((number, row))
    return rows


def _read_csv(path: Path) -> list[tuple[int, dict]]:
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        try:
            if reader.fieldnames is None:
                raise DataError(f"{path}:1: empty file (expected a header with question,logql)")
            # The header is line 1; a record's line is where it starts (fields may hold newlines).
            rows, number = [], 2
            for row in reader:
                rows.append((number, row))
                number = reader.line_num + 1
        except csv.Error as error:
            raise DataError(f"{path}:{reader.line_num}: bad CSV ({error})") from None
    return rows


def _text_field(row: dict, name: str, path: Path, number: int) -> str:
    value = row.get(name)
    if not isinstance(value, str) or not value.strip():
        raise DataError(f"{path}:{number}: missing or empty {name!r}")
    return value.strip()


def load_nl2ql(path: str | Path | None = None, *, keep_invalid: bool = False) -> list[Pair]:
    """NL2QL's 339 pairs, ids ``nl2ql-<n>``."""
    path = Path(path) if path else data_root() / NL2QL_FILE
    rows = [(number, Pair(id=f"nl2ql-{row['id']}", question=row["question"].strip(),
                          logql=row["logql"].strip(), system=row.get("system", ""),
                          source="nl2ql"))
            for number, row in _read_jsonl(path)]
    return _drop_invalid(rows, path, keep_invalid)


def load_nl2ql_exec(directory: str | Path | None = None, *,
                    keep_invalid: bool = False) -> list[Pair]:
    """NL2QL-exec's 240 pairs (ids as given, e.g. ``ssh-003``), ordered by file then line."""
    directory = Path(directory) if directory else data_root() / EXEC_DIR
    pairs = []
    for path in sorted(directory.glob("*.jsonl")):
        rows = [(number, Pair(id=row["id"], question=row["question"].strip(),
                              logql=row["logql"].strip(), system=row.get("system", ""),
                              source="nl2ql-exec"))
                for number, row in _read_jsonl(path)]
        pairs.extend(_drop_invalid(rows, path, keep_invalid))
    return pairs


def load_exec_split(directory: str | Path | None = None) -> dict[str, list[str]]:
    """NL2QL-exec's fixed ``{"train": [...ids], "test": [...ids]}``."""
    directory = Path(directory) if directory else data_root() / EXEC_DIR
    return json.loads((directory / "split.json").read_text(encoding="utf-8"))


def load_pairs(path: str | Path, *, keep_invalid: bool = False) -> list[Pair]:
    """The user's pairs: JSONL or CSV with ``question`` and ``logql`` (optional ``id``,
    ``system``). Malformed input raises a one-line :class:`DataError` naming file and line."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    reader = _read_csv if path.suffix.lower() == ".csv" else _read_jsonl
    try:
        records = reader(path)
    except UnicodeDecodeError as error:
        raise DataError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})") from None
    rows = []
    for number, row in records:
        question = _text_field(row, "question", path, number)
        logql = _text_field(row, "logql", path, number)
        pair_id = str(row.get("id") or f"{path.stem}-{number}")
        rows.append((number, Pair(pair_id, question, logql, str(row.get("system") or ""),
                                  path.name)))
    return _drop_invalid(rows, path, keep_invalid)


def all_pairs() -> dict[str, Pair]:
    """Every NL2QL and NL2QL-exec pair by id, invalid golds included."""
    pairs = load_nl2ql(keep_invalid=True) + load_nl2ql_exec(keep_invalid=True)
    return {pair.id: pair for pair in pairs}


# ---- splits -------------------------------------------------------------------------------

def normalize_question(text: str) -> str:
    """The form two questions are compared in: lower-case, whitespace collapsed."""
    return " ".join(text.lower().split())


def load_split(name: str, *, keep_invalid: bool = False, keep_flagged: bool = False) -> Split:
    """A committed split. Invalid golds leave ``train`` and ``validation`` unless
    ``keep_invalid`` (they would teach invalid LogQL), and so do golds that contradict their
    question (:mod:`nl2logql.hygiene`) unless ``keep_flagged``; ``test`` and ``exec_test``
    keep both (they are data)."""
    from nl2logql.hygiene import flagged_ids  # it imports this module

    path = splits_dir() / f"{name}.json"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in splits_dir().glob("*.json"))) or "none"
        raise DataError(f"unknown split {name!r} (known: {known})")
    spec = json.loads(path.read_text(encoding="utf-8"))
    if spec.get("data_sha256") != data_sha256():
        log.warning("%s: the data files changed since this split was made; "
                    "rerun scripts/make_splits.py", path)
    pairs = all_pairs()
    invalid = frozenset(spec.get("invalid", []))
    sides = ("train", "validation", "test", "exec_test")
    in_split = {i for key in sides for i in spec.get(key, [])}
    # Over every real pair, so a split's flags do not depend on which pairs it holds.
    flagged = flagged_ids(tuple(pairs.values())) & in_split

    def side(key: str, drop: frozenset[str]) -> list[Pair]:
        ids = spec.get(key, [])
        missing = [i for i in ids if i not in pairs]
        if missing:
            raise DataError(f"{path}: unknown ids in {key!r}: {', '.join(missing[:5])}")
        return [pairs[i] for i in ids if i not in drop]

    drop = (frozenset() if keep_invalid else invalid) | (frozenset() if keep_flagged else flagged)
    return Split(train=side("train", drop), test=side("test", frozenset()),
                 validation=side("validation", drop), exec_test=side("exec_test", frozenset()),
                 name=name, invalid=invalid, flagged=flagged)


def exec_validation(split: Split) -> list[Pair]:
    """NL2QL-exec's train-side pairs of the system a ``leave-out-<system>`` split holds
    out: that split's training and retrieval never see them, so settings can be chosen on
    them without its test side. Other splits train on all of NL2QL-exec's train side."""
    if split.name not in LEAVE_OUT_SPLITS:
        raise DataError(f"NL2QL-exec has a validation side only under a leave-out split "
                        f"({', '.join(LEAVE_OUT_SPLITS)}): {split.name!r} trains on its train side")
    held_out = split.name.removeprefix("leave-out-")
    pairs = {pair.id: pair for pair in load_nl2ql_exec()}
    return [pairs[i] for i in load_exec_split()["train"]
            if i in pairs and pairs[i].system.lower() == held_out]


# ---- templates (for the unseen-template split) ----------------------------------------------

_TEMPLATE_MASKS = [  # (pattern, placeholder), applied in order to the lower-cased question
    (r"\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b", "<ip>"),
    (r"\b(?:openssh|openstack|hdfs)(?:-[a-z0-9]+)*\b", "<app>"),
    (r"\blabsz(?:-[a-z0-9]+)*\b|\b[a-z0-9-]+(?:\.[a-z0-9-]+){2,}\b|\bhost\d+\b", "<host>"),
    (r"(?:/[\w{}*.-]+){2,}", "<path>"),
    (r"\b[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}\b|\b[0-9a-f]{32}\b", "<id>"),
    (r"['\"`]\s*(<\w+>)\s*['\"`]", r"\1"),  # a quoted name is still a name
    (r"'[^']*'|\"[^\"]*\"|`[^`]*`", "<str>"),
    (r"\b(?:(?:in|over|during|within|for) )?(?:the )?(?:last|past|previous) "
     r"(?:\d+ |few |one |two )?(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?"
     r"|\d+[smhdw])\b|\byesterday\b|\btoday\b", ""),  # with or without a window: one template
    (r"\b\d+(?:\.\d+)?\b", "<num>"),
    # Ways of naming the deployment or host that mean the same thing.
    (r"\b(?:for|in|on|from) (?:the )?(?:application |app )?<app>(?: application)?", "<app>"),
    (r"\b(?:application|app) <app>", "<app>"),
    (r"\b(?:on|from) (?:the )?(?:hostname |host )?<host>|\bhostname <host>", "<host>"),
    (r"\bwhat's\b", "what is"),
    (r"[^a-z<> ]+", " "),
]


@lru_cache(maxsize=None)
def _compiled_masks():
    import re

    return [(re.compile(pattern), placeholder) for pattern, placeholder in _TEMPLATE_MASKS]


def template_key(question: str) -> str:
    """The question with names, addresses, numbers, quoted strings and time windows masked:
    questions that differ only in those (``openstack-us-east`` vs ``openstack-eu-west``)
    share a key, so the unseen-template split keeps them on one side."""
    text = question.lower()
    for pattern, placeholder in _compiled_masks():
        # Whitespace collapsed between steps, so the phrase patterns see single spaces.
        text = " ".join(pattern.sub(placeholder, text).split())
    return text
