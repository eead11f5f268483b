"""`nl2logql train` on the tiny random Gemma 3 (tests/tiny_model.py): seconds, not minutes."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from nl2logql.cli import main
from nl2logql.datasets import load_split, template_key
from nl2logql.generation.prompt import target
from nl2logql.logql import validate
from nl2logql.training import RecipeError, TrainConfig, Trainer, TrainingInterrupted
from nl2logql.training.card import CARD_FILE, read_card
from nl2logql.training.data import IGNORE, augment, encode
from nl2logql.training.trainer import (ScoredVocabulary, collate, half_precision_compute,
                                       latest_checkpoint, load_model, target_loss)


def tiny_config(model: Path, out: Path, **changes) -> TrainConfig:
    # k=0 and a few pairs: the tiny tokenizer makes long prompts, and speed matters here.
    base = dict(base_model=str(model), out=str(out), limit=4, k=0, epochs=2, lora_r=4,
                learning_rate=5e-3, warmup_ratio=0.0, batch_tokens=2600, max_length=1300,
                validation_every_epoch=False)
    return TrainConfig(**{**base, **changes})


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("NL2LOGQL_CACHE", str(tmp_path / "cache"))


@pytest.fixture(scope="module")
def trained(tiny_model_path, tmp_path_factory):
    """One short run with validation on: (output folder, per-step losses)."""
    folder = tmp_path_factory.mktemp("run")
    losses = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NL2LOGQL_CACHE", str(folder / "cache"))
        patch.setattr("nl2logql.training.trainer.VALIDATION_NEW_TOKENS", 8)  # a random model rambles
        config = tiny_config(tiny_model_path, folder / "adapter", epochs=3, limit=2,
                             validation_every_epoch=True, validation_size=2)
        out = Trainer(config, progress=False, on_step=lambda info: losses.append(info.loss)).run()
    return out, losses


def test_a_few_steps_lower_the_loss(trained):
    _, losses = trained
    assert len(losses) >= 3
    assert losses[-1] < losses[0] - 0.5


def test_loss_is_on_the_query_tokens_only(tiny_model_path):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model_path)
    query = '{application="openssh"} |= "Failed password"'
    row = encode(tokenizer, "### Question: failed logins?\n### LogQL:\n", query)
    labelled = [t for t in row["labels"] if t != IGNORE]
    prompt_length = row["labels"].index(labelled[0])
    assert row["labels"][:prompt_length] == [IGNORE] * prompt_length
    assert row["input_ids"][prompt_length:] == labelled
    assert labelled[-1] == tokenizer.eos_token_id
    assert tokenizer.decode(labelled[:-1]) == target(query)


def test_sliced_head_loss_equals_the_full_loss(tiny_model_path):
    """Logits at the target positions only give the same loss as the model's own."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model_path)
    model = AutoModelForCausalLM.from_pretrained(tiny_model_path, dtype=torch.float32)
    rows = [encode(tokenizer, "### Question: errors?\n### LogQL:\n", '{app="api"} |= "error"'),
            encode(tokenizer, "### Question: how many?\n### LogQL:\n", 'count_over_time({app="x"}[5m])')]
    batch = collate(rows, tokenizer.pad_token_id)
    with torch.no_grad():
        full = model(**batch).loss
        ours = target_loss(model, batch)
    assert torch.allclose(ours, full, atol=1e-5)


def test_scored_vocabulary_loss_is_the_softmax_over_those_tokens(tiny_model_path):
    """Over the tokens decoding scores: the full logits' columns for those tokens,
    renormalised; a target outside them falls back to the whole head."""
    import torch
    import torch.nn.functional as F
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model_path)
    model = AutoModelForCausalLM.from_pretrained(tiny_model_path, dtype=torch.float32)
    vocabulary = ScoredVocabulary(model, tokenizer)
    kept = (vocabulary.column >= 0).nonzero().squeeze(1)
    assert 0 < len(kept) < model.config.vocab_size and tokenizer.eos_token_id in kept.tolist()
    rows = [encode(tokenizer, "### Question: errors?\n### LogQL:\n", '{app="api"} |= "error"')]
    batch = collate(rows, tokenizer.pad_token_id)
    with torch.no_grad():
        logits = model(**batch).logits[:, :-1]
        labels = batch["labels"][:, 1:]
        where = labels != IGNORE
        expected = F.cross_entropy(logits[where][:, kept], vocabulary.column[labels[where]])
        assert torch.allclose(target_loss(model, batch, vocabulary), expected, atol=1e-5)
        vocabulary.column[labels[where][0]] = -1  # a target the vocabulary lacks
        assert torch.allclose(target_loss(model, batch, vocabulary), model(**batch).loss, atol=1e-5)


