"""Model backends: they turn a prompt into candidate completions.

- :class:`LocalModel`   transformers weights on this machine (the default Gemma 3 270M,
                        or any local folder / a hub id the user names), optional LoRA
                        adapter, its own decode loop with grammar masks and speed levers;
- :class:`EndpointModel` an OpenAI-compatible HTTP server (vLLM, Ollama, llama.cpp);
- :class:`ScriptedModel` canned answers for tests.

Candidates (``n`` > 1): with ``temperature`` 0 the first candidate is greedy and the
others are sampled at :data:`DIVERSE_TEMPERATURE`, so a request for several candidates
never returns n copies of the greedy text; with ``temperature`` > 0 all are sampled.
Sampling uses a ``torch.Generator`` seeded with ``seed``: the same call gives the same
candidates.
"""

from __future__ import annotations

import inspect
import json
import os
import time
import urllib.error
import urllib.request
from abc import ABC, abstractmethod
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nl2logql.errors import BackendError, ModelError
from nl2logql.generation.contracts import Completion, Constraint

if TYPE_CHECKING:
    import torch

DIVERSE_TEMPERATURE = 0.7
PREFIX_CACHE_SIZE = 4  # a few fixed instruction blocks (one per task kind) at most
# A constrained step scores just the allowed tokens when they are at most this many;
# past it, copying their weight rows costs more than the pruned head's matmul.
GATHER_LIMIT = 16384
# A decoding loop: the same run of tokens back to back LOOP_COPIES - 1 times, the token
# that would start one more copy refused where the grammar allows another. Four copies
# are allowed (an IP's \d+\. three times, then \d+), and units under LOOP_UNIT_CHARS
# characters are spared (the digits of 1000000).
LOOP_COPIES = 5
LOOP_UNIT_CHARS = 4
LOOP_MAX_UNIT = 32  # tokens


class Model(ABC):
    """Anything that completes a prompt. ``grammar`` is a grammar text for
    :func:`nl2logql.generation.grammar.compile_constraint`; backends that cannot use it
    ignore it (the pipeline validates every candidate anyway)."""

    name: str = "model"

    @abstractmethod
    def complete(
        self,
        prompt: str,
        *,
        n: int = 1,
        max_new_tokens: int = 160,
        grammar: str | None = None,
        temperature: float = 0.0,
        seed: int = 0,
        stop: list[str] | None = None,
    ) -> list[Completion]:
        ...


def _cut_at_stop(text: str, stop: list[str] | None) -> tuple[str, bool]:
    """The text before the first stop string, and whether one was found."""
    cut = min((i for i in (text.find(s) for s in stop or () if s) if i >= 0), default=-1)
    return (text[:cut], True) if cut >= 0 else (text, False)


# --- local weights ---------------------------------------------------------------------


def _looks_like_path(name: str) -> bool:
    """A hub id is ``name`` or ``org/name``; anything else is a path on this machine."""
    return name.startswith((".", "~", os.sep)) or name.count("/") > 1 or Path(name).exists()


def end_token_ids(tokenizer, generation_config=None) -> list[int]:
    """EOS (the tokenizer's and the generation config's) and chat end markers such as
    Gemma's ``<end_of_turn>``: the tokens that end a completion."""
    ids = {tokenizer.eos_token_id}
    configured = getattr(generation_config, "eos_token_id", None)
    ids.update(configured if isinstance(configured, list) else [configured])
    ids.update(token_id(tokenizer, t) for t in ("<end_of_turn>", "<|im_end|>", "<|eot_id|>"))
    return sorted(i for i in ids if i is not None)


def token_id(tokenizer, token: str) -> int | None:
    """The id of the token ``token``, None when the vocabulary lacks it (a lookup, where
    ``get_vocab()`` copies 262k entries: 0.15 s)."""
    backend = getattr(tokenizer, "backend_tokenizer", None)
    return backend.token_to_id(token) if backend is not None else tokenizer.get_vocab().get(token)


def scored_token_ids(tokenizer, end_ids: list[int], rows: int,
                     printable: list[int] | None = None) -> list[int]:
    """The pruned head's tokens: printable ASCII (``printable``, when already known) and
    ``end_ids``, below ``rows`` (the head's size). Decoding scores these only; training
    normalises over the same ones."""
    from nl2logql.generation.vocab import printable_token_ids

    printable = printable_token_ids(tokenizer) if printable is None else printable
    return sorted(i for i in set(printable) | set(end_ids) if i < rows)


