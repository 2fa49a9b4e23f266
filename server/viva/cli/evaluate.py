"""`viva eval`: grade a human-graded data set and say how well Viva agrees with the humans."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from pydantic import BaseModel, ValidationError
from scipy.stats import pearsonr, spearmanr

from viva.cli.errors import reported_errors
from viva.cli.inputs import lines_of, read_text
from viva.cli.progress import progress_bar
from viva.errors import UnknownQuestionError, VivaError
from viva.grading import load_grader
from viva.grading.grader import QuestionLike, reference_question

BATCH = 64
CHART_FORMATS = {".png", ".svg"}
MOHLER_COLUMNS = {"question", "reference_answer", "student_answer", "score"}


class Agreement(BaseModel):
    """How Viva's scores agree with human grades."""

    n: int
    pearson: float
    spearman: float
    rmse: float
    """Root mean squared error, in the human scale, after a linear fit of Viva's scores to the human grades."""


class Item(BaseModel):
    question: QuestionLike
    answer: str
    human: float
    group: str | None = None
    """Agreement is also shown per group: the assignment of a Mohler row; the question's category otherwise."""
    line: int
    """Where the item is in its file, for an error about it."""


def evaluate(
    file: Annotated[
        Path, typer.Argument(help="Mohler-style CSV (reference mode) or JSONL {question, answer, grade}.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="End with one JSON line of the figures.")] = False,
    chart: Annotated[
        Path | None,
        typer.Option(help="Save a chart (PNG or SVG): Viva against humans, and agreement per group."),
    ] = None,
) -> None:
    """Grade every answer of a human-graded set and print Pearson, Spearman and RMSE against the humans."""
    with reported_errors():
        if chart and chart.suffix.lower() not in CHART_FORMATS:
            raise VivaError(f"--chart {chart}: a chart is saved as PNG or SVG; name the file .png or .svg")
        if chart and not chart.parent.is_dir():
            raise VivaError(f"--chart {chart}: the folder {chart.parent} does not exist")
        items = _read(file)
        human = np.array([i.human for i in items])
        _check_measurable(file, human)  # before the model loads: nothing to grade for
        grader = load_grader()
        for item in items:  # every question known before the first is graded
            try:
                grader.question(item.question)
            except UnknownQuestionError as error:
                raise VivaError(f"{file}:{item.line}: {error.message}") from error
        scores: list[float] = []
        with progress_bar("grading", total=len(items)) as bar:
            for start in range(0, len(items), BATCH):
                batch = items[start : start + BATCH]
                scores += [g.score for g in grader.grade_many([(i.question, i.answer) for i in batch])]
                bar.advance(bar.task_ids[0], len(batch))
        viva = np.array(scores, dtype=float)
        overall = agreement(viva, human)
        if overall is None:
            raise VivaError(
                f"Viva gave all {len(items)} answers the same score ({scores[0]:g}): correlation with the"
                " human grades is undefined; add answers of different quality"
            )
    groups: dict[str, list[int]] = defaultdict(list)
    for index, item in enumerate(items):
        groups[item.group or grader.question(item.question).category].append(index)
    measured = {g: agreement(viva[ix], human[ix]) for g, ix in groups.items() if len(ix) >= 3}
    by_group = {g: figures for g, figures in measured.items() if figures is not None}
    typer.echo(f"n         {overall.n}")
    typer.echo(f"pearson   {overall.pearson:.3f}")
    typer.echo(f"spearman  {overall.spearman:.3f}")
    typer.echo(f"rmse      {overall.rmse:.3f}  (human scale, after a linear fit)")
    if len(by_group) > 1:
        typer.echo(f"\n{'per group':<36} {'n':>4}  pearson  spearman")
        for name, figures in by_group.items():
            typer.echo(f"  {name[:34]:<34} {figures.n:>4}  {figures.pearson:7.3f}  {figures.spearman:8.3f}")
    if chart:
        from viva.reports.charts import agreement_chart

        agreement_chart(viva, human, {g: figures.pearson for g, figures in by_group.items()}, chart)
        typer.echo(f"\nchart: {chart}")
    if as_json:
        typer.echo(
            json.dumps(overall.model_dump() | {"groups": {g: f.model_dump() for g, f in by_group.items()}})
        )


def agreement(viva: np.ndarray, human: np.ndarray) -> Agreement | None:
    """Pearson, Spearman and RMSE; None where correlation is undefined (under 2 answers, or no variance)."""
    n = len(viva)
    if n < 2 or np.std(viva) == 0 or np.std(human) == 0:
        return None
    slope, intercept = np.polyfit(viva, human, 1)
    rmse = float(np.sqrt(np.mean((slope * viva + intercept - human) ** 2)))
    return Agreement(
        n=n, pearson=float(pearsonr(viva, human)[0]), spearman=float(spearmanr(viva, human)[0]), rmse=rmse
    )


def _check_measurable(path: Path, human: np.ndarray) -> None:
    """Refuse a set on which agreement cannot be measured, rather than print figures of 0."""
    if len(human) < 2:
        raise VivaError(
            f"{path}: {len(human)} graded answer(s); measuring agreement needs at least 2 with different grades"
        )
    if np.std(human) == 0:
        raise VivaError(
            f"{path}: every human grade is {human[0]:g}: correlation is undefined when the grades do not vary;"
            " add answers graded differently"
        )


def _read(path: Path) -> list[Item]:
    text = read_text(path)
    if path.suffix.lower() == ".csv":
        return _read_csv(path, text)
    return _read_jsonl(path, text)


def _read_csv(path: Path, text: str) -> list[Item]:
    # The csv module cuts the lines itself: a quoted cell may hold line breaks (a spreadsheet's
    # answer in paragraphs), which lines cut beforehand lost, gluing the last word of one line
    # to the first of the next.
    lines = list(io.StringIO(text, newline=""))  # cut where the csv module counts its lines
    reader = csv.DictReader(lines)
    missing = MOHLER_COLUMNS - set(reader.fieldnames or ())
    if missing:
        raise VivaError(f"{path}: missing column(s) {', '.join(sorted(missing))} (the Mohler layout)")
    questions: dict[tuple[str, str], QuestionLike] = {}
    items = []
    ended = reader.line_num
    for row in reader:
        # Named by the line it starts on (`line_num` is where it ends: a cell may hold line breaks),
        # past the blank lines the reader skips.
        number = next((n for n in range(ended + 1, reader.line_num + 1) if lines[n - 1].strip()), ended + 1)
        ended = reader.line_num
        if None in row.values():
            raise VivaError(f"{path}:{number}: fewer cells than the header has columns")
        key = (row["question"], row["reference_answer"])
        if key not in questions:
            try:
                questions[key] = reference_question(*key)
            except ValidationError as error:
                raise VivaError(
                    f"{path}:{number}: the question and the reference answer may not be blank"
                ) from error
        try:
            human = float(row["score"])
        except ValueError as error:
            raise VivaError(f"{path}:{number}: score {row['score']!r} is not a number") from error
        if not np.isfinite(human):
            raise VivaError(f"{path}:{number}: score {row['score']!r} is not a finite number")
        group = "assignment " + row["question_id"].split(".")[0] if row.get("question_id") else "all"
        items.append(
            Item(question=questions[key], answer=row["student_answer"], human=human, group=group, line=number)
        )
    return items


def _read_jsonl(path: Path, text: str) -> list[Item]:
    items = []
    for number, line in enumerate(lines_of(text), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            human = float(row["grade"])
            if not np.isfinite(human):
                raise ValueError(f"grade {row['grade']!r} is not a finite number")
            items.append(Item(question=row["question"], answer=row["answer"], human=human, line=number))
        except (ValueError, KeyError, TypeError, ValidationError) as error:
            raise VivaError(
                f'{path}:{number}: expected {{"question", "answer", "grade"}} ({error})'
            ) from error
    return items
