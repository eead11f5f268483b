"""The ``nl2logql`` command line: a click group; each command lives in nl2logql.commands.

To add a command, write a module under ``nl2logql/commands/`` with a ``COMMANDS`` list
and name it in :data:`COMMAND_MODULES`. Library errors never reach the user as a
traceback: the group turns them into a message on stderr and exit status 1.
"""

from __future__ import annotations

import importlib

import click

from nl2logql import __version__
from nl2logql.commands.common import CliError
from nl2logql.errors import Nl2LogQLError

COMMAND_MODULES = ("nl2logql.commands.logql", "nl2logql.commands.query",
                   "nl2logql.commands.generate", "nl2logql.commands.patterns",
                   "nl2logql.commands.synth", "nl2logql.commands.train",
                   "nl2logql.commands.eval", "nl2logql.commands.mcp")


class _Group(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except Nl2LogQLError as error:
            raise CliError(str(error)) from None


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="nl2logql")
def main() -> None:
    """Natural-language questions in, validated Grafana Loki LogQL out.

    \b
    Example:
      nl2logql explain 'sum by (host) (count_over_time({app="api"} |= "error" [5m]))'
    """


for _name in COMMAND_MODULES:
    for _command in importlib.import_module(_name).COMMANDS:
        main.add_command(_command)
