"""LogEval: four log-analysis tasks, each asked in 15 prompt wordings, zero-shot and few-shot.

LogEval (Cui et al., 2024, arXiv:2407.01896) asks a model to parse a log line into a
template, to call a log line ``normal`` or ``abnormal``, to name the fault type a log line
shows, and to summarise 20 log lines. This module reads its English sets (the upstream
JSON files: ``{task}.{zero_shot|few_shot}.json``, items ``id, instruction, input, output``),
builds one plain completion prompt per item, pulls the answer out of a completion and
scores it the way LogEval's leaderboard reports it:

- parsing: exact template accuracy; normalised (and raw, LogEval's unit) edit distance;
- anomaly detection: F1 with ``abnormal`` as the positive class, and accuracy;
- fault diagnosis: accuracy, and macro F1 over the fault types present in the gold;
- summarization: ROUGE-1 and ROUGE-L F1 against the reference.

Prompt wordings. Each set cycles its 15 instruction wordings over the items (item ``id``
``i`` has wording ``i % 15``). Few-shot instructions embed the same examples after
``For example:``; the fault-diagnosis sets hold two data sources with different fault-type
lists in braces. :func:`wording_key` strips both, so every set has exactly 15 templates;
``wording`` is a template's index in order of first appearance in the file, which is
LogEval's own prompt order. The shipped sample keeps each wording's first upstream item,
so the sample numbers wordings as the full sets do.

Where we differ from LogEval (its scoring code is not public; the leaderboard names the
measures only): answers are extracted with the rules in :func:`extract_answer`; template
comparison ignores runs of whitespace and trailing ``.;,:!`` and reads ``<>`` as ``<*>``
(two of the 15 parsing wordings ask for ``<>``); anomaly answers naming both labels count
as unanswered; fault answers are matched to the closest type named in the item's
instruction; the leaderboard's summarization "F1" is compared with our ROUGE-1 F1.
"""

from __future__ import annotations

import json
import random
import re
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from nl2logql.errors import DataError
from nl2logql.paths import data_root

TASKS = ("parsing", "anomaly_detection", "fault_diagnosis", "summarization")
PROMPT_SETS = ("zero-shot", "few-shot")
FILE_TAGS = {"zero-shot": "zero_shot", "few-shot": "few_shot"}
FIELDS = ("id", "instruction", "input", "output")

# Completion budget per task: a label is a few tokens; the longest fault type is ~20;
# parsing templates reach ~400 characters, reference summaries ~200.
MAX_NEW_TOKENS: dict[str, int] = {
    "parsing": 160,
    "anomaly_detection": 8,
    "fault_diagnosis": 40,
    "summarization": 128,
}
# Where a completion model starts the next few-shot example. No bare "\n": a model may
# open its answer with a line break. "\n\n" ends a paragraph-style answer.
STOP: list[str] = ["\n\n", "\nlog entry:", "\nlog:", "\nlogs:", "\nFor example"]

MAIN_METRIC: dict[str, str] = {
    "parsing": "accuracy",
    "anomaly_detection": "f1",
    "fault_diagnosis": "accuracy",
    "summarization": "rouge1",
}

# Best published English scores, LogEval leaderboard (LinDuoming/LogEval leaderboard.csv,
# naive Q&A; as listed in the project's shared data README), in MAIN_METRIC's measure:
# parsing accuracy (GPT-4 both), anomaly F1 (BaiChuan2-13B few / LLaMa2-13B zero), fault
# accuracy (GPT-4 few / Claude 3 Sonnet zero), summarization "F1" (DeVops-14B few /
# Claude 3 Sonnet zero; LogEval's own summary F1, which we compare with ROUGE-1 F1).
PUBLISHED: dict[str, dict[str, float]] = {
    "parsing": {"zero-shot": 0.476, "few-shot": 0.873},
    "anomaly_detection": {"zero-shot": 0.122, "few-shot": 0.438},
    "fault_diagnosis": {"zero-shot": 0.442, "few-shot": 0.929},
    "summarization": {"zero-shot": 0.903, "few-shot": 0.887},
}

