"""`viva serve`: run the HTTP service."""

from typing import Annotated

import typer
import uvicorn

from viva.config import get_settings
from viva.logs import configure_logging


def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on [default: VIVA_HOST].")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on [default: VIVA_PORT].")] = None,
) -> None:
    """Start the Viva HTTP service (API, candidate page and coach pages)."""
    settings = get_settings()
    configure_logging(settings.log_level)
    uvicorn.run(
        "viva.api.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=max(30, int(settings.llm_timeout) + 10),
    )
