"""`viva bank`: list, show, check and describe the question bank."""

import json
import textwrap
from typing import Annotated

import typer

from viva.bank import Question, RubricFile, check_bank, load_bank
from viva.cli.errors import reported_errors
from viva.config import get_settings

app = typer.Typer(help="The question bank: list, show and check the rubric files.", no_args_is_help=True)


def _bank_questions() -> tuple[Question, ...]:
    with reported_errors():
        return load_bank(get_settings().rubrics_dir).questions


@app.command("list")
def list_questions(
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array with every field.")] = False,
) -> None:
    """Every question in the bank: number, id, category, difficulty and text."""
    questions = _bank_questions()
    if as_json:
        typer.echo(json.dumps([q.model_dump(mode="json") for q in questions], indent=2, ensure_ascii=False))
        return
    for q in questions:
        typer.echo(f"{q.number:>3}  {q.id:<28} {q.difficulty:<11} {q.category:<34} {q.question}")


@app.command("show")
def show(
    question: Annotated[str, typer.Argument(help="A question number or id.")],
) -> None:
    """One question with its model answer and rubric, readable."""
    with reported_errors():
        q = load_bank(get_settings().rubrics_dir).get(question)
    typer.echo(_render(q))


@app.command("check")
def check() -> None:
    """Validate every rubric file under VIVA_RUBRICS_DIR; exit 1 and list the problems if any."""
    directory = get_settings().rubrics_dir
    problems = check_bank(directory)
    if problems:
        for problem in problems:
            typer.echo(problem, err=True)
        typer.echo(f"{len(problems)} problem(s) in {directory}", err=True)
        raise typer.Exit(1)
    questions = load_bank(directory).questions
    typer.echo(f"OK: {len(questions)} question{'s' if len(questions) != 1 else ''} in {directory}")


@app.command("schema")
def schema() -> None:
    """Print the JSON Schema of a rubric file, for editors that validate YAML."""
    typer.echo(json.dumps(RubricFile.model_json_schema(), indent=2))


def _render(q: Question) -> str:
    wrap = textwrap.TextWrapper(width=100, initial_indent="    ", subsequent_indent="    ")
    lines = [
        f"Q{q.number} [{q.id}] {q.question}",
        f"  {q.category} · {q.difficulty} · rubric {q.rubric_version} · {q.source_file}",
        "",
        "  Model answer:",
        *(wrap.fill(line) for line in q.model_answer.splitlines()),
    ]
    if q.why_asked:
        lines += ["", "  Why interviewers ask this:", wrap.fill(q.why_asked)]
    lines += ["", "  Key points:"]
    for point in q.key_points:
        marks = ["required"] if point.required else []
        marks.append(f"weight {point.weight:g}")
        if point.at_least:
            marks.append(f"at least {point.at_least} of {', '.join(point.of)}")
        lines.append(f"    - {point.id} ({', '.join(marks)}): {point.text}")
        if point.follow_up:
            lines.append(f"        follow-up: {point.follow_up}")
    if q.reference_mode:
        lines.append("    (none: derived from the model answer when grading)")
    if q.misconceptions:
        lines += ["", "  Misconceptions:"]
        for wrong in q.misconceptions:
            lines.append(f"    - {wrong.id} (contradicts {wrong.contradicts}): {wrong.text}")
            lines.append(f"        why wrong: {wrong.explanation}")
    hints = q.delivery
    if hints.one_line or hints.example or hints.trade_off:
        lines += ["", "  Delivery:"]
        lines += [
            f"    {label}: {text}"
            for label, text in (
                ("open with", hints.one_line),
                ("example", hints.example),
                ("trade-off", hints.trade_off),
            )
            if text
        ]
    return "\n".join(lines)