def default_dtype() -> "torch.dtype":
    """bfloat16 where oneDNN has bf16 kernels (AVX-512 CPUs): on the 2-core reference
    machine it makes prefill 2.7x and decoding 2.5x faster with the same greedy queries
    for 6 of 8 questions, the others differing late (benchmarks/bench_model.py); float32
    elsewhere, where bf16 matmuls are slow."""
    import torch

    try:
        native = bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        native = False
    return torch.bfloat16 if native else torch.float32


class LocalModel(Model):
    """A causal LM with transformers on this machine, with its own decode loop.

    ``path_or_id`` None is the default model (converted once from its GGUF, see
    :mod:`convert`). A hub id is downloaded by transformers only because the user named
    it. ``adapter`` is a peft LoRA folder, merged into the weights (faster decoding).
    ``dtype`` None picks :func:`default_dtype`. ``threads`` sets torch's thread count
    (torch's default is already the core count: two threads double prefill; decoding
    is memory-bound). ``prune_vocab`` scores only printable-ASCII tokens (and end
    tokens): the same choices as the full head wherever the best token is printable,
    and a quarter faster decoding on a CPU. :meth:`warm_prefix` keeps the KV cache of
    a fixed prompt start (the instruction block) for later prompts.
    """

    def __init__(
        self,
        path_or_id: str | Path | None = None,
        adapter: str | Path | None = None,
        *,
        dtype: "torch.dtype | None" = None,
        threads: int | None = None,
        prune_vocab: bool = True,
        progress: bool = True,
    ) -> None:
        import torch

        from nl2logql.generation.vocab import load_tokenizer
        from nl2logql.generation.weights import adapter_folder, load_weights

        if threads:
            torch.set_num_threads(threads)
        source = self._resolve(path_or_id, progress)
        started = time.perf_counter()
        adapter = None if adapter is None else adapter_folder(adapter)
        try:
            self.tokenizer, self.vocabulary = load_tokenizer(source)
        except (OSError, ValueError) as error:
            raise ModelError(f"cannot load model {source}: {first_line(error)}") from error
        model = load_weights(source, adapter, dtype or default_dtype())
        self.name = Path(source).name if Path(source).exists() else str(source)
        if adapter is not None:
            self.name += f"+{adapter.name}"
        self.model = model.eval()
        self.load_seconds = time.perf_counter() - started

        self.dtype = next(model.parameters()).dtype
        self._body = model.base_model  # the decoder stack; we apply the output head ourselves
        self._cache_kwarg = "cache" if "cache" in inspect.signature(self._body.forward).parameters else "past_key_values"
        head = model.get_output_embeddings()
        self._head_weight, self._head_bias = head.weight, head.bias
        self._softcap = getattr(model.config, "final_logit_softcapping", None)
        self.end_ids = self._end_token_ids()
        self.line_end_ids = self.vocabulary.line_start_ids
        self.prune_vocab = prune_vocab
        self._pruned: tuple | None = None  # see _pruned_head; built on first use
        self._prefixes: OrderedDict[tuple[int, ...], Any] = OrderedDict()
        self._constraints: dict[str, Constraint] = {}

    @staticmethod
    def _resolve(path_or_id: str | Path | None, progress: bool) -> str:
        if path_or_id is None:
            from nl2logql.generation.convert import default_model_dir

            return str(default_model_dir(progress=progress))
        name = str(path_or_id)
        if isinstance(path_or_id, Path) or _looks_like_path(name):
            path = Path(name).expanduser()
            if not (path / "config.json").is_file():
                raise ModelError(f"no model at {path} (expected a folder with config.json)")
            return str(path)
        return name  # a hub id the user named

    def _end_token_ids(self) -> list[int]:
        return end_token_ids(self.tokenizer, self.model.generation_config)

    # -- the decoder ---------------------------------------------------------------------

    def _encode(self, text: str) -> list[int]:
        bos = self.tokenizer.bos_token
        add_special = not (bos and text.startswith(bos))
        return self.tokenizer(text, add_special_tokens=add_special).input_ids

    def _forward(self, ids: "torch.Tensor", cache, past: int) -> "torch.Tensor":
        """Run the decoder on ``ids`` after ``past`` cached positions; last hidden state."""
        import torch

        positions = torch.arange(past, past + ids.shape[1]).unsqueeze(0).expand(ids.shape[0], -1)
        out = self._body(input_ids=ids, position_ids=positions, use_cache=True, **{self._cache_kwarg: cache})
        return out.last_hidden_state[:, -1]

    @property
    def pruned_token_ids(self) -> "torch.Tensor":
        """The pruned head's token ids: printable-ASCII tokens and the end tokens."""
        return self._pruned_head()[0]

    def _pruned_head(self) -> tuple:
        """(token ids, a bool mask of them over the head's rows, their weight rows, bias)."""
        if self._pruned is None:
            import torch

            rows = self._head_weight.shape[0]
            ids = torch.tensor(scored_token_ids(self.tokenizer, self.end_ids, rows,
                                                printable=self.vocabulary.printable_ids))
            mask = torch.zeros(rows, dtype=torch.bool)
            mask[ids] = True
            bias = None if self._head_bias is None else self._head_bias[ids]
            self._pruned = (ids, mask, self._head_weight[ids].contiguous(), bias)
        return self._pruned

    def _logits(self, hidden: "torch.Tensor", columns: "torch.Tensor | None") -> "torch.Tensor":
        """Float32 logits for the head rows ``columns`` (None: the whole vocabulary)."""
        import torch.nn.functional as F

        if columns is None:
            weight, bias = self._head_weight, self._head_bias
        elif columns is self.pruned_token_ids:
            weight, bias = self._pruned_head()[2:]
        else:
            weight = self._head_weight[columns]
            bias = None if self._head_bias is None else self._head_bias[columns]
        logits = F.linear(hidden, weight, bias).float()
        if self._softcap:
            logits = self._softcap * (logits / self._softcap).tanh()
        return logits

    def _new_cache(self):
        from transformers import DynamicCache

        return DynamicCache(config=self.model.config)

    def warm_prefix(self, text: str) -> int:
        """Prefill ``text`` (a fixed start of later prompts) and keep its KV cache, so a
        prompt starting with it prefills only the rest. Returns the prefix's token count."""
        import torch

        ids = tuple(self._encode(text))
        if ids not in self._prefixes:
            cache = self._new_cache()
            with torch.inference_mode():
                self._forward(torch.tensor([ids]), cache, 0)
            self._prefixes[ids] = cache
            while len(self._prefixes) > PREFIX_CACHE_SIZE:
                self._prefixes.popitem(last=False)
        return len(ids)

    def _cached_prefix(self, ids: list[int]):
        """The longest warmed prefix of ``ids`` (shorter than ids): (length, cache copy)."""
        import copy

        best = max((p for p in self._prefixes if len(p) < len(ids) and tuple(ids[: len(p)]) == p), key=len, default=None)
        if best is None:
            return 0, self._new_cache()
        self._prefixes.move_to_end(best)
        return len(best), copy.deepcopy(self._prefixes[best])

    def constraint(self, grammar: str) -> Constraint:
        """The grammar compiled for this tokenizer (compiled once per grammar text)."""
        if grammar not in self._constraints:
            from nl2logql.generation.grammar import compile_constraint

            self._constraints[grammar] = compile_constraint(self.tokenizer, grammar,
                                                            vocabulary=self.vocabulary)
        return self._constraints[grammar]

    def complete(
        self,
        prompt: str,
        *,
        n: int = 1,
        max_new_tokens: int = 160,
        grammar: str | None = None,
        temperature: float = 0.0,
        seed: int = 0,
        stop: list[str] | None = None,
        constraint: Constraint | None = None,
    ) -> list[Completion]:
        """``constraint`` (an already compiled one) takes the place of ``grammar``."""
        if grammar is not None and constraint is None:
            constraint = self.constraint(grammar)
        import torch

        with torch.inference_mode():
            return self._decode(prompt, n, max_new_tokens, constraint, temperature, seed, stop)

    def _decode(self, prompt, n, max_new_tokens, constraint, temperature, seed, stop) -> list[Completion]:
        import torch

        started = time.perf_counter()
        ids = self._encode(prompt)
        reused, cache = self._cached_prefix(ids)
        hidden = self._forward(torch.tensor([ids[reused:]]), cache, reused)
        if n > 1:
            cache.batch_repeat_interleave(n)
            hidden = hidden.expand(n, -1)
        prefill = time.perf_counter() - started

        temperatures = torch.tensor(
            [temperature if temperature > 0 else (0.0 if row == 0 else DIVERSE_TEMPERATURE) for row in range(n)]
        )
        generator = torch.Generator().manual_seed(seed)
        states = [constraint.start() for _ in range(n)] if constraint is not None else None
        tokens: list[list[int]] = [[] for _ in range(n)]
        logprobs = [0.0] * n
        finished = [False] * n
        complete_at: list[list[int]] = [[] for _ in range(n)]  # lengths where the query was complete
        dead_ends: list[str | None] = [None] * n
        alive = list(range(n))  # rows still decoding; the cache holds these rows only
        past = len(ids)
        decode_started = time.perf_counter()
        line_end = set(self.line_end_ids)
        forwards = forced_tokens = 0
        while alive and len(tokens[alive[0]]) < max_new_tokens:  # alive rows are equally long
            refused = None if states is None else [  # (a guard on the grammar's mask)
                looping_token(tokens[row], self.tokenizer.decode) for row in alive]
            chosen, chosen_logprob = self._choose(hidden, alive, states, temperatures, generator,
                                                  refused)
            still, feed = [], []
            for position, row in enumerate(alive):
                token = chosen[position]
                if token is None:  # the constraint allows nothing: a dead end, not a text
                    dead_ends[row] = states[row].error or "no token fits the grammar here"
                    continue
                if token in self.end_ids or (states is not None and token in line_end
                                             and states[row].accepting):
                    finished[row] = True  # a line end after a complete query ends it too
                    continue
                step = [token]
                if states is not None:
                    states[row].advance(token)
                    if n == 1:  # one row: nothing to keep in step with, so skip ahead
                        step += self._take_forced(states[row], max_new_tokens - len(tokens[row]) - 1)
                tokens[row].extend(step)
                if states is not None and states[row].accepting:
                    complete_at[row].append(len(tokens[row]))
                logprobs[row] += chosen_logprob[position]  # a forced token has probability 1
                forced_tokens += len(step) - 1
                if stop and _cut_at_stop(self.tokenizer.decode(tokens[row]), stop)[1]:
                    finished[row] = True
                elif states is not None and states[row].done:
                    finished[row] = True
                else:
                    still.append(position)
                    feed.append(step)
            if not still:
                alive = []
                break
            if len(still) < len(alive):
                cache.batch_select_indices(torch.tensor(still))
            alive = [alive[p] for p in still]
            hidden = self._forward(torch.tensor(feed), cache, past)
            past += len(feed[0])
            forwards += 1
        decode = time.perf_counter() - decode_started

        generated = sum(len(t) for t in tokens)
        timings = {
            "prefill": prefill,
            "decode": decode,
            "prompt_tokens": float(len(ids)),
            "prefix_reused_tokens": float(reused),
            "prefill_tokens_per_s": (len(ids) - reused) / prefill if prefill else 0.0,
            "decode_tokens_per_s": generated / decode if decode else 0.0,
            "decode_forwards": float(forwards),
            "forced_tokens": float(forced_tokens),
        }
        results = []
        for row in range(n):
            # The whole text first, then the complete prefixes, longest first.
            text, *prefixes = [self._text(tokens[row][:end], stop)
                               for end in [len(tokens[row]), *reversed(complete_at[row])]]
            results.append(Completion(text=text, finished=finished[row], tokens=len(tokens[row]),
                                      logprob=logprobs[row], timings=dict(timings),
                                      complete_prefixes=prefixes, dead_end=dead_ends[row]))
        return results

    def _text(self, ids: list[int], stop: list[str] | None) -> str:
        return _cut_at_stop(self.tokenizer.decode(ids, skip_special_tokens=True), stop)[0]

    @staticmethod
    def _take_forced(state, room: int) -> list[int]:
        """The grammar's forced continuation (at most ``room`` tokens), consumed."""
        taken = []
        for token in state.forced()[: max(room, 0)]:
            state.advance(token)
            taken.append(token)
        return taken

    def _choose(self, hidden, alive, states, temperatures, generator, refused=None):
        """One token per alive row: (token ids or None for a dead end, their log-probs).
        A row's ``refused`` token (a loop's next copy) is taken out of its grammar mask
        when the mask allows another."""
        import torch

        allowed = None if states is None else [
            _without_token(self._allowed(states[row]), token)
            for row, token in zip(alive, refused or [None] * len(alive))]
        logits, columns = self._score(hidden, allowed)
        dead = torch.isinf(logits).all(dim=-1)
        logits[dead] = 0.0  # any pick; the row ends as a dead end
        logprob = torch.log_softmax(logits, dim=-1)
        temps = temperatures[alive]
        picks = logits.argmax(dim=-1)
        sampled = temps > 0
        if bool(sampled.any()):
            probs = torch.softmax(logits[sampled] / temps[sampled].unsqueeze(1), dim=-1)
            picks[sampled] = torch.multinomial(probs, 1, generator=generator).squeeze(1)
        chosen_logprob = logprob.gather(1, picks.unsqueeze(1)).squeeze(1).tolist()
        token_ids = (columns[picks] if columns is not None else picks).tolist()
        return [None if d else t for t, d in zip(token_ids, dead.tolist())], chosen_logprob

    def _allowed(self, state) -> "torch.Tensor":
        mask = state.allowed()
        if state.accepting and self.line_end_ids:
            mask = mask.clone()
            mask[[i for i in self.line_end_ids if i < len(mask)]] = True
        return mask

    def _score(self, hidden, allowed: "list[torch.Tensor] | None"):
        """Logits over the columns worth scoring, disallowed ones at -inf: (logits, the
        columns' token ids, or None for the whole vocabulary).

        Without a constraint: the pruned head (or the full one). With one: only the
        tokens some row may take, when they are few (structure: label names, operators);
        the pruned head when they are many (inside a string), unless a row may take no
        pruned token at all (a non-ASCII string): then the full head.
        """
        import torch

        if allowed is None:
            columns = self.pruned_token_ids if self.prune_vocab else None
            return self._logits(hidden, columns), columns
        rows = self._head_weight.shape[0]
        masks = torch.stack([_fit(mask, rows) for mask in allowed])
        use_pruned = False
        if self.prune_vocab:
            inside = masks & self._pruned_head()[1]
            use_pruned = bool(inside.any(dim=1).all())
            masks = inside if use_pruned else masks
        columns = masks.any(dim=0).nonzero().squeeze(1)
        if len(columns) > GATHER_LIMIT or not len(columns):  # none: every row is a dead end
            columns = self.pruned_token_ids if use_pruned else None
        logits = self._logits(hidden, columns)
        keep = masks if columns is None else masks[:, columns]
        return logits.masked_fill(~keep, float("-inf")), columns


