"""The root `viva` command and its shared plumbing."""

from typing import Annotated

import typer

from viva import __version__
from viva.cli import bank, evaluate, grade, serve, settings, store
from viva.cli.errors import ReportingGroup
from viva.cli.progress import silence_model_loading

app = typer.Typer(
    name="viva",
    cls=ReportingGroup,
    help="Viva: a mock interviewer for machine-learning jobs that grades answers against rubrics.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(bank.app, name="bank", cls=ReportingGroup)
app.command("serve")(serve.serve)
app.command("grade")(grade.grade)
app.command("eval")(evaluate.evaluate)
app.add_typer(store.coach_app, name="coach", cls=ReportingGroup)
app.add_typer(store.transcripts_app, name="transcripts", cls=ReportingGroup)
app.command("export")(store.export)
app.command("settings")(settings.settings)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"viva {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """Viva: a mock interviewer for machine-learning jobs that grades answers against rubrics."""
    silence_model_loading()  # before any command loads the model
