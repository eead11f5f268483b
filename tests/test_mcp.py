"""``nl2logql mcp``: the tools, resources and transports, through the official SDK's own
client. Over stdio the server is a subprocess (``python -m nl2logql mcp --sample``) whose
model is scripted through ``$NL2LOGQL_SCRIPTED_OUTPUTS``; the HTTP concurrency tests run
the server in this process, with a model that records how it was called.

The one test with the real default model is marked ``slow``.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

import anyio
import pytest
from click.testing import CliRunner

pytest.importorskip("mcp")

from mcp.client.session import ClientSession  # noqa: E402
from mcp.client.stdio import StdioServerParameters, stdio_client  # noqa: E402
from mcp.client.streamable_http import streamable_http_client  # noqa: E402

from nl2logql.cli import main  # noqa: E402
from nl2logql.commands.mcp import SCRIPTED_OUTPUTS_ENV, TOKEN_ENV  # noqa: E402
from nl2logql.engine.loaders import sample_store  # noqa: E402
from nl2logql.generation.contracts import Completion  # noqa: E402
from nl2logql.generation.models import Model  # noqa: E402
from nl2logql.generation.pipeline import Assistant  # noqa: E402
from nl2logql.logql import ast  # noqa: E402
from nl2logql.logql.explain import explain  # noqa: E402
from nl2logql.logql.parser import parse  # noqa: E402
from nl2logql.mcp import limits  # noqa: E402
from nl2logql.mcp.http import http_app, parse_address  # noqa: E402
from nl2logql.mcp.resources import CHEAT_SHEET_EXAMPLES  # noqa: E402
from nl2logql.mcp.server import CHEAT_SHEET_URI, EXAMPLES_URI, build_server  # noqa: E402
from nl2logql.mcp.tools import Tools, Turns  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TOOLS = {  # name: (arguments, required)
    "generate_logql": ({"question", "run", "n"}, {"question"}),
    "validate_logql": ({"query"}, {"query"}),
    "explain_logql": ({"query"}, {"query"}),
    "run_logql": ({"query", "start", "end", "since", "limit"}, {"query"}),
    "list_labels": (set(), set()),
    "label_values": ({"name"}, {"name"}),
    "log_patterns": ({"selector", "top"}, set()),
}
LINES = '{application="hdfs"} |= "PacketResponder"'
METRIC = 'sum by (application) (count_over_time({service_name="openssh"} |= "Failed password" [24h]))'
EMPTY = '{application="hdfs"} |= "PacketResponder" |= "no such text anywhere"'
INVALID = '{application="hdfs" |= "x"'
BIG = "x" * 100_000


def cli(*args) -> str:
    return CliRunner().invoke(main, list(args)).stdout


# ---- a server over stdio -----------------------------------------------------------------


@asynccontextmanager
async def stdio_session(folder: Path, outputs: list | None = None, *args: str):
    """An initialized client session to ``nl2logql mcp --sample`` in a subprocess; its
    model answers with ``outputs`` (the real model when None)."""
    env = dict(os.environ)
    env.pop(SCRIPTED_OUTPUTS_ENV, None)
    if outputs is not None:
        (folder / "outputs.json").write_text(json.dumps(outputs))
        env[SCRIPTED_OUTPUTS_ENV] = str(folder / "outputs.json")
    params = StdioServerParameters(command=sys.executable, cwd=ROOT, env=env,
                                   args=["-m", "nl2logql", "mcp", "--sample", *args])
    with open(folder / "server.log", "w") as errlog:
        async with stdio_client(params, errlog=errlog) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                await session.list_tools()  # from now on the client checks output schemas
                yield session


class Client:
    """One stdio session, kept open for a whole module, callable from sync tests."""

    def __init__(self, portal, session: ClientSession) -> None:
        self.portal, self.session = portal, session

    def call(self, name: str, arguments: dict | None = None):
        return self.portal.call(self.session.call_tool, name, arguments or {})

    def answer(self, name: str, arguments: dict | None = None) -> dict:
        result = self.call(name, arguments)
        assert not result.is_error, result.content[0].text
        assert json.loads(result.content[0].text) == result.structured_content
        return result.structured_content

    def error(self, name: str, arguments: dict | None = None) -> str:
        result = self.call(name, arguments)
        assert result.is_error and result.structured_content is None
        assert len(result.content) == 1
        return result.content[0].text

    def read(self, uri: str):
        return self.portal.call(self.session.read_resource, uri).contents[0]

    def tools(self) -> dict:
        return {tool.name: tool for tool in self.portal.call(self.session.list_tools).tools}

    def resources(self) -> dict:
        return {str(r.uri): r for r in self.portal.call(self.session.list_resources).resources}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    """A server whose scripted model has nothing to say: only the other tools answer."""
    from anyio.from_thread import start_blocking_portal

    folder = tmp_path_factory.mktemp("mcp")
    with start_blocking_portal() as portal:
        with portal.wrap_async_context_manager(stdio_session(folder, [])) as session:
            yield Client(portal, session)


def generate(folder: Path, outputs: list, arguments: dict):
    """One generate_logql call on a fresh server scripted with ``outputs``."""

    async def call():
        async with stdio_session(folder, outputs) as session:
            return await session.call_tool("generate_logql", arguments)

    return anyio.run(call)


# ---- the tools and their schemas ---------------------------------------------------------


def test_tools_are_listed_with_schemas_descriptions_and_read_only_hints(client):
    tools = client.tools()
    assert set(tools) == set(TOOLS)
    for name, (arguments, required) in TOOLS.items():
        tool = tools[name]
        assert len(tool.description) > 80, name
        assert set(tool.input_schema["properties"]) == arguments
        assert set(tool.input_schema.get("required", [])) == required
        assert all(p.get("description") for p in tool.input_schema["properties"].values()), name
        assert tool.output_schema["type"] == "object"
        assert tool.annotations.read_only_hint and not tool.annotations.destructive_hint
    assert tools["validate_logql"].input_schema["properties"]["query"]["maxLength"] == 20_000
    assert tools["generate_logql"].input_schema["properties"]["n"]["maximum"] == 8


@pytest.mark.parametrize("query", [METRIC, INVALID, '{app="api"} |= "error"',
                                   'sum(\n  rate({a="b"}[5m])\n)'])
def test_validate_says_what_the_cli_says(client, query):
    answer = client.answer("validate_logql", {"query": query})
    assert answer["text"] == cli("validate", query).rstrip("\n")
    if answer["valid"]:
        assert answer["error"] is None and answer["kind"] == ast.kind(parse(query))
    else:
        error = answer["error"]
        assert (error["line"], error["column"], error["offending"]) == (1, 21, "|=")
        assert error["expected"] == [",", "}"]
        assert error["caret"] == f"{INVALID}\n{' ' * 20}^^"


def test_explain_gives_the_explainer_steps_and_the_cli_text(client):
    answer = client.answer("explain_logql", {"query": METRIC})
    assert answer["steps"] == [step.to_dict() for step in explain(METRIC)]
    assert answer["text"] == cli("explain", METRIC).rstrip("\n")
    assert answer["kind"] == "metric"


def test_run_a_log_query_returns_lokis_lines(client):
    answer = client.answer("run_logql", {"query": LINES, "limit": 3})
    assert answer["data"] == sample_store().query_range(LINES, limit=3)
    assert sum(len(s["values"]) for s in answer["data"]["result"]) == 3
    assert "at most 3 log lines" in answer["caps"] and answer["truncated"] == []
    assert answer["trace"] is None


@pytest.mark.parametrize("arguments, expected", [
    ({}, lambda store: store.query(METRIC)),
    ({"end": "now-1h"}, lambda store: store.query(METRIC, time=store.default_time() - 3600 * 10**9)),
    ({"since": "3d"}, lambda store: store.query_range(
        METRIC, start=store.default_time() - 3 * 86_400 * 10**9)),
])
def test_run_a_metric_query_instant_or_over_a_range(client, arguments, expected):
    answer = client.answer("run_logql", {"query": METRIC, **arguments})
    assert answer["data"] == expected(sample_store())
    assert answer["data"]["result"], "the sample store has failed passwords"


def test_an_empty_result_comes_with_the_lines_left_after_each_stage(client):
    answer = client.answer("run_logql", {"query": EMPTY})
    assert answer["data"]["result"] == []
    assert answer["trace"] == [{"stage": stage, "lines_left": count}
                               for stage, count in sample_store().trace(EMPTY)]
    assert answer["trace"][1]["lines_left"] > 0
    assert answer["empty_at"] == '|= "no such text anywhere"'
    assert "ran out at" in answer["notes"][0]


def test_labels_and_their_values(client):
    store = sample_store()
    assert client.answer("list_labels")["labels"] == store.labels()
    values = client.answer("label_values", {"name": "service_name"})
    assert values == {"name": "service_name", "values": store.label_values("service_name"),
                      "total": 3, "note": None}
    missing = client.answer("label_values", {"name": "no_such_label"})
    assert missing["values"] == [] and "list_labels" in missing["note"]


def test_patterns_have_fields_and_checked_queries_that_find_their_lines(client):
    answer = client.answer("log_patterns", {"selector": '{application="hdfs"}', "top": 2})
    (group,) = answer["groups"]
    assert group["selectors"] == ['{application="hdfs"}'] and len(group["patterns"]) == 2
    assert group["more_patterns"] > 0
    for pattern in group["patterns"]:
        assert pattern["fields"] and pattern["line_filter"] and pattern["extraction"]
        run = client.answer("run_logql", {"query": pattern["query"], "limit": 1})
        assert run["data"]["result"], pattern["query"]
    everything = client.answer("log_patterns")
    assert len(everything["groups"]) == 3  # hdfs, openssh, openstack: deployments merged
    assert all(len(g["patterns"]) <= 10 for g in everything["groups"])


def test_resources_cheat_sheet_and_example_questions(client):
    listed = client.resources()
    assert set(listed) == {CHEAT_SHEET_URI, EXAMPLES_URI}
    sheet = client.read(CHEAT_SHEET_URI)
    assert sheet.mime_type == "text/markdown"
    assert sheet.text.count("e.g. ") == sum(len(queries) for _, queries in CHEAT_SHEET_EXAMPLES)
    assert "- `|= \"error\"`: Keep lines containing \"error\"" in sheet.text
    examples = client.read(EXAMPLES_URI).text
    questions = [line[2:] for line in examples.splitlines() if line.startswith("- ")]
    assert len(questions) == 12
    assert {"hdfs", "openssh", "openstack"} <= {q.rsplit(" ", 1)[-1].rstrip("?") for q in questions}


# ---- bad input: a clear one-line tool error, never a crash -------------------------------


@pytest.mark.parametrize("tool, arguments, message", [
    ("generate_logql", {"question": BIG}, "the question is 100,000 characters long; at most 2,000"),
    ("generate_logql", {"question": "errors\x1b[31m of hdfs"}, "control character (U+001B at character 7)"),
    ("generate_logql", {"question": " \n "}, "the question is empty"),
    ("generate_logql", {"question": "q", "n": 0}, "n: Input should be greater than or equal to 1"),
    ("generate_logql", {"question": ["a list"]}, "question: Input should be a valid string"),
    ("generate_logql", {}, "question: Field required"),
    ("validate_logql", {"query": BIG}, "the query is 100,000 characters long; at most 20,000"),
    ("validate_logql", {"query": '{a="\x00"}'}, "control character (U+0000 at character 5)"),
    ("validate_logql", {"query": 42}, "query: Input should be a valid string"),
    ("explain_logql", {"query": INVALID}, "syntax error at line 1, column 21: unexpected '|='"),
    ("explain_logql", {"query": BIG}, "at most 20,000 are accepted"),
    ("run_logql", {"query": INVALID}, "syntax error at line 1, column 21"),
    ("run_logql", {"query": LINES, "start": "yesterday"}, "start: "),
    ("run_logql", {"query": LINES, "since": "5 parsecs"}, "since: "),
    ("run_logql", {"query": LINES, "start": "now-2h", "since": "1h"}, "give start or since, not both"),
    ("run_logql", {"query": LINES, "start": "now-1h", "end": "now-2h"}, "start is after end"),
    ("run_logql", {"query": LINES, "limit": 0}, "limit: Input should be greater than or equal to 1"),
    ("run_logql", {"query": LINES, "limit": 5000}, "limit: Input should be less than or equal to 1000"),
    ("run_logql", {"query": "\x07" + LINES}, "control character (U+0007 at character 1)"),
    ("label_values", {"name": "not a label!"}, "'not a label!' is not a label name"),
    ("label_values", {"name": BIG}, "at most 200 are accepted"),
    ("label_values", {}, "name: Field required"),
    ("log_patterns", {"selector": LINES}, "expected a stream selector"),
    ("log_patterns", {"selector": "{application="}, "syntax error at line 1"),
    ("log_patterns", {"selector": BIG}, "at most 20,000 are accepted"),
    ("log_patterns", {"top": 0}, "top: Input should be greater than or equal to 1"),
    ("no_such_tool", {}, "no_such_tool"),
])
def test_bad_input_is_a_clear_tool_error(client, tool, arguments, message):
    text = client.error(tool, arguments)
    assert message in text
    assert "Traceback" not in text
    # One line; a query error adds the query's line and a caret under the spot.
    assert len(text.splitlines()) == (3 if "error at line" in text else 1)


def test_a_failing_model_is_a_tool_error_and_the_server_keeps_serving(client):
    text = client.error("generate_logql", {"question": "errors of hdfs"})
    assert text == "Error executing tool generate_logql: ScriptedModel has no scripted output left"
    assert client.answer("validate_logql", {"query": LINES})["valid"]


def test_list_labels_ignores_stray_arguments(client):
    assert client.answer("list_labels", {"name": 5})["labels"]


# ---- generate ----------------------------------------------------------------------------


def test_generate_answers_with_query_kind_explanation_and_a_bounded_result(tmp_path):
    result = generate(tmp_path, [LINES],
                      {"question": "hdfs lines about the packet responder", "run": True})
    answer = result.structured_content
    assert not result.is_error and answer["valid"] and answer["warnings"] == []
    assert (answer["query"], answer["kind"]) == (LINES, "log")
    assert answer["explanation"] == [step.to_dict() for step in explain(LINES)]
    lines = answer["result"]["data"]["result"]
    assert lines and sum(len(s["values"]) for s in lines) == 100
    assert "at most 100 log lines" in answer["result"]["caps"]


def test_generate_with_n_gives_alternatives_and_the_invalid_candidates_errors(tmp_path):
    other = 'sum(count_over_time({application="hdfs"}[1h]))'
    result = generate(tmp_path, [[INVALID, METRIC, other]], {"question": "failed passwords", "n": 3})
    answer = result.structured_content
    assert answer["query"] == METRIC and answer["result"] is None
    assert answer["alternatives"] == [{"query": other, "kind": "metric", "unknown_labels": []}]
    (warning,) = answer["warnings"]
    assert warning.startswith(f"candidate {INVALID!r} is not valid: syntax error at line 1, column 21")


def test_generate_without_a_valid_query_says_why(tmp_path):
    answer = generate(tmp_path, ["not logql at all"], {"question": "anything"}).structured_content
    assert answer["valid"] is False and answer["query"] is None and answer["explanation"] == []
    assert answer["warnings"][0].startswith("no valid query: syntax error at line 1, column 1")


# ---- HTTP: one model for every session, in turn; the bearer token ------------------------


class RecordingModel(Model):
    """Answers "case N" questions with a query naming N, slowly, recording the order of
    the calls and whether two ever ran at once."""

    name = "recording-test-model"

    def __init__(self, delay: float) -> None:
        self.delay, self.order, self.running, self.most = delay, [], 0, 0
        self._guard = threading.Lock()

    def complete(self, prompt: str, *, n: int = 1, **options) -> list[Completion]:
        case = int(re.findall(r"case (\d+)", prompt)[-1])
        with self._guard:
            self.running += 1
            self.most = max(self.most, self.running)
            self.order.append(case)
        time.sleep(self.delay)
        with self._guard:
            self.running -= 1
        return [Completion(text=f'{{application="hdfs"}} |= "case {case}"')] * n


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@asynccontextmanager
async def http_session(url: str, token: str | None = None):
    import httpx2

    headers = {"Authorization": f"Bearer {token}"} if token else None
    async with httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30, read=120)) as http:
        async with streamable_http_client(url, http_client=http) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                await session.list_tools()
                yield session


@pytest.fixture
def serve_in_thread():
    """Serve an ASGI app on 127.0.0.1 in a thread; returns its /mcp URL."""
    import uvicorn

    servers = []

    def serve(app) -> str:
        port = free_port()
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        servers.append((server, thread))
        deadline = time.monotonic() + 30
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        return f"http://127.0.0.1:{port}/mcp"

    yield serve
    for server, thread in servers:
        server.should_exit = True
        thread.join(10)


def test_ten_concurrent_generate_calls_over_http_take_turns_in_order(serve_in_thread):
    model = RecordingModel(delay=0.1)
    loads = []

    def factory(backend):
        loads.append(1)
        return Assistant(model=model, backend=backend, constrain=False)

    tools = Tools(sample_store(), factory)
    url = serve_in_thread(http_app(build_server(tools), "127.0.0.1", token="t0ken"))
    answers: dict[int, object] = {}

    async def ask(session, case):
        question = f"lines of case {case}"
        answers[case] = await session.call_tool("generate_logql", {"question": question})

    async def main():
        async with AsyncExitStack() as stack:
            sessions = [await stack.enter_async_context(http_session(url, "t0ken"))
                        for _ in range(10)]  # ten clients, one model
            async with anyio.create_task_group() as group:
                for case, session in enumerate(sessions):
                    group.start_soon(ask, session, case)
                    with anyio.fail_after(30):  # the next call goes once this one has queued
                        while tools.turns.issued <= case:
                            await anyio.sleep(0.005)

    anyio.run(main)
    assert loads == [1]
    assert model.most == 1, "two questions reached the model at once"
    assert model.order == list(range(10))
    for case, result in answers.items():
        assert not result.is_error, result.content[0].text
        assert result.structured_content["query"] == f'{{application="hdfs"}} |= "case {case}"'


def test_other_tools_answer_while_the_model_loads(serve_in_thread):
    loading, release = threading.Event(), threading.Event()

    def factory(backend):
        loading.set()
        release.wait(30)
        return Assistant(model=RecordingModel(delay=0), backend=backend, constrain=False)

    url = serve_in_thread(http_app(build_server(Tools(sample_store(), factory)), "127.0.0.1"))
    seen = {}

    async def main():
        async with http_session(url) as session, anyio.create_task_group() as group:
            async def ask():
                seen["generate"] = await session.call_tool("generate_logql", {"question": "case 1"})

            group.start_soon(ask)
            await anyio.to_thread.run_sync(loading.wait, 30)
            for tool, arguments in [("validate_logql", {"query": LINES}), ("list_labels", {}),
                                    ("explain_logql", {"query": LINES}),
                                    ("run_logql", {"query": LINES, "limit": 1}),
                                    ("log_patterns", {"top": 1})]:
                with anyio.fail_after(20):
                    assert not (await session.call_tool(tool, arguments)).is_error, tool
            assert "generate" not in seen
            release.set()

    anyio.run(main)
    assert seen["generate"].structured_content["valid"]


def post(url: str, token: str | None) -> tuple[int, dict]:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "ping"}).encode()
    headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    try:
        request = urllib.request.Request(url, body, headers)
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)


def test_the_http_command_requires_the_bearer_token(tmp_path):
    port = free_port()
    env = {**os.environ, TOKEN_ENV: "s3cret"}
    with open(tmp_path / "server.log", "w") as log:
        process = subprocess.Popen([sys.executable, "-m", "nl2logql", "mcp", "--sample", "--http",
                                    str(port)], cwd=ROOT, env=env, stdout=log, stderr=log)
    try:
        url = f"http://127.0.0.1:{port}/mcp"
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, \
                    (tmp_path / "server.log").read_text()
                time.sleep(0.1)
        for token in (None, "wrong", "S3CRET"):
            status, headers = post(url, token)
            assert status == 401 and headers["www-authenticate"].startswith("Bearer"), token

        async def with_token():
            async with http_session(url, "s3cret") as session:
                return await session.call_tool("validate_logql", {"query": LINES})

        assert anyio.run(with_token).structured_content["valid"]
    finally:
        process.terminate()
        process.wait(10)
    assert "bearer token required" in (tmp_path / "server.log").read_text()


@pytest.mark.parametrize("args, message", [
    (["--token", "x"], "--token protects --http"),
    (["--http", "host:port"], "--http takes [HOST:]PORT"),
    (["--http", "70000"], "--http takes [HOST:]PORT"),
    (["--endpoint", "http://localhost:8000/v1"], "--endpoint needs --model NAME"),
    (["--sample", "--logs", "x.log"], "choose one data source"),
    (["--logs", "-"], "--logs - reads standard input, which serving over stdio needs"),
])
def test_command_line_mistakes_are_one_line(args, message):
    result = CliRunner().invoke(main, ["mcp", *args])
    assert result.exit_code != 0 and message in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("text, address", [
    ("8765", ("127.0.0.1", 8765)), (":8765", ("127.0.0.1", 8765)),
    ("0.0.0.0:80", ("0.0.0.0", 80)), ("[::1]:9000", ("::1", 9000)),
    ("localhost:1", ("localhost", 1)),
])
def test_http_address(text, address):
    assert parse_address(text) == address


# ---- a Loki: only queries reach it --------------------------------------------------------

READ_ONLY_PATHS = re.compile(r"^/loki/api/v1/(query|query_range|labels|label/[^/]+/values|series|"
                             r"patterns|index/volume)$")


def test_on_a_loki_every_tool_only_sends_queries(fake_loki):
    from nl2logql.engine.loki import LokiBackend
    from nl2logql.generation.models import ScriptedModel

    model = ScriptedModel([LINES])
    tools = Tools(LokiBackend(fake_loki.url),
                  lambda backend: Assistant(model=model, backend=backend, constrain=False),
                  "a test Loki")
    assert tools.generate("PacketResponder lines of hdfs", run=True)["result"]["data"]
    assert tools.validate(LINES)["valid"] and tools.explain(LINES)["steps"]
    assert tools.labels()["labels"] and tools.label_values("application")["values"]
    assert tools.run(METRIC, since="1h")["data"]["resultType"] == "matrix"
    assert tools.patterns('{application="openssh"}', top=2)["groups"][0]["source"] == "loki"
    paths = [request.path for request in fake_loki.requests]
    assert paths and all(READ_ONLY_PATHS.match(path) for path in paths), paths


def test_on_a_loki_an_empty_result_or_a_failure_is_said_in_one_line(fake_loki):
    from fake_loki import Scripted

    from nl2logql.engine.loki import LokiBackend
    from nl2logql.errors import Nl2LogQLError

    tools = Tools(LokiBackend(fake_loki.url), lambda backend: None, "a test Loki")
    empty = {"status": "success", "data": {"resultType": "streams", "result": []}}
    fake_loki.script(Scripted(status=200, body=json.dumps(empty), content_type="application/json"))
    answer = tools.run(EMPTY)
    assert answer["trace"] is None and "Loki does not report" in answer["notes"][0]
    fake_loki.fail(400, "parse error at line 1, col 5: syntax error")
    with pytest.raises(Nl2LogQLError) as failure:
        tools.run(LINES)
    assert "parse error" in str(failure.value) and "\n" not in str(failure.value)


# ---- the parts ---------------------------------------------------------------------------


def test_turns_are_taken_in_the_order_they_were_asked_for():
    turns, order = Turns(), []
    with turns.turn():  # hold the first turn while ten threads queue up, one by one
        threads = []
        for number in range(10):
            def wait(number=number):
                with turns.turn():
                    order.append(number)

            threads.append(threading.Thread(target=wait))
            threads[-1].start()
            while turns.issued <= number + 1:
                time.sleep(0.001)
    for thread in threads:
        thread.join(10)
    assert order == list(range(10))


@pytest.mark.parametrize("data, limit, kept, notes", [
    ({"resultType": "streams", "result": [
        {"stream": {"a": "1"}, "values": [["3", "x" * 2500], ["2", "y"]]},
        {"stream": {"a": "2"}, "values": [["1", "z"]]}]},
     2, [2], ["1 lines past the first 2 left out", "1 lines cut at 2,000 characters"]),
    ({"resultType": "vector",
      "result": [{"metric": {"i": str(i)}, "value": [1, "1"]} for i in range(250)]},
     100, 200, ["50 series past the first 200 left out"]),
    ({"resultType": "matrix", "result": [{"metric": {}, "values": [[t, "1"] for t in range(600)]}]},
     100, 1, ["1 series cut to their newest 500 values"]),
    ({"resultType": "scalar", "result": [1, "2"]}, 100, None, []),
])
def test_results_are_cut_to_the_caps_and_the_cuts_are_said(data, limit, kept, notes):
    out, said = limits.bounded(data, limit)
    assert said == notes
    if data["resultType"] == "streams":
        assert [len(s["values"]) for s in out["result"]] == kept
        line = out["result"][0]["values"][0][1]
        assert line.startswith("x" * 2000) and line.endswith("[500 more characters cut]")
    elif data["resultType"] == "matrix":
        assert [v[0] for v in out["result"][0]["values"]] == list(range(100, 600))
    elif kept is not None:
        assert len(out["result"]) == kept


# ---- the real model ----------------------------------------------------------------------


@pytest.mark.slow
def test_the_real_model_answers_over_stdio(tmp_path):
    question = "How many failed password attempts were there in the last day for openssh-us-east?"

    async def call():
        async with stdio_session(tmp_path, None) as session:
            return await session.call_tool("generate_logql", {"question": question, "run": True},
                                           read_timeout_seconds=900)

    result = anyio.run(call)
    assert not result.is_error, result.content[0].text
    answer = result.structured_content
    print(json.dumps(answer, indent=2))  # the README's transcript shows this answer
    assert answer["valid"], answer["warnings"]
    names = {m.name for s in parse(answer["query"]).find_all(ast.Selector) for m in s.matchers}
    assert names <= set(sample_store().labels())
    assert answer["result"]["data"]["resultType"] in ("streams", "vector", "matrix")