def looping_token(tokens: list[int], decode) -> int | None:
    """The token that would start copy :data:`LOOP_COPIES` of a run of tokens repeated
    back to back at the end of ``tokens`` (``_over_time`` four times), or None."""
    for unit in range(1, LOOP_MAX_UNIT + 1):
        span = unit * (LOOP_COPIES - 1)
        if len(tokens) < span:
            break
        if tokens[-1] != tokens[-1 - unit]:  # (span > unit: both exist)
            continue  # not even the last token repeats: no list is built
        tail = tokens[-span:]
        if tail == tail[:unit] * (LOOP_COPIES - 1) and len(decode(tail[:unit])) >= LOOP_UNIT_CHARS:
            return tail[0]
    return None


def _without_token(mask: "torch.Tensor", token: int | None) -> "torch.Tensor":
    if token is None or token >= len(mask) or not mask[token] or int(mask.sum()) < 2:
        return mask
    mask = mask.clone()
    mask[token] = False
    return mask


def _fit(mask: "torch.Tensor", size: int) -> "torch.Tensor":
    """A constraint's mask (over the tokenizer's vocabulary) cut or padded to ``size``."""
    import torch

    if mask.shape[0] == size:
        return mask
    fitted = torch.zeros(size, dtype=torch.bool)
    fitted[: min(size, mask.shape[0])] = mask[:size]
    return fitted


