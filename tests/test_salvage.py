"""Queries rescued from unfinished or partly invalid model output (salvage), alone and
through the pipeline and a replay."""

from __future__ import annotations

import pytest

from nl2logql.engine.loaders import sample_store
from nl2logql.evaluation.replay import _completion
from nl2logql.generation.contracts import Completion
from nl2logql.generation.models import ScriptedModel
from nl2logql.generation.pipeline import CUT_OFF, SALVAGED, Assistant
from nl2logql.generation.salvage import repeats_a_stage, salvage, without_stage
from nl2logql.logql.parser import parse

SSH = '{application="openssh-eu-west"}'
LOOP = r"\s+Server\s+Server\s+Server\s+Ser"


@pytest.mark.parametrize("text, first", [
    # cut inside a regexp that loops: kept up to its last complete capture group
    (f'sum(count_over_time({SSH} |= "Failed" | regexp `for (?P<user>\\S+) from (?P<ip>\\S+){LOOP}',
     f'sum(count_over_time({SSH} |= "Failed" | regexp `for (?P<user>\\S+) from (?P<ip>\\S+)` [2h]))'),
    # a double-quoted regexp: its doubled backslashes are not group boundaries
    (f'count_over_time({SSH} | regexp "from (?P<ip>\\\\S+)\\\\s+port\\\\s+(',
     f'count_over_time({SSH} | regexp "from (?P<ip>\\\\S+)" [2h])'),
    # cut in a stage after a finished regexp: the stage goes
    (f'topk(3, sum by (ip) (count_over_time({SSH} | regexp `from (?P<ip>\\S+)` | line_format "{{{{.ip',
     f'topk(3, sum by (ip) (count_over_time({SSH} | regexp `from (?P<ip>\\S+)` [2h])))'),
    # a function over unwrapped values gets the unwrap of the last label extracted
    (f'avg_over_time({SSH} |= "port" | regexp `port (?P<port>\\d+){LOOP}',
     f'avg_over_time({SSH} |= "port" | regexp `port (?P<port>\\d+)` | unwrap port [2h])'),
    # nothing extracted to unwrap: the lines its filters keep are counted (the checks then
    # find the number asked), a quantile's parameter gone
    (f'quantile_over_time(0.95, {SSH} |= "port" | regexp `port\\s+\\(port\\s+\\(port',
     f'count_over_time({SSH} |= "port" [2h])'),
    (f'sum(avg_over_time({SSH} |~ "port \\\\d+" | json | line_format "{{{{.port',
     f'sum(count_over_time({SSH} |~ "port \\\\d+" | json [2h]))'),
    # quantile_over_time's parameter stays; the selector's own range is kept
    (f'quantile_over_time(0.9, {SSH}[30m] | regexp `port (?P<port>\\d+)` | unwrap port | port >',
     f'quantile_over_time(0.9, {SSH}[30m] | regexp `port (?P<port>\\d+)` | unwrap port)'),
])
def test_an_unfinished_text_is_cut_and_closed(text, first):
    found = salvage(text, "2h")
    assert found[0] == first
    for query in found:
        parse(query)


def test_a_cut_in_the_right_side_of_an_operation_may_keep_the_left_side_alone():
    left = f'sum(count_over_time({SSH} |= "Failed" [1h]))'
    found = salvage(f'{left} / sum(count_over_time({SSH} |= "Acc', "2h")
    assert found[:2] == [f'{left} / sum(count_over_time({SSH} [2h]))', left]


@pytest.mark.parametrize("text", [
    '{application="openssh-eu-west", host',         # inside the selector
    'sum by (ip',                                   # nothing to keep
    f'avg_over_time({SSH} |= "port',               # nothing to unwrap, no filter
    f'rate({SSH}[5',                                # inside the range
])
def test_what_no_cut_makes_whole_is_not_salvaged(text):
    assert salvage(text) == []


def test_a_decoding_loop_is_passed_over_for_a_cut_before_it():
    stage = ' |= "Failed" | line_format "{{.ip}}"'
    found = salvage(f'sum(count_over_time({SSH} | regexp `from (?P<ip>\\S+)`{stage * 3} | lin', "1h")
    assert found and not any(repeats_a_stage(parse(query)) for query in found)
    assert found[0] == f'sum(count_over_time({SSH} | regexp `from (?P<ip>\\S+)`{stage} [1h]))'


def test_at_most_the_limit_latest_cuts_first():
    text = f'count_over_time({SSH} |= "a" |= "b" |= "c" |= "d" | regexp `(?P<x>'
    assert salvage(text, limit=2) == [f'count_over_time({SSH} |= "a" |= "b" |= "c" |= "d" [1h])',
                                      f'count_over_time({SSH} |= "a" |= "b" |= "c" [1h])']


@pytest.mark.parametrize("text, bad, kept", [
    (f'sum(count_over_time({SSH} |= "x" | regexp `(?P<a b>\\S+)` [2d]))', "regexp",
     f'sum(count_over_time({SSH} |= "x" [2d]))'),
    (f'{SSH} | pattern "Started: {{{{.vm}}}}" |= "y"', "pattern", f'{SSH} |= "y"'),
    (f'bottomk(0, sum by (ip) (count_over_time({SSH} [1h])))', "bottomk", None),
])
def test_the_stage_a_semantic_error_points_at_is_removed(text, bad, kept):
    with pytest.raises(Exception) as error:
        parse(text)
    assert without_stage(text, error.value.pos) == kept


def assistant(completion):
    model = ScriptedModel([])
    model.complete = lambda prompt, **kw: [completion]
    return Assistant(model=model, backend=sample_store(), constrain=False)


def test_the_pipeline_answers_with_a_salvaged_query_and_says_so():
    cut = f'sum by (ip) (count_over_time({SSH} |= "Failed password" | regexp `from (?P<ip>\\S+){LOOP}'
    answer = assistant(Completion(cut, finished=False)).ask(
        "failed password attempts per source ip on openssh-eu-west in the last 2 hours")
    assert answer.valid
    assert answer.query.endswith("[2h]))") and "(?P<ip>" in answer.query
    assert answer.message == SALVAGED.format(CUT_OFF)
    assert answer.candidates[0].shortened_from == cut


def test_a_salvaged_answer_replays_to_itself():
    cut = f'sum(count_over_time({SSH} |= "Failed password" | regexp `from (?P<ip>\\S+){LOOP}'
    question = "failed password attempts on openssh-eu-west in the last 2 hours"
    first = assistant(Completion(cut, finished=False)).ask(question)
    recorded = {"text": first.candidates[0].text, "valid": True, "shortened_from": cut}
    again = assistant(_completion(recorded, first.message)).ask(question)
    assert again.query == first.query and again.message == first.message