# Every fault type in the English sets: the label set when no instruction is at hand.
FAULT_TYPES = (
    "Processor CPU Caterr",
    "Memory Throttled Uncorrectable Error Correcting Code",
    "Hard Disk Drive Control Error Computer System Bus Short Circuit Programmable Gate "
    "Array Device Unknown",
    "Mirror does not specify output",
    "Operational port down",
    "Management port down",
    "Virtual Machine Port Down",
    "Virtual Machine Startup Failure",
)
NORMAL, ABNORMAL = "normal", "abnormal"


@dataclass(frozen=True)
class LogEvalItem:
    id: str  # "<task>/<prompt set>/<upstream id>", unique across sets
    task: str
    prompt_set: str  # "zero-shot" | "few-shot"
    wording: int
    instruction: str
    input: str
    gold: str


# --- data ------------------------------------------------------------------------------


def sample_dir() -> Path:
    """The shipped sample: ``data_root()/logeval``."""
    return data_root() / "logeval"


def set_path(data_dir: Path, task: str, prompt_set: str) -> Path:
    return Path(data_dir) / f"{task}.{FILE_TAGS[prompt_set]}.json"


def read_records(path: Path) -> list[dict]:
    """One upstream file's items, checked: a list of objects with ``id`` (int or str) and
    string ``instruction``, ``input``, ``output``; ids unique."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise DataError(f"{path}: not UTF-8 text") from None
    except OSError as error:
        raise DataError(f"{path}: cannot read it ({error.strerror})") from None
    try:
        records = json.loads(text)
    except json.JSONDecodeError as error:
        raise DataError(f"{path}: not valid JSON (line {error.lineno}, column {error.colno}: "
                        f"{error.msg})") from None
    if not isinstance(records, list) or not records:
        raise DataError(f"{path}: expected a non-empty JSON list of items")
    seen: set = set()
    for n, record in enumerate(records):
        if not isinstance(record, dict):
            raise DataError(f"{path}: item {n} is not an object")
        missing = [f for f in FIELDS if f not in record]
        if missing:
            raise DataError(f"{path}: item {n} lacks {', '.join(missing)}")
        bad = [f for f in FIELDS[1:] if not isinstance(record[f], str)]
        if bad or isinstance(record["id"], bool) or not isinstance(record["id"], (int, str)):
            raise DataError(f"{path}: item {n} has a non-text {(bad or ['id'])[0]}")
        if record["id"] in seen:
            raise DataError(f"{path}: item {n} repeats id {record['id']!r}")
        seen.add(record["id"])
    return records


_EXAMPLES = re.compile(r"\n\s*for example\s*:", re.IGNORECASE)
_BRACES = re.compile(r"\{[^{}]*\}")
_COUNT = re.compile(r"\bthere are \w+ types\b", re.IGNORECASE)


def _head(instruction: str) -> str:
    """The instruction without its few-shot examples."""
    return _EXAMPLES.split(instruction, maxsplit=1)[0]


def wording_key(instruction: str) -> str:
    """The prompt wording an instruction uses: few-shot examples, the fault-type list in
    braces and its count word ("three", "five") taken out, whitespace collapsed."""
    head = _COUNT.sub("there are N types", _BRACES.sub("{}", _head(instruction)))
    return " ".join(head.split())


def wordings(records: list[dict]) -> list[int]:
    """Each record's wording: its template's index in order of first appearance."""
    index: dict[str, int] = {}
    return [index.setdefault(wording_key(r["instruction"]), len(index)) for r in records]


def stratified_indices(wording_of: list[int], n: int, rng: random.Random) -> list[int]:
    """``n`` positions spread as evenly as the group sizes allow over the wordings (groups
    too small give their share to the others; a remainder goes to wordings drawn by
    ``rng``). Each chosen group keeps its first item, so first appearances stay in wording
    order; the rest is drawn by ``rng``. Returned in file order."""
    if n >= len(wording_of):
        return list(range(len(wording_of)))
    groups: dict[int, list[int]] = defaultdict(list)
    for position, wording in enumerate(wording_of):
        groups[wording].append(position)
    quota = dict.fromkeys(sorted(groups), 0)
    left = n
    while left:
        open_ = [w for w in quota if quota[w] < len(groups[w])]
        share, extra = divmod(left, len(open_))
        if not share:
            for w in rng.sample(open_, extra):
                quota[w] += 1
            break
        for w in open_:
            take = min(share, len(groups[w]) - quota[w])
            quota[w] += take
            left -= take
    chosen: list[int] = []
    for w, count in quota.items():
        if count:
            first, *rest = groups[w]
            chosen += [first, *rng.sample(rest, count - 1)]
    return sorted(chosen)


def task_rng(seed: int, task: str) -> random.Random:
    """One stream per task, not per prompt set: zero- and few-shot samples hold the same
    items (the upstream sets pair them by id), so the two are compared on equal ground."""
    return random.Random(f"logeval:{seed}:{task}")


def _choose(kind: str, given, valid: tuple[str, ...]) -> list[str]:
    if given is None:
        return list(valid)
    names = [given] if isinstance(given, str) else list(given)
    chosen = []
    for name in names:
        name = str(name).replace("_", "-") if kind == "prompt set" else str(name)
        if name not in valid:
            raise DataError(f"unknown LogEval {kind} {name!r} (valid: {', '.join(valid)})")
        chosen.append(name)
    return [v for v in valid if v in chosen]


def load_items(data_dir: Path | None = None, *, tasks: list[str] | None = None,
               prompt_sets: list[str] | None = None, limit: int | None = None,
               seed: int = 0) -> list[LogEvalItem]:
    """LogEval items: the shipped sample when ``data_dir`` is None, else a folder with the
    upstream file names (the full sets, or any subset of them). ``limit`` takes that many
    items per task and prompt set, stratified by wording and seeded (:func:`task_rng`).
    Items come in TASKS, PROMPT_SETS, then file order."""
    task_names = _choose("task", tasks, TASKS)
    set_names = _choose("prompt set", prompt_sets, PROMPT_SETS)
    if limit is not None and limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit}")
    folder = sample_dir() if data_dir is None else Path(data_dir).expanduser()
    if not folder.is_dir():
        raise DataError(f"{folder}: no such folder (expected LogEval files such as "
                        f"parsing.zero_shot.json)")
    items: list[LogEvalItem] = []
    for task in task_names:
        for prompt_set in set_names:
            records = read_records(set_path(folder, task, prompt_set))
            wording_of = wordings(records)
            keep = (range(len(records)) if limit is None
                    else stratified_indices(wording_of, limit, task_rng(seed, task)))
            items += [LogEvalItem(id=f"{task}/{prompt_set}/{records[i]['id']}", task=task,
                                  prompt_set=prompt_set, wording=wording_of[i],
                                  instruction=records[i]["instruction"],
                                  input=records[i]["input"], gold=records[i]["output"])
                      for i in keep]
    return items


# --- prompting and answers ---------------------------------------------------------------


def build_prompt(item: LogEvalItem) -> str:
    """LogEval's question as plain text for a completion model: the instruction (with its
    few-shot examples), the input ("log entry:" + the line, or "log:" + 20 lines), and an
    answer cue the model completes on the same line."""
    return f"{item.instruction.strip()}\n{item.input.strip()}\nAnswer:"


_CUE = re.compile(r"\banswer\s*(?:is\s*)?[:：]", re.IGNORECASE)
_LABEL = re.compile(r"^(?:the\s+)?(?:log\s+)?(?:template|summary|fault\s+type|type|label|"
                    r"category|classification|result|output)\s*(?:is\s*)?[:：]\s*", re.IGNORECASE)
_TEMPLATE_LABEL = re.compile(r"^(?:the\s+)?(?:log\s+)?template\s*(?:is\s*)?[:：]\s*",
                             re.IGNORECASE)
_PAIRS = {"'": "'", '"': '"', "`": "`", "‘": "’", "“": "”"}
_TRAILING = " \t.;,:!。；，"


def _unquote(text: str) -> str:
    """Quotes around the whole answer (and punctuation after them) removed, repeatedly:
    ``'normal';`` → ``normal``, ``"'<*> done'".`` → ``<*> done``. A quote that opens but
    never closes goes too; quotes inside the answer stay."""
    while True:
        text = text.strip().rstrip(_TRAILING)
        if len(text) < 1 or text[0] not in _PAIRS:
            return text
        close = _PAIRS[text[0]]
        if len(text) >= 2 and text.endswith(close):
            text = text[1:-1]
        elif close not in text[1:]:
            text = text[1:]
        else:
            return text


def _clean(text: str, *, strip_markup: bool) -> str:
    """Parsing keeps markup characters (templates hold ``*``) and drops only a "Template:"
    label; labels and summaries drop emphasis marks and any "Label:"-style prefix."""
    text = text.strip()
    if strip_markup:
        text = _LABEL.sub("", text.strip("*_` \t"))
    else:
        text = _TEMPLATE_LABEL.sub("", text)
    text = _unquote(text)
    if text and text[-1] in "'\"’”" and text.count(text[-1]) == 1:  # a stray closing quote
        text = text[:-1].rstrip(_TRAILING)
    return text


def _words(text: str) -> list[str]:
    """Lower-case alphanumeric tokens (rouge-score's default tokenizer, no stemming)."""
    return re.findall(r"[a-z0-9]+", text.lower())


_ABNORMAL_WORDS = {"abnormal", "anomalous", "anomaly", "anomalies", "abnormality"}
_NEGATIONS = {"not", "non", "no", "isn", "never"}


def _asks_yes_no(instruction: str) -> str | None:
    """Which label "yes" stands for when the instruction asks a yes/no question."""
    words = set(_words(_head(instruction)))
    if not {"yes", "no"} <= words:
        return None
    return ABNORMAL if words & _ABNORMAL_WORDS else (NORMAL if NORMAL in words else None)


def _anomaly_label(text: str, instruction: str) -> str:
    words = _words(text)
    labels = set()
    for n, word in enumerate(words):
        label = ABNORMAL if word in _ABNORMAL_WORDS else NORMAL if word == NORMAL else None
        if label and n and words[n - 1] in _NEGATIONS:
            label = NORMAL if label == ABNORMAL else ABNORMAL
        if label:
            labels.add(label)
    if len(labels) == 1:
        return labels.pop()
    if not labels and words and words[0] in ("yes", "no"):
        yes = _asks_yes_no(instruction)
        if yes:
            return yes if words[0] == "yes" else ({NORMAL, ABNORMAL} - {yes}).pop()
    return ""  # neither, or both ("'normal' or 'abnormal'" echoed back)


def fault_types(instruction: str) -> list[str]:
    """The fault types an instruction names in braces, in order, without repeats."""
    found = _BRACES.search(_head(instruction))
    if not found:
        return []
    types = [t.strip() for t in found.group(0)[1:-1].split(",")]
    return list(dict.fromkeys(t for t in types if t))


def _token_f1(candidate: list[str], reference: list[str]) -> float:
    overlap = sum((Counter(candidate) & Counter(reference)).values())
    return 2 * overlap / (len(candidate) + len(reference)) if overlap else 0.0


FAULT_MATCH_THRESHOLD = 0.5  # token F1 an answer needs with its closest fault type


def _fault_label(text: str, instruction: str) -> str:
    labels = fault_types(instruction) or list(FAULT_TYPES)
    answer = _words(text)
    if not answer:
        return ""
    spaced = f" {' '.join(answer)} "
    named = [label for label in labels if f" {' '.join(_words(label))} " in spaced]
    if named:  # exactly the type, or the type inside a sentence; two types: no answer
        return named[0] if len(named) == 1 else ""
    scores = [(_token_f1(answer, _words(label)), label) for label in labels]
    best = max(score for score, _ in scores)
    winners = [label for score, label in scores if score == best]
    return winners[0] if best >= FAULT_MATCH_THRESHOLD and len(winners) == 1 else ""


# --- label-constrained answers ----------------------------------------------------------

CLOSED_SET_TASKS = ("anomaly_detection", "fault_diagnosis")
CHOICE_MAX_NEW_TOKENS = 48  # the longest fault type is ~20 tokens; a line break or space before


def answer_choices(item: LogEvalItem) -> list[str] | None:
    """The labels a closed-set item's answer must be one of (``None`` for parsing and
    summarization): ``normal``/``abnormal``, or the fault types its instruction names."""
    if item.task == "anomaly_detection":
        return [NORMAL, ABNORMAL]
    if item.task == "fault_diagnosis":
        return fault_types(item.instruction) or list(FAULT_TYPES)
    return None


def choice_grammar(choices: list[str]) -> str:
    """A Lark grammar (for constrained decoding) whose only sentences are one of
    ``choices``, after at most one space or line break, the way a completion opens."""
    if not choices:
        raise ValueError("no choices")
    alternatives = " | ".join(json.dumps(choice) for choice in choices)
    return f"start: OPENING? ({alternatives})\nOPENING: /[ \\n]/\n"


def extract_answer(task: str, text: str, *, instruction: str = "") -> str:
    """The answer in a completion: the text after an "Answer:" cue if there is one (any
    case, anywhere) and before a :data:`STOP` string (the next few-shot example), with a
    leading "Template:"/"Summary:"-style label, surrounding quotes and trailing
    punctuation removed. Parsing and the labels read the first non-empty line;
    a summary joins its lines. Anomaly answers become ``normal``/``abnormal`` ("anomalous"
    counts, a negation flips, yes/no only when ``instruction`` asks a yes/no question);
    fault answers become the closest fault type named in ``instruction``'s braces (all
    LogEval types when it is empty). ``""`` when no label can be read. Idempotent: an
    extracted answer extracts to itself."""
    _choose("task", [task], TASKS)
    text = text or ""
    cue = _CUE.search(text)
    if cue:
        text = text[cue.end():]
    text = text.lstrip()
    text = text[:min([i for i in map(text.find, STOP) if i >= 0], default=len(text))]
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if task == "summarization":
        return _clean(" ".join(lines), strip_markup=True)
    line = lines[0] if lines else ""
    if task == "parsing":
        return _clean(line, strip_markup=False)
    line = _clean(line, strip_markup=True)
    if task == "anomaly_detection":
        return _anomaly_label(line, instruction)
    return _fault_label(line, instruction)


# --- metrics ---------------------------------------------------------------------------


def levenshtein(a: str, b: str) -> int:
    """Character edit distance (insertions, deletions, substitutions, each 1)."""
    start, end, shortest = 0, 0, min(len(a), len(b))  # a shared prefix and suffix cost nothing
    while start < shortest and a[start] == b[start]:
        start += 1
    while end < shortest - start and a[-1 - end] == b[-1 - end]:
        end += 1
    a, b = a[start:len(a) - end], b[start:len(b) - end]
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def normalized_edit_distance(a: str, b: str) -> float:
    """Levenshtein distance over the longer length: 0 same, 1 nothing in common."""
    longest = max(len(a), len(b))
    return levenshtein(a, b) / longest if longest else 0.0


def _lcs(a: list[str], b: list[str]) -> int:
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b, 1):
            current.append(previous[j - 1] + 1 if x == y else max(previous[j], current[j - 1]))
        previous = current
    return previous[-1]


