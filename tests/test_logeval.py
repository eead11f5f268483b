"""LogEval task module: data, answer extraction, metrics (no model)."""

from __future__ import annotations

import importlib.util
import json
import math
from collections import Counter
from pathlib import Path

import pytest

from nl2logql.errors import DataError
from nl2logql.evaluation.logeval import (CHOICE_MAX_NEW_TOKENS, FAULT_TYPES, MAIN_METRIC,
                                         MAX_NEW_TOKENS, PROMPT_SETS, PUBLISHED, STOP, TASKS,
                                         LogEvalItem, answer_choices, binary_f1, build_prompt,
                                         choice_grammar, extract_answer, fault_types, levenshtein,
                                         load_items, macro_f1, normalized_edit_distance,
                                         rouge1_f1, rougeL_f1, sample_dir, score_item, summarize,
                                         template_form, wording_key)

ROOT = Path(__file__).resolve().parents[1]
FULL = ROOT.parent / "shared" / "data" / "logeval"  # the full sets, where this checkout has them
needs_full = pytest.mark.skipif(not FULL.is_dir(), reason="full LogEval sets not present")

FAULTS_3 = ("In our data scenario, there are three types of faults {Processor CPU Caterr,Memory "
            "Throttled Uncorrectable Error Correcting Code,Hard Disk Drive Control Error Computer "
            "System Bus Short Circuit Programmable Gate Array Device Unknown}. Analyze the log "
            "entry and identify the type of fault that occurred. Only output the fault type.")
FAULTS_5 = ("In our data scenario, there are five types of faults {Mirror does not specify output,"
            "Operational port down,Management port down,Virtual Machine Startup Failure,Virtual "
            "Machine Startup Failure}. Analyze the log entry and identify the type of fault that "
            "occurred. Only output the fault type.")
ANOMALY = ("Please review the log entry and explicitly mark it as 'normal' or 'abnormal', only "
           "output 'normal' or 'abnormal'")
YES_NO = "Is the following log entry abnormal? Answer yes or no."


def item(task="parsing", gold="", wording=0, instruction="", prompt_set="zero-shot", n=0):
    return LogEvalItem(id=f"{task}/{prompt_set}/{n}", task=task, prompt_set=prompt_set,
                       wording=wording, instruction=instruction,
                       input="\nlog entry:\nsomething", gold=gold)


# ---- answer extraction -------------------------------------------------------------------

