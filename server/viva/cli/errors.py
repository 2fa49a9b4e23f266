"""Turning Viva's errors into a message on stderr and an exit code, the same way in every command."""

import copy
import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import typer
from typer.core import TyperGroup

from viva.config import SettingsError, get_settings, ignored_variables
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


SETTINGS_FREE = {("settings",), ("bank", "schema"), ("coach", "token")}
"""The commands that work whatever the settings hold: they print them, or need none (as the README says)."""


class ReportingGroup(TyperGroup):
    """A group of `viva` commands: every command but those in `SETTINGS_FREE` reads the settings before
    it starts, and bad settings met anywhere end it with one line per variable."""

    def invoke(self, ctx: Any) -> Any:  # Any: typer types it with the click it vendors, a private module
        try:
            return super().invoke(ctx)
        except SettingsError as error:
            _report_settings(error)

    def resolve_command(self, ctx: Any, args: list[str]) -> tuple[str | None, Any, list[str]]:
        # Not in the root's callback: it runs before the command reads its own options, and `viva serve
        # --help` would be refused with bad settings. A command's callback runs once they are read.
        name, command, rest = super().resolve_command(ctx, args)
        if command is None or isinstance(command, TyperGroup) or _path(ctx, name) in SETTINGS_FREE:
            return name, command, rest
        settings_first = copy.copy(command)  # the group keeps its own, should it be resolved again
        if command.callback is not None:
            settings_first.callback = _after_reading_settings(command.callback)
        return name, settings_first, rest


def _path(ctx: Any, name: str | None) -> tuple[str, ...]:
    """The names of a command under the root, e.g. ("bank", "schema"), whatever the program is called."""
    names = [name or ""]
    while ctx.parent is not None:
        names.insert(0, ctx.info_name)
        ctx = ctx.parent
    return tuple(names)


def _after_reading_settings(callback: Callable[..., Any]) -> Callable[..., Any]:
    """`callback`, run only once the settings are read: a bad one is reported before the command reads
    its input (`viva eval` of an empty file reported the file; `viva grade --jsonl` of blank lines, nothing),
    and a `VIVA_*` variable that names no setting is warned of."""

    @functools.wraps(callback)
    def checked(*args: Any, **kwargs: Any) -> Any:
        get_settings()
        for line in ignored_variables():
            typer.echo(f"warning: {line}", err=True)
        return callback(*args, **kwargs)

    return checked
