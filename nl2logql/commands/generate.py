"""``nl2logql generate``: a question in plain English → a validated LogQL query."""

from __future__ import annotations

import json

import click

from nl2logql.commands.model_options import model_options
from nl2logql.commands.query import render
from nl2logql.commands.sources import open_backend, source_options
from nl2logql.verify.findings import CHECK_MODES


@click.command()
@click.argument("question")
@source_options
@click.option("--run", "run_query", is_flag=True, help="Run the query and print the result.")
@click.option("--explain", "show_explanation", is_flag=True, help="Explain the query step by step.")
@click.option("--json", "as_json", is_flag=True,
              help="Print everything (query, candidates, explanation, result, timings) as JSON.")
@model_options
@click.option("-k", "k", type=click.IntRange(0, 16), default=4, show_default=True,
              help="Similar training examples shown to the model.")
@click.option("-n", "n", type=click.IntRange(1, 16), default=1, show_default=True,
              help="Candidates to generate; the best valid one is returned.")
@click.option("--no-constrain", is_flag=True, help="Decode without the LogQL grammar (validate only).")
@click.option("--checks", type=click.Choice(CHECK_MODES), default="repair", show_default=True,
              help="Check candidates against the question and the data: none; rank (by the "
                   "warnings); repair (also apply each candidate's fixes and check again).")
@click.option("--keep-warm", is_flag=True,
              help="Keep the model loaded in a background server (`nl2logql serve`) that "
                   "answers this and later calls on this machine: about a second each after "
                   "the first. Later calls use a running server with or without this flag.")
def generate(question, source, run_query, show_explanation, as_json, base_model, adapter,
             endpoint, endpoint_model, k, n, no_constrain, checks, keep_warm):
    """Turn a QUESTION about your logs into a LogQL query.

    The query is checked against the LogQL grammar and names only labels that exist in
    the data source (the sample store unless --logs or --loki says otherwise). It is then
    checked against the question and the data: line filters that match no line, parsers
    that extract nothing, missing labels, a range or a breakdown other than the question's.
    Fixable warnings are repaired; the rest are printed with the answer's level
    (parses < returns data < passed every check).

    \b
    Examples:
      nl2logql generate "how many failed SSH logins per source IP in the last hour on openssh-eu-west?"
      nl2logql generate "show error lines from hdfs in the last 5 minutes" --run --explain
      nl2logql generate "5xx rate by path" --loki http://localhost:3100 --run
      nl2logql generate "error lines from hdfs in the last hour" --keep-warm
    """
    from nl2logql.generation.pipeline import Assistant

    del keep_warm  # acted on before the command runs (nl2logql.cli.run): it needs a process
    backend = open_backend(source)
    assistant = Assistant(backend=backend, base_model=base_model, adapter=adapter,
                          endpoint=endpoint, endpoint_model=endpoint_model, k=k, n=n,
                          constrain=not no_constrain, checks=checks)
    answer = assistant.ask(question, run=run_query)

    if as_json:
        click.echo(json.dumps(answer.to_dict(), default=str))
        raise SystemExit(0 if answer.valid else 1)
    if not answer.valid:
        raise click.ClickException(answer.message or "no valid query")
    click.echo(answer.pretty)
    if answer.message:
        click.echo(f"note: {answer.message}", err=True)
    for repaired in answer.repairs:
        click.echo(f"repaired: {repaired}", err=True)
    for warning in answer.warnings:
        click.echo(f"warning ({warning.check}): {warning.reason}", err=True)
    if show_explanation:
        click.echo("")
        for number, step in enumerate(answer.explanation, 1):
            click.echo(f"{number}. {step.text}")
    if answer.result is not None:
        click.echo("")
        for row in render(answer.result):
            click.echo(row)
    click.echo(f"({answer.kind} query, {answer.level}, {answer.timings.get('total', 0):.1f} s)",
               err=True)


COMMANDS = [generate]
