"""Reading the bank from a folder of YAML files, all or nothing.

Every problem in every file is collected before anything is returned, so
`viva bank check` can list them all, and a server never starts on half a bank.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from viva.bank.models import Question, QuestionSpec, RubricFile, fingerprint
from viva.errors import BankError, UnknownQuestionError

RUBRIC_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Bank:
    """The loaded question bank, in question-number order."""

    questions: tuple[Question, ...]
    directory: Path
    _by_number: dict[int, Question] = field(init=False, repr=False, compare=False)
    _by_id: dict[str, Question] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_number", {q.number: q for q in self.questions})
        object.__setattr__(self, "_by_id", {q.id: q for q in self.questions})

    def __len__(self) -> int:
        return len(self.questions)

    def __iter__(self) -> Iterator[Question]:
        return iter(self.questions)

    def get(self, ref: int | str) -> Question:
        """A question by its number, its id, or its number written as text ("7")."""
        if isinstance(ref, str) and ref.strip().isascii() and ref.strip().isdigit():
            ref = int(ref)  # ASCII digits only: "²" is a digit to str.isdigit, and no number to int
        question = self._by_number.get(ref) if isinstance(ref, int) else self._by_id.get(ref)
        if question is None:
            raise UnknownQuestionError(
                f"No question {ref!r} in the bank: use a number from 1 to {max(self._by_number, default=0)}"
                " or an id from `viva bank list`."
            )
        return question

    @property
    def categories(self) -> list[str]:
        return list(dict.fromkeys(q.category for q in self.questions))


def rubric_files(directory: Path) -> list[Path]:
    """The YAML files under `directory`, hidden files and folders left out: a bank kept in a git
    repository has a `.github/workflows/*.yml` that is no rubric, and editors leave hidden drafts."""
    return sorted(
        path
        for path in directory.rglob("*")
        if path.suffix in RUBRIC_SUFFIXES
        and not any(part.startswith(".") for part in path.relative_to(directory).parts)
        and path.is_file()
    )


def load_bank(directory: Path) -> Bank:
    """Load every rubric file under `directory`; raise `BankError` listing every problem if any."""
    if not directory.is_dir():
        raise BankError([f"{directory}: no such folder (set VIVA_RUBRICS_DIR to a folder of rubric files)"])
    files = rubric_files(directory)
    if not files:
        patterns = " or ".join(f"*{suffix}" for suffix in RUBRIC_SUFFIXES)
        raise BankError([f"{directory}: no rubric files ({patterns}) in this folder"])
    problems: list[str] = []
    placed: list[tuple[str, QuestionSpec, str]] = []
    for path in files:
        name = path.relative_to(directory).as_posix()
        parsed = _read_file(path, name, problems)
        if parsed is not None:
            placed.extend((name, spec, spec.category or parsed.category or "") for spec in parsed.questions)
    questions = _resolve(placed, problems)
    if problems:
        raise BankError(problems)
    return Bank(questions=tuple(sorted(questions, key=lambda q: q.number)), directory=directory)


def check_bank(directory: Path) -> list[str]:
    """Every problem with the bank under `directory`; empty when it loads."""
    try:
        load_bank(directory)
    except BankError as error:
        return error.problems
    return []


def _read_file(path: Path, name: str, problems: list[str]) -> RubricFile | None:
    try:
        # libyaml's C parser is ten times faster than the pure-Python one; both are safe loaders.
        raw = yaml.load(
            path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        )
    except UnicodeDecodeError as error:
        problems.append(f"{name}: not UTF-8 text ({error.reason} at byte {error.start}); save it as UTF-8")
        return None
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        line = f" at line {where.line + 1}, column {where.column + 1}" if where else ""
        problems.append(f"{name}: not valid YAML{line}: {getattr(error, 'problem', error)}")
        return None
    if not isinstance(raw, dict):
        problems.append(
            f"{name}: field questions: a rubric file must be a mapping with a `questions` list,"
            f" not {_kind(raw)}"
        )
        return None
    try:
        return RubricFile.model_validate(raw)
    except ValidationError as error:
        problems.extend(_describe(name, raw, detail) for detail in error.errors())
        return None


def _describe(name: str, raw: dict[str, Any], detail: Any) -> str:
    """One line naming the file, the question and the field of one validation error."""
    loc = list(detail["loc"])
    message = str(detail["msg"]).removeprefix("Value error, ")
    where = name
    if len(loc) >= 2 and loc[0] == "questions" and isinstance(loc[1], int):
        where += f": {_question_label(raw, loc[1])}"
        loc = loc[2:]
    if detail["type"] == "rubric_field":
        loc.append(detail["ctx"]["field"])
    field_name = ".".join(str(part) for part in loc) or "(the whole entry)"
    if detail["type"] == "missing":
        message = "missing required field"
    elif detail["type"] == "extra_forbidden":
        message = "unknown field (check its spelling against `viva bank schema`)"
    elif "input" in detail and detail["type"] != "rubric_field":
        message += f" (got {_kind(detail['input'])})"
    return f"{where}: field {field_name}: {message}"


def _question_label(raw: dict[str, Any], index: int) -> str:
    entries = raw.get("questions")
    entry = entries[index] if isinstance(entries, list) and index < len(entries) else None
    if isinstance(entry, dict):
        ident = entry.get("id")
        number = entry.get("number")
        if ident is not None:
            return f"question '{ident}'" + (f" (#{number})" if number is not None else "")
        if number is not None:
            return f"question #{number}"
    return f"question {index + 1} in the file"


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 40 else text[:37] + '...'}"


def _resolve(placed: list[tuple[str, QuestionSpec, str]], problems: list[str]) -> list[Question]:
    """Give every question its number and category, and reject clashes between files."""
    taken_numbers: dict[int, str] = {}
    taken_ids: dict[str, str] = {}
    for name, spec, _ in placed:
        label = f"{name}: question '{spec.id}'"
        if spec.id in taken_ids:
            problems.append(f"{label}: field id: duplicate question id, also in {taken_ids[spec.id]}")
        taken_ids.setdefault(spec.id, name)
        if spec.number is not None:
            if spec.number in taken_numbers:
                problems.append(
                    f"{label}: field number: number {spec.number} is already used in {taken_numbers[spec.number]}"
                )
            taken_numbers.setdefault(spec.number, name)
    next_number = max(taken_numbers, default=0) + 1
    questions: list[Question] = []
    for name, spec, category in placed:
        if not category:
            problems.append(
                f"{name}: question '{spec.id}': field category: missing; give the file a `category`"
                " or the question one"
            )
            continue
        number = spec.number
        if number is None:
            number, next_number = next_number, next_number + 1
        data = spec.model_dump() | {
            "number": number,
            "category": category,
            "source_file": name,
            "rubric_version": fingerprint(spec, category),
        }
        questions.append(Question.model_validate(data))
    return questions
