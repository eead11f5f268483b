"""LoRA fine-tuning with a loop made for small models on a CPU.

Where the time goes and what we do about it:

- The output head. Gemma's 262k-row head costs more than the whole decoder body per
  position, yet only the query's ~40 positions carry loss, not the ~700 of the prompt.
  :func:`target_loss` runs the body, keeps the hidden states at the target positions and
  applies the head to those only.
- Padding. Batches hold pairs of similar length (:func:`length_grouped_batches`) up to a
  token budget, so little compute goes to padding.
- The vocabulary. Decoding scores printable-ASCII tokens only, so the loss's softmax
  runs over those (:class:`ScoredVocabulary`): 150k of Gemma's 262k rows.
- Precision. bfloat16 weights where the CPU (or GPU) has bf16 kernels; the LoRA weights
  compute in bfloat16 too (:func:`half_precision_compute`), while the optimizer keeps and
  updates them in float32.
- Kernels, on a CPU (:func:`tune_for_cpu`): eager attention, and a LoRA dropout that
  draws half the random numbers.

Measured on the 2-core reference machine (``benchmarks/bench_train.py``): 353 tokens/s
with the first two items, 491 with all; ``transformers.Trainer`` + peft: 136.

Checkpoints (adapter, optimizer, scheduler, RNG, position in the data order) are written
atomically each epoch and every ``save_every_steps``; the data order is a function of the
seed and the epoch, so ``resume`` continues exactly where the checkpoint left off.
"""

from __future__ import annotations

import json
import logging
import os
import random
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nl2logql.errors import ModelError, Nl2LogQLError
from nl2logql.generation.convert import DEFAULT_MODEL_NAME
from nl2logql.training.card import (atomic_folder, build_card, files_sha256, write_card)
from nl2logql.training.config import TrainConfig
from nl2logql.training.data import IGNORE, TrainingData, load_training_data, tokenized_dataset

if TYPE_CHECKING:
    from nl2logql.engine.backend import Backend
    import torch

log = logging.getLogger(__name__)

STATE_FILE = "trainer_state.json"
OPTIMIZER_FILE = "optimizer.pt"
CHECKPOINT_PREFIX = "step-"
VALIDATION_NEW_TOKENS = 128
MAX_GRAD_NORM = 1.0


class TrainingInterrupted(Nl2LogQLError):
    """Ctrl-C during training; the message says where the last checkpoint is."""


@dataclass
class StepInfo:
    """What a step callback sees (tests and the benchmark use it)."""

    step: int
    epoch: int
    loss: float
    ids: list[str]
    tokens: int


@dataclass
class TrainState:
    """Where the run stands; saved with every checkpoint."""

    step: int = 0
    epoch: int = 0             # the epoch in progress (0-based)
    batch_in_epoch: int = 0    # batches of that epoch already done
    seconds: float = 0.0
    validation: list[dict] = field(default_factory=list)
    data_sha256: str = ""
    recipe: dict = field(default_factory=dict)


# ---- model --------------------------------------------------------------------------------


def resolve_base_model(name: str | None, progress: bool = True) -> str:
    """The base model's folder (converting the default model once) or the hub id named.
    A path that holds no model is a one-line :class:`ModelError`."""
    from nl2logql.generation.models import LocalModel

    return LocalModel._resolve(name, progress)


def pick_dtype(name: str, device: str) -> torch.dtype:
    import torch

    if name != "auto":
        return getattr(torch, name)
    if device == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    from nl2logql.generation.models import default_dtype

    return default_dtype()


