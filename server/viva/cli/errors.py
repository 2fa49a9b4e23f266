"""Turning Viva's errors into a message on stderr and an exit code, the same way in every command."""

from collections.abc import Iterator
from contextlib import contextmanager

import typer

from viva.errors import VivaError


@contextmanager
def reported_errors() -> Iterator[None]:
    """Print a `VivaError` as its message (no traceback) and exit with status 1."""
    try:
        yield
    except VivaError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(1) from error
