"""`viva grade`: grade one answer, or a JSONL stream of them."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated, Any

import typer
from pydantic import ValidationError

from viva.cli.errors import reported_errors
from viva.cli.inputs import lines_of, read_text
from viva.cli.progress import progress_bar
from viva.config import get_settings
from viva.errors import InvalidRequestError, VivaError
from viva.grading import Grade, load_grader
from viva.grading.grader import Grader, QuestionLike
from viva.llm import critic_from_settings
from viva.llm.review import Reviewer

if TYPE_CHECKING:
    from viva.api.routes.grade import GradeRequest

BATCH = 64
BLANK_LINE = 'blank; every line is one JSON object {"question", "answer"[, "reference"]}'


def _request(data: str | dict[str, Any]) -> GradeRequest:
    """One request, checked by the API's own `POST /api/v1/grade` model (types, unknown keys, text)."""
    from viva.api.routes.grade import GradeRequest  # the web stack, only for this command

    if isinstance(data, str):
        return GradeRequest.model_validate_json(data)
    return GradeRequest.model_validate(data)


def grade(
    question: Annotated[str | None, typer.Option(help="A question number or id from the bank.")] = None,
    answer: Annotated[str | None, typer.Option(help="The candidate's answer.")] = None,
    reference: Annotated[
        str | None,
        typer.Option(help="Grade against this reference answer; --question is then the question text."),
    ] = None,
    jsonl: Annotated[
        str | None,
        typer.Option(help='Grade every line {"question", "answer"[, "reference"]} of FILE (- for stdin).'),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the grade as one JSON object.")] = False,
) -> None:
    """Grade an answer against its question's rubric and show the evidence."""
    if jsonl is not None:
        if question or answer:
            raise typer.BadParameter("use either --jsonl or --question/--answer, not both")
        raise typer.Exit(_grade_stream(jsonl))
    if question is None or answer is None:
        raise typer.BadParameter("give --question and --answer (or --jsonl FILE)")
    with reported_errors():
        settings = get_settings()
        fields = {
            "question": question,
            "answer": answer,
        }
        try:
            request = _request(fields | ({"reference": reference} if reference is not None else {}))
        except ValidationError as error:
            raise InvalidRequestError(_first_problem(error)) from error
        wanted = request.target(settings)
        grader = load_grader(settings)
        target = grader.question(wanted)
        result = grader.grade(target, request.answer)
        reviewer = _reviewer(grader)
        if reviewer is not None:  # waits for the critique, never longer than VIVA_LLM_TIMEOUT
            result, _ = reviewer.review(target, request.answer, result)
    typer.echo(_one_line(result.model_dump_json()) if as_json else render(result))


def _reviewer(grader: Grader) -> Reviewer | None:
    settings = get_settings()
    critic = critic_from_settings(settings)
    return Reviewer(grader, critic, settings.llm_max_raise) if critic else None


def _grade_stream(source: str) -> int:
    lines = list(_read_lines(source))
    grader: Grader | None = None
    failures = 0
    with progress_bar("grading", total=len(lines)) as bar:
        for start in range(0, len(lines), BATCH):
            batch = lines[start : start + BATCH]
            requests: list[tuple[int, GradeRequest]] = []
            outputs: dict[int, str] = {}
            for number, text in batch:
                if not text.strip():
                    outputs[number] = _error_line(number, "blank_line", BLANK_LINE)
                    continue
                try:
                    requests.append((number, _request(text)))
                except ValidationError as error:
                    # The API's code for the same body: a script reading both needs one name for it.
                    outputs[number] = _error_line(number, InvalidRequestError.code, _first_problem(error))
            if requests:
                grader = grader or load_grader()
                outputs |= _grade_batch(grader, requests)
            for number, _ in batch:
                failures += "error" in outputs[number][:12]
                sys.stdout.write(_one_line(outputs[number]) + "\n")
            sys.stdout.flush()
            bar.advance(bar.task_ids[0], len(batch))
    if failures:
        typer.echo(f"{failures} line(s) could not be graded", err=True)
    return 1 if failures else 0


def _grade_batch(grader: Grader, requests: list[tuple[int, GradeRequest]]) -> dict[int, str]:
    outputs: dict[int, str] = {}
    ready: list[tuple[int, QuestionLike, str]] = []
    settings = get_settings()
    for number, request in requests:
        try:
            ready.append((number, grader.question(request.target(settings)), request.answer))
        except VivaError as error:
            outputs[number] = _error_line(number, error.code, error.message)
    grades = grader.grade_many([(q, a) for _, q, a in ready])
    reviewer = _reviewer(grader)
    for (number, question, answer), result in zip(ready, grades, strict=True):
        if reviewer is not None:
            result, _ = reviewer.review(grader.question(question), answer, result)
        outputs[number] = result.model_dump_json()
    return outputs


def _read_lines(source: str) -> Iterator[tuple[int, str]]:
    with reported_errors():
        text = read_text(source)
    # Every line, blank ones too: output line N is always the grade (or the error) of input line N.
    yield from enumerate(lines_of(text), start=1)


_LINE_BREAKING = str.maketrans({"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"})


def _one_line(json_text: str) -> str:
    """JSON with the characters some readers cut lines at escaped (they can only be inside its strings):
    pydantic writes them raw, and an answer quoted in the evidence split its grade in two."""
    return json_text.translate(_LINE_BREAKING)


def _error_line(number: int, code: str, message: str) -> str:
    return json.dumps({"error": {"code": code, "message": f"line {number}: {message}"}, "line": number})


def _first_problem(error: ValidationError) -> str:
    """The first problem of a request, in the words of its JSON: the key, what it holds, what it should."""
    detail: Any = error.errors()[0]
    key = str(detail["loc"][0]) if detail["loc"] else ""
    if detail["type"] == "extra_forbidden":
        return f'unknown key "{key}": a line has "question", "answer" and optionally "reference"'
    if detail["type"] == "missing":
        return f'"{key}" is missing'
    if key == "question" and len(detail["loc"]) > 1:  # neither member of `int | str` took it
        return f'"question" is a question number or id, not {json.dumps(detail["input"])}'
    return f"{key}: {detail['msg']}" if key else str(detail["msg"])


def render(result: Grade) -> str:
    """A grade for people: score, the points covered with the candidate's own words, what was missed, and why."""
    q = result.question
    lines = [
        f"Q{q.number} {q.text}" if q.number else q.text,
        f"Score {result.score}/100 ({result.band}). {result.summary}",
    ]
    covered = [p for p in result.key_points if p.status != "missed"]
    missed = [p for p in result.key_points if p.status == "missed"]
    if covered:
        lines += ["", "Covered:"]
        for p in covered:
            mark = "✓" if p.status == "covered" else "~"
            said = f" — “{p.evidence.text}”" if p.evidence else ""
            lines.append(f"  {mark} {p.id}{' (required)' if p.required else ''}: {p.text}{said}")
    if missed:
        lines += ["", "Missed:"]
        for p in missed:
            why = f" (contradicted: {p.contradicted_by})" if p.contradicted_by else ""
            lines.append(f"  ✗ {p.id}{' (required)' if p.required else ''}: {p.text}{why}")
    if result.misconceptions:
        lines += ["", "Misconceptions:"]
        for m in result.misconceptions:
            lines.append(f"  ! “{m.evidence.text}” — {m.explanation}")
    if result.flags:
        lines += ["", "Flags:"]
        lines += [f"  - {f.code}: {f.message}" for f in result.flags]
    d = result.delivery
    checks = " · ".join(
        f"{name} {'✓' if ok else '✗'}"
        for name, ok in (
            ("definition", d.opens_with_definition),
            ("example", d.gives_example),
            ("trade-off", d.names_trade_off),
        )
    )
    lines += [
        "",
        f"Delivery: {d.words} words, about {d.speaking_seconds} s spoken (aim for {d.target_seconds} s) · {checks}",
    ]
    heard: dict[str, list[str]] = {}
    for name, quote in (("example", d.example_evidence), ("trade-off", d.trade_off_evidence)):
        if quote is not None:
            heard.setdefault(quote.text, []).append(name)
    lines += [f"  {' and '.join(names)}: “{text}”" for text, names in heard.items()]
    lines += [f"  tip: {tip}" for tip in d.tips]
    if result.critique:
        lines += ["", f"Critique ({result.grader.llm_model}): {result.critique}"]
        if result.suggestion:
            lines.append(f"  suggestion: {result.suggestion}")
    elif result.grader.llm_status != "disabled":
        lines += ["", f"Critique: none ({result.grader.llm_status})"]
    if result.follow_up:
        lines += ["", f"Follow-up: {result.follow_up.question}"]
    lines += [
        "",
        f"[{result.grader.method} grading · {result.grader.embedding_model} · rubric {result.grader.rubric_version}]",
    ]
    return "\n".join(lines)
