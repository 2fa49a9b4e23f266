"""`viva coach`, `viva export` and `viva transcripts`: the transcript store from the command line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from sqlmodel import Session

from viva.bank import load_bank
from viva.cli.errors import reported_errors
from viva.cli.preflight import check_database
from viva.config import get_settings
from viva.errors import VivaError
from viva.interview import coaching
from viva.interview.service import InterviewService
from viva.interview.tokens import new_token
from viva.store.database import create_database_engine, migrate

coach_app = typer.Typer(help="Coach access.", no_args_is_help=True)
transcripts_app = typer.Typer(help="Stored interviews.", no_args_is_help=True)


@contextmanager
def _store() -> Iterator[tuple[InterviewService, Session]]:
    settings = get_settings()
    check_database(settings.resolved_database_url)
    engine = create_database_engine(settings.resolved_database_url)
    migrate(engine)
    try:
        with Session(engine, expire_on_commit=False) as session:
            yield InterviewService(load_bank(settings.rubrics_dir), None, settings), session
    finally:
        engine.dispose()


@coach_app.command("token")
def coach_token(
    name: Annotated[str | None, typer.Option(help="The coach's name, shown beside their overrides.")] = None,
) -> None:
    """Print a fresh random coach token (set it in VIVA_COACH_TOKEN)."""
    if name and "," in name:
        # VIVA_COACH_TOKEN separates coaches with commas: "Smith, Jane:TOKEN" would make "Smith" a token.
        raise typer.BadParameter(
            "a coach's name may not contain a comma (VIVA_COACH_TOKEN separates coaches with commas)",
            param_hint="--name",
        )
    token = new_token()
    value = f"{name}:{token}" if name else token
    typer.echo(value)
    typer.echo(f"Set it for the server: VIVA_COACH_TOKEN={value} (several: separate with commas)", err=True)


@transcripts_app.command("list")
def list_transcripts(
    candidate: Annotated[str | None, typer.Option(help="Only candidates whose name contains this.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
) -> None:
    """Every stored interview: when, who, score, questions answered, whether a coach overrode a grade."""
    with reported_errors(), _store() as (_, session):
        rows = coaching.list_interviews(session, coaching.InterviewFilter(candidate=candidate, limit=100_000))
    if as_json:
        typer.echo(json.dumps([r.model_dump(mode="json") for r in rows], indent=2, ensure_ascii=False))
        return
    for r in rows:
        score = f"{r.score:5.1f}" if r.score is not None else "    -"
        flags = ("finished" if r.finished else "open") + (", overridden" if r.overridden else "")
        typer.echo(
            f"{r.id}  {r.created_at:%Y-%m-%d %H:%M}  {score}  {r.answered}/{r.total}  {r.candidate!r}  ({flags})"
        )


def export(
    interview_id: Annotated[str, typer.Argument(help="The interview's id (`viva transcripts list`).")],
    format: Annotated[coaching.ExportFormat, typer.Option(help="json, csv or md.")] = "json",
    output: Annotated[
        Path | None, typer.Option(dir_okay=False, help="Write to this file instead of standard output.")
    ] = None,
) -> None:
    """Export one interview's transcript, grades, overrides and comments."""
    with reported_errors(), _store() as (service, session):
        content, _ = coaching.export(service.transcript(session, interview_id), format)
    if output:
        with reported_errors():
            try:
                output.write_text(content, encoding="utf-8")
            except OSError as error:
                raise VivaError(f"cannot write {output}: {error.strerror}") from error
        typer.echo(f"wrote {output}", err=True)
    else:
        typer.echo(content, nl=False)
