"""Turning Viva's errors into a message on stderr and an exit code, the same way in every command."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer
from typer.core import TyperGroup

from viva.config import SettingsError
from viva.errors import VivaError

USAGE = 2
"""The exit status of a command run with bad settings, as of one run with bad options."""


@contextmanager
def reported_errors() -> Iterator[None]:
    """Print a `VivaError` as its message (no traceback) and exit with status 1 (2 for bad settings)."""
    try:
        yield
    except SettingsError as error:
        _report_settings(error)
    except VivaError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(1) from error


def _report_settings(error: SettingsError) -> None:
    for problem in error.problems:
        typer.echo(f"error: {problem}", err=True)
    raise typer.Exit(USAGE) from error


class ReportingGroup(TyperGroup):
    """The root command: bad settings met anywhere in any command end it with one line per variable."""

    def invoke(self, ctx: Any) -> Any:  # Any: typer types it with the click it vendors, a private module
        try:
            return super().invoke(ctx)
        except SettingsError as error:
            _report_settings(error)
