"""``nl2logql mcp``: serve the assistant to AI agents over the Model Context Protocol.

Test hook (not for users, so not in ``--help``): when ``$NL2LOGQL_SCRIPTED_OUTPUTS``
names a JSON file holding a list, the model is a
:class:`~nl2logql.generation.models.ScriptedModel` answering with its items in order
(a string per call, or a list of strings for n > 1). The tests start the server as a
subprocess, so they cannot hand it a model object.
"""

from __future__ import annotations

import json
import logging
import os

import click

from nl2logql.commands.model_options import model_options
from nl2logql.commands.sources import open_backend, source_options
from nl2logql.errors import ModelError

SCRIPTED_OUTPUTS_ENV = "NL2LOGQL_SCRIPTED_OUTPUTS"
TOKEN_ENV = "NL2LOGQL_MCP_TOKEN"


@click.command(name="mcp")
@source_options
@model_options
@click.option("-k", "k", type=click.IntRange(0, 16), default=4, show_default=True,
              help="Similar training examples shown to the model.")
@click.option("--http", "address", metavar="[HOST:]PORT",
              help="Serve streamable HTTP at http://HOST:PORT/mcp instead of stdio "
                   "(HOST: 127.0.0.1 unless given).")
@click.option("--token", envvar=TOKEN_ENV, metavar="TOKEN",
              help=f"With --http: answer only requests with Authorization: Bearer TOKEN "
                   f"(default: ${TOKEN_ENV}).")
def mcp(source, base_model, adapter, endpoint, endpoint_model, k, address, token):
    """Serve generate, validate, explain, run, label and pattern tools to AI agents
    (Claude Desktop, VS Code, any MCP client) over stdio, or over HTTP with --http.

    Read-only: only queries reach the data source. The model loads on the first
    generate_logql call and then serves every client in turn.

    \b
    Examples:
      nl2logql mcp --sample
      nl2logql mcp --loki http://localhost:3100
      NL2LOGQL_MCP_TOKEN=s3cret nl2logql mcp --logs 'logs/*.log' --http 8765
    """
    from nl2logql.mcp import http
    from nl2logql.mcp.server import build_server
    from nl2logql.mcp.tools import Tools

    if token and not address:
        raise click.UsageError("--token protects --http; stdio needs none")
    place = http.parse_address(address) if address else None
    if place is None and "-" in source["logs"]:  # the protocol owns standard input
        raise click.UsageError("--logs - reads standard input, which serving over stdio "
                               "needs; save the logs to a file, or serve with --http")
    backend = open_backend(source)
    factory = _assistant_factory(base_model=base_model, adapter=adapter, endpoint=endpoint,
                                 endpoint_model=endpoint_model, k=k)
    name = _source_name(source, backend)
    server = build_server(Tools(backend, factory, name))
    for handler in logging.getLogger().handlers:  # the SDK's: libraries' debug lines too
        handler.setLevel(logging.WARNING)
    if place is None:
        click.echo(f"nl2logql mcp: serving {name} over stdio", err=True)
        try:
            server.run("stdio")
        except KeyboardInterrupt:  # Ctrl-C in a terminal: a stop, not a failure
            pass
        return
    host, port = place
    if not token and not http.is_loopback(host):
        click.echo(f"warning: serving {host} without --token: anyone who reaches it can "
                   "query your logs", err=True)
    click.echo(f"nl2logql mcp: serving {name} at http://{host}:{port}{http.PATH}"
               + (" (bearer token required)" if token else ""), err=True)
    http.serve(server, host, port, token)


def _source_name(source: dict, backend) -> str:
    if source["loki"] is not None:
        return f"the Loki at {backend.url}"
    if source["logs"]:
        return "the log files " + ", ".join(source["logs"])
    return "the sample store"


def _assistant_factory(**options):
    def load(backend):
        from nl2logql.generation.models import ScriptedModel
        from nl2logql.generation.pipeline import Assistant

        scripted = os.environ.get(SCRIPTED_OUTPUTS_ENV)
        if scripted:
            return Assistant(model=ScriptedModel(_read_outputs(scripted)), backend=backend,
                             k=options["k"])
        return Assistant(backend=backend, **options)

    return load


def _read_outputs(path: str) -> list:
    try:
        with open(path, encoding="utf-8") as file:
            outputs = json.load(file)
    except (OSError, ValueError) as error:
        raise ModelError(f"${SCRIPTED_OUTPUTS_ENV}: cannot read {path}: {error}") from None
    if not isinstance(outputs, list):
        raise ModelError(f"${SCRIPTED_OUTPUTS_ENV}: {path} must hold a JSON list")
    return outputs


COMMANDS = [mcp]