def test_half_precision_compute_keeps_float32_weights_and_gradients(tiny_model_path, tmp_path):
    import torch

    config = tiny_config(tiny_model_path, tmp_path / "out", dtype="bfloat16", lora_dropout=0.0)
    model, tokenizer = load_model(config, str(tiny_model_path), "cpu")
    params = [p for p in model.parameters() if p.requires_grad]
    for p in params:  # LoRA's B starts at zero: make every weight matter
        torch.nn.init.normal_(p, std=0.02)
    before = [p.detach().clone() for p in params]
    assert {p.dtype for p in params} == {torch.float32}
    rows = [encode(tokenizer, "### Question: errors?\n### LogQL:\n", '{app="api"} |= "error"')]
    batch = collate(rows, tokenizer.pad_token_id)
    with half_precision_compute(params, torch.bfloat16):
        assert {p.dtype for p in params} == {torch.bfloat16}
        target_loss(model, batch).backward()
    assert {p.dtype for p in params} == {torch.float32}
    assert all(torch.equal(p, b) for p, b in zip(params, before))
    assert {p.grad.dtype for p in params} == {torch.float32}
    grads = [p.grad.clone() for p in params]
    model.zero_grad(set_to_none=True)
    target_loss(model, batch).backward()  # float32 LoRA, peft's casts
    for mixed, reference in zip(grads, [p.grad for p in params]):
        assert torch.allclose(mixed, reference, rtol=0.1, atol=0.05 * reference.abs().max().item())


def test_the_adapter_reloads_and_changes_outputs(trained, tiny_model_path):
    import torch

    from nl2logql.generation.models import LocalModel

    out, _ = trained
    assert sorted(p.name for p in out.iterdir()) == ["adapter_config.json", "adapter_model.safetensors", CARD_FILE]
    plain = LocalModel(tiny_model_path, dtype=torch.float32, progress=False)
    tuned = LocalModel(tiny_model_path, adapter=out, dtype=torch.float32, progress=False)
    ids = torch.tensor([plain._encode("### Question: errors on openssh?\n### LogQL:\n")])
    with torch.no_grad():
        assert not torch.allclose(plain.model(ids).logits, tuned.model(ids).logits, atol=1e-3)


def test_the_card_has_the_fields(trained):
    out, _ = trained
    card = read_card(out)
    for key in ("base_model", "base_model_sha256", "split", "data_sha256", "recipe", "versions",
                "git_commit", "validation", "license_note"):
        assert key in card, key
    assert card["split"] == "random" and len(card["base_model_sha256"]) == 64
    assert card["versions"]["peft"] and "Gemma Terms of Use" in card["license_note"]
    assert [v["epoch"] for v in card["validation"]] == [1, 2, 3]
    assert 0 <= card["validation"][-1]["validity"] <= 1
    assert TrainConfig.from_dict(card["recipe"]).epochs == 3


def test_interrupt_then_resume_continues_the_same_run(tiny_model_path, tmp_path):
    """Ctrl-C keeps the last checkpoint and writes no output; --resume then replays the
    uninterrupted run: same step numbers, same batches, same losses."""
    def run(out, resume=False, stop_at=None):
        steps = []

        def record(info):
            steps.append((info.step, info.ids, round(info.loss, 4)))
            if info.step == stop_at:
                raise KeyboardInterrupt

        config = tiny_config(tiny_model_path, out, limit=3, batch_tokens=1300, save_every_steps=1)
        Trainer(config, resume=resume, progress=False, on_step=record).run()
        return steps

    straight = run(tmp_path / "straight")
    with pytest.raises(TrainingInterrupted, match="interrupted at step 3: the last checkpoint \\(step-2\\)"):
        run(tmp_path / "cut", stop_at=3)
    assert latest_checkpoint(tmp_path / "cut").name == "step-2"
    assert not (tmp_path / "cut").exists()
    assert not list(tmp_path.glob(".*tmp-*")) and not list((tmp_path / "cut.checkpoints").glob(".*"))
    resumed = run(tmp_path / "cut", resume=True)
    assert [s[:2] for s in resumed] == [s[:2] for s in straight[2:]]
    assert [s[2] for s in resumed] == pytest.approx([s[2] for s in straight[2:]], abs=1e-3)
    assert read_card(tmp_path / "cut")["steps"] == straight[-1][0]


