"""The start cache: entries keyed by what they are made of, written whole, rebuilt when
damaged or stale; and what uses it (merged weights, tokenizer tables, retrieval examples)
giving the same answers with it as without it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch

from nl2logql.generation import startcache
from nl2logql.generation.models import LocalModel

PROMPT = "Question: show the error lines of app foo in the last hour\nLogQL:"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def cache(tmp_path, monkeypatch):
    root = tmp_path / "start"
    monkeypatch.setenv(startcache.ROOT_ENV, str(root))
    monkeypatch.delenv(startcache.DISABLE_ENV, raising=False)
    return root


def entry(value: str, inputs: list, slot: str = "slot", log: list | None = None):
    """A text entry whose builds are counted in ``log``."""
    def build():
        (log if log is not None else []).append(value)
        return value
    return startcache.cached("text", slot=slot, inputs=lambda: inputs, build=build,
                             save=lambda v, p: p.write_text(v), load=lambda p: p.read_text(),
                             suffix=".txt")


def files(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "text").iterdir())


# --- entries ----------------------------------------------------------------------------------


def test_an_entry_is_built_once_then_loaded(cache, capsys):
    builds = []
    assert entry("a", [1], log=builds) == "a"
    assert "caching the text for faster starts (once)" in capsys.readouterr().err
    assert entry("ignored: loaded", [1], log=builds) == "a"
    assert builds == ["a"]
    assert len(files(cache)) == 1 and not any(n.startswith(".") for n in files(cache))


def test_changed_inputs_rebuild_with_a_note_and_drop_the_old_entry(cache, capsys):
    entry("a", [1])
    capsys.readouterr()
    assert entry("b", [2]) == "b"
    assert "the text changed since it was cached; caching it again" in capsys.readouterr().err
    assert len(files(cache)) == 1
    assert entry("ignored", [2]) == "b"


@pytest.mark.parametrize("damage", [b"", b"\x00garbage", None], ids=["empty", "garbage", "deleted-in-folder"])
def test_a_damaged_entry_is_rebuilt_with_a_note_and_never_crashes(cache, capsys, damage):
    def load(path):
        text = path.read_text()
        if not text.startswith("ok:"):
            raise ValueError("damaged")
        return text

    def get():
        return startcache.cached("text", slot="s", inputs=lambda: [1], build=lambda: "ok:fresh",
                                 save=lambda v, p: p.write_text(v), load=load, suffix=".txt")
    get()
    [path] = (cache / "text").iterdir()
    if damage is None:
        path.unlink()
        path.mkdir()  # a folder where a file should be
    else:
        path.write_bytes(damage)
    capsys.readouterr()
    assert get() == "ok:fresh"
    assert "unreadable" in capsys.readouterr().err
    assert get() == "ok:fresh" and path.read_text() == "ok:fresh"


def test_an_unwritable_cache_costs_speed_not_the_answer(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(startcache.ROOT_ENV, str(blocker / "start"))
    assert entry("a", [1]) == "a"
    assert "cannot cache" in capsys.readouterr().err


def test_a_kind_keeps_its_most_recently_used_slots(cache):
    for slot in "abcd":
        entry(slot, [slot], slot=slot)
    assert len(files(cache)) == startcache.MAX_ENTRIES
    builds = []
    entry("a", ["a"], slot="a", log=builds)  # the oldest went
    assert builds == ["a"]


def test_a_disabled_cache_builds_every_time(cache, monkeypatch):
    monkeypatch.setenv(startcache.DISABLE_ENV, "1")
    builds = []
    entry("a", [1], log=builds)
    entry("a", [1], log=builds)
    assert builds == ["a", "a"] and not cache.exists()


def test_file_digests_follow_content_and_are_remembered(cache, tmp_path):
    path = tmp_path / "weights.bin"
    path.write_bytes(b"one")
    first = startcache.file_digest(path)
    assert startcache.file_digest(path) == first
    assert str(path.resolve()) in json.loads((cache / "digests.json").read_text())
    path.write_bytes(b"two")
    assert startcache.file_digest(path) != first


def test_the_code_digest_covers_the_grammar_file():
    package = ROOT / "nl2logql"
    covered = startcache.source_files()
    assert package / "logql" / "grammar.lark" in covered
    assert package / "generation" / "startcache.py" in covered


CONCURRENT = textwrap.dedent("""
    import sys, time
    from nl2logql.generation import startcache
    def save(value, path):
        with open(path, "w") as out:
            for part in range(50):  # slow enough for the other process to write too
                out.write(value[part * 1000:(part + 1) * 1000]); out.flush(); time.sleep(0.005)
    value = startcache.cached("big", slot="s", inputs=lambda: [1], build=lambda: "x" * 50_000,
                              save=save, load=lambda p: p.read_text(), suffix=".txt")
    print(len(value))
