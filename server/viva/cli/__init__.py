"""The `viva` command line: one Typer app, one module per command group."""

from viva.cli.app import app

__all__ = ["app"]