EXTRACTION = [
    # anomaly detection
    ("anomaly_detection", "normal", "", "normal"),
    ("anomaly_detection", " 'abnormal';", "", "abnormal"),
    ("anomaly_detection", ' "Normal".', "", "normal"),
    ("anomaly_detection", "ABNORMAL", "", "abnormal"),
    ("anomaly_detection", "Answer: abnormal", "", "abnormal"),
    ("anomaly_detection", "Let me look.\nanswer : 'normal'", "", "normal"),
    ("anomaly_detection", "The log entry is anomalous.", "", "abnormal"),
    ("anomaly_detection", "an anomaly", "", "abnormal"),
    ("anomaly_detection", "not normal", "", "abnormal"),
    ("anomaly_detection", "not abnormal", "", "normal"),
    ("anomaly_detection", "**Abnormal**", "", "abnormal"),
    ("anomaly_detection", "\n\n  `normal`", "", "normal"),
    ("anomaly_detection", "normal\nabnormal", "", "normal"),  # first line only
    ("anomaly_detection", "'normal' or 'abnormal'", ANOMALY, ""),  # the options echoed
    ("anomaly_detection", "abnormality", "", "abnormal"),
    ("anomaly_detection", "abnormally", "", ""),  # not a label word
    ("anomaly_detection", "yes", ANOMALY, ""),  # the instruction asks for a label
    ("anomaly_detection", "Yes.", YES_NO, "abnormal"),
    ("anomaly_detection", "no", YES_NO, "normal"),
    ("anomaly_detection", "", "", ""),
    ("anomaly_detection", "   \n ", "", ""),
    ("anomaly_detection", "<*> error <*>", "", ""),
    ("anomaly_detection", "Result: normal", "", "normal"),
    # fault diagnosis, against the instruction's types
    ("fault_diagnosis", " 'Processor CPU Caterr';", FAULTS_3, "Processor CPU Caterr"),
    ("fault_diagnosis", "processor cpu caterr", FAULTS_3, "Processor CPU Caterr"),
    ("fault_diagnosis", "Fault type: Management port down.", FAULTS_5, "Management port down"),
    ("fault_diagnosis", "The fault is Management port down", FAULTS_5, "Management port down"),
    ("fault_diagnosis", "management port is down", FAULTS_5, "Management port down"),
    ("fault_diagnosis", "Memory Throttled Uncorrectable ECC", FAULTS_3,
     "Memory Throttled Uncorrectable Error Correcting Code"),
    ("fault_diagnosis", "port down", FAULTS_5, ""),  # tie between two types
    ("fault_diagnosis", "Operational port down or Management port down", FAULTS_5, ""),
    ("fault_diagnosis", "CPU error", FAULTS_3, ""),  # too far from any type
    ("fault_diagnosis", "Management port down", FAULTS_3, ""),  # not a type of this item
    ("fault_diagnosis", "Virtual Machine Port Down", "", "Virtual Machine Port Down"),  # all types
    ("fault_diagnosis", "%%%", FAULTS_5, ""),
    # parsing: the template, first line, outer quotes and trailing punctuation gone
    ("parsing", " '<*> tree receiver <*> in re-synch state';", "",
     "<*> tree receiver <*> in re-synch state"),
    ("parsing", " '... autorun DONE.'.\nlog entry:\nmore", "", "... autorun DONE"),
    ("parsing", "Answer: probe of vesafb0 failed with error <*>", "",
     "probe of vesafb0 failed with error <*>"),
    ("parsing", "Template: 'connection lost: 'Connection closed.''", "",
     "connection lost: 'Connection closed.'"),
    ("parsing", "connection lost: 'Connection closed.'", "",
     "connection lost: 'Connection closed.'"),
    ("parsing", "'<*>' not found", "", "'<*>' not found"),  # a quote inside stays
    ("parsing", "“instruction cache parity error corrected”", "",
     "instruction cache parity error corrected"),
    ("parsing", "'unclosed <*>", "", "unclosed <*>"),
    ("parsing", "[ib_sm_sweep.c:<*>]: *** NEW SWEEP ***", "",
     "[ib_sm_sweep.c:<*>]: *** NEW SWEEP ***"),
    ("parsing", "\n\n", "", ""),
    # summarization: the lines joined
    ("summarization", " 'error interrupt; instruction cache parity error corrected;'", "",
     "error interrupt; instruction cache parity error corrected"),
    ("summarization", "Summary: a;\nb;", "", "a; b"),
    ("summarization", "'a; b;'\nlog:\n['x', 'y']", "", "a; b"),
    ("summarization", "a;\n\nThese logs show b.", "", "a"),
]


@pytest.mark.parametrize("task, text, instruction, expected", EXTRACTION)
def test_extract_answer(task, text, instruction, expected):
    assert extract_answer(task, text, instruction=instruction) == expected


@pytest.mark.parametrize("task, text, instruction, expected", EXTRACTION)
def test_extraction_is_idempotent(task, text, instruction, expected):
    assert extract_answer(task, expected, instruction=instruction) == expected


def test_extract_answer_rejects_an_unknown_task():
    with pytest.raises(DataError, match=r"unknown LogEval task 'qa' \(valid: parsing, "):
        extract_answer("qa", "x")


@pytest.mark.parametrize("instruction, expected", [
    (FAULTS_3, ["Processor CPU Caterr", "Memory Throttled Uncorrectable Error Correcting Code",
                FAULT_TYPES[2]]),
    (FAULTS_5, ["Mirror does not specify output", "Operational port down",
                "Management port down", "Virtual Machine Startup Failure"]),  # repeat dropped
    (FAULTS_3 + "\nFor Example:\nlog entry:\n{x}\nanswer:'Processor CPU Caterr'",
     ["Processor CPU Caterr", "Memory Throttled Uncorrectable Error Correcting Code",
      FAULT_TYPES[2]]),
    ("no braces here", []),
    ("{ , }", []),
])
def test_fault_types_come_from_the_braces(instruction, expected):
    assert fault_types(instruction) == expected