def _f1(hits: int, predicted: int, relevant: int) -> float:
    return 2 * hits / (predicted + relevant) if hits else 0.0


def rouge1_f1(candidate: str, reference: str) -> float:
    """ROUGE-1 F1 on lower-case alphanumeric tokens (as rouge-score without stemming)."""
    c, r = _words(candidate), _words(reference)
    return _f1(sum((Counter(c) & Counter(r)).values()), len(c), len(r))


def rougeL_f1(candidate: str, reference: str) -> float:
    """ROUGE-L F1: longest common token subsequence, same tokens as :func:`rouge1_f1`."""
    c, r = _words(candidate), _words(reference)
    return _f1(_lcs(c, r), len(c), len(r))


def binary_f1(gold: list[str], predicted: list[str], positive: str = ABNORMAL) -> dict:
    """Precision, recall and F1 of ``positive``; all None when there is nothing to score
    (no gold and no predicted positives), 0 when positives exist but none is hit."""
    pairs = list(zip(gold, predicted, strict=True))
    hits = sum(g == p == positive for g, p in pairs)
    said = sum(p == positive for _, p in pairs)
    real = sum(g == positive for g, _ in pairs)
    if not said and not real:
        return {"precision": None, "recall": None, "f1": None}
    return {"precision": hits / said if said else 0.0, "recall": hits / real if real else 0.0,
            "f1": _f1(hits, said, real)}