""")


def test_two_processes_building_at_once_leave_one_whole_entry(cache):
    env = {**_env(), startcache.ROOT_ENV: str(cache)}
    runs = [subprocess.Popen([sys.executable, "-c", CONCURRENT], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=60) for run in runs]
    assert [out.strip() for out, _ in outputs] == ["50000", "50000"], outputs
    [path] = (cache / "big").iterdir()
    assert path.read_text() == "x" * 50_000


def _env() -> dict:
    import os

    return {k: v for k, v in os.environ.items() if k != startcache.DISABLE_ENV}


# --- merged weights and tokenizer tables -----------------------------------------------------


@pytest.fixture
def adapter(tiny_model_path, tmp_path):
    return write_adapter(tiny_model_path, tmp_path / "adapter", seed=0)


def write_adapter(model_path: Path, folder: Path, seed: int) -> Path:
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(seed)
    base = AutoModelForCausalLM.from_pretrained(model_path)
    config = LoraConfig(r=8, lora_alpha=32, target_modules=["q_proj", "v_proj", "down_proj"],
                        init_lora_weights=False)
    get_peft_model(base, config).save_pretrained(folder)
    return folder


def answers(model: LocalModel) -> list:
    from nl2logql.generation.grammar import logql_grammar

    greedy = model.complete(PROMPT, max_new_tokens=12)
    sampled = model.complete(PROMPT, n=3, max_new_tokens=12, seed=7)
    constrained = model.complete(PROMPT, n=2, max_new_tokens=24, grammar=logql_grammar(None))
    return [(c.text, c.logprob, c.tokens, c.complete_prefixes) for c in greedy + sampled + constrained]


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_answers_are_identical_without_the_cache_with_it_cold_and_warm(cache, monkeypatch, tiny_model_path,
                                                                        adapter, dtype):
    monkeypatch.setenv(startcache.DISABLE_ENV, "1")
    uncached = LocalModel(tiny_model_path, adapter=adapter, dtype=dtype)
    monkeypatch.delenv(startcache.DISABLE_ENV)
    cold = LocalModel(tiny_model_path, adapter=adapter, dtype=dtype)
    assert (cache / "model").is_dir() and (cache / "vocabulary").is_dir()
    warm = LocalModel(tiny_model_path, adapter=adapter, dtype=dtype)
    assert warm.dtype == dtype
    expected = answers(uncached)
    assert answers(cold) == expected and answers(warm) == expected
    for name, tensor in uncached.model.state_dict().items():
        assert torch.equal(tensor, warm.model.state_dict()[name]), name


def test_a_retrained_adapter_is_merged_again(cache, capsys, tiny_model_path, adapter, tmp_path):
    first = answers(LocalModel(tiny_model_path, adapter=adapter, dtype=torch.float32))
    shutil.rmtree(adapter)
    write_adapter(tiny_model_path, adapter, seed=1)  # same folder, new weights
    capsys.readouterr()
    again = LocalModel(tiny_model_path, adapter=adapter, dtype=torch.float32)
    assert "merged model changed since it was cached" in capsys.readouterr().err
    assert answers(again) != first
    write_adapter(tiny_model_path, tmp_path / "other", seed=1)
    assert answers(again) == answers(LocalModel(tiny_model_path, adapter=tmp_path / "other",
                                                dtype=torch.float32))


def test_a_changed_base_model_is_loaded_again(cache, capsys, tiny_model_path, tmp_path):
    base = tmp_path / "base"
    shutil.copytree(tiny_model_path, base)
    before = answers(LocalModel(base, dtype=torch.float32))
    model = LocalModel(base, dtype=torch.float32).model
    with torch.no_grad():
        model.model.embed_tokens.weight.mul_(-1)
    model.save_pretrained(base)
    capsys.readouterr()
    after = answers(LocalModel(base, dtype=torch.float32))
    assert "changed since it was cached" in capsys.readouterr().err
    assert after != before


def test_a_corrupt_cached_model_or_table_is_rebuilt(cache, capsys, tiny_model_path, adapter):
    expected = answers(LocalModel(tiny_model_path, adapter=adapter, dtype=torch.float32))
    for path in [*(cache / "model").glob("*/model.safetensors"), *(cache / "vocabulary").iterdir()]:
        path.write_bytes(b"\x00" * 64)
    capsys.readouterr()
    model = LocalModel(tiny_model_path, adapter=adapter, dtype=torch.float32)
    notes = capsys.readouterr().err
    assert "cached merged model is unreadable" in notes and "cached tokenizer tables is unreadable" in notes
    assert answers(model) == expected


def test_tokenizer_tables_equal_a_fresh_computation(cache, tiny_model_path):
    from transformers import AutoTokenizer

    from nl2logql.generation.vocab import Vocabulary, load_tokenizer

    load_tokenizer(str(tiny_model_path))
    tokenizer, tables = load_tokenizer(str(tiny_model_path))  # from the cache
    fresh = Vocabulary.of(AutoTokenizer.from_pretrained(tiny_model_path), direct=True)
    assert tables == fresh and tables.direct
    auto = AutoTokenizer.from_pretrained(tiny_model_path)
    assert tokenizer(PROMPT).input_ids == auto(PROMPT).input_ids


def test_a_tokenizer_that_loads_differently_keeps_the_slow_path(cache, tiny_model_path, tmp_path):
    from nl2logql.generation.vocab import load_tokenizer

    folder = tmp_path / "model"
    shutil.copytree(tiny_model_path, folder)
    config = json.loads((folder / "tokenizer_config.json").read_text())
    config["additional_special_tokens"] = ["<start_of_turn>"]  # tokenizer.json alone lacks it
    (folder / "tokenizer_config.json").write_text(json.dumps(config))
    tokenizer, tables = load_tokenizer(str(folder))
    assert not tables.direct
    assert tokenizer.all_special_ids == _auto(folder).all_special_ids
    assert 4 in tokenizer.all_special_ids and 4 not in tables.printable_ids


def _auto(folder):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(folder)


def test_the_constraint_from_tables_masks_as_the_one_from_the_tokenizer(cache, tiny_model_path):
    from nl2logql.generation.grammar import LLGuidanceConstraint, _ll_tokenizer, logql_grammar
    from nl2logql.generation.vocab import load_tokenizer

    tokenizer, tables = load_tokenizer(str(tiny_model_path))
    grammar = logql_grammar(None)
    other = _auto(tiny_model_path)  # another object: its view is built from its JSON
    via_tables = LLGuidanceConstraint(_ll_tokenizer(tokenizer, tables), grammar).start()
    via_json = LLGuidanceConstraint(_ll_tokenizer(other), grammar).start()
    for token in tokenizer('sum by (host) (count_over_time({app="foo"} |= "error" [5m]))',
                           add_special_tokens=False).input_ids:
        assert torch.equal(via_tables.allowed(), via_json.allowed())
        assert via_tables.forced() == via_json.forced()
        via_tables.advance(token)
        via_json.advance(token)
    assert via_tables.accepting and via_json.accepting


# --- retrieval examples ------------------------------------------------------------------------


def test_split_examples_are_cached_and_follow_the_split_file(cache, capsys, tmp_path, monkeypatch):
    from nl2logql.datasets import load_split, source_files
    from nl2logql.generation.retrieval import train_pairs
    from nl2logql.paths import DATA_ENV, data_root

    data = tmp_path / "data"
    for path in [*source_files(), data_root() / "splits" / "random.json"]:
        target = data / path.relative_to(data_root())
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)
    monkeypatch.setenv(DATA_ENV, str(data))
    expected = load_split("random").train
    assert train_pairs("random") == expected
    assert train_pairs("random") == expected  # from the cache
    assert len(list((cache / "examples").iterdir())) == 1
    split = data / "splits" / "random.json"
    spec = json.loads(split.read_text())
    spec["train"] = spec["train"][:10]
    split.write_text(json.dumps(spec))
    capsys.readouterr()
    pairs = train_pairs("random")
    assert "random split's examples changed" in capsys.readouterr().err
    assert pairs == load_split("random").train and len(pairs) <= 10


def test_two_cli_calls_started_at_once_on_a_cold_cache_agree_and_leave_it_whole(cache, tiny_model_path,
                                                                                  tmp_path):
    import os

    argv = [sys.executable, "-m", "nl2logql", "generate", "show the error lines of hdfs in the last hour",
            "--base-model", str(tiny_model_path), "--adapter", "none", "--json"]
    env = {**_env(), startcache.ROOT_ENV: str(cache), "NL2LOGQL_RUN_DIR": str(tmp_path / "run")}
    runs = [subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    outputs = [run.communicate(timeout=300) for run in runs]
    answers = [json.loads(out) for out, _ in outputs]
    for answer in answers:
        answer.pop("timings")
    assert answers[0] == answers[1]
    again = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300)
    assert "caching" not in again.stderr and "unreadable" not in again.stderr  # whole entries
    answer = json.loads(again.stdout)
    answer.pop("timings")
    assert answer == answers[0]
    assert not list(cache.rglob(".*"))  # no temporary leftovers
    assert os.listdir(cache / "model")