def test_augmented_pairs_are_consistent_and_valid():
    split = load_split("random")
    held_out = {template_key(p.question) for p in split.test + split.exec_test + split.validation}
    variants = augment(split.train[:80], held_out, random.Random(0))
    assert len(variants) > 10
    originals = {p.id: p for p in split.train}
    for variant in variants:
        source = originals[variant.id.split("~")[0]]
        assert variant.question != source.question
        assert validate(variant.logql) is None
        assert template_key(variant.question) not in held_out
        for value in set(__import__("re").findall(r'application="([^"]+)"', variant.logql)):
            if value not in source.logql:  # a swapped name is swapped in the question too
                assert value.lower() in variant.question.lower()


# ---- the recipe -------------------------------------------------------------------------


def test_the_recipe_round_trips(tmp_path):
    config = TrainConfig(lora_r=8, target_modules=["q_proj", "v_proj"], augment=True)
    for name in ("recipe.yaml", "recipe.json"):
        config.save(tmp_path / name)
        assert TrainConfig.from_file(tmp_path / name) == config
    assert all(TrainConfig.help(name) for name in config.to_dict())


def test_shipped_recipes_load():
    for path in sorted((Path(__file__).resolve().parents[1] / "training").glob("*.yaml")):
        TrainConfig.from_file(path)


def test_bad_recipe_values_name_the_value():
    with pytest.raises(RecipeError, match="lora_r=0"):
        TrainConfig(lora_r=0)
    with pytest.raises(RecipeError, match="split='nope'"):
        TrainConfig(split="nope")
    with pytest.raises(RecipeError, match="unknown recipe key 'lora_rank' .*known: .*lora_r"):
        TrainConfig.from_dict({"lora_rank": 8})


# ---- one-line errors at the command line ------------------------------------------------


def one_line_error(*args: str) -> str:
    result = CliRunner().invoke(main, ["train", *args])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_cli_malformed_data_file(tiny_model_path, tmp_path):
    data = tmp_path / "pairs.jsonl"
    data.write_text('{"question": "errors?", "logql": "{app=\\"x\\"}"}\nnot json\n')
    line = one_line_error("--base-model", str(tiny_model_path), "--data", str(data),
                          "--out", str(tmp_path / "out"))
    assert "pairs.jsonl:2: not JSON" in line


def test_cli_unknown_recipe_key(tmp_path):
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text("epochs: 2\nlora_rank: 8\n")
    line = one_line_error("--recipe", str(recipe))
    assert "unknown recipe key 'lora_rank'" in line and "lora_r" in line


def test_cli_missing_base_model(tmp_path):
    line = one_line_error("--base-model", str(tmp_path / "no-such-model"), "--out", str(tmp_path / "out"))
    assert "no model at" in line
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("p", [0.05, 0.1, 0.5])
def test_packed_bits_dropout_drops_at_rate_p_and_keeps_the_mean(p):
    import torch

    from nl2logql.training.dropout import PackedBitsDropout

    torch.manual_seed(0)
    dropout = PackedBitsDropout(p).train()
    x = torch.ones(1001, 999, requires_grad=True)  # an odd size: the last word is half used
    y = dropout(x)
    dropped = (y == 0).float().mean().item()
    assert abs(dropped - p) < 0.005 and abs(dropout.p - p) < 1 / 32768
    assert abs(y.mean().item() - 1.0) < 0.01
    y.sum().backward()
    assert torch.equal(x.grad == 0, y == 0)  # the gradient flows through the kept ones only
    assert not torch.equal(dropout(x), dropout(x))  # fresh randomness each call
    assert dropout.eval()(x) is x and PackedBitsDropout(0.0).train()(x) is x
    with pytest.raises(ValueError):
        PackedBitsDropout(1.0)


