"""Running the `viva` command in-process, the way a user types it."""

from typer.testing import CliRunner, Result

from viva.cli import app
from viva.config import get_settings


def viva(*args: str, input: str | None = None) -> Result:
    """Invoke `viva ARGS...` with the current environment; settings are re-read for each call."""
    get_settings.cache_clear()
    return CliRunner().invoke(app, list(args), input=input)