def test_wording_key_ignores_examples_fault_lists_and_counts():
    assert wording_key(ANOMALY + "\nFor example:\nlog entry:\nx,\nanswer:'normal'.") == \
        wording_key(ANOMALY)
    assert wording_key(FAULTS_3) == wording_key(FAULTS_5)
    assert wording_key(FAULTS_3) != wording_key(FAULTS_3.replace("Analyze", "Review"))


# ---- metrics -----------------------------------------------------------------------------

@pytest.mark.parametrize("a, b, distance, normalized", [
    ("kitten", "sitting", 3, 3 / 7),
    ("", "abc", 3, 1.0),
    ("abc", "", 3, 1.0),
    ("", "", 0, 0.0),
    ("same", "same", 0, 0.0),
    ("ab", "ba", 2, 1.0),
    ("<*> done", "<*> done.", 1, 1 / 9),
    ("abab", "ab", 2, 0.5),
    ("xaaax", "xax", 2, 0.4),
    ("flaw", "lawn", 2, 0.5),
])
def test_edit_distance(a, b, distance, normalized):
    assert levenshtein(a, b) == distance == levenshtein(b, a)
    assert normalized_edit_distance(a, b) == pytest.approx(normalized)


@pytest.mark.parametrize("candidate, reference, r1, rl", [
    ("the cat sat", "the cat sat on the mat", 2 * 3 / 9, 2 * 3 / 9),
    ("the mat the cat", "the cat sat on the mat", 8 / 10, 4 / 10),
    ("Error; Interrupt.", "error interrupt;", 1.0, 1.0),
    ("interrupt error", "error interrupt", 1.0, 0.5),
    ("", "error interrupt", 0.0, 0.0),
    ("error", "", 0.0, 0.0),
    ("abc", "xyz", 0.0, 0.0),
])
def test_rouge(candidate, reference, r1, rl):
    assert rouge1_f1(candidate, reference) == pytest.approx(r1)
    assert rougeL_f1(candidate, reference) == pytest.approx(rl)


@pytest.mark.parametrize("gold, predicted, expected", [
    ("aaNN", "aNaN", {"precision": 0.5, "recall": 0.5, "f1": 0.5}),
    ("aaNN", "aaNN", {"precision": 1.0, "recall": 1.0, "f1": 1.0}),
    ("aaNN", "NNNN", {"precision": 0.0, "recall": 0.0, "f1": 0.0}),  # positives never said
    ("NNNN", "aNNN", {"precision": 0.0, "recall": 0.0, "f1": 0.0}),  # no gold positives
    ("NNNN", "NNNN", {"precision": None, "recall": None, "f1": None}),  # nothing to score
    ("aN", "xx", {"precision": 0.0, "recall": 0.0, "f1": 0.0}),  # unanswered is negative
])
def test_binary_f1(gold, predicted, expected):
    label = {"a": "abnormal", "N": "normal", "x": ""}
    assert binary_f1([label[g] for g in gold], [label[p] for p in predicted]) == \
        pytest.approx(expected)


@pytest.mark.parametrize("gold, predicted, expected", [
    ("xxyy", "xyyy", (2 / 3 + 4 / 5) / 2),
    ("xxy", "xxz", (1.0 + 0.0) / 2),  # z absent from the gold: only y's recall suffers
    ("xxy", "xx-", 0.5),  # unanswered
    ("xy", "yx", 0.0),
    ("xyz", "xyz", 1.0),
    ("", "", None),
])
def test_macro_f1(gold, predicted, expected):
    result = macro_f1(list(gold), list(predicted))
    assert result == (pytest.approx(expected) if expected is not None else None)


@pytest.mark.parametrize("text, form", [
    ("a  <*>\tb.", "a <*> b"),
    ("mark <> and <>;", "mark <*> and <*>"),
    ("ends with ')'", "ends with ')'"),
])
def test_template_form(text, form):
    assert template_form(text) == form