def test_tune_for_cpu_swaps_lora_dropouts_and_attention(tiny_model_path, tmp_path):
    import torch

    from nl2logql.training.dropout import PackedBitsDropout
    from nl2logql.training.trainer import tune_for_cpu

    model, _ = load_model(tiny_config(tiny_model_path, tmp_path / "out", lora_dropout=0.1),
                          str(tiny_model_path), "cpu")
    tune_for_cpu(model)
    dropouts = [d for m in model.modules() if isinstance(getattr(m, "lora_dropout", None), torch.nn.ModuleDict)
                for d in m.lora_dropout.values()]
    assert dropouts and all(isinstance(d, PackedBitsDropout) and abs(d.p - 0.1) < 1e-4 for d in dropouts)
    assert model.get_base_model().config._attn_implementation == "eager"


# ---- synthesized pairs ----------------------------------------------------------------------


def _synth_file(tmp_path, systems=("hdfs", "openssh", "openstack"), per_system=5) -> Path:
    import json

    path = tmp_path / "synth.jsonl"
    rows = [{"id": f"s-{system}-{i}", "question": f"{system} lines number {i}",
             "logql": f'{{application="{system}"}} |= "x{i}"', "system": system}
            for system in systems for i in range(per_system)]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def test_synthetic_pairs_join_training_drawn_by_seed(tmp_path):
    from nl2logql.training.data import load_training_data

    base = TrainConfig(augment=False, synthetic=str(_synth_file(tmp_path)))
    every = load_training_data(base).train
    assert sum(p.source == "synth.jsonl" for p in every) == 15
    drawn = [p.id for p in load_training_data(base.with_overrides(synthetic_count=4)).train
             if p.source == "synth.jsonl"]
    again = [p.id for p in load_training_data(base.with_overrides(synthetic_count=4)).train
             if p.source == "synth.jsonl"]
    assert len(drawn) == 4 and drawn == again
    data = load_training_data(base.with_overrides(synthetic_count=4))
    assert data.synthetic_ids == frozenset(drawn)


@pytest.mark.parametrize("phased", [False, True])
def test_batches_cover_every_row_once_and_synthetic_first_puts_them_first(phased):
    from nl2logql.training.trainer import length_grouped_batches

    lengths = [random.Random(i).randint(50, 600) for i in range(60)]
    phases = [i % 3 and 1 for i in range(60)] if phased else None  # every third: phase 0
    batches = length_grouped_batches(lengths, 1024, seed=7, phases=phases)
    rows = [row for batch in batches for row in batch]
    assert sorted(rows) == list(range(60))
    assert all(len(b) * max(lengths[i] for i in b) <= 1024 or len(b) == 1 for b in batches)
    assert batches == length_grouped_batches(lengths, 1024, seed=7, phases=phases)
    if phased:
        order = [phases[row] for row in rows]
        assert order == sorted(order)  # no row of phase 1 before one of phase 0
        assert all(len({phases[i] for i in b}) == 1 for b in batches)  # no batch mixes them


def test_a_leave_out_split_trains_on_no_synthetic_pair_of_its_held_out_system(tmp_path):
    from nl2logql.training.data import load_training_data

    config = TrainConfig(split="leave-out-openssh", augment=False,
                         synthetic=str(_synth_file(tmp_path)))
    systems = {p.system for p in load_training_data(config).train}
    assert systems == {"hdfs", "openstack"}
    # ... unless they come from the user's own logs (`train --synthesize`), which are the
    # point of training for a system the split holds out
    own = {p.system for p in load_training_data(config.with_overrides(synthetic_own=True)).train}
    assert own == {"hdfs", "openssh", "openstack"}


def test_the_card_names_no_path_of_the_training_machine(tmp_path):
    from nl2logql.paths import PROJECT_DATA
    from nl2logql.training.card import portable_recipe

    recipe = {"out": str(tmp_path / "deep" / "my-adapter"),
              "synthetic": str(PROJECT_DATA / "synth" / "sample-store.jsonl"), "data": None}
    assert portable_recipe(recipe) == {"out": "my-adapter", "data": None,
                                       "synthetic": "data/synth/sample-store.jsonl"}