def macro_f1(gold: list[str], predicted: list[str]) -> float | None:
    """Mean per-class F1 over the classes present in ``gold`` (a prediction of a class
    absent from the gold only costs the true class its recall). None for no items."""
    pairs = list(zip(gold, predicted, strict=True))
    classes = sorted(set(gold))
    if not classes:
        return None
    scores = [_f1(sum(g == p == c for g, p in pairs), sum(p == c for _, p in pairs),
                  sum(g == c for g, _ in pairs)) for c in classes]
    return sum(scores) / len(scores)


def template_form(text: str) -> str:
    """A template as compared: whitespace runs collapsed, ``<>`` read as ``<*>``, trailing
    ``.;,:!`` dropped."""
    return " ".join(text.replace("<>", "<*>").split()).rstrip(_TRAILING)


def _label_form(text: str) -> str:
    return " ".join(_words(text))


def score_item(item: LogEvalItem, answer: str) -> dict[str, float]:
    """Per-item verdicts. ``answer`` may be the raw completion or :func:`extract_answer`'s
    result (extraction is idempotent and is applied here with the item's instruction).

    parsing: ``exact`` 0/1, ``edit_distance`` (normalised), ``edit_chars`` (raw);
    anomaly_detection, fault_diagnosis: ``correct`` 0/1, ``answered`` 0/1;
    summarization: ``rouge1``, ``rougeL`` (F1)."""
    answer = extract_answer(item.task, answer, instruction=item.instruction)
    if item.task == "parsing":
        a, g = template_form(answer), template_form(item.gold)
        return {"exact": float(a == g), "edit_distance": normalized_edit_distance(a, g),
                "edit_chars": float(levenshtein(a, g))}
    if item.task == "summarization":
        gold = item.gold.strip()
        return {"rouge1": rouge1_f1(answer, gold), "rougeL": rougeL_f1(answer, gold)}
    correct = bool(answer) and _label_form(answer) == _label_form(item.gold)
    return {"correct": float(correct), "answered": float(bool(answer))}


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def _metrics(task: str, items: list[LogEvalItem], answers: list[str]) -> dict:
    verdicts = [score_item(i, a) for i, a in zip(items, answers)]
    if task == "parsing":
        return {"accuracy": _mean([v["exact"] for v in verdicts]),
                "edit_distance": _mean([v["edit_distance"] for v in verdicts]),
                "edit_chars": _mean([v["edit_chars"] for v in verdicts])}
    if task == "summarization":
        return {"rouge1": _mean([v["rouge1"] for v in verdicts]),
                "rougeL": _mean([v["rougeL"] for v in verdicts])}
    labels = [_label_form(extract_answer(task, a, instruction=i.instruction))
              for i, a in zip(items, answers)]
    gold = [_label_form(i.gold) for i in items]
    shared = {"accuracy": _mean([v["correct"] for v in verdicts]),
              "answered": _mean([v["answered"] for v in verdicts])}
    if task == "anomaly_detection":
        return {**binary_f1(gold, labels), **shared}
    return {**shared, "macro_f1": macro_f1(gold, labels)}