# ---- per-item scores -------------------------------------------------------------------

@pytest.mark.parametrize("gold, completion, verdict", [
    ("... autorun DONE.", " '... autorun DONE.';", {"exact": 1.0, "edit_distance": 0.0}),
    ("... autorun DONE.", "... autorun DONE", {"exact": 1.0, "edit_distance": 0.0}),
    ("error <*>", "error  <>", {"exact": 1.0, "edit_distance": 0.0}),
    ("error <*>", "error 42", {"exact": 0.0, "edit_distance": 3 / 9, "edit_chars": 3.0}),
    ("error <*>", "", {"exact": 0.0, "edit_distance": 1.0, "edit_chars": 9.0}),
])
def test_score_parsing(gold, completion, verdict):
    scored = score_item(item("parsing", gold), completion)
    assert set(scored) == {"exact", "edit_distance", "edit_chars"}
    assert {k: scored[k] for k in verdict} == pytest.approx(verdict)


@pytest.mark.parametrize("task, gold, instruction, completion, correct, answered", [
    ("anomaly_detection", "abnormal", ANOMALY, " 'abnormal';", 1.0, 1.0),
    ("anomaly_detection", "normal", ANOMALY, "abnormal", 0.0, 1.0),
    ("anomaly_detection", "normal", ANOMALY, "no idea", 0.0, 0.0),
    ("fault_diagnosis", "Management port down", FAULTS_5, "management port is down", 1.0, 1.0),
    ("fault_diagnosis", "Management port down", FAULTS_5, "Operational port down", 0.0, 1.0),
    ("fault_diagnosis", "Processor CPU Caterr", FAULTS_3, "port down", 0.0, 0.0),
])
def test_score_labels(task, gold, instruction, completion, correct, answered):
    assert score_item(item(task, gold, instruction=instruction), completion) == \
        {"correct": correct, "answered": answered}


def test_score_summary():
    scored = score_item(item("summarization", "error interrupt; parity error corrected; "),
                        "Summary: error interrupt")
    assert scored == pytest.approx({"rouge1": 2 * 2 / (2 + 5), "rougeL": 2 * 2 / (2 + 5)})


# ---- summaries ---------------------------------------------------------------------------

def test_summarize_parsing_by_wording():
    items = [item("parsing", "a <*>", wording=w, n=n) for n, w in enumerate([0, 0, 1, 1, 2])]
    answers = ["a <*>", "a <*>", "a <*>", "b", "a <*>."]
    report = summarize(items, answers)
    assert list(report) == ["parsing/zero-shot"]
    scores = report["parsing/zero-shot"]
    assert scores["n"] == 5 and scores["accuracy"] == pytest.approx(0.8)
    assert scores["by_wording"] == {0: 1.0, 1: 0.5, 2: 1.0}
    assert scores["wording_mean"] == pytest.approx(2.5 / 3)
    assert scores["wording_std"] == pytest.approx(math.sqrt(((1 / 6) ** 2 * 2 + (1 / 3) ** 2) / 3))
    assert scores["edit_chars"] == pytest.approx(5 / 5)  # "b" vs "a <*>": 5 edits


def test_summarize_anomaly_skips_wordings_with_nothing_to_score():
    golds = ["abnormal", "normal", "normal", "normal"]
    items = [item("anomaly_detection", g, wording=w, instruction=ANOMALY, n=n)
             for n, (g, w) in enumerate(zip(golds, [0, 0, 1, 1]))]
    scores = summarize(items, ["abnormal", "abnormal", "normal", "'normal' or 'abnormal'"])[
        "anomaly_detection/zero-shot"]
    assert scores["f1"] == pytest.approx(2 / 3) and scores["precision"] == 0.5
    assert scores["recall"] == 1.0
    assert scores["accuracy"] == 0.5 and scores["answered"] == 0.75
    assert scores["by_wording"] == {0: pytest.approx(2 / 3), 1: None}
    assert scores["wording_mean"] == pytest.approx(2 / 3) and scores["wording_std"] == 0.0


