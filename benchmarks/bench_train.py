"""Training speed: our loop against a plain ``transformers.Trainer`` + peft, same data, same run.

    python benchmarks/bench_train.py [--tiny] [--steps N] [--batch-tokens N] [--threads N]

Both train the same LoRA (the default recipe's) on the same tokenised pairs (the
inference prompt + query, loss on the query). Ours (``Trainer.gradients``): logits at
the target positions only, over the tokens decoding scores; LoRA computing in bfloat16
with float32 weights in the optimizer; length-grouped batches. The baseline: ``Trainer``
with ``DataCollatorForSeq2Seq`` and the model's own loss (logits at every position),
batch size = ours' mean. Reports tokens/s (real tokens, padding not counted) after
``--warmup`` steps, and the ratio. Target: >= 3x on the default Gemma 3 270M on a CPU.
``--tiny`` uses the tiny test model (seconds).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch

from nl2logql.training import TrainConfig, Trainer
from nl2logql.training.data import IGNORE
from nl2logql.training.trainer import load_model

ROOT = Path(__file__).resolve().parent.parent


def ours(trainer: Trainer, steps: int, warmup: int) -> tuple[float, float]:
    """(tokens/s, mean loss) of our step on the first batches of epoch 0."""
    model, config = trainer.model, trainer.config
    model.train()
    optimizer = torch.optim.AdamW(trainer.trainable, lr=config.learning_rate)
    batches = (trainer.batches(0) * (1 + steps // max(1, len(trainer.batches(0)))))[: warmup + steps]
    tokens, seconds, losses = 0, 0.0, []
    for number, ids in enumerate(batches):
        rows = [trainer.rows[i] for i in ids]
        started = time.perf_counter()
        loss = trainer.gradients(rows)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        if number >= warmup:
            seconds += time.perf_counter() - started
            tokens += sum(len(row["input_ids"]) for row in rows)
            losses.append(loss.item())
    return tokens / seconds, statistics.mean(losses)


def baseline(trainer: Trainer, steps: int, warmup: int, batch_size: int) -> tuple[float, float]:
    """(tokens/s, mean loss) of transformers.Trainer on a fresh LoRA model, same rows."""
    from datasets import Dataset
    from transformers import DataCollatorForSeq2Seq, Trainer as HFTrainer, TrainerCallback, TrainingArguments

    model, tokenizer = load_model(trainer.config, trainer.source, trainer.device)
    dataset = Dataset.from_list([{"input_ids": r["input_ids"], "labels": r["labels"]} for r in trainer.rows])
    pad = DataCollatorForSeq2Seq(tokenizer, padding=True, label_pad_token_id=IGNORE)
    counts: list[int] = []

    def counting_collator(features):
        counts.append(sum(len(f["input_ids"]) for f in features))
        return pad(features)

    class Clock(TrainerCallback):
        def __init__(self):
            self.times, self.losses = [], []

        def on_step_begin(self, args, state, control, **kwargs):
            self.started = time.perf_counter()

        def on_step_end(self, args, state, control, **kwargs):
            self.times.append(time.perf_counter() - self.started)

        def on_log(self, args, state, control, logs=None, **kwargs):
            if logs and "loss" in logs:
                self.losses.append(logs["loss"])

    clock = Clock()
    with tempfile.TemporaryDirectory() as scratch:
        args = TrainingArguments(output_dir=scratch, per_device_train_batch_size=batch_size,
                                 max_steps=warmup + steps, learning_rate=trainer.config.learning_rate,
                                 logging_steps=1, save_strategy="no", report_to=[],
                                 use_cpu=trainer.device == "cpu", disable_tqdm=True,
                                 dataloader_num_workers=0, seed=trainer.config.seed)
        HFTrainer(model=model, args=args, train_dataset=dataset, data_collator=counting_collator,
                  callbacks=[clock]).train()
    # The collator runs one batch ahead of the steps (prefetch): step i used counts[i].
    tokens = sum(counts[warmup:warmup + steps])
    return tokens / sum(clock.times[warmup:]), statistics.mean(clock.losses[warmup:] or [float("nan")])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tiny", action="store_true", help="the tiny random test model")
    parser.add_argument("--steps", type=int, default=24)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--batch-tokens", type=int, default=2048)
    parser.add_argument("--threads", type=int, default=0)
    args = parser.parse_args()

    base = None
    if args.tiny:
        sys.path.insert(0, str(ROOT / "tests"))
        from tiny_model import tiny_model_dir

        base = str(tiny_model_dir(Path(tempfile.mkdtemp())))
    config = TrainConfig(base_model=base, threads=args.threads, batch_tokens=args.batch_tokens,
                         max_length=min(args.batch_tokens, 2048), validation_every_epoch=False,
                         out=tempfile.mkdtemp() + "/out")
    trainer = Trainer(config, progress=False)
    trainer.prepare()
    batches = trainer.batches(0)
    batch_size = max(1, round(len(trainer.rows) / len(batches)))
    print(f"model {trainer.source} ({next(trainer.model.parameters()).dtype}), device {trainer.device}, "
          f"{torch.get_num_threads()} threads; {len(trainer.rows)} pairs, mean length "
          f"{statistics.mean(trainer.lengths):.0f} tokens, {sum(len(r['input_ids']) - r['labels'].count(IGNORE) for r in trainer.rows) / len(trainer.rows):.0f} "
          f"target tokens; batch_tokens {args.batch_tokens} (~{batch_size} pairs/batch); "
          f"{args.steps} timed steps after {args.warmup} warm-up steps", flush=True)
    fast, fast_loss = ours(trainer, args.steps, args.warmup)
    print(f"ours                 {fast:8.0f} tokens/s  (mean loss {fast_loss:.3f})", flush=True)
    del trainer.model
    slow, slow_loss = baseline(trainer, args.steps, args.warmup, batch_size)
    print(f"transformers.Trainer {slow:8.0f} tokens/s  (mean loss {slow_loss:.3f})")
    print(f"speed-up             {fast / slow:8.2f}x  (target >= 3x)")


if __name__ == "__main__":
    main()
