"""A tiny randomly initialised Gemma 3 and a small tokenizer, built in code (no download),
so the decode loop, adapters and the pruned head can be tested in seconds.

The tokenizer is a byte-level BPE trained in memory on the NL2QL questions and queries,
with Gemma's special tokens at Gemma's ids (``<pad>`` 0, ``<eos>`` 1, ``<bos>`` 2).
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NL2QL = ROOT / "data" / "nl2ql" / "nl2ql.jsonl"
SPECIALS = ["<pad>", "<eos>", "<bos>", "<unk>", "<start_of_turn>", "<end_of_turn>"]
VOCAB_SIZE = 1024
SEED = 0


def _corpus() -> list[str]:
    texts = []
    for line in NL2QL.read_text().splitlines():
        if line.strip():
            record = json.loads(line)
            texts += [record["question"], record["logql"]]
    return texts


def build_tokenizer():
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    tokenizer = Tokenizer(models.BPE(unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=VOCAB_SIZE,
        special_tokens=SPECIALS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(_corpus(), trainer=trainer)
    bos = tokenizer.token_to_id("<bos>")
    tokenizer.post_processor = processors.TemplateProcessing(single="<bos> $A", special_tokens=[("<bos>", bos)])
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, bos_token="<bos>", eos_token="<eos>", pad_token="<pad>", unk_token="<unk>"
    )


def build_model(vocab_size: int):
    import torch
    from transformers import Gemma3ForCausalLM, Gemma3TextConfig

    config = Gemma3TextConfig(
        vocab_size=vocab_size,
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=1,
        head_dim=32,
        layer_types=["sliding_attention", "full_attention"],
        sliding_window=8,  # short, so test prompts run past it as long prompts do on Gemma
        max_position_embeddings=1024,
        pad_token_id=0,
        eos_token_id=1,
        bos_token_id=2,
        tie_word_embeddings=True,
        initializer_range=0.05,  # wider than the default: varied (not uniform) logits
    )
    torch.manual_seed(SEED)
    return Gemma3ForCausalLM(config).eval()


def tiny_model_dir(cache_dir: Path) -> Path:
    """Build (once per ``cache_dir``) the tiny model folder and return it."""
    target = Path(cache_dir) / "tiny-gemma3"
    if (target / "config.json").is_file():
        return target
    tokenizer = build_tokenizer()
    model = build_model(len(tokenizer))
    model.save_pretrained(target)
    tokenizer.save_pretrained(target)
    return target