def test_summarize_fault_and_summary_sets_in_canonical_order():
    fault = [item("fault_diagnosis", g, wording=w, instruction=FAULTS_5, prompt_set="few-shot", n=n)
             for n, (g, w) in enumerate([("Management port down", 0), ("Operational port down", 1),
                                          ("Management port down", 1)])]
    summary = [item("summarization", "error interrupt;", n=9)]
    report = summarize(summary + fault, ["error interrupt", "Management port down",
                                         "Management port down", "nothing"])
    assert list(report) == ["fault_diagnosis/few-shot", "summarization/zero-shot"]
    scores = report["fault_diagnosis/few-shot"]
    assert scores["accuracy"] == pytest.approx(1 / 3)
    assert scores["macro_f1"] == pytest.approx((0.5 + 0.0) / 2)  # Management: P 1/2, R 1/2
    assert scores["by_wording"] == {0: 1.0, 1: 0.0} and scores["wording_std"] == 0.5
    assert report["summarization/zero-shot"]["rouge1"] == 1.0


def test_summarize_needs_one_answer_per_item():
    with pytest.raises(ValueError, match="2 items but 1 answers"):
        summarize([item(), item()], ["x"])


def test_tables_cover_every_task():
    assert set(MAX_NEW_TOKENS) == set(MAIN_METRIC) == set(PUBLISHED) == set(TASKS)
    assert all(set(PUBLISHED[t]) == set(PROMPT_SETS) for t in TASKS)
    assert MAX_NEW_TOKENS["anomaly_detection"] < MAX_NEW_TOKENS["parsing"]


# ---- the shipped sample ------------------------------------------------------------------

@pytest.fixture(scope="module")
def sample():
    return load_items()


def test_sample_counts_and_wordings(sample):
    assert len(sample) == 1600 and len({i.id for i in sample}) == 1600
    per_set = Counter((i.task, i.prompt_set) for i in sample)
    assert per_set == {(t, s): 200 for t in TASKS for s in PROMPT_SETS}
    for task in TASKS:
        for prompt_set in PROMPT_SETS:
            counts = Counter(i.wording for i in sample
                             if (i.task, i.prompt_set) == (task, prompt_set))
            assert sorted(counts) == list(range(15)) and set(counts.values()) == {13, 14}
    # upstream cycles the wordings (item i uses wording i % 15): the sample numbers them alike
    assert all(i.wording == int(i.id.rsplit("/", 1)[1]) % 15 for i in sample)


def test_sample_pairs_zero_and_few_shot(sample):
    for task in TASKS:
        ids = {s: [i.id.rsplit("/", 1)[1] for i in sample if (i.task, i.prompt_set) == (task, s)]
               for s in PROMPT_SETS}
        assert ids["zero-shot"] == ids["few-shot"]


def test_sample_content(sample):
    anomaly = Counter(i.gold for i in sample if i.task == "anomaly_detection")
    assert set(anomaly) == {"normal", "abnormal"} and anomaly["abnormal"] >= 10
    faults = {i.gold for i in sample if i.task == "fault_diagnosis"}
    assert faults <= set(FAULT_TYPES) and len(faults) >= 7
    assert all(i.gold in fault_types(i.instruction) for i in sample if i.task == "fault_diagnosis")
    few = [i for i in sample if i.prompt_set == "few-shot"]
    assert all("for example" in i.instruction.lower() for i in few)


def test_sample_is_small_and_documented():
    folder = sample_dir()
    assert sum(p.stat().st_size for p in folder.iterdir()) < 3_000_000
    assert (folder / "UPSTREAM_README.md").is_file()
    assert "make_logeval_sample.py" in (folder / "README.md").read_text()


def test_build_prompt(sample):
    first = next(i for i in sample if i.task == "parsing" and i.prompt_set == "zero-shot")
    prompt = build_prompt(first)
    assert prompt.startswith(first.instruction.strip())
    assert prompt.endswith(f"\nlog entry:\n{first.input.strip().split(chr(10), 1)[1]}\nAnswer:")
    assert "\n\n" not in prompt
    tail = prompt[len(first.instruction):]
    assert not any(stop in tail for stop in STOP if stop != "\nlog entry:")


