"""The grader: a pure function of (rubric, answer, settings), with its model and rubric embeddings loaded once."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from viva import __version__
from viva.bank import Bank, KeyPoint, Question, load_bank
from viva.bank.models import QuestionSpec, fingerprint
from viva.config import Settings, get_settings
from viva.grading import signals
from viva.grading.assessment import Assessment, BankTopics, assess, counts
from viva.grading.calibration import Calibration, shipped_calibration
from viva.grading.delivery import assess_delivery
from viva.grading.embedders import Embedder, embedder_from_settings
from viva.grading.encoding import encode_texts, without_question_words
from viva.grading.models import (
    Evidence,
    Flag,
    FlagCode,
    FollowUp,
    Grade,
    GraderInfo,
    KeyPointResult,
    MisconceptionResult,
    QuestionRef,
)
from viva.grading.rubric_index import QuestionIndex, build_indexes, reference_units
from viva.grading.scoring import Judgement, judge
from viva.grading.text import Span, normalize, sentences, words

GRADER_VERSION = f"viva-{__version__}/grader-2"
MAX_SENTENCE_WORDS = 80
"""Longer run-on "sentences" are cut into pieces of this many words: the model reads 256 tokens at most."""

QuestionLike = int | str | Question


def reference_question(question: str, reference: str, *, id: str | None = None) -> Question:
    """A question graded against a reference answer alone (a coach's question, a data set's item).

    It is numbered 0: it is not in the bank.
    """
    spec = QuestionSpec(
        id=id
        or "reference-"
        + fingerprint(QuestionSpec(id="reference", question=question, model_answer=reference), "Reference"),
        question=question,
        model_answer=reference,
    )
    return Question.model_validate(
        spec.model_dump()
        | {
            "number": 0,
            "category": "Reference",
            "source_file": "",
            "rubric_version": fingerprint(spec, "Reference"),
        }
    )


OTHER_QUESTIONS_KEPT = 256
"""Questions from outside the bank (a reference answer sent to `POST /api/v1/grade`, a data set's) whose
embedded rubrics are kept, the most recently used: anyone may send one, so they are neither kept without
bound nor written to the disk cache (encoding one again costs a few milliseconds)."""


class Grader:
    """Grades answers against the bank's rubrics (or a reference answer) with one embedding model."""

    def __init__(
        self,
        bank: Bank,
        embedder: Embedder,
        calibration: Calibration | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        self.bank = bank
        self.embedder = embedder
        self.calibration = calibration or shipped_calibration()
        self._indexes = {ix.question.id: ix for ix in build_indexes(list(bank), embedder, cache_dir)}
        self._others: OrderedDict[str, QuestionIndex] = OrderedDict()
        self._others_lock = threading.Lock()
        vectors, owners = [], []
        for number, question in enumerate(bank):
            for variants in self._indexes[question.id].key_points:
                vectors.append(variants[0].vector)
                owners.append(number)
        dimensions = len(vectors[0]) if vectors else 1
        self._topics = BankTopics(
            np.stack(vectors) if vectors else np.zeros((0, dimensions), dtype=np.float32),
            np.array(owners, dtype=np.int64),
            tuple(q.id for q in bank),
            tuple(self._indexes[q.id].question_stems for q in bank),
        )
        self._lexicon = signals.lexicon_for(
            [" ".join([q.question, q.model_answer, *(p.text for p in q.key_points)]) for q in bank]
        )

    def question(self, ref: QuestionLike) -> Question:
        return ref if isinstance(ref, Question) else self.bank.get(ref)

    def grade(self, question: QuestionLike, answer: str) -> Grade:
        return self.grade_many([(question, answer)])[0]

    def grade_many(self, items: Sequence[tuple[QuestionLike, str]]) -> list[Grade]:
        """Grade many answers with one batched encode of all their sentences."""
        assessments = self.assess_many(items)
        return [
            self._grade(a, judge(a, self.calibration), answer)
            for a, (_, answer) in zip(assessments, items, strict=True)
        ]

    def grade_with(self, question: QuestionLike, answer: str, strengths: Mapping[str, float]) -> Grade:
        """The grade with some key points' strengths set from outside, by key point id (the LLM's verdicts)."""
        assessment = self.assess_many([(question, answer)])[0]
        ids = [p.id for p in assessment.question.key_points]
        overrides = {ids.index(point): value for point, value in strengths.items() if point in ids}
        return self._grade(assessment, judge(assessment, self.calibration, overrides), answer)

    def assess_many(self, items: Sequence[tuple[QuestionLike, str]]) -> list[Assessment]:
        """The raw measurements behind each grade (what the calibration script fits on)."""
        questions = [self.question(q) for q, _ in items]
        indexes = self._indexes_for(questions)
        answers = [normalize(a) for _, a in items]
        units = [_units(a) for a in answers]
        instructions = [signals.grader_instructions(a) for a in answers]
        # Reference-answer mode compares the whole answer, without the question's words, as a text of its own.
        demoted: list[tuple[str | Span, frozenset[str]]] = [
            (
                without_question_words(
                    " ".join(s.text for s in spans if counts(s.start, skipped)), ix.question_stems
                ),
                frozenset[str](),
            )
            for ix, spans, skipped in zip(indexes, units, instructions, strict=True)
            if ix.question.reference_mode
        ]
        spans_to_encode: list[tuple[str | Span, frozenset[str]]] = [
            (span, ix.question_stems) for ix, spans in zip(indexes, units, strict=True) for span in spans
        ]
        flat = encode_texts(self.embedder, spans_to_encode + demoted, with_clauses=True)
        wholes = iter(flat[len(flat) - len(demoted) :])
        out = []
        for ix, answer, spans, skipped in zip(indexes, answers, units, instructions, strict=True):
            encoded, flat = flat[: len(spans)], flat[len(spans) :]
            out.append(
                assess(
                    ix,
                    answer,
                    encoded,
                    self._topics,
                    instructions=skipped,
                    non_answer=signals.non_answer(answer),
                    gibberish=signals.is_gibberish(answer, self._lexicon),
                    keyword_list=signals.is_keyword_list(answer) and not ix.expects_list,
                    # Words addressed to the grader are not part of the answer: they must not lengthen it.
                    words=sum(len(words(s.text)) for s in spans if counts(s.start, skipped)),
                    demoted_answer=next(wholes) if ix.question.reference_mode else None,
                )
            )
        return out

    def _indexes_for(self, questions: list[Question]) -> list[QuestionIndex]:
        # One caller at a time: the grading thread and an LLM critique's re-grade may both meet questions
        # from outside the bank, and one's eviction must not pull an index from under the other.
        with self._others_lock:
            return self._indexes_locked(questions)

    def _indexes_locked(self, questions: list[Question]) -> list[QuestionIndex]:
        def known(q: Question) -> QuestionIndex | None:
            for ix in (self._indexes.get(q.id), self._others.get(q.id)):
                if ix is not None and ix.question == q:
                    return ix
            return None

        found = [known(q) for q in questions]
        new = {q.id: q for q, ix in zip(questions, found, strict=True) if ix is None}
        built = (
            {ix.question.id: ix for ix in build_indexes(list(new.values()), self.embedder, None)}
            if new
            else {}
        )
        self._others.update(built)
        for q in questions:
            if q.id in self._others:
                self._others.move_to_end(q.id)
        while len(self._others) > OTHER_QUESTIONS_KEPT:
            self._others.popitem(last=False)
        return [ix or built[q.id] for q, ix in zip(questions, found, strict=True)]

    def _grade(self, assessment: Assessment, judgement: Judgement, original: str) -> Grade:
        """`original`: the answer as sent; evidence quotes it (grading reads a copy without control characters)."""
        question = assessment.question
        points = _key_points(assessment, judgement, original)
        wrongs = [
            MisconceptionResult(
                id=question.misconceptions[m.index].id,
                text=question.misconceptions[m.index].text,
                explanation=question.misconceptions[m.index].explanation,
                contradicts=question.misconceptions[m.index].contradicts,
                similarity=round(float(np.clip(m.own, 0, 1)), 3),
                evidence=_evidence(assessment.units[m.unit].span, original),
            )
            for m in judgement.misconceptions
        ]
        flags = [_flag(code, assessment, judgement, wrongs, original) for code in judgement.flags]
        return Grade(
            question=QuestionRef(number=question.number or None, id=question.id, text=question.question),
            score=judgement.score,
            band=judgement.band,
            summary=_summary(judgement, points, flags, reference=question.reference_mode),
            key_points=points,
            misconceptions=wrongs,
            flags=flags,
            delivery=assess_delivery(
                question,
                original,
                unheard=assessment.instructions,
                statements=not (assessment.non_answer or assessment.gibberish or assessment.keyword_list),
            ),
            follow_up=None if assessment.non_answer else _follow_up(question, points),
            model_answer=question.model_answer,
            grader=GraderInfo(
                method="reference" if question.reference_mode else "rubric",
                embedding_model=self.embedder.name,
                rubric_version=question.rubric_version,
                grader_version=GRADER_VERSION,
                calibration=self.calibration.version,
            ),
        )


def load_grader(settings: Settings | None = None) -> Grader:
    """The grader the settings describe: their bank, their embedder, the shipped calibration, the disk cache."""
    settings = settings or get_settings()
    # Grading multiplies tiny matrices (a few sentences against a few dozen statements): waking
    # BLAS threads for them costs more than it saves and competes with the encoder's own threads.
    # One BLAS thread made grade_many 1.36x faster in batches of 8 (bench/grading_speed.py).
    threadpool_limits(limits=1, user_api="blas")
    return Grader(
        load_bank(settings.rubrics_dir),
        embedder_from_settings(settings),
        cache_dir=settings.embedding_cache,
    )


def _units(answer: str) -> list[Span]:
    """The answer's sentences, long ones cut into pieces the model can read whole."""
    units: list[Span] = []
    for sentence in sentences(answer):
        tokens = list(signals.WORD.finditer(sentence.text))
        if len(tokens) <= MAX_SENTENCE_WORDS:
            units.append(sentence)
            continue
        for first in range(0, len(tokens), MAX_SENTENCE_WORDS):
            chunk = tokens[first : first + MAX_SENTENCE_WORDS]
            start, end = chunk[0].start(), chunk[-1].end()
            units.append(Span(sentence.start + start, sentence.start + end, sentence.text[start:end]))
    return units


def _evidence(span: Span, original: str) -> Evidence:
    return Evidence(start=span.start, end=span.end, text=original[span.start : span.end])


def _key_points(assessment: Assessment, judgement: Judgement, original: str) -> list[KeyPointResult]:
    question = assessment.question
    if question.reference_mode:
        statements = [
            (f"reference-{i + 1}", ix_unit.text, False, 1.0)
            for i, ix_unit in enumerate(_reference_texts(question))
        ]
    else:
        statements = [(p.id, p.text, p.required, p.weight) for p in question.key_points]
    results: list[KeyPointResult] = []
    for i, (point_id, text, required, weight) in enumerate(statements):
        status = judgement.statuses[i]
        match = assessment.points[i]
        evidence = None
        if status != "missed" and match.evidence is not None:
            evidence = _evidence(assessment.units[match.evidence].span, original)
        if not question.reference_mode and question.key_points[i].at_least:
            evidence = (
                _counting_evidence(question.key_points[i], question, results) if status != "missed" else None
            )
        wrong = judgement.contradicted_by[i]
        results.append(
            KeyPointResult(
                id=point_id,
                text=text,
                required=required,
                weight=weight,
                status=status,
                similarity=round(judgement.strengths[i], 3),
                evidence=evidence,
                contradicted_by=question.misconceptions[wrong].id if wrong is not None else None,
            )
        )
    return results


def _reference_texts(question: Question) -> list[Span]:
    return reference_units(question.model_answer)


def _counting_evidence(point: KeyPoint, question: Question, earlier: list[KeyPointResult]) -> Evidence | None:
    """A counting point's evidence is that of its strongest member (members come before it in the rubric)."""
    members = [r for r in earlier if r.id in point.of and r.evidence is not None]
    return max(members, key=lambda r: r.similarity).evidence if members else None


def _follow_up(question: Question, points: list[KeyPointResult]) -> FollowUp | None:
    """The rubric's follow-up for the most important missed point: required first, then by weight."""
    if question.reference_mode:
        return None
    by_id = {p.id: p for p in question.key_points}
    missed = [r for r in points if r.status == "missed" and by_id[r.id].follow_up]
    if not missed:
        return None
    top = max(missed, key=lambda r: (r.required, r.weight, -points.index(r)))
    follow_up = by_id[top.id].follow_up
    assert follow_up is not None
    return FollowUp(key_point=top.id, question=follow_up)


_FLAG_MESSAGES = {
    "non_answer": "No answer yet, and that is fine: read the model answer below, then try saying it in your own words.",
    "gibberish": "This does not read as an answer. Try again in full sentences.",
    "grader_instructions": "Instructions to the grader earn nothing: only what you say about the question counts.",
    "echo": "This mostly restates the question. Say what it means, how it works, and why it matters.",
    "keyword_list": "A list of terms is not an answer: state what they mean and how they relate.",
    "off_topic": "This answers a different question. Re-read the question and answer that one.",
}


def _flag(
    code: FlagCode,
    assessment: Assessment,
    judgement: Judgement,
    wrongs: list[MisconceptionResult],
    original: str,
) -> Flag:
    if code == "leans_to_misconception":
        assert assessment.leaning_unit is not None  # judge flags only an answer with a leaning unit
        return Flag(
            code=code,
            message=(
                "Parts of this answer sound closer to common misconceptions than to the points an interviewer"
                f" expects, which cost it {round((1 - judgement.kept) * 100)}% of its score. Check the marked"
                " sentence against the model answer."
            ),
            evidence=[_evidence(assessment.units[assessment.leaning_unit].span, original)],
        )
    if code == "misconception":
        names = "; ".join(w.text for w in wrongs)
        return Flag(
            code="misconception",
            message=f"This states a common misconception: {names}",
            evidence=[w.evidence for w in wrongs],
        )
    if code == "grader_instructions":
        return Flag(
            code="grader_instructions",
            message=_FLAG_MESSAGES[code],
            evidence=[_evidence(s, original) for s in assessment.instructions],
        )
    return Flag(code=code, message=_FLAG_MESSAGES[code])


def _summary(
    judgement: Judgement, points: list[KeyPointResult], flags: list[Flag], *, reference: bool
) -> str:
    if flags and flags[0].code == "non_answer":
        return flags[0].message
    covered = sum(p.status == "covered" for p in points)
    partial = sum(p.status == "partial" for p in points)
    if reference:
        # The score weighs the answer against the reference as a whole; its parts are a guide
        # ("Strong: 0 of 1 key points covered, 1 in part" read as a contradiction).
        text = (
            f"{judgement.band.capitalize()} against the reference answer as a whole (of its {len(points)} "
            f"part{'s' if len(points) != 1 else ''}: {covered} made in full, {partial} in part)."
        )
    else:
        text = (
            f"{judgement.band.capitalize()}: {covered} of {len(points)} key point{'s' if len(points) != 1 else ''}"
            " covered"
        )
        text += f", {partial} in part." if partial else "."
    if judgement.misconceptions:
        text += " It also states a misconception."
    return text
