"""The MCP server: :class:`~nl2logql.mcp.tools.Tools` registered on the official SDK's
:class:`MCPServer`, with input schemas, output schemas and descriptions an agent can
act on, and the cheat sheet and example questions as resources.

Every failure reaches the agent as a tool error of one line (a query error adds its
line with a caret), never as a traceback: library errors are the user's input or
environment; argument errors name the argument; anything else is our bug, which the
SDK reports as "Error executing tool <name>" and logs on stderr.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ToolError
from mcp_types import ToolAnnotations
from pydantic import Field, ValidationError

from nl2logql import __version__
from nl2logql.errors import Nl2LogQLError
from nl2logql.mcp import limits, resources
from nl2logql.mcp.schemas import (ExplainOutput, GenerateOutput, LabelsOutput, LabelValuesOutput,
                                  PatternsOutput, RunOutput, ValidateOutput)
from nl2logql.mcp.tools import DEFAULT_TOP, MAX_TOP, Tools

CHEAT_SHEET_URI = "logql://cheat-sheet"
EXAMPLES_URI = "logql://example-questions"


def _text(description: str, limit: int) -> Any:
    # The SDK would reject a long text itself, in a pydantic message of several lines:
    # the schema only states the limit, and Tools says what was wrong in one line.
    return Field(description=description, json_schema_extra={"maxLength": limit})


Question = Annotated[str, _text(
    "The question in plain English: what to count or show, which application, which "
    "time range. E.g. 'how many failed SSH logins per source IP in the last hour on "
    "openssh-eu-west?'", limits.MAX_QUESTION_CHARS)]
Query = Annotated[str, _text("A LogQL query.", limits.MAX_QUERY_CHARS)]
Time = Annotated[str | None, _text("RFC 3339, Unix seconds or nanoseconds, or relative to the "
                                   "data's clock like now-1h.", 100)]


class _Server(MCPServer):
    async def call_tool(self, name: str, arguments: dict[str, Any], context=None):
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as error:
            if isinstance(error.__cause__, ValidationError):
                raise ToolError(f"Error executing tool {name}: "
                                f"{_argument_errors(error.__cause__)}") from None
            raise


def _argument_errors(error: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(part) for part in e['loc']) or 'arguments'}: {e['msg']}"
                     for e in error.errors())


def _answer(call: Callable[..., dict], *args) -> dict:
    try:
        return call(*args)
    except Nl2LogQLError as error:
        raise ToolError(str(error)) from None


def build_server(tools: Tools) -> MCPServer:
    """An MCP server answering with ``tools`` (not yet bound to any transport)."""
    from nl2logql.engine.loki import LokiBackend

    server = _Server("nl2logql", title="nl2logql: questions about logs → Grafana Loki LogQL",
                     version=__version__, instructions=_instructions(tools),
                     log_level="WARNING")
    read_only = ToolAnnotations(read_only_hint=True, destructive_hint=False,
                                idempotent_hint=True,
                                open_world_hint=isinstance(tools.backend, LokiBackend))

    @server.tool(annotations=read_only)
    def generate_logql(
            question: Question,
            run: Annotated[bool, Field(description="Also run the query and return a bounded "
                                                   "result.")] = False,
            n: Annotated[int, Field(ge=1, le=limits.MAX_CANDIDATES,
                                    description="Candidates to generate; the best valid one "
                                                "is returned, the other valid ones as "
                                                "alternatives. More is slower.")] = 1,
    ) -> GenerateOutput:
        """Turn a question about the connected logs into a validated LogQL query, with its
        step-by-step explanation. The query is checked against the LogQL grammar and names
        labels the data has; warnings say what to doubt. One model answers every client
        in turn: a call can wait behind others, and the first call loads the model
        (seconds). Check or adjust the query with validate_logql, then run_logql."""
        return _answer(tools.generate, question, run, n)

    @server.tool(annotations=read_only)
    def validate_logql(query: Query) -> ValidateOutput:
        """Check whether a LogQL query is one Grafana Loki accepts. An invalid query is
        not a tool error: the answer says where (line, column, a caret under the spot)
        and what was expected there, so the query can be fixed and checked again."""
        return _answer(tools.validate, query)

    @server.tool(annotations=read_only)
    def explain_logql(query: Query) -> ExplainOutput:
        """Explain a LogQL query step by step in plain English, in the order Loki runs
        it. An invalid query is a tool error saying where it is wrong."""
        return _answer(tools.explain, query)

    @server.tool(annotations=read_only)
    def run_logql(
            query: Query,
            start: Time = None,
            end: Time = None,
            since: Annotated[str | None, _text("Instead of start: a duration before end, e.g. "
                                               "1h.", 100)] = None,
            limit: Annotated[int | None, Field(ge=1, le=limits.MAX_LINES,
                                               description=f"Most log lines to return (default "
                                               f"{limits.DEFAULT_LINES}).")] = None,
    ) -> RunOutput:
        """Run a LogQL query on the connected data (read-only) and return Loki's result
        shape, cut to stated caps. A log query returns the newest lines over
        start..end (default: the data's recent range); a metric query is evaluated at
        end (default: now), or over start..end as a range query when start or since is
        given. When nothing comes back, trace gives the lines left after each stage,
        to show which filter dropped everything."""
        return _answer(tools.run, query, start, end, since, limit)

    @server.tool(annotations=read_only)
    def list_labels() -> LabelsOutput:
        """The label names of the connected data's streams: what a stream selector
        {name="value"} can match on."""
        return _answer(tools.labels)

    @server.tool(annotations=read_only)
    def label_values(
            name: Annotated[str, Field(description="A label name from list_labels.")],
    ) -> LabelValuesOutput:
        """The values one label takes in the connected data, e.g. the application
        names to put in a selector."""
        return _answer(tools.label_values, name)

    @server.tool(annotations=read_only)
    def log_patterns(
            selector: Annotated[str | None, _text(
                'Only these streams: a stream selector such as {application="hdfs"}. '
                "Default: all.", limits.MAX_QUERY_CHARS)] = None,
            top: Annotated[int, Field(ge=1, le=MAX_TOP, description="Patterns per group, the "
                                                                    "most frequent first.")
                           ] = DEFAULT_TOP,
    ) -> PatternsOutput:
        """The log patterns of each application: line templates with named, typed fields,
        how many lines each covers, and for each a checked line filter and extraction
        stage (pattern or regexp) to build queries from. Applications that log the same
        patterns are grouped."""
        return _answer(tools.patterns, selector, top)

    @server.resource(CHEAT_SHEET_URI, name="logql-cheat-sheet", title="LogQL cheat sheet",
                     mime_type="text/markdown",
                     description="Every LogQL construct with what it does and an example.")
    def cheat_sheet() -> str:
        return resources.cheat_sheet()

    @server.resource(EXAMPLES_URI, name="example-questions", title="Example questions",
                     mime_type="text/markdown",
                     description=f"Questions to ask generate_logql about {tools.source}, "
                                 "from its log patterns.")
    def example_questions() -> str:
        try:
            return resources.example_questions(tools.pattern_groups(), tools.source)
        except Nl2LogQLError as error:
            raise ResourceError(str(error).split("\n", 1)[0]) from None

    return server


def _instructions(tools: Tools) -> str:
    from nl2logql.timeutil import format_time

    return (f"nl2logql turns questions about logs into Grafana Loki LogQL and runs it on "
            f"{tools.source} (read-only; its clock: {format_time(tools.backend.default_time())}, "
            "so 'the last hour' counts back from then). To learn what the data holds: "
            "list_labels, label_values, log_patterns, and the resource "
            f"{EXAMPLES_URI}. To answer a question: generate_logql (run=true also runs "
            "it), or write LogQL yourself with the resource "
            f"{CHEAT_SHEET_URI}, check it with validate_logql and run it with run_logql.")
