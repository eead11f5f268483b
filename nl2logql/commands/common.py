"""What every command shares: errors shown as one plain message, never a traceback."""

from __future__ import annotations

import click


class CliError(click.ClickException):
    """A failure the user can act on, printed as is (it already says what went wrong)."""

    exit_code = 1

    def show(self, file=None) -> None:
        click.echo(self.format_message(), err=True, file=file)


class InputError(CliError):
    """Bad usage or unreadable input: exit status 2, as click uses for usage errors."""

    exit_code = 2