def summarize(items: list[LogEvalItem], answers: list[str]) -> dict:
    """Scores per ``"<task>/<prompt set>"`` (TASKS, PROMPT_SETS order): the task's metrics,
    ``n``, ``by_wording`` ({wording: MAIN_METRIC value}, None where undefined: anomaly F1
    on a wording with no gold and no predicted ``abnormal``), and ``wording_mean`` and
    ``wording_std`` (population) over the defined per-wording values (None if none).
    ``answers`` align with ``items``; raw completions or extracted answers."""
    if len(items) != len(answers):
        raise ValueError(f"{len(items)} items but {len(answers)} answers")
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for n, item in enumerate(items):
        groups[item.task, item.prompt_set].append(n)
    report: dict[str, dict] = {}
    for task in TASKS:
        for prompt_set in PROMPT_SETS:
            members = groups.get((task, prompt_set))
            if not members:
                continue
            main = MAIN_METRIC[task]
            by_wording: dict[int, float | None] = {}
            for wording in sorted({items[n].wording for n in members}):
                chosen = [n for n in members if items[n].wording == wording]
                by_wording[wording] = _metrics(task, [items[n] for n in chosen],
                                               [answers[n] for n in chosen])[main]
            defined = [v for v in by_wording.values() if v is not None]
            report[f"{task}/{prompt_set}"] = {
                **_metrics(task, [items[n] for n in members], [answers[n] for n in members]),
                "n": len(members),
                "by_wording": by_wording,
                "wording_mean": statistics.fmean(defined) if defined else None,
                "wording_std": statistics.pstdev(defined) if defined else None,
            }
    return report