class ForcedText:
    """A :class:`Constraint` that allows exactly the tokens of one text, then end of
    sequence: scores a known text (its ``logprob``), and drives tests and benchmarks."""

    def __init__(self, tokenizer, text: str) -> None:
        self.ids = tokenizer(text, add_special_tokens=False).input_ids
        self.eos = tokenizer.eos_token_id
        self.size = len(tokenizer)

    def start(self) -> "_ForcedTextState":
        return _ForcedTextState(self)


class _ForcedTextState:
    error = None  # a forced text never fails

    def __init__(self, constraint: ForcedText) -> None:
        self.constraint = constraint
        self.position = 0  # tokens consumed; one past the text means EOS was consumed

    def allowed(self) -> "torch.Tensor":
        import torch

        ids = self.constraint.ids
        mask = torch.zeros(self.constraint.size, dtype=torch.bool)
        if self.position <= len(ids):
            mask[ids[self.position] if self.position < len(ids) else self.constraint.eos] = True
        return mask

    def advance(self, token_id: int) -> None:
        if not self.allowed()[token_id]:
            raise ValueError(f"token {token_id} is not allowed here")
        self.position += 1

    def forced(self) -> list[int]:
        return []  # scoring a text needs the model's log-prob of every token

    @property
    def accepting(self) -> bool:
        return self.position >= len(self.constraint.ids)

    @property
    def done(self) -> bool:
        return self.position > len(self.constraint.ids)


