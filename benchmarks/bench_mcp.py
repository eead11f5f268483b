"""MCP tool-call latency on the sample store, through the SDK's own client over stdio.

    python benchmarks/bench_mcp.py [--calls 50] [--asks 20] [--real]

Prints p50 and p95 wall time of validate_logql, explain_logql, run_logql and
log_patterns calls (no model involved), and generate_logql's overhead over the Python
API: the median wall time of the tool call against that of ``Assistant.ask`` on the same
question with the same model (scripted by default; the real default model with
--real), and the part of each call spent outside the assistant (wall time less the
assistant's own ``seconds``). Targets: p50 <= 50 ms; overhead <= 10 %.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import anyio
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

from nl2logql.commands.mcp import SCRIPTED_OUTPUTS_ENV

ROOT = Path(__file__).resolve().parents[1]
TARGET_P50_MS = 50.0
TARGET_OVERHEAD = 0.10
QUESTION = "How many failed password attempts were there in the last day for openssh-us-east?"
ANSWER = 'sum(count_over_time({application="openssh-us-east"} |= "Failed password" [24h]))'
CALLS = {
    "validate_logql": {"query": 'sum by (application) (count_over_time({service_name="openssh"} '
                                '|= "Failed password" [1h]))'},
    "explain_logql": {"query": 'topk(5, sum by (user) (count_over_time({service_name="openssh"} '
                               '|= "Failed password" | regexp "for (?P<user>\\\\S+) from" [24h])))'},
    "run_logql": {"query": 'sum by (application) (count_over_time({service_name="openssh"} '
                           '|= "Failed password" [1h]))'},
    "run_logql (log lines)": {"query": '{application="openssh-us-east"} |= "Failed password"',
                              "limit": 20},
    "log_patterns": {"selector": '{application="hdfs"}'},
}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def tool_latencies(session: ClientSession, calls: int) -> dict[str, list[float]]:
    out = {}
    for label, arguments in CALLS.items():
        name = label.split(" ")[0]
        await session.call_tool(name, arguments)  # warm: first parse, mining cache
        times = []
        for _ in range(calls):
            started = time.perf_counter()
            result = await session.call_tool(name, arguments)
            times.append(time.perf_counter() - started)
            assert not result.is_error, result.content[0].text
        out[label] = times
    return out


async def generate_walls(session: ClientSession, asks: int) -> tuple[list[float], list[float]]:
    arguments = {"question": QUESTION}
    await session.call_tool("generate_logql", arguments, read_timeout_seconds=900)  # loads
    walls, inside = [], []
    for _ in range(asks):
        started = time.perf_counter()
        result = await session.call_tool("generate_logql", arguments, read_timeout_seconds=900)
        walls.append(time.perf_counter() - started)
        assert not result.is_error, result.content[0].text
        inside.append(result.structured_content["seconds"])
    return walls, inside


def api_walls(asks: int, real: bool) -> list[float]:
    from nl2logql.engine.loaders import sample_store
    from nl2logql.generation.models import ScriptedModel
    from nl2logql.generation.pipeline import Assistant

    model = None if real else ScriptedModel([ANSWER] * (asks + 1))
    assistant = Assistant(model=model, backend=sample_store())
    assistant.ask(QUESTION)  # warm, as the server's first call is
    walls = []
    for _ in range(asks):
        started = time.perf_counter()
        assistant.ask(QUESTION)
        walls.append(time.perf_counter() - started)
    return walls


async def serve_and_measure(calls: int, asks: int, real: bool, folder: Path):
    env = dict(os.environ)
    env.pop(SCRIPTED_OUTPUTS_ENV, None)
    if not real:
        (folder / "outputs.json").write_text(json.dumps([ANSWER] * (asks + 1)))
        env[SCRIPTED_OUTPUTS_ENV] = str(folder / "outputs.json")
    params = StdioServerParameters(command=sys.executable, env=env, cwd=ROOT,
                                   args=["-m", "nl2logql", "mcp", "--sample"])
    with open(folder / "server.log", "w") as errlog:
        async with stdio_client(params, errlog=errlog) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                await session.list_tools()
                latencies = await tool_latencies(session, calls)
                walls, inside = await generate_walls(session, asks)
    return latencies, walls, inside


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=50, help="calls per tool")
    parser.add_argument("--asks", type=int, default=20, help="generate calls (and API asks)")
    parser.add_argument("--real", action="store_true", help="the real default model")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        latencies, walls, inside = anyio.run(serve_and_measure, args.calls, args.asks, args.real,
                                             Path(folder))
    print(f"tool-call latency over stdio, sample store, {args.calls} calls each "
          f"(target p50 <= {TARGET_P50_MS:.0f} ms):")
    for label, times in latencies.items():
        p50, p95 = percentile(times, 0.5) * 1000, percentile(times, 0.95) * 1000
        verdict = "ok" if p50 <= TARGET_P50_MS else "OVER"
        print(f"  {label:<24} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   {verdict}")

    api = api_walls(args.asks, args.real)
    model = "real default model" if args.real else "scripted model"
    tool_median, api_median = statistics.median(walls), statistics.median(api)
    outside = statistics.median(w - s for w, s in zip(walls, inside))
    ratio = tool_median / api_median - 1
    print(f"generate_logql vs Assistant.ask, {model}, same question, {args.asks} asks "
          f"(target overhead <= {TARGET_OVERHEAD:.0%}):")
    print(f"  Assistant.ask median     {api_median * 1000:9.1f} ms")
    print(f"  generate_logql median    {tool_median * 1000:9.1f} ms   "
          f"overhead {ratio:+.1%} {'ok' if ratio <= TARGET_OVERHEAD else 'OVER'}")
    print(f"  outside the assistant    {outside * 1000:9.1f} ms per call (wall less the "
          "assistant's own time, server-side)")


if __name__ == "__main__":
    main()