def load_model(config: TrainConfig, source: str, device: str):
    """(peft model with fresh LoRA weights, tokenizer)."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    dtype = pick_dtype(config.dtype, device)
    options: dict[str, Any] = {"dtype": dtype}
    if config.quantization == "4bit":
        from transformers import BitsAndBytesConfig

        options["quantization_config"] = BitsAndBytesConfig(
            load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_compute_dtype=dtype,
            bnb_4bit_use_double_quant=True)
        options["device_map"] = {"": 0}
    try:
        tokenizer = AutoTokenizer.from_pretrained(source)
        model = AutoModelForCausalLM.from_pretrained(source, **options)
    except (OSError, ValueError) as error:
        raise ModelError(f"cannot load base model {source}: {str(error).strip().splitlines()[0]}") from None
    if config.quantization == "4bit":
        from peft import prepare_model_for_kbit_training

        model = prepare_model_for_kbit_training(model, config.gradient_checkpointing)
    else:
        model.to(device)
        if config.gradient_checkpointing:
            model.gradient_checkpointing_enable()
            model.enable_input_require_grads()  # frozen embeddings: grads must still flow
    torch.manual_seed(config.seed)  # LoRA's random A matrices
    lora = LoraConfig(r=config.lora_r, lora_alpha=config.lora_alpha,
                      lora_dropout=config.lora_dropout, target_modules=config.target_modules,
                      task_type="CAUSAL_LM")
    try:
        model = get_peft_model(model, lora)
    except ValueError as error:  # e.g. target modules the model lacks
        raise ModelError(f"cannot add LoRA to {source}: {str(error).splitlines()[0]}") from None
    return model, tokenizer


def tune_for_cpu(model) -> None:
    """What makes a CPU training step faster without changing what is computed (ours;
    the benchmark's baseline keeps transformers' and peft's defaults): eager attention
    (10% faster than the CPU SDPA kernel's backward at ~700-token rows) and
    :class:`~nl2logql.training.dropout.PackedBitsDropout` for peft's LoRA dropouts."""
    import torch

    from nl2logql.training.dropout import PackedBitsDropout

    causal_lm = model.get_base_model() if hasattr(model, "get_base_model") else model
    if hasattr(causal_lm, "set_attn_implementation"):
        causal_lm.set_attn_implementation("eager")
    for module in model.modules():
        dropouts = getattr(module, "lora_dropout", None)
        if isinstance(dropouts, torch.nn.ModuleDict):
            for name, dropout in dropouts.items():
                if isinstance(dropout, torch.nn.Dropout):
                    dropouts[name] = PackedBitsDropout(dropout.p)


def decoder_and_head(model):
    """The decoder body (hidden states out) and the output head of a (peft) causal LM."""
    causal_lm = model.get_base_model() if hasattr(model, "get_base_model") else model
    softcap = getattr(causal_lm.config, "final_logit_softcapping", None)
    return causal_lm.base_model, causal_lm.get_output_embeddings(), softcap


class ScoredVocabulary:
    """The head's rows for the tokens generation scores (printable ASCII and the end
    tokens: :func:`~nl2logql.generation.models.scored_token_ids`, 150k of Gemma's 262k).
    Decoding picks among these only, so the training softmax normalises over the same
    ones: the distribution trained is the one sampled, and the head costs 43% less."""

    def __init__(self, model, tokenizer) -> None:
        import torch

        from nl2logql.generation.models import end_token_ids, scored_token_ids

        _, head, _ = decoder_and_head(model)
        rows = head.weight.shape[0]
        ids = torch.tensor(scored_token_ids(tokenizer, end_token_ids(tokenizer), rows),
                           device=head.weight.device)
        self.weight = head.weight.detach()[ids].contiguous()
        self.bias = None if head.bias is None else head.bias.detach()[ids]
        self.column = torch.full((rows,), -1, dtype=torch.long, device=ids.device)
        self.column[ids] = torch.arange(len(ids), device=ids.device)


def target_loss(model, batch: dict[str, torch.Tensor],
                vocabulary: ScoredVocabulary | None = None) -> torch.Tensor:
    """Mean cross-entropy over the target tokens, with the head applied to the positions
    that predict them only (the prompt's positions need no logits). With ``vocabulary``,
    over its tokens, unless a target falls outside them (then over the whole head)."""
    import torch.nn.functional as F

    body, head, softcap = decoder_and_head(model)
    hidden = body(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"],
                  use_cache=False).last_hidden_state
    labels = batch["labels"][:, 1:]           # position t predicts token t + 1
    where = labels != IGNORE
    hidden, targets = hidden[:, :-1][where], labels[where]
    columns = None if vocabulary is None else vocabulary.column[targets]
    if columns is not None and bool((columns >= 0).all()):
        logits, targets = F.linear(hidden, vocabulary.weight, vocabulary.bias).float(), columns
    else:
        logits = head(hidden).float()
    if softcap:
        logits = softcap * (logits / softcap).tanh()
    return F.cross_entropy(logits, targets)


@contextmanager
def half_precision_compute(params: list, dtype) -> Iterator[None]:
    """Within the block, the (float32) ``params`` compute in ``dtype``; on leaving, they
    hold their float32 values again with float32 gradients. peft keeps LoRA weights in
    float32 beside a bfloat16 model and casts every layer input up to match: on a CPU
    those casts cost 14% of a step. The optimizer still updates float32 weights."""
    masters = [p.data for p in params]
    for p in params:
        p.data = p.data.to(dtype)
    try:
        yield
    finally:
        for p, master in zip(params, masters):
            grad = p.grad
            p.data = master
            p.grad = None if grad is None else grad.to(master.dtype)


def collate(rows: list[dict], pad_id: int, device: str = "cpu") -> dict[str, torch.Tensor]:
    """Right-padded tensors; padding has attention 0 and label ``IGNORE``."""
    import torch

    width = max(len(row["input_ids"]) for row in rows)
    ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    labels = torch.full((len(rows), width), IGNORE, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, row in enumerate(rows):
        n = len(row["input_ids"])
        ids[i, :n] = torch.tensor(row["input_ids"])
        labels[i, :n] = torch.tensor(row["labels"])
        mask[i, :n] = 1
    return {"input_ids": ids.to(device), "labels": labels.to(device), "attention_mask": mask.to(device)}


def length_grouped_batches(lengths: list[int], batch_tokens: int, seed: int,
                           phases: list[int] | None = None) -> list[list[int]]:
    """Row indices in batches of similar length, each within ``batch_tokens`` once padded.
    Shuffled, then sorted by length within windows of ~50 batches (some randomness stays
    in which pairs meet), batches in random order. The same seed gives the same batches.
    With ``phases`` (a number per row), the batches of phase 0 come first, then phase 1's..."""
    if phases is not None:
        batches = []
        for phase in sorted(set(phases)):
            rows = [i for i, p in enumerate(phases) if p == phase]
            batches += [[rows[i] for i in batch] for batch in length_grouped_batches(
                [lengths[i] for i in rows], batch_tokens, seed + phase)]
        return batches
    rng = random.Random(seed)
    order = list(range(len(lengths)))
    rng.shuffle(order)
    per_batch = max(1, batch_tokens // max(1, max(lengths, default=1)))
    window = 50 * per_batch
    batches: list[list[int]] = []
    for start in range(0, len(order), window):
        chunk = sorted(order[start:start + window], key=lambda i: lengths[i])
        batch: list[int] = []
        for i in chunk:
            if batch and (len(batch) + 1) * max(lengths[i], lengths[batch[0]]) > batch_tokens:
                batches.append(batch)
                batch = []
            batch.append(i)
        if batch:
            batches.append(batch)
    rng.shuffle(batches)
    return batches


def epoch_seed(seed: int, epoch: int) -> int:
    return seed * 1_000_003 + epoch


# ---- checkpoints --------------------------------------------------------------------------


def checkpoints_dir(out: str | Path) -> Path:
    out = Path(out)
    return out.with_name(out.name + ".checkpoints")


def latest_checkpoint(out: str | Path) -> Path | None:
    """The newest complete checkpoint (only complete ones carry the step- name)."""
    folder = checkpoints_dir(out)
    found = [p for p in folder.glob(f"{CHECKPOINT_PREFIX}*") if (p / STATE_FILE).is_file()]
    return max(found, key=lambda p: int(p.name[len(CHECKPOINT_PREFIX):]), default=None)


def save_checkpoint(out: str | Path, model, optimizer, scheduler, state: TrainState) -> Path:
    import torch

    target = checkpoints_dir(out) / f"{CHECKPOINT_PREFIX}{state.step}"
    previous = latest_checkpoint(out)
    with atomic_folder(target) as scratch:
        model.save_pretrained(scratch, safe_serialization=True)
        (scratch / "README.md").unlink(missing_ok=True)
        torch.save({"optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(),
                    "torch_rng": torch.get_rng_state()}, scratch / OPTIMIZER_FILE)
        (scratch / STATE_FILE).write_text(json.dumps(state.__dict__, indent=2) + "\n")
    if previous is not None and previous != target:
        shutil.rmtree(previous, ignore_errors=True)  # one checkpoint is enough to resume
    return target


def load_checkpoint(path: Path, model, optimizer, scheduler) -> TrainState:
    import torch
    from peft import set_peft_model_state_dict
    from safetensors.torch import load_file

    set_peft_model_state_dict(model, load_file(str(path / "adapter_model.safetensors")))
    saved = torch.load(path / OPTIMIZER_FILE, weights_only=False)
    optimizer.load_state_dict(saved["optimizer"])
    scheduler.load_state_dict(saved["scheduler"])
    torch.set_rng_state(saved["torch_rng"])
    return TrainState(**json.loads((path / STATE_FILE).read_text()))


# ---- validation ---------------------------------------------------------------------------


def validate(model, tokenizer, data: TrainingData, config: TrainConfig, device: str) -> dict:
    """Greedy-decode the first ``validation_size`` validation questions from their
    inference prompts: the share of valid LogQL and of queries equivalent to the gold."""
    import torch

    from nl2logql.generation.models import end_token_ids
    from nl2logql.generation.prompt import extract_query
    from nl2logql.logql import equivalent, validate as check

    pairs = data.validation[: config.validation_size]
    if not pairs:
        return {}
    end_ids = end_token_ids(tokenizer, getattr(model, "generation_config", None))
    valid = exact = 0
    was_training = model.training
    model.eval()
    with torch.inference_mode():
        for pair in pairs:
            prompt = data.prompt(pair, config)
            ids = tokenizer(prompt, return_tensors="pt").input_ids.to(device)
            out = model.generate(input_ids=ids, attention_mask=torch.ones_like(ids),
                                 max_new_tokens=VALIDATION_NEW_TOKENS, do_sample=False,
                                 eos_token_id=end_ids, pad_token_id=tokenizer.pad_token_id)
            query = extract_query(tokenizer.decode(out[0, ids.shape[1]:], skip_special_tokens=True))
            valid += check(query) is None
            exact += equivalent(query, pair.logql)
    model.train(was_training)
    return {"pairs": len(pairs), "validity": valid / len(pairs), "exact_match": exact / len(pairs)}


# ---- the loop -----------------------------------------------------------------------------


class Trainer:
    """``Trainer(config).run()`` trains and writes the adapter folder ``config.out``.
    ``on_step`` is called after every optimizer step (tests, benchmarks)."""

    def __init__(self, config: TrainConfig, *, resume: bool = False, progress: bool = True,
                 on_step: Callable[[StepInfo], None] | None = None,
                 schema_backend: Backend | None = None) -> None:
        self.config = config
        self.schema_backend = schema_backend  # the logs config.synthetic was made from
        self.resume = resume
        self.progress = progress
        self.on_step = on_step

    def prepare(self) -> None:
        """Load the model and tokenise the data (also used alone by the benchmark)."""
        import torch

        config = self.config
        if config.threads:
            torch.set_num_threads(config.threads)
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        self.device = "cuda" if torch.cuda.is_available() else "cpu"
        self.source = resolve_base_model(config.base_model, self.progress)
        self.load_data()  # before the model: a recipe with no pairs fails at once
        self.model, self.tokenizer = load_model(config, self.source, self.device)
        if self.device == "cpu":
            tune_for_cpu(self.model)
        self.base_sha256 = files_sha256(Path(self.source)) or getattr(self.model.config, "_commit_hash", None)
        self.rows = self.tokenized_rows()
        self.lengths = [row["length"] for row in self.rows]
        self.vocabulary = ScoredVocabulary(self.model, self.tokenizer)
        pad_id = self.tokenizer.pad_token_id
        self.pad_id = self.tokenizer.eos_token_id if pad_id is None else pad_id
        self.trainable = [p for p in self.model.parameters() if p.requires_grad]
        dtype = pick_dtype(config.dtype, self.device)
        self.compute_dtype = dtype if dtype == torch.bfloat16 and not config.quantization else None

    def load_data(self) -> None:
        """The training pairs, and ``data_sha256`` naming them (the card, a resume)."""
        self.data = load_training_data(self.config)
        if self.schema_backend is not None and self.config.synthetic:
            self.data.schema_backends[Path(self.config.synthetic).name] = self.schema_backend
        if not self.data.train:
            raise Nl2LogQLError("no training pairs left (check --data, --limit)")
        self.data_sha256 = self.data.sha256()

    def tokenized_rows(self) -> list[dict]:
        """Each pair's ``input_ids``/``labels``/``length``, pairs over ``max_length`` left out."""
        dataset = tokenized_dataset(self.data, self.tokenizer, self.config,
                                    tokenizer_id=self._tokenizer_id())
        return dataset.to_list()  # a few MB: plain lists index faster than Arrow

    def gradients(self, rows: list[dict]) -> "torch.Tensor":
        """One batch's loss (returned) and its gradients (left on the LoRA weights)."""
        batch = collate(rows, self.pad_id, self.device)
        precision = (half_precision_compute(self.trainable, self.compute_dtype)
                     if self.compute_dtype else nullcontext())
        with precision:
            loss = target_loss(self.model, batch, self.vocabulary)
            loss.backward()
        return loss.detach()

    def _tokenizer_id(self) -> str:
        folder = Path(self.source)
        tokenizer_hash = files_sha256(folder, ("tokenizer.json", "tokenizer.model", "tokenizer_config.json"))
        return tokenizer_hash or f"{self.source}:{len(self.tokenizer)}"

    def batches(self, epoch: int) -> list[list[int]]:
        phases = ([0 if row["id"] in self.data.synthetic_ids else 1 for row in self.rows]
                  if self.config.synthetic_first else None)
        return length_grouped_batches(self.lengths, self.config.batch_tokens,
                                      epoch_seed(self.config.seed, epoch), phases)

    def run(self) -> Path:
        import torch

        config = self.config
        self.prepare()
        torch.manual_seed(config.seed)
        optimizer = torch.optim.AdamW(self.trainable, lr=config.learning_rate, weight_decay=0.0)
        steps_per_epoch = len(self.batches(0))
        total = steps_per_epoch * config.epochs
        warmup = int(total * config.warmup_ratio)
        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, _linear_schedule(warmup, total))
        state = TrainState(data_sha256=self.data_sha256, recipe=config.to_dict())
        checkpoint = latest_checkpoint(config.out) if self.resume else None
        if self.resume and checkpoint is None:
            log.warning("no checkpoint in %s: starting from scratch", checkpoints_dir(config.out))
        if checkpoint is not None:
            state = load_checkpoint(checkpoint, self.model, optimizer, scheduler)
            if state.data_sha256 != self.data_sha256:
                raise Nl2LogQLError(f"{checkpoint}: trained on other data; "
                                    "resume with the same recipe and data, or drop --resume")
            state.recipe = config.to_dict()
        try:
            self._loop(state, optimizer, scheduler, steps_per_epoch, total)
        except KeyboardInterrupt:
            last = latest_checkpoint(config.out)
            where = (f"the last checkpoint ({last.name}) is in {last.parent}; continue with --resume"
                     if last else "no checkpoint was written yet")
            raise TrainingInterrupted(f"interrupted at step {state.step}: {where}") from None
        return self._write_output(state)

    def _loop(self, state: TrainState, optimizer, scheduler, steps_per_epoch: int, total: int) -> None:
        import torch
        from tqdm.auto import tqdm

        config = self.config
        self.model.train()
        bar = tqdm(total=total, initial=state.step, unit="step", disable=not self.progress,
                   dynamic_ncols=True, desc="train")
        tokens_seen = 0
        clock = self._mark = time.perf_counter()
        try:
            while state.epoch < config.epochs:
                batches = self.batches(state.epoch)
                for batch_ids in batches[state.batch_in_epoch:]:
                    rows = [self.rows[i] for i in batch_ids]
                    loss = self.gradients(rows)
                    torch.nn.utils.clip_grad_norm_(self.trainable, MAX_GRAD_NORM)
                    optimizer.step()
                    scheduler.step()
                    optimizer.zero_grad(set_to_none=True)
                    state.step += 1
                    state.batch_in_epoch += 1
                    tokens = sum(len(row["input_ids"]) for row in rows)
                    tokens_seen += tokens
                    elapsed = time.perf_counter() - clock
                    bar.set_postfix(epoch=state.epoch + 1, loss=f"{loss.item():.3f}",
                                    tok_s=f"{tokens_seen / elapsed:.0f}")
                    bar.update(1)
                    if self.on_step:
                        self.on_step(StepInfo(state.step, state.epoch, loss.item(),
                                              [row["id"] for row in rows], tokens))
                    if config.save_every_steps and state.step % config.save_every_steps == 0 \
                            and state.batch_in_epoch < len(batches):
                        self._checkpoint(state, optimizer, scheduler)
                state.epoch += 1
                state.batch_in_epoch = 0
                if config.validation_every_epoch:
                    scores = validate(self.model, self.tokenizer, self.data, config, self.device)
                    if scores:
                        state.validation.append({"epoch": state.epoch, "step": state.step, **scores})
                        bar.write(f"epoch {state.epoch}: valid {scores['validity']:.0%}, "
                                  f"exact match {scores['exact_match']:.0%} "
                                  f"({scores['pairs']} validation pairs)")
                self._checkpoint(state, optimizer, scheduler)
        finally:
            bar.close()

    def _checkpoint(self, state: TrainState, optimizer, scheduler) -> None:
        now = time.perf_counter()
        state.seconds += now - self._mark  # training time survives a resume
        self._mark = now
        save_checkpoint(self.config.out, self.model, optimizer, scheduler, state)

    def _write_output(self, state: TrainState) -> Path:
        """The adapter (LoRA weights only) and its card, replacing ``out`` atomically."""
        out = Path(self.config.out)
        # The bundled model by its name, not this machine's cache path (its hash identifies it).
        base_model = self.config.base_model or f"{DEFAULT_MODEL_NAME} (bundled)"
        card = build_card(recipe=self.config.to_dict(), base_model=base_model,
                          base_sha256=self.base_sha256, model_type=self.model.config.model_type,
                          data_sha256=state.data_sha256, train_pairs=len(self.rows),
                          steps=state.step, validation=state.validation,
                          seconds=state.seconds)
        with atomic_folder(out) as scratch:
            self.model.save_pretrained(scratch, safe_serialization=True)
            (scratch / "README.md").unlink(missing_ok=True)  # peft's empty template; card.json says it
            write_card(scratch, card)
        return out


def _linear_schedule(warmup: int, total: int) -> Callable[[int], float]:
    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / (warmup + 1)
        return max(0.0, (total - step) / max(1, total - warmup))
    return factor


def train(config: TrainConfig, **options: Any) -> Path:
    """Train and write the adapter folder; see :class:`Trainer`."""
    return Trainer(config, **options).run()
