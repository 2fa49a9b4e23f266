"""`viva serve`: run the HTTP service.

Everything that can stop a start is checked before the server runs, each failure
as one line naming what to fix: the settings, the bank, the database (its URL,
that it answers, and its schema, migrated here), that the address can be listened
on, then the grader.
Only then does uvicorn start, with the grader already loaded.
"""

from __future__ import annotations

import logging
from typing import Annotated
from urllib.parse import urlsplit

import typer
import uvicorn
from sqlalchemy.engine import make_url

from viva import __version__
from viva.bank import load_bank
from viva.cli.errors import reported_errors
from viva.cli.preflight import check_database, check_listening, migrate_database
from viva.config import Settings, get_settings
from viva.grading import load_grader
from viva.logs import configure_logging

log = logging.getLogger("viva.serve")


def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on (default: VIVA_HOST).")] = None,
    port: Annotated[
        int | None, typer.Option(min=1, max=65535, help="Port to listen on (default: VIVA_PORT).")
    ] = None,
) -> None:
    """Start the Viva HTTP service (API, candidate page and coach pages)."""
    settings = get_settings()
    configure_logging(settings.log_level)
    host, port = host or settings.host, port if port is not None else settings.port
    with reported_errors():
        bank = load_bank(settings.rubrics_dir)
        check_database(settings.resolved_database_url)
        migrate_database(settings.resolved_database_url)
        check_listening(host, port)
        grader = load_grader(settings)
    log.info("starting", extra=start_summary(settings, host, port, questions=len(bank)))
    from viva.api.app import create_app  # the web stack, only for the command that serves it

    uvicorn.run(
        create_app(settings, grader),
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=graceful_shutdown_seconds(settings),
        forwarded_allow_ips=settings.forwarded_allow_ips,
    )


def graceful_shutdown_seconds(settings: Settings) -> int:
    """How long a stop may take: answers being graded finish, and so may a critique in flight."""
    return max(30, int(settings.llm_timeout) + 10)


def start_summary(settings: Settings, host: str, port: int, questions: int) -> dict[str, object]:
    """What an operator checks first in a replica's log: which database, bank, model and LLM it uses
    (nothing said so; a replica left on its own SQLite file looked like every other). No secret:
    passwords and API keys are left out."""
    return {
        "version": __version__,
        "listen": f"{host}:{port}",
        "database": make_url(settings.resolved_database_url).render_as_string(hide_password=True),
        "rubrics_dir": str(settings.rubrics_dir),
        "questions": questions,
        "embedding_model": settings.embedding_model,
        "embedding_server": _without_credentials(settings.embedding_base_url),
        "llm_server": _without_credentials(settings.llm_base_url),
        "llm_model": settings.llm_model if settings.llm_base_url else None,
        "coaches": len(settings.coaches),
    }


def _without_credentials(url: str | None) -> str | None:
    if url is None:
        return None
    parts = urlsplit(url)
    return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()
