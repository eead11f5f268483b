"""``nl2logql train``: LoRA fine-tuning on NL2QL (and the user's pairs) → an adapter folder."""

from __future__ import annotations

import click

from nl2logql.commands.common import CliError
from nl2logql.commands.sources import open_backend, source_options
from nl2logql.datasets import SPLIT_NAMES

SYNTHESIZED_DEFAULT = 1000  # pairs --synthesize writes when the recipe names no count


@click.command()
@click.option("--recipe", type=click.Path(dir_okay=False), metavar="FILE",
              help="A recipe (YAML/JSON), e.g. training/gemma-270m-cpu.yaml; options below override it.")
@click.option("--base-model", metavar="PATH|ID", help="Base model folder or Hugging Face id (default: Gemma 3 270M).")
@click.option("--data", metavar="FILE", help="Extra training pairs: JSONL or CSV with question and logql.")
@click.option("--split", type=click.Choice(SPLIT_NAMES), help="Committed split to train on (default: random).")
@click.option("--out", metavar="DIR", help="Adapter folder to write (default: nl2logql-adapter).")
@click.option("--epochs", type=click.IntRange(1), help="Passes over the training pairs.")
@click.option("--learning-rate", type=click.FloatRange(0, min_open=True), metavar="LR",
              help="Peak learning rate (the recipe's: 2e-4).")
@click.option("--lora-r", type=click.IntRange(1), metavar="R",
              help="LoRA rank (the recipe's: 16; lora_alpha stays the recipe's).")
@click.option("--limit", type=click.IntRange(1), help="Train on the first N pairs only (a trial run).")
@click.option("--augment/--no-augment", default=None, help="Add name/time-window-swapped pairs.")
@click.option("--keep-invalid", is_flag=True, default=None,
              help="Keep --data pairs whose LogQL does not parse (skipped by default).")
@click.option("--synthesize", is_flag=True,
              help="First write pairs from the data source's own logs (see `nl2logql synth`) "
                   "to OUT.synth.jsonl and train on them too.")
@click.option("--synthetic", metavar="FILE", help="Synthesized pairs to mix in (`nl2logql synth` output).")
@click.option("--synthetic-count", type=click.IntRange(0), metavar="N",
              help="How many synthesized pairs to mix in (0: all).")
@click.option("--synthetic-first/--synthetic-mixed", default=None,
              help="Train on the synthesized pairs first, then on the real ones (default: mixed).")
@click.option("--resume", is_flag=True, help="Continue from OUT.checkpoints after an interruption.")
@source_options
def train(recipe, base_model, data, split, out, epochs, learning_rate, lora_r, limit, augment,
          keep_invalid, synthesize, synthetic, synthetic_count, synthetic_first, resume, source):
    """Fine-tune a LoRA adapter for `nl2logql generate --adapter`.

    Prompts are built exactly as at inference (schema, retrieved examples); the loss
    covers the query tokens only. A progress bar shows loss, tokens/s and the time left;
    each epoch is validated and checkpointed, and Ctrl-C keeps the last checkpoint.

    \b
    Examples:
      nl2logql train --recipe training/gemma-270m-cpu.yaml --out my-adapter
      nl2logql train --data my-pairs.jsonl --epochs 2 --out my-adapter
      nl2logql train --recipe training/gemma-270m-cpu.yaml --split unseen-template --learning-rate 1e-4 --out trial
      nl2logql train --synthesize --logs /var/log/auth.log --label app=sshd --out my-adapter
      nl2logql train --recipe training/gemma-270m-cpu.yaml --out my-adapter --resume
      nl2logql generate "failed logins per IP on openssh-eu-west" --adapter my-adapter
    """
    from nl2logql.training import TrainConfig, TrainingInterrupted, train as run_training

    config = TrainConfig.from_file(recipe) if recipe else TrainConfig()
    config = config.with_overrides(base_model=base_model, data=data, split=split, out=out,
                                   epochs=epochs, learning_rate=learning_rate, lora_r=lora_r,
                                   limit=limit, augment=augment,
                                   keep_invalid=keep_invalid or None, synthetic=synthetic,
                                   synthetic_count=synthetic_count,
                                   synthetic_first=synthetic_first)
    schema_backend = None
    if synthesize:  # the pairs are prompted with their own logs' schema
        schema_backend = open_backend(source)
        config = config.with_overrides(synthetic=_synthesize(config, schema_backend),
                                       synthetic_own=True)
    try:
        folder = run_training(config, resume=resume, schema_backend=schema_backend)
    except TrainingInterrupted as error:
        error_exit = CliError(str(error))
        error_exit.exit_code = 130  # the shell's code for Ctrl-C
        raise error_exit from None
    click.echo(f"adapter written to {folder}  (use: nl2logql generate QUESTION --adapter {folder})")


def _synthesize(config, backend) -> str:
    """Pairs from the backend's logs, written next to the adapter (OUT.synth.jsonl)."""
    from pathlib import Path

    from nl2logql.commands.synth import synthesize_with_progress
    from nl2logql.synthesis import write_pairs

    count = config.synthetic_count or SYNTHESIZED_DEFAULT
    pairs = synthesize_with_progress(backend, count=count, seed=config.seed, phrasings=3,
                                     families=None)
    if not pairs:
        raise CliError("--synthesize: the data has no patterns to ask about (see `nl2logql patterns`)")
    path = write_pairs(pairs, Path(f"{config.out.rstrip('/')}.synth.jsonl"))
    click.echo(f"{len(pairs):,} synthesized pairs written to {path}", err=True)
    return str(path)


COMMANDS = [train]
