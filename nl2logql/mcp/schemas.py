"""The typed JSON each MCP tool returns (its ``outputSchema``), with a description of
every field an agent reads. :mod:`nl2logql.mcp.tools` builds plain dicts of this shape;
the SDK checks them against these models before they leave the server."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from nl2logql.mcp.limits import MAX_VALUES

Kind = Literal["log", "metric"]


class Step(BaseModel):
    text: str = Field(description="What this step does, in plain English.")
    fragment: str = Field(description="The LogQL it describes; <expr> is the part explained "
                                      "by earlier steps.")
    kind: str = Field(description="selector, filter, parser, label_filter, format, labels, "
                                  "unwrap, range, aggregation, binary or literal.")


class LokiData(BaseModel):
    """Loki's HTTP API ``data`` object."""

    model_config = ConfigDict(extra="allow")
    resultType: Literal["streams", "vector", "matrix", "scalar"] = Field(  # noqa: N815 (Loki's)
        description="streams: log lines; vector: one value per series; matrix: values over "
                    "time per series; scalar: one number.")
    result: list[Any] | Any = Field(description="As Loki returns it: streams [{stream, values: "
                                                "[[ns, line]]}], vector [{metric, value: [s, v]}], "
                                                "matrix [{metric, values: [[s, v]]}].")


class TraceStage(BaseModel):
    stage: str = Field(description="The selector or pipeline stage.")
    lines_left: int = Field(description="Lines that survive it.")


class RunOutput(BaseModel):
    query: str = Field(description="The query as run, in canonical form.")
    kind: Kind
    data: LokiData
    summary: str = Field(description="One line: how many lines, streams or series came back.")
    caps: str = Field(description="The size limits this result was cut to.")
    truncated: list[str] = Field(description="What was cut to fit the caps; empty when nothing.")
    trace: list[TraceStage] | None = Field(
        description="Only for an empty result on the embedded store: the lines left after "
                    "each stage, to see which one dropped everything.")
    empty_at: str | None = Field(description="The first stage that left no lines.")
    notes: list[str] = Field(description="Anything else worth knowing about this run.")


class Alternative(BaseModel):
    query: str = Field(description="Another valid candidate, ranked lower.")
    kind: Kind
    unknown_labels: list[str] = Field(description="Labels it names that the data lacks.")


class GenerateOutput(BaseModel):
    question: str = Field(description="The question as the model saw it.")
    valid: bool = Field(description="Whether a valid query was found; when false, see warnings.")
    query: str | None = Field(description="The best valid query, on one line.")
    pretty: str | None = Field(description="The same query indented, one stage per line.")
    kind: Kind | None = Field(description="log: returns lines; metric: returns numbers.")
    explanation: list[Step] = Field(description="What the query does, step by step.")
    alternatives: list[Alternative] = Field(description="Other valid candidates (n > 1).")
    level: str | None = Field(description="How far the query is known to be right: parses < "
                                          "returns data < passed every check.")
    warnings: list[str] = Field(description="Why no query was found, notes about the query "
                                            "chosen, what the checks found wrong with it "
                                            "(check: reason), and the errors of invalid "
                                            "candidates.")
    repairs: list[str] = Field(description="Fixes applied to the model's query, and why.")
    result: RunOutput | None = Field(description="With run=true: the query's result.")
    seconds: float = Field(description="Time the assistant took.")


class QueryErrorDetail(BaseModel):
    kind: str = Field(description="syntax error or semantic error.")
    message: str
    line: int = Field(description="1-based line of the error.")
    column: int = Field(description="1-based column of the error.")
    pos: int = Field(description="0-based character offset of the error.")
    offending: str = Field(description="The text the error points at.")
    expected: list[str] = Field(description="What would have been accepted there.")
    caret: str = Field(description="The query's line with a caret under the spot.")


class ValidateOutput(BaseModel):
    valid: bool
    kind: Kind | None = Field(description="For a valid query: log or metric.")
    formatted: str | None = Field(description="For a valid query: its canonical form.")
    text: str = Field(description="What `nl2logql validate` prints: 'ok  <kind>  <query>', or "
                                  "the error with a caret under the spot.")
    error: QueryErrorDetail | None


class ExplainOutput(BaseModel):
    query: str = Field(description="The query in canonical form.")
    kind: Kind
    steps: list[Step] = Field(description="In the order Loki evaluates them.")
    text: str = Field(description="The steps numbered, each with its LogQL, as one text.")


class LabelsOutput(BaseModel):
    source: str = Field(description="The data source the server is connected to.")
    labels: list[str] = Field(description="Label names, sorted.")


class LabelValuesOutput(BaseModel):
    name: str
    values: list[str] = Field(description=f"Values, sorted (at most {MAX_VALUES:,}).")
    total: int = Field(description="How many values the label has.")
    note: str | None = Field(description="Set when the list is cut or empty.")


class PatternField(BaseModel):
    name: str = Field(description="The name the extraction gives it (a label after the stage).")
    type: str = Field(description="ip, number, duration, bytes, word, ...; numeric types can "
                                  "be unwrapped.")


class PatternOutput(BaseModel):
    template: str = Field(description="The line's fixed text with <field> for each variable.")
    count: int = Field(description="Lines it covers.")
    example: str = Field(description="One whole line.")
    fields: list[PatternField]
    line_filter: str | None = Field(description="A line filter that keeps its lines, checked.")
    extraction: str | None = Field(description="A pattern (or regexp) stage that extracts its "
                                               "fields, checked on its lines.")
    query: str = Field(description="A log query for its lines with the fields extracted.")


class PatternGroup(BaseModel):
    selectors: list[str] = Field(description="The applications logging these patterns.")
    lines: int
    header: str = Field(description="What precedes the message on each line.")
    source: str = Field(description="mined, or loki (its patterns endpoint).")
    labels: list[str] = Field(description="Label names on these streams.")
    unmatched: int = Field(description="Lines no pattern shown covers.")
    patterns: list[PatternOutput] = Field(description="Most frequent first.")
    more_patterns: int = Field(description="Patterns left out by top.")


class PatternsOutput(BaseModel):
    source: str
    selector: str | None
    groups: list[PatternGroup]
    caps: str = Field(description="The size limits this answer was cut to.")
