"""The NL2QL and NL2QL-exec suites: their test items, the gold answers, and the verdict
on one prediction.

Gold and predicted queries run on the sample store as the reference Loki ran them
(``docs/sample-store.md``): a metric query as an instant query at the store's end + 1 s,
a log query over the 30 days before it, without a line limit. Our engine's gold answers
are cross-checked against real Loki's stored responses where we have them: NL2QL's in
``shared/data/conformance/nl2ql_on_sample_store.loki.json`` (read where it lies, not
shipped), NL2QL-exec's in ``data/nl2ql-exec/*.jsonl``. A gold query that does not parse,
that Loki rejects, that fails to run or whose answer differs from Loki's is a *gold
problem*: listed with its reason and left out of exact match and execution scores.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from nl2logql import datasets
from nl2logql.engine.backend import Backend, with_timeout
from nl2logql.errors import Nl2LogQLError, QueryError
from nl2logql.evaluation import metrics
from nl2logql.evaluation.features import features
from nl2logql.logql import ast
from nl2logql.logql.parser import parse
from nl2logql.logql.printer import format_ast

SUITES = ("nl2ql", "exec")
SYSTEM_NAMES = {"openssh": "OpenSSH", "openstack": "OpenStack", "hdfs": "HDFS"}
REFERENCE_ENV = "NL2LOGQL_LOKI_REFERENCE"
REFERENCE_NAME = "nl2ql_on_sample_store.loki.json"
RUN_TIMEOUT = 10.0


@dataclass
class EvalItem:
    """One test question, its gold query and what the gold query returns."""

    id: str
    suite: str                       # "nl2ql" | "exec"
    system: str                      # "OpenSSH" | "OpenStack" | "HDFS"
    question: str
    gold: str
    gold_kind: str | None = None     # "metric" | "log", when the gold parses
    features: list[str] = field(default_factory=list)
    gold_status: str = "ok"          # "ok" | "invalid" | "run_error" | "differs_from_loki"
    gold_error: str | None = None
    informative: bool = False        # the gold returns data
    gold_rows: int | None = None     # series or lines the gold returns
    reference: str = "absent"        # real Loki's stored answer: "match" | "differs" | "rejected" | "absent"
    applications: list[str] = field(default_factory=list)  # the `application` values the gold selects
    gold_data: dict | None = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        del data["gold_data"]
        return data


# ---- running queries --------------------------------------------------------------------------

def run_query(backend: Backend, query: str, kind: str,
              timeout: float = RUN_TIMEOUT) -> tuple[dict | None, str | None, float]:
    """(data, one-line error, seconds): a metric query as an instant query, a log query
    over the default range with no line limit, stopped after ``timeout`` seconds."""
    call = (lambda: backend.query(query)) if kind == "metric" else (lambda: backend.query_range(query))
    started = time.perf_counter()
    try:
        return with_timeout(call, timeout), None, time.perf_counter() - started
    except Nl2LogQLError as error:
        return None, _one_line(error), time.perf_counter() - started
    except Exception as error:  # an engine bug must not end a long run; it is recorded
        return None, f"{type(error).__name__}: {_one_line(error)}", time.perf_counter() - started


def applications(backend: Backend, expr: ast.Node) -> list[str]:
    """The ``application`` values of the streams the query's selectors select."""
    found: set[str] = set()
    for selector in expr.find_all(ast.Selector):
        for labels in backend.series([format_ast(selector)]):
            if "application" in labels:
                found.add(labels["application"])
    return sorted(found)


def _one_line(error: BaseException) -> str:
    text = error.headline() if isinstance(error, QueryError) else str(error)
    return text.strip().split("\n", 1)[0] or type(error).__name__


# ---- real Loki's stored answers ---------------------------------------------------------------

def reference_path() -> Path | None:
    """Where real Loki's NL2QL answers lie: ``$NL2LOGQL_LOKI_REFERENCE``, else the shared
    data folder beside the project (``../shared/data/conformance/``), if it is there."""
    explicit = os.environ.get(REFERENCE_ENV)
    if explicit:
        return Path(explicit).expanduser()
    project = Path(__file__).resolve().parents[2]
    candidate = project.parent / "shared" / "data" / "conformance" / REFERENCE_NAME
    return candidate if candidate.is_file() else None


def load_nl2ql_reference(path: Path | None = None) -> dict[str, dict]:
    """{pair id (``nl2ql-<n>``): Loki's case}; empty when the file is not at hand."""
    path = path or reference_path()
    if path is None or not Path(path).is_file():
        return {}
    cases = json.loads(Path(path).read_text(encoding="utf-8"))
    return {f"nl2ql-{case['id']}": case for case in cases}