def test_train_synthesize_on_a_users_logs_end_to_end(tiny_model_path, tmp_path, monkeypatch):
    """Pairs from the user's file, prompted with that file's schema, trained into an adapter."""
    from nl2logql.datasets import Split, Pair

    # Two real pairs keep the tiny run short; the synthesized ones come from the log file.
    real = [Pair("r1", "errors on api", '{app="api"} |= "error"', "api", "nl2ql"),
            Pair("r2", "timeouts on api", '{app="api"} |= "timeout"', "api", "nl2ql")]
    monkeypatch.setattr("nl2logql.training.data.load_split",
                        lambda name: Split(train=real, test=[], validation=[], name=name))
    prompts = []
    original = __import__("nl2logql.training.data", fromlist=["prompt_for"]).prompt_for

    def recording(pair, index, k, **options):
        prompts.append((pair.source, original(pair, index, k, **options)))
        return prompts[-1][1]

    monkeypatch.setattr("nl2logql.training.data.prompt_for", recording)
    logs = tmp_path / "shop.log"
    logs.write_text("".join(f"2025-01-01T00:{i // 60:02d}:{i % 60:02d}Z order {1000 + i} paid by "
                            f"user{i % 7} in {i % 90} ms\n" for i in range(600)))
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text("k: 0\nlora_r: 4\nepochs: 1\nbatch_tokens: 2600\nmax_length: 1300\n"
                      "validation_every_epoch: false\naugment: false\n")
    out = tmp_path / "adapter"
    result = CliRunner().invoke(main, ["train", "--recipe", str(recipe), "--base-model",
                                       str(tiny_model_path), "--synthesize", "--synthetic-count",
                                       "6", "--logs", str(logs), "--label", "app=shop",
                                       "--learning-rate", "3e-4", "--lora-r", "2",
                                       "--out", str(out)])
    assert result.exit_code == 0, result.output
    card = read_card(out)
    assert (out / CARD_FILE).is_file() and card["train_pairs"] == 8
    assert card["recipe"]["learning_rate"] == 3e-4 and card["recipe"]["lora_r"] == 2  # over the recipe's 4
    assert card["recipe"]["synthetic_own"] is True
    made = (tmp_path / "adapter.synth.jsonl").read_text().splitlines()
    assert len(made) == 6 and all('app=\\"shop\\"' in line for line in made)
    synthetic = [prompt for source, prompt in prompts if source == "adapter.synth.jsonl"]
    assert synthetic and all('app="shop"' in prompt or "app: shop" in prompt for prompt in synthetic)


def test_rows_exported_here_train_there_as_the_pairs_do(tiny_model_path, tmp_path):
    # scripts/gpu_sweep.py: a GPU machine without our data stack trains on rows exported
    # here; the run is the same as training on the pairs (same losses, same data hash).
    import gzip
    import importlib.util
    import json

    spec = importlib.util.spec_from_file_location(
        "gpu_sweep", Path(__file__).resolve().parents[1] / "scripts" / "gpu_sweep.py")
    sweep = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sweep)
    config = tiny_config(tiny_model_path, tmp_path / "pairs", limit=3)
    losses = {"pairs": [], "rows": []}
    Trainer(config, progress=False, on_step=lambda i: losses["pairs"].append(i.loss)).run()
    rows = tmp_path / "rows.json.gz"
    assert sweep.export_rows(config.with_overrides(out=str(tmp_path / "rows")), rows) == 3
    exported = json.loads(gzip.open(rows, "rt").read())
    out = sweep.RowsTrainer(exported, progress=False,
                            on_step=lambda i: losses["rows"].append(i.loss)).run()
    assert losses["rows"] == losses["pairs"]
    assert read_card(out)["data_sha256"] == read_card(tmp_path / "pairs")["data_sha256"]
    assert sweep.parse_variant("e2:epochs=2,synthetic=null") == ("e2", {"epochs": 2,
                                                                        "synthetic": None})
    # A variant's settings over the exported recipe: the same rows, twice the steps.
    twice = sweep.RowsTrainer(exported, {"epochs": 2 * config.epochs}, progress=False)
    twice.config.out = str(tmp_path / "twice")
    assert read_card(twice.run())["steps"] == 2 * read_card(out)["steps"]
    with pytest.raises(RecipeError, match="unknown recipe key 'epoch'"):
        sweep.RowsTrainer(exported, {"epoch": 2})
