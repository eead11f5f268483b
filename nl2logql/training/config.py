"""The training recipe: one validated dataclass, saved and read as YAML or JSON.

Every field carries its help text in ``metadata["help"]`` (as peft's configs do), so
``nl2logql train --help`` and the recipe files document the same thing. A bad value or an
unknown key fails at once with one line naming it, not minutes into a run.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from nl2logql.datasets import SPLIT_NAMES
from nl2logql.errors import Nl2LogQLError

DTYPES = ("auto", "float32", "bfloat16", "float16")
QUANTIZATIONS = ("none", "4bit")
DEFAULT_TARGET_MODULES = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


class RecipeError(Nl2LogQLError):
    """A recipe that cannot be used: an unknown key, a bad value, an unreadable file."""


def _help(text: str, **extra: Any) -> dict:
    return {"help": text, **extra}


@dataclass
class TrainConfig:
    base_model: str | None = field(default=None, metadata=_help(
        "A local model folder or a Hugging Face id; null is the bundled Gemma 3 270M."))
    split: str = field(default="random", metadata=_help(
        "The committed split to train on: its train side only (random or unseen-template)."))
    data: str | None = field(default=None, metadata=_help(
        "Extra training pairs: a JSONL or CSV file with question and logql columns."))
    synthetic: str | None = field(default=None, metadata=_help(
        "Synthesized pairs (`nl2logql synth`, JSONL) to mix in; pairs of a system the "
        "split holds out (leave-out-*) are left out."))
    synthetic_count: int = field(default=0, metadata=_help(
        "How many synthesized pairs to mix in, drawn with the seed (0: all of them)."))
    synthetic_own: bool = field(default=False, metadata=_help(
        "The synthesized pairs come from the logs the adapter is for (`train --synthesize`): "
        "none is left out for being of a system the split holds out."))
    synthetic_first: bool = field(default=False, metadata=_help(
        "Train on the synthesized pairs first, then on the others (each part in shuffled "
        "batches), so that the adapter ends on pairs people wrote; else one shuffled mix."))
    keep_invalid: bool = field(default=False, metadata=_help(
        "Keep --data pairs whose gold LogQL does not parse (they are skipped by default)."))
    limit: int | None = field(default=None, metadata=_help(
        "Train on the first N pairs only (a quick trial run)."))
    k: int = field(default=4, metadata=_help(
        "Retrieved examples in each prompt, as at inference (`generate -k`)."))
    data_examples: int = field(default=0, metadata=_help(
        "How many of the k examples are pairs synthesized from the logs the prompt is "
        "about (the pair itself never among them). Inference shows 2; training with 2 "
        "scored lower on leave-out-openssh's validation side than training with 0."))
    lora_r: int = field(default=16, metadata=_help("LoRA rank."))
    lora_alpha: int = field(default=32, metadata=_help("LoRA scaling numerator (scale = alpha / r)."))
    lora_dropout: float = field(default=0.05, metadata=_help("Dropout on the LoRA input."))
    target_modules: list[str] = field(default_factory=lambda: list(DEFAULT_TARGET_MODULES),
                                      metadata=_help("Module names that get LoRA weights."))
    learning_rate: float = field(default=2e-4, metadata=_help("Peak AdamW learning rate."))
    warmup_ratio: float = field(default=0.05, metadata=_help(
        "Fraction of the steps spent warming the learning rate up (then linear decay)."))
    epochs: int = field(default=3, metadata=_help("Passes over the training pairs."))
    batch_tokens: int = field(default=4096, metadata=_help(
        "Tokens per batch (padding included); sequences of similar length share a batch."))
    max_length: int = field(default=1024, metadata=_help(
        "Longest prompt + query in tokens; longer pairs are skipped, never cut."))
    seed: int = field(default=0, metadata=_help("Seeds LoRA init, data order and dropout."))
    augment: bool = field(default=False, metadata=_help(
        "Add pairs with application names, hostnames and time windows swapped "
        "consistently in question and query (never from test templates)."))
    validation_every_epoch: bool = field(default=True, metadata=_help(
        "Decode a validation slice after each epoch: validity rate and exact match."))
    validation_size: int = field(default=16, metadata=_help("Validation pairs decoded each epoch."))
    save_every_steps: int = field(default=0, metadata=_help(
        "Also checkpoint every N steps (0: at the end of each epoch only)."))
    dtype: str = field(default="auto", metadata=_help(
        "Weight dtype: auto is bfloat16 where the CPU or GPU has bf16 kernels, else float32."))
    quantization: str = field(default="none", metadata=_help(
        "4bit loads the base model with bitsandbytes NF4 (QLoRA; needs a CUDA GPU)."))
    gradient_checkpointing: bool = field(default=False, metadata=_help(
        "Recompute activations in the backward pass: less memory, ~30% slower (big models)."))
    threads: int = field(default=0, metadata=_help("Torch CPU threads; 0 is the physical core count."))
    out: str = field(default="nl2logql-adapter", metadata=_help(
        "The adapter folder to write (LoRA weights + card.json); checkpoints go to OUT.checkpoints."))

    def __post_init__(self) -> None:
        for name in ("learning_rate", "lora_dropout", "warmup_ratio"):
            self._coerce_float(name)  # PyYAML reads 2e-4 (no dot) as a string
        if isinstance(self.target_modules, str):
            self.target_modules = [m.strip() for m in self.target_modules.split(",") if m.strip()]
        _check(self.split in SPLIT_NAMES, "split", self.split, f"one of {', '.join(SPLIT_NAMES)}")
        _check(self.dtype in DTYPES, "dtype", self.dtype, f"one of {', '.join(DTYPES)}")
        _check(self.quantization in QUANTIZATIONS, "quantization", self.quantization,
               f"one of {', '.join(QUANTIZATIONS)}")
        for name in ("k", "data_examples", "save_every_steps", "threads", "synthetic_count"):
            _check(_is_int(getattr(self, name)) and getattr(self, name) >= 0, name,
                   getattr(self, name), "an integer >= 0")
        for name in ("lora_r", "lora_alpha", "epochs", "batch_tokens", "max_length",
                     "validation_size"):
            _check(_is_int(getattr(self, name)) and getattr(self, name) > 0, name,
                   getattr(self, name), "an integer > 0")
        _check(self.limit is None or (_is_int(self.limit) and self.limit > 0), "limit",
               self.limit, "an integer > 0 or null")
        _check(_is_number(self.learning_rate) and 0 < self.learning_rate < 1, "learning_rate",
               self.learning_rate, "a number in (0, 1)")
        for name in ("lora_dropout", "warmup_ratio"):
            _check(_is_number(getattr(self, name)) and 0 <= getattr(self, name) < 1, name,
                   getattr(self, name), "a number in [0, 1)")
        _check(self.batch_tokens >= self.max_length, "batch_tokens", self.batch_tokens,
               f"at least max_length ({self.max_length}), so every pair fits a batch")
        _check(isinstance(self.target_modules, list) and bool(self.target_modules)
               and all(isinstance(m, str) and m for m in self.target_modules),
               "target_modules", self.target_modules, "a non-empty list of module names")
        for name in ("keep_invalid", "augment", "validation_every_epoch", "gradient_checkpointing"):
            _check(isinstance(getattr(self, name), bool), name, getattr(self, name), "true or false")
        for name in ("base_model", "data", "synthetic"):
            _check(getattr(self, name) is None or isinstance(getattr(self, name), str), name,
                   getattr(self, name), "a string or null")
        _check(isinstance(self.out, str) and bool(self.out.strip()), "out", self.out, "a folder path")

    def _coerce_float(self, name: str) -> None:
        value = getattr(self, name)
        if isinstance(value, str):
            try:
                setattr(self, name, float(value))
            except ValueError:
                pass  # reported by the check below, with the value as written

    # ---- round trip ----------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, source: str = "recipe") -> TrainConfig:
        if not isinstance(data, dict):
            raise RecipeError(f"{source}: expected a mapping of recipe keys to values")
        known = [f.name for f in fields(cls)]
        unknown = [key for key in data if key not in known]
        if unknown:
            raise RecipeError(f"{source}: unknown recipe key {unknown[0]!r} "
                              f"(known: {', '.join(known)})")
        return cls(**data)

    def to_yaml(self) -> str:
        import yaml

        return yaml.safe_dump(self.to_dict(), sort_keys=False)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2) + "\n"

    @classmethod
    def from_file(cls, path: str | Path) -> TrainConfig:
        """A recipe from a ``.yaml``/``.yml`` or ``.json`` file."""
        import yaml

        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise RecipeError(f"{path}: cannot read the recipe ({error.strerror})") from None
        try:
            data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
        except (ValueError, yaml.YAMLError) as error:
            reason = str(error).splitlines()[0]
            raise RecipeError(f"{path}: not valid {'JSON' if path.suffix == '.json' else 'YAML'} "
                              f"({reason})") from None
        return cls.from_dict(data or {}, source=str(path))

    def save(self, path: str | Path) -> None:
        path = Path(path)
        path.write_text(self.to_json() if path.suffix == ".json" else self.to_yaml(), encoding="utf-8")

    def with_overrides(self, **changes: Any) -> TrainConfig:
        """A copy with the non-None ``changes`` applied (and validated again)."""
        return replace(self, **{key: value for key, value in changes.items() if value is not None})

    @classmethod
    def help(cls, name: str) -> str:
        return next(f.metadata["help"] for f in fields(cls) if f.name == name)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check(ok: bool, name: str, value: Any, expected: str) -> None:
    if not ok:
        raise RecipeError(f"bad recipe value {name}={value!r}: expected {expected}")