def load_exec_reference() -> dict[str, dict]:
    """{NL2QL-exec id: {"data": its stored Loki answer}}."""
    directory = datasets.data_root() / datasets.EXEC_DIR
    found = {}
    for path in sorted(directory.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                found[row["id"]] = {"data": row.get("loki")}
    return found


def same_as_loki(ours: dict, loki: dict) -> bool:
    """Our answer equals Loki's (a big log answer is stored as a line count and newest line)."""
    if "lines" in loki:
        if ours.get("resultType") != "streams":
            return False
        values = [v for stream in ours["result"] for v in stream["values"]]
        newest = max(values, key=lambda v: int(v[0]))[1] if values else None
        return len(values) == loki["lines"] and newest == loki.get("newest")
    if ours.get("resultType") != loki.get("resultType"):
        return False
    if loki["resultType"] == "streams":
        return metrics.entries(ours) == metrics.entries(loki)
    return metrics.same_series(loki, ours)


# ---- items ----------------------------------------------------------------------------------

def load_items(suite: str, split: str, backend: Backend, *, timeout: float = RUN_TIMEOUT,
               reference: dict[str, dict] | None = None, side: str = "test") -> list[EvalItem]:
    """The items of ``suite`` ("nl2ql": the split's NL2QL test or validation ``side``;
    "exec": NL2QL-exec's fixed test side, or under a leave-out split the held-out system's
    train-side pairs, :func:`datasets.exec_validation`), each with its gold
    answer on ``backend`` and checked against ``reference`` ({id: Loki's answer}; default:
    the stored ones)."""
    if suite not in SUITES:
        raise Nl2LogQLError(f"unknown suite {suite!r} (known: {', '.join(SUITES)})")
    if side not in datasets.SCORED_SIDES:
        raise Nl2LogQLError(f"{suite} has no {side!r} side")
    chosen = datasets.load_split(split)
    if suite == "exec":
        pairs = chosen.exec_test if side == "test" else datasets.exec_validation(chosen)
    else:
        pairs = chosen.test if side == "test" else chosen.validation
    if reference is None:
        reference = _nl2ql_answers() if suite == "nl2ql" else load_exec_reference()
    items = []
    for pair in pairs:
        answer = reference.get(pair.id) or {}
        items.append(gold_item(pair, suite, backend, loki_data=answer.get("data"),
                               loki_error=answer.get("error"), timeout=timeout))
    return items


def _nl2ql_answers() -> dict[str, dict]:
    """NL2QL's reference cases as {id: {"data": ..., "error": Loki's parse error}}."""
    return {pair_id: {"data": case.get("data"), "error": case.get("loki_parse_error")}
            for pair_id, case in load_nl2ql_reference().items()}


def gold_item(pair: datasets.Pair, suite: str, backend: Backend, *, loki_data: dict | None = None,
              loki_error: str | None = None, timeout: float = RUN_TIMEOUT) -> EvalItem:
    """An item with its gold query parsed, run, and checked against real Loki's answer
    ``loki_data`` (or its parse error ``loki_error``); both None when there is none."""
    item = EvalItem(pair.id, suite, SYSTEM_NAMES.get(pair.system.lower(), pair.system or "?"),
                    pair.question, pair.logql)
    if loki_error:
        item.reference = "rejected"
    try:
        expr = parse(pair.logql)
    except QueryError as error:
        item.gold_status, item.gold_error = "invalid", f"does not parse: {error.headline()}"
        if loki_error:
            item.gold_error += f" (Loki: {loki_error})"
        return item
    item.gold_kind, item.features = ast.kind(expr), features(expr)
    item.applications = applications(backend, expr)
    if loki_error:
        item.gold_status, item.gold_error = "invalid", f"real Loki rejects it: {loki_error}"
        return item
    data, error, _ = run_query(backend, pair.logql, item.gold_kind, timeout)
    if data is None:
        item.gold_status, item.gold_error = "run_error", f"fails on the sample store: {error}"
        return item
    item.gold_data = data
    item.informative = not metrics.is_empty(data)
    item.gold_rows = (1 if data["resultType"] == "scalar" else
                      sum(len(s["values"]) for s in data["result"]) if data["resultType"] == "streams"
                      else len(data["result"]))
    if loki_data is not None:
        if same_as_loki(data, loki_data):
            item.reference = "match"
        else:
            item.reference, item.gold_status = "differs", "differs_from_loki"
            item.gold_error = "our engine's answer differs from real Loki's stored answer"
    return item


# ---- one prediction -----------------------------------------------------------------------------

def score(item: EvalItem, prediction: str | None, backend: Backend, *,
          timeout: float = RUN_TIMEOUT) -> tuple[dict[str, Any], float]:
    """(verdicts, seconds spent running the prediction) for ``prediction`` on ``item``.

    Verdicts: ``syntax_valid``, ``valid`` (Loki's semantic checks too), ``pred_kind``,
    and for a usable gold: ``exact``, ``ran``/``run_error``, ``same_series`` (metric) or
    ``precision``/``recall``/``f1`` (log), ``same_applications`` and ``exec`` (the
    execution score; in NL2QL-exec it also needs the same applications as the gold).
    """
    verdicts: dict[str, Any] = {"syntax_valid": False, "valid": False, "pred_kind": None}
    expr = None
    text = (prediction or "").strip()
    if text:
        try:
            parse(text, check=False)
            verdicts["syntax_valid"] = True
            expr = parse(text)
            verdicts["valid"] = True
            verdicts["pred_kind"] = ast.kind(expr)
        except QueryError as error:
            if error.kind == "semantic error":
                verdicts["syntax_valid"] = True
            verdicts["error"] = error.headline()
    if item.gold_status != "ok":
        return verdicts, 0.0
    verdicts["exact"] = expr is not None and metrics.exact_match(text, item.gold)
    data, seconds = None, 0.0
    if expr is not None:
        data, run_error, seconds = run_query(backend, text, verdicts["pred_kind"], timeout)
        verdicts["ran"], verdicts["run_error"] = data is not None, run_error
    verdicts.update(metrics.execution_verdict(item.gold_kind, item.gold_data, data))
    same_apps = expr is not None and applications(backend, expr) == item.applications
    verdicts["same_applications"] = same_apps
    if item.suite == "exec" and not same_apps:
        verdicts["exec"] = 0.0  # every deployment holds the same lines: the wrong one must not score
    return verdicts, seconds