def first_line(error: BaseException) -> str:
    """An error's first line (its type's name when it has no text)."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


# --- an OpenAI-compatible endpoint ------------------------------------------------------


class EndpointModel(Model):
    """A server speaking OpenAI's ``/v1/chat/completions`` (``api="chat"``) or
    ``/v1/completions`` (``api="completions"``): vLLM, Ollama, llama.cpp server.

    ``grammar_field`` names the request field that carries the grammar text, for servers
    that take one (vLLM: ``"guided_grammar"``); None sends no grammar. Servers that
    return fewer than ``n`` choices (Ollama) are asked again with the next seeds.
    """

    def __init__(
        self,
        url: str,
        model: str,
        *,
        api_key_env: str = "OPENAI_API_KEY",
        timeout: float = 60,
        api: str = "chat",
        grammar_field: str | None = None,
    ) -> None:
        if api not in ("chat", "completions"):
            raise ModelError(f"unknown endpoint api {api!r} (expected 'chat' or 'completions')")
        self.url = self._endpoint_url(url, api)
        self.model = model
        self.name = f"{model}@{url}"
        self.api = api
        self.api_key = os.environ.get(api_key_env) if api_key_env else None
        self.timeout = timeout
        self.grammar_field = grammar_field

    @staticmethod
    def _endpoint_url(url: str, api: str) -> str:
        url = url.rstrip("/")
        if url.endswith(("/chat/completions", "/completions")):
            return url
        path = "/chat/completions" if api == "chat" else "/completions"
        return url + path if url.endswith("/v1") else url + "/v1" + path

    def complete(
        self,
        prompt: str,
        *,
        n: int = 1,
        max_new_tokens: int = 160,
        grammar: str | None = None,
        temperature: float = 0.0,
        seed: int = 0,
        stop: list[str] | None = None,
    ) -> list[Completion]:
        results: list[Completion] = []
        attempt = 0
        while len(results) < n and attempt < n:
            body: dict[str, Any] = {
                "model": self.model,
                "n": n - len(results),
                "max_tokens": max_new_tokens,
                "temperature": temperature if temperature > 0 or n == 1 else DIVERSE_TEMPERATURE,
                "seed": seed + attempt,
            }
            if self.api == "chat":
                body["messages"] = [{"role": "user", "content": prompt}]
            else:
                body["prompt"] = prompt
            if stop:
                body["stop"] = stop
            if grammar is not None and self.grammar_field:
                body[self.grammar_field] = grammar
            results.extend(self._request(body))
            attempt += 1
        return results[:n]

    def _request(self, body: dict) -> list[Completion]:
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        request = urllib.request.Request(self.url, data=json.dumps(body).encode(), headers=headers, method="POST")
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                payload = json.loads(response.read())
        except urllib.error.HTTPError as error:
            detail = first_line(Exception(error.read().decode(errors="replace")[:200]))
            raise BackendError(f"endpoint {self.url} answered HTTP {error.code}: {detail}") from error
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise BackendError(f"cannot reach endpoint {self.url}: {reason}") from error
        except ValueError as error:
            raise BackendError(f"endpoint {self.url} answered with malformed JSON") from error
        elapsed = time.perf_counter() - started
        try:
            choices = payload["choices"]
            texts = [(c["message"]["content"] if self.api == "chat" else c["text"], c.get("finish_reason")) for c in choices]
        except (KeyError, TypeError) as error:
            raise BackendError(f"endpoint {self.url} answered without choices/{error}") from error
        usage = payload.get("usage") or {}
        per_choice = (usage.get("completion_tokens") or 0) // max(1, len(texts))
        return [
            Completion(text=text or "", finished=reason != "length", tokens=per_choice, timings={"request": elapsed})
            for text, reason in texts
        ]


# --- scripted answers for tests ---------------------------------------------------------


Scripted = str | Completion  # one scripted candidate


class ScriptedModel(Model):
    """Returns scripted outputs in order: each item answers one ``complete`` call, a
    string (or a :class:`Completion`) as one candidate, a list as several. Records every
    prompt in ``prompts``."""

    name = "scripted"

    def __init__(self, outputs: list[Scripted | list[Scripted]] | None = None) -> None:
        self.outputs: list[Scripted | list[Scripted]] = list(outputs or [])
        self.prompts: list[str] = []
        self.calls: list[dict[str, Any]] = []

    def enqueue(self, outputs: list[Scripted | list[Scripted]]) -> None:
        self.outputs.extend(outputs)

    def complete(self, prompt: str, **options: Any) -> list[Completion]:
        self.prompts.append(prompt)
        self.calls.append({"prompt": prompt, **options})
        if not self.outputs:
            raise ModelError("ScriptedModel has no scripted output left")
        item = self.outputs.pop(0)
        outputs = list(item) if isinstance(item, list) else [item]
        return [t if isinstance(t, Completion) else
                Completion(text=_cut_at_stop(t, options.get("stop"))[0], tokens=len(t.split()))
                for t in outputs]


NO_ADAPTER = "none"


def installed_adapters() -> dict[str, Path]:
    """Name → folder of each LoRA adapter under :func:`~nl2logql.paths.adapters_root`
    (the shipped ones are named after the split they were trained on)."""
    from nl2logql.paths import adapters_root

    root = adapters_root()
    if not root.is_dir():
        return {}
    return {path.name: path for path in sorted(root.iterdir())
            if not path.name.startswith(".") and (path / "adapter_config.json").is_file()}


def default_adapter(split: str = "random") -> Path | None:
    """The shipped adapter trained on ``split``'s train side, if it is installed."""
    return installed_adapters().get(split)