@pytest.mark.parametrize("style", ["{}", " '{}';", "Answer: \"{}\".\nlog entry:"])
def test_gold_answers_score_perfectly(sample, style):
    report = summarize(sample, [style.format(i.gold) for i in sample])
    for key, scores in report.items():
        main = scores[MAIN_METRIC[key.split("/")[0]]]
        assert main == 1.0 and scores["wording_std"] == 0.0, key
        assert scores.get("edit_distance", 0.0) == 0.0 and scores.get("macro_f1", 1.0) == 1.0


def test_limit_is_stratified_and_seeded():
    items = load_items(tasks=["parsing"], prompt_sets=["zero-shot"], limit=30, seed=3)
    assert len(items) == 30 and Counter(i.wording for i in items) == {w: 2 for w in range(15)}
    assert items == load_items(tasks=["parsing"], prompt_sets=["zero-shot"], limit=30, seed=3)
    assert items != load_items(tasks=["parsing"], prompt_sets=["zero-shot"], limit=30, seed=4)
    few = load_items(tasks=["parsing"], prompt_sets=["few_shot"], limit=30, seed=3)
    assert [i.id.rsplit("/", 1)[1] for i in few] == [i.id.rsplit("/", 1)[1] for i in items]
    seven = load_items(tasks="anomaly_detection", prompt_sets=["zero-shot"], limit=7)
    assert len({i.wording for i in seven}) == 7
    assert len(load_items(tasks=["summarization"], limit=500)) == 400  # all there is


@pytest.mark.parametrize("tasks, prompt_sets, count", [
    (["fault_diagnosis"], None, 400),
    (["summarization", "parsing"], ["few-shot"], 400),
    (None, ["zero-shot"], 800),
])
def test_load_items_filters(tasks, prompt_sets, count):
    items = load_items(tasks=tasks, prompt_sets=prompt_sets)
    assert len(items) == count
    order = [(TASKS.index(i.task), PROMPT_SETS.index(i.prompt_set)) for i in items]
    assert order == sorted(order)


# ---- errors ------------------------------------------------------------------------------

def write_set(folder: Path, text: str, name="parsing.zero_shot.json") -> Path:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize("text, message", [
    ('[{"id": 0, "instruction": "x", ', "not valid JSON (line 1, column"),
    ('{"id": 0}', "expected a non-empty JSON list of items"),
    ("[]", "expected a non-empty JSON list of items"),
    ('["item"]', "item 0 is not an object"),
    ('[{"id": 0, "instruction": "x", "input": "y"}]', "item 0 lacks output"),
    ('[{"id": 0, "instruction": "x", "input": 3, "output": "z"}]', "item 0 has a non-text input"),
    ('[{"id": null, "instruction": "x", "input": "y", "output": "z"}]', "non-text id"),
    ('[{"id": 1, "instruction": "x", "input": "y", "output": "z"},'
     ' {"id": 1, "instruction": "x", "input": "y", "output": "z"}]', "item 1 repeats id 1"),
])
def test_malformed_file_is_a_one_line_data_error(tmp_path, text, message):
    folder = write_set(tmp_path / "set", text)
    with pytest.raises(DataError) as caught:
        load_items(folder, tasks=["parsing"], prompt_sets=["zero-shot"])
    assert str(caught.value).startswith(str(folder / "parsing.zero_shot.json") + ": ")
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_missing_file_and_folder(tmp_path):
    folder = write_set(tmp_path / "set", '[{"id": 0, "instruction": "x", "input": "y", '
                                         '"output": "z"}]')
    assert len(load_items(folder, tasks=["parsing"], prompt_sets=["zero-shot"])) == 1
    with pytest.raises(DataError, match=r"parsing\.few_shot\.json: no such file$"):
        load_items(folder, tasks=["parsing"])
    with pytest.raises(DataError, match="nowhere: no such folder"):
        load_items(tmp_path / "nowhere")


