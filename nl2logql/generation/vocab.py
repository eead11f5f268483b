"""A model's tokenizer and the tables decoding needs of its vocabulary, cached per tokenizer.

Measured on the 2-core reference machine with Gemma's 262k tokens, these cost seconds at
every start and never change:

- ``AutoTokenizer.from_pretrained`` re-reads tokenizer.json in Python (2.3 s); the same
  fast tokenizer built straight from the file takes 0.7 s. Whether the two behave the same
  (vocabulary, special tokens, encoding and decoding of probe texts) is checked once, when
  the tables are built, and recorded: a tokenizer that differs keeps the slow path;
- llguidance's view of the tokenizer (each token's bytes): 1.7 s from the tokenizer's
  JSON, 0.4 s from the bytes kept here;
- the printable-ASCII tokens the pruned output head scores (0.5 s) and the tokens that
  start a new line (0.6 s).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nl2logql.generation import startcache

FORMAT = 1  # bump when the tables or how they are computed change
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
                   "added_tokens.json", "tokenizer.model", "vocab.json", "merges.txt")
SPECIAL_TOKEN_KEYS = ("bos_token", "eos_token", "unk_token", "pad_token", "mask_token",
                      "sep_token", "cls_token")
# Texts the direct tokenizer must encode and decode as AutoTokenizer does.
PROBES = ("Translate the question into one Grafana Loki LogQL query.\n### LogQL:\n",
          'sum by (ip) (count_over_time({app="x"} |= `a  b` | json [5m]))',
          "  two leading spaces\tand a tab\n\nand héllo ☃ 日本語 🙂", "")
_PRINTABLE = re.compile(r"[\x20-\x7e\n\t]+")


@dataclass(frozen=True)
class Vocabulary:
    token_bytes: list[bytes]       # each token's bytes, as llguidance reads them
    special_ids: list[int]         # tokens llguidance treats as special
    printable_ids: list[int]       # tokens whose text is printable ASCII (plus \n and \t)
    line_start_ids: list[int]      # tokens whose text starts with a newline
    direct: bool                   # tokenizer.json alone gives the same tokenizer

    @classmethod
    def of(cls, tokenizer, *, direct: bool = False) -> Vocabulary:
        import llguidance.hf

        view = llguidance.hf.from_tokenizer(tokenizer, slices=[])
        ids = range(view.vocab_size)
        return cls([view.decode_bytes([i]) for i in ids],
                   [i for i in ids if view.is_special_token(i)],
                   printable_token_ids(tokenizer), line_start_token_ids(tokenizer), direct)

    def save(self, path: Path) -> None:
        lengths = np.fromiter(map(len, self.token_bytes), dtype=np.int64, count=len(self.token_bytes))
        with open(path, "wb") as out:
            np.savez(out, format=np.array(FORMAT), token_bytes=np.frombuffer(b"".join(self.token_bytes), np.uint8),
                     token_lengths=lengths, special_ids=np.array(self.special_ids, np.int64),
                     printable_ids=np.array(self.printable_ids, np.int64),
                     line_start_ids=np.array(self.line_start_ids, np.int64), direct=np.array(self.direct))

    @classmethod
    def load(cls, path: Path) -> Vocabulary:
        with np.load(path, allow_pickle=False) as tables:
            if int(tables["format"]) != FORMAT:
                raise ValueError("another format")
            blob = tables["token_bytes"].tobytes()
            ends = np.cumsum(tables["token_lengths"]).tolist()
            starts = [0, *ends[:-1]]
            return cls([blob[a:b] for a, b in zip(starts, ends)], tables["special_ids"].tolist(),
                       tables["printable_ids"].tolist(), tables["line_start_ids"].tolist(),
                       bool(tables["direct"]))


def load_tokenizer(source: str) -> tuple[object, Vocabulary]:
    """The tokenizer of a model folder (or hub id) and its :class:`Vocabulary`."""
    from transformers import AutoTokenizer

    folder = Path(source)
    if not (folder / "tokenizer.json").is_file():  # a hub id, or no fast-tokenizer file
        tokenizer = AutoTokenizer.from_pretrained(source)
        return tokenizer, Vocabulary.of(tokenizer)
    vocabulary = startcache.cached(
        "vocabulary", slot=str(folder.resolve()),
        inputs=lambda: [FORMAT, startcache.folder_digest(folder, TOKENIZER_FILES), _versions()],
        build=lambda: _build(folder), save=Vocabulary.save, load=Vocabulary.load, suffix=".npz",
        what="tokenizer tables")
    tokenizer = direct_tokenizer(folder) if vocabulary.direct else AutoTokenizer.from_pretrained(source)
    return tokenizer, vocabulary


def direct_tokenizer(folder: Path):
    """The fast tokenizer read straight from ``tokenizer.json``, with the special tokens
    ``tokenizer_config.json`` names."""
    from transformers import PreTrainedTokenizerFast

    try:
        config = json.loads((folder / "tokenizer_config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        config = {}
    special = {}
    for key in SPECIAL_TOKEN_KEYS:
        value = config.get(key)
        value = value.get("content") if isinstance(value, dict) else value
        if isinstance(value, str):
            special[key] = value
    return PreTrainedTokenizerFast(tokenizer_file=str(folder / "tokenizer.json"), **special)


def same_behaviour(expected, actual) -> bool:
    """Whether two tokenizers agree on everything decoding uses."""
    def fingerprint(tokenizer):
        texts = [*PROBES, *tokenizer.all_special_tokens, "".join(tokenizer.all_special_tokens)]
        encoded = [tokenizer(text, add_special_tokens=add).input_ids for text in texts for add in (True, False)]
        decoded = [tokenizer.decode(ids, skip_special_tokens=skip) for ids in encoded for skip in (True, False)]
        return (len(tokenizer), tokenizer.get_vocab(), tokenizer.all_special_ids, tokenizer.bos_token,
                tokenizer.eos_token_id, encoded, decoded)

    try:
        return fingerprint(expected) == fingerprint(actual)
    except Exception:  # noqa: BLE001 - any failure means: not the same
        return False


def _build(folder: Path) -> Vocabulary:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(folder))
    try:
        direct = same_behaviour(tokenizer, direct_tokenizer(folder))
    except (OSError, ValueError, TypeError):
        direct = False
    return Vocabulary.of(tokenizer, direct=direct)


def _versions() -> list[str]:
    import llguidance
    import tokenizers
    import transformers

    return [transformers.__version__, tokenizers.__version__, getattr(llguidance, "__version__", "")]


def printable_token_ids(tokenizer) -> list[int]:
    """Token ids whose text is printable ASCII (plus newline and tab): all LogQL needs.

    The output head then scores these rows only; Gemma's 262k-token head is most of the
    decode cost on a CPU, and most of its tokens are other scripts.
    """
    singles = [[i] for i in range(len(tokenizer))]
    backend = getattr(tokenizer, "backend_tokenizer", None)  # 3x faster than batch_decode
    texts = backend.decode_batch(singles, skip_special_tokens=False) if backend else tokenizer.batch_decode(singles)
    special = set(tokenizer.all_special_ids)
    return [i for i, text in enumerate(texts) if i not in special and _PRINTABLE.fullmatch(text)]


def line_start_token_ids(tokenizer) -> list[int]:
    """Tokens that start a new line: once a constrained query is complete, the prompt
    asks for one line, and a base model ends it with a newline rather than EOS."""
    vocab = tokenizer.get_vocab()
    return sorted(i for t, i in vocab.items() if tokenizer.convert_tokens_to_string([t]).startswith("\n"))