def resolve_adapter(base_model: str | None, adapter: str | Path | None,
                    split: str = "random") -> Path | None:
    """The adapter folder to load. None means the default: the shipped adapter for
    ``split`` on the default base model (it was trained on that model, so never on
    another); ``"none"`` means the base model alone; an installed adapter's name or a
    folder path names one."""
    if adapter is None:
        return default_adapter(split) if base_model is None else None
    if str(adapter).lower() == NO_ADAPTER:
        return None
    return installed_adapters().get(str(adapter)) or Path(adapter).expanduser()


def load_model(
    base_model: str | None = None,
    adapter: str | Path | None = None,
    endpoint: str | None = None,
    endpoint_model: str | None = None,
    split: str = "random",
) -> Model:
    """The model the user asked for: an endpoint if one is named, else local weights
    (``base_model`` or the default Gemma 3 270M) with a LoRA adapter (see
    :func:`resolve_adapter`; by default the shipped one for ``split``)."""
    if endpoint:
        if adapter is not None and str(adapter).lower() != NO_ADAPTER:
            raise ModelError("an adapter applies to local weights; serve it from the endpoint instead")
        return EndpointModel(endpoint, endpoint_model or base_model or "default")
    adapter = resolve_adapter(base_model, adapter, split)
    if _kept is None:
        return LocalModel(base_model, adapter)
    from nl2logql.generation.weights import content_key

    source = LocalModel._resolve(base_model, progress=True)
    key = content_key(source, adapter)  # a retrained adapter is another model
    if key not in _kept:
        while len(_kept) >= KEPT_MODELS:
            _kept.pop(next(iter(_kept)))
        _kept[key] = LocalModel(source, adapter)
    return _kept[key]


KEPT_MODELS = 2
_kept: dict[str, LocalModel] | None = None


def keep_loaded() -> None:
    """Make :func:`load_model` keep local models loaded for later calls with the same
    model and adapter files (at most :data:`KEPT_MODELS`): for a process that answers
    many calls (``nl2logql serve``)."""
    global _kept
    if _kept is None:
        _kept = {}