@pytest.mark.parametrize("kwargs, message", [
    ({"tasks": ["parsing", "qa"]},
     "unknown LogEval task 'qa' (valid: parsing, anomaly_detection, fault_diagnosis, "
     "summarization)"),
    ({"prompt_sets": ["one-shot"]},
     "unknown LogEval prompt set 'one-shot' (valid: zero-shot, few-shot)"),
])
def test_unknown_names(kwargs, message):
    with pytest.raises(DataError) as caught:
        load_items(**kwargs)
    assert str(caught.value) == message


def test_limit_must_be_positive():
    with pytest.raises(ValueError, match="at least 1"):
        load_items(limit=0)


# ---- the full sets, where present --------------------------------------------------------

@needs_full
def test_full_sets_have_15_cycling_wordings():
    items = load_items(FULL)
    assert len(items) == 2 * (3 * 4000 + 200)
    for task in TASKS:
        for prompt_set in PROMPT_SETS:
            chosen = [i for i in items if (i.task, i.prompt_set) == (task, prompt_set)]
            assert {i.wording for i in chosen} == set(range(15))
            assert all(i.wording == int(i.id.rsplit("/", 1)[1]) % 15 for i in chosen)


@needs_full
def test_sample_is_what_the_script_makes(tmp_path):
    spec = importlib.util.spec_from_file_location("make_logeval_sample",
                                                  ROOT / "scripts" / "make_logeval_sample.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    written = script.make_sample(FULL, tmp_path)
    assert {p.name for p in written} == {p.name for p in sample_dir().iterdir()} - {"README.md"}
    for path in written:
        assert path.read_bytes() == (sample_dir() / path.name).read_bytes(), path.name
    # the sample's items are the upstream items, unchanged
    upstream = json.loads((FULL / "fault_diagnosis.few_shot.json").read_text())
    shipped = json.loads((sample_dir() / "fault_diagnosis.few_shot.json").read_text())
    assert all(upstream[r["id"]] == r for r in shipped)


# --- label-constrained answers -----------------------------------------------------------


@pytest.mark.parametrize("task, instruction, expected", [
    ("anomaly_detection", ANOMALY, ["normal", "abnormal"]),
    ("fault_diagnosis", FAULTS_3, list(FAULT_TYPES[:3])),
    ("fault_diagnosis", FAULTS_5, ["Mirror does not specify output", "Operational port down",
                                   "Management port down", "Virtual Machine Startup Failure"]),
    ("fault_diagnosis", "Name the fault type.", list(FAULT_TYPES)),
    ("parsing", "Parse it.", None),
    ("summarization", "Summarise.", None),
])
def test_answer_choices(task, instruction, expected):
    assert answer_choices(item(task, instruction=instruction)) == expected


def test_choice_grammar_quotes_its_labels():
    assert choice_grammar(["normal", 'say "hi"']) == (
        'start: OPENING? ("normal" | "say \\"hi\\"")\nOPENING: /[ \\n]/\n')
    with pytest.raises(ValueError):
        choice_grammar([])


@pytest.mark.parametrize("task, instruction", [
    ("anomaly_detection", ANOMALY), ("fault_diagnosis", FAULTS_3), ("fault_diagnosis", FAULTS_5)])
def test_label_constrained_decoding_answers_one_of_the_labels(tiny_model_path, task, instruction):
    """A random model under the choice grammar still answers exactly one label, which
    extraction reads back as itself."""
    import torch

    from nl2logql.generation.models import LocalModel

    model = LocalModel(tiny_model_path, dtype=torch.float32)
    question = item(task, instruction=instruction)
    choices = answer_choices(question)
    for seed in range(3):
        # The tiny tokenizer splits words finer than Gemma's (16 tokens at most per label).
        text = model.complete(build_prompt(question) + " " * seed, max_new_tokens=4 * CHOICE_MAX_NEW_TOKENS,
                              grammar=choice_grammar(choices))[0].text
        assert text.strip() in choices and text[:1] in ("", " ", "\n", text.strip()[:1])
        assert extract_answer(task, text, instruction=instruction) == text.strip()
