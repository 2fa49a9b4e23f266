"""Measuring an answer against a rubric: the raw evidence, before any calibrated constant.

`assess` turns an encoded answer into numbers (how close each key point's best
match is, how much of its wording the answer recalls, which misconception each
clause resembles, how much of the answer is the question said back) together
with the spans they come from. `viva.grading.scoring` turns those numbers into
statuses and a score with the fitted constants of `calibration.json`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np

from viva.bank import Question
from viva.bank.models import base_id
from viva.grading.contradiction import (
    admissible,
    contradicts,
    denied_words,
    mentions_any,
    question_entities,
    states_misconception,
)
from viva.grading.encoding import Encoded
from viva.grading.rubric_index import QuestionIndex
from viva.grading.text import Span, content_stems, words


@dataclass(frozen=True)
class Unit:
    """A sentence or clause of the answer, with its full and question-demoted embeddings."""

    span: Span
    vector: np.ndarray
    demoted: np.ndarray
    stems: frozenset[str]
    counts: bool = True
    """False for sentences that earn nothing: instructions to the grader."""
    about: frozenset[str] = frozenset()
    """The question's concepts its sentence is about (or, for "it ...", the previous sentence's)."""
    refutes: bool = False
    """It names a claim to refute it (`REFUTATION`): "it is a common myth that..." states nothing wrong."""


@dataclass(frozen=True)
class PointMatch:
    """How one key point (or one misconception) is matched by the answer."""

    demoted: float
    """Best cosine between the question-demoted embeddings of the point and of any unit."""
    full: float
    recall: float
    """Token-level recall: the mean, over the point's content words, of the best contextual match in the answer."""
    lexical: float
    """The share of the point's content-word stems the answer uses."""
    unit: int | None
    """Index of the unit closest in meaning (what negation and misconception checks look at)."""
    evidence: int | None = None
    """Index of the unit shown as evidence: close in meaning and in the point's own words."""
    conflict: bool = False
    """The best unit uses an opposite word or a negation where the point does not."""


@dataclass(frozen=True)
class MisconceptionMatch:
    index: int
    """Which of the question's misconceptions."""
    point: int
    """Index of the key point it contradicts."""
    own: float
    """Best demoted cosine between a unit and the misconception (over its phrasings)."""
    rival: float
    """The same unit's demoted cosine with the contradicted key point."""
    own_full: float
    """As `own`, with the question's words kept: they bind roles ("bagging" reduces variance, not "boosting")."""
    rival_full: float
    rival_any: float
    """The same unit's best mixed cosine with any correct statement of the rubric (key points, model answer)."""
    words: int
    """Content words in the unit: a three-word fragment states little."""
    distinct: float
    """The share of the misconception's own words the unit uses: those no correct statement of the rubric
    (key points, model answer) and not the question use; 1 when one of its phrasings has no words of its
    own (a swap of roles, "bagging reduces bias"): words cannot tell that one apart."""
    recall_gap: float
    """Token recall of the misconception's words minus that of the key point's."""
    unit: int
    denied: bool = False
    """Close to its wording (at least `VERBATIM_FLOOR`), the unit negates it or swaps an opposite in."""


@dataclass(frozen=True)
class Assessment:
    question: Question
    answer: str
    units: list[Unit]
    points: list[PointMatch]
    misconceptions: list[MisconceptionMatch]
    words: int
    echo: float
    """Share of the answer's content words that only repeat the question's."""
    novel: int
    """How many different content words the answer adds to the question's."""
    restates: bool
    """Every word of the answer is a word of the question, small words included: a restatement."""
    topic_margin: float
    """Own key-point fit minus the best fit among the other questions (negative: another question fits better)."""
    closest_other: int | None
    on_subject: bool
    """The answer names what its question asks about (a word of the question no other bank question
    uses) and not what the closest other question asks about: whatever the fit, it is not off-topic."""
    reference: dict[str, float]
    """Whole-answer comparisons with the model answer (the features of reference-answer mode)."""
    non_answer: str | None = None
    gibberish: bool = False
    keyword_list: bool = False
    instructions: list[Span] = field(default_factory=list)
    lean: float = 0.0
    """How much closer the answer's units sit to the rubric's misconceptions than to its correct
    statements, on average (`misconception_lean`); 0 without misconceptions to compare with."""
    leaning_unit: int | None = None
    """The unit that leans most: the evidence shown when the lean costs the answer."""


def answer_units(encoded: list[Encoded], excluded: list[Span], entities: frozenset[str]) -> list[Unit]:
    """Sentences and their clauses as comparable units; sentences inside `excluded` spans earn nothing."""
    units: list[Unit] = []
    about: frozenset[str] = frozenset()
    for sentence in encoded:
        span = Span(sentence.start, sentence.start + len(sentence.text), sentence.text)
        counts = not any(
            ex.start <= span.start < ex.end or span.start <= ex.start < span.end for ex in excluded
        )
        stems = frozenset(content_stems(span.text))
        about = (stems & entities) or about
        units.append(Unit(span, sentence.vector, sentence.demoted, stems, counts, about, _refutes(span.text)))
        for clause, vector, demoted in zip(
            sentence.clauses, sentence.clause_vectors, sentence.clause_demoted, strict=True
        ):
            clause_stems = frozenset(content_stems(clause.text))
            units.append(
                Unit(
                    clause,
                    vector,
                    demoted,
                    clause_stems,
                    counts,
                    (clause_stems & entities) or about,
                    _refutes(clause.text),
                )
            )
    return units


@dataclass(frozen=True)
class SentenceWords:
    """A sentence's content words (contextual vectors and stems), and what it is about."""

    words: np.ndarray
    stems: frozenset[str]
    about: frozenset[str]


def sentence_words(units: list[Unit], encoded: list[Encoded]) -> list[SentenceWords]:
    """The counted sentences' words, with what each sentence is about."""
    about = {(u.span.start, u.span.text): u.about for u in units if u.counts}
    return [
        SentenceWords(e.words, frozenset(e.stems), about[(e.start, e.text)])
        for e in encoded
        if (e.start, e.text) in about
    ]


def match_point(
    variants: tuple[Encoded, ...],
    units: list[Unit],
    sentences: list[SentenceWords],
    entities: frozenset[str] = frozenset(),
    subject: frozenset[str] = frozenset(),
    rivals: tuple[Encoded, ...] = (),
) -> PointMatch:
    """The best match of a rubric statement (any of its phrasings) among the answer's units; `rivals`
    are the phrasings of the misconceptions that deny it."""
    live = [i for i, u in enumerate(units) if u.counts]
    if not live:
        return PointMatch(0.0, 0.0, 0.0, 0.0, None)
    demoted = np.stack([units[i].demoted for i in live])
    full = np.stack([units[i].vector for i in live])
    best_demoted, best_full, best_recall, best_lexical, best_unit = -1.0, -1.0, 0.0, 0.0, live[0]
    best_evidence, evidence_unit, best_scores = -1.0, live[0], np.zeros(len(live))
    for variant in variants:
        allowed = _admissible_units(variant, units, live, entities)
        scores = np.where(allowed, demoted @ variant.demoted, -1.0)
        top = int(np.argmax(scores))
        if scores[top] > best_demoted:
            best_demoted, best_unit, best_scores = float(scores[top]), live[top], scores
        # Evidence: the unit that means the point most and says it in the most of its words.
        own = set(variant.stems)
        overlap = np.array([len(own & units[i].stems) / max(len(own), 1) for i in live])
        evidence = scores + 0.5 * overlap
        shown = int(np.argmax(evidence))
        if evidence[shown] > best_evidence:
            best_evidence, evidence_unit = float(evidence[shown]), live[shown]
        best_full = max(best_full, float(np.where(allowed, full @ variant.vector, -1.0).max()))
        # Words count only from sentences that may speak about the point's subject.
        said = [s for s in sentences if admissible(mentions(variant.text), s.about, entities)]
        words = np.concatenate([s.words for s in said]) if said else np.zeros((0, 1), dtype=np.float32)
        stems = {stem for s in said for stem in s.stems}
        if len(variant.words) and len(words):
            best_recall = max(best_recall, float((variant.words @ words.T).max(axis=1).mean()))
        if variant.stems:
            best_lexical = max(best_lexical, len(set(variant.stems) & stems) / len(set(variant.stems)))
    return PointMatch(
        demoted=max(best_demoted, 0.0),
        full=max(best_full, 0.0),
        recall=max(best_recall, 0.0),
        lexical=best_lexical,
        unit=best_unit,
        evidence=evidence_unit,
        conflict=_denied(variants[0].text, units, live, best_unit, best_scores, entities, subject, rivals),
    )


CLEARING_FLOOR = 0.4
"""A unit clears a denial only if it matches the point at least this well (question-demoted cosine):
"we then make predictions" mentions prediction time but says nothing of the point."""

CLEARING_CEILING = 0.65
"""...and stays below this cosine with every misconception that denies the point: "dropout is used at
test time as well" mentions test time without a word our cues read as a denial, but sits 0.8 and more
from "dropout is kept on at test time as well as in training" (an honest "it is turned off at
inference" sits 0.56 from its nearest, "dropout stays active at inference")."""


def _denied(
    point: str,
    units: list[Unit],
    live: list[int],
    best: int,
    scores: np.ndarray,
    entities: frozenset[str],
    subject: frozenset[str],
    rivals: tuple[Encoded, ...],
) -> bool:
    """Whether the answer contradicts the point where it speaks of it: its best match does, and no
    other unit that makes the point speaks of what the contradiction hinges on without contradicting
    it or sounding like a misconception that denies it.

    MiniLM often ranks a definition sentence ("switches off neurons at each training step") above
    the one that makes the point ("it is turned off at inference"): the first one's "training" alone
    does not deny "disabled at test time" when the answer says what happens at test time elsewhere.
    """
    judged = _judged_unit(units, live, best, scores, entities)
    hinge = denied_words(point, units[judged].span.text, subject) - subject
    if not hinge:
        return False
    inside = units[judged].span
    return not any(
        scores[k] >= CLEARING_FLOOR
        and mentions_any(units[i].stems, hinge)
        and not (inside.start <= units[i].span.start and units[i].span.end <= inside.end)
        and not (units[i].span.start <= inside.start and inside.end <= units[i].span.end)
        and not contradicts(point, units[i].span.text, subject)
        and all(float(units[i].demoted @ r.demoted) < CLEARING_CEILING for r in rivals)
        for k, i in enumerate(live)
    )


def _judged_unit(
    units: list[Unit], live: list[int], best: int, scores: np.ndarray, entities: frozenset[str]
) -> int:
    """Where to look for a word that contradicts the point: the best unit, or, when it speaks of two of
    the concepts the question contrasts, its clause that matches the point most.

    Such a sentence holds both sides: "bagging trains in parallel; boosting trains one model after
    another" makes the point that boosting is sequential, and its "parallel" belongs to the other clause.
    """
    if len(units[best].about & entities) < 2:
        return best
    outer = units[best].span
    inside = [
        k
        for k, i in enumerate(live)
        if i != best and outer.start <= units[i].span.start and units[i].span.end <= outer.end
    ]
    return live[max(inside, key=lambda k: scores[k])] if inside else best


def match_misconceptions(
    index: QuestionIndex, units: list[Unit], words: np.ndarray, entities: frozenset[str] = frozenset()
) -> list[MisconceptionMatch]:
    """For each misconception, the unit closest to it and how that unit compares with the key point it denies."""
    live = [i for i, u in enumerate(units) if u.counts]
    if not live:
        return []
    demoted = np.stack([units[i].demoted for i in live])
    full = np.stack([units[i].vector for i in live])
    point_ids = [p.id for p in index.question.key_points]
    correct = [v for variants in index.key_points for v in variants] + list(index.reference)
    any_correct = np.max(
        [
            np.where(
                _admissible_units(v, units, live, entities), (demoted @ v.demoted + full @ v.vector) / 2, -1.0
            )
            for v in correct
        ],
        axis=0,
    )
    matches: list[MisconceptionMatch] = []
    for number, (wrong, variants) in enumerate(
        zip(index.question.misconceptions, index.misconceptions, strict=True)
    ):
        point = point_ids.index(wrong.contradicts)
        rival_variants = index.key_points[point]
        masks = {id(v): _admissible_units(v, units, live, entities) for v in rival_variants} | {
            id(v): _admissible_units(v, units, live, entities, states_misconception) for v in variants
        }
        own = np.max([np.where(masks[id(v)], demoted @ v.demoted, -1.0) for v in variants], axis=0)
        rival = np.max([np.where(masks[id(v)], demoted @ v.demoted, -1.0) for v in rival_variants], axis=0)
        own_full = np.max([np.where(masks[id(v)], full @ v.vector, -1.0) for v in variants], axis=0)
        rival_full = np.max([np.where(masks[id(v)], full @ v.vector, -1.0) for v in rival_variants], axis=0)
        top = int(np.argmax(own + own_full - 0.5 * (rival + rival_full)))
        matches.append(
            MisconceptionMatch(
                index=number,
                point=point,
                own=float(own[top]),
                rival=float(rival[top]),
                own_full=float(own_full[top]),
                rival_full=float(rival_full[top]),
                rival_any=float(any_correct[top]),
                words=len(units[live[top]].stems | units[live[top]].about),
                distinct=_distinct_share(variants, correct, units[live[top]].stems),
                recall_gap=_recall(variants, words) - _recall(rival_variants, words),
                unit=live[top],
                denied=float(own[top]) >= VERBATIM_FLOOR
                and contradicts(wrong.text, units[live[top]].span.text),
            )
        )
    return matches


REFUTATION = re.compile(
    r"\b(?:myths?|misconceptions?|misunderstanding|untrue|contrary\s+to|wrongly|mistakenly|"
    r"(?:not|isn't|is\s+not|isn't\s+actually)\s+(?:true|the\s+case|correct|right)|"
    r"(?:people|many|some|beginners|candidates|folks)\s+(?:often\s+|sometimes\s+|still\s+)?"
    r"(?:think|believe|assume|claim)|common\s+mistake|mistake\s+to)\b",
    re.IGNORECASE,
)
"""Words that name a claim in order to refute it: a candidate who says "it is a myth that X" does
not state X, and interviewers reward naming a common mistake."""


def _refutes(text: str) -> bool:
    return bool(REFUTATION.search(text))


VERBATIM_FLOOR = 0.85
"""Below the least `MisconceptionCalibration.verbatim` the fit may choose: closer than this, the unit
is checked for a denial of the wording (a negation, an opposite), which the margins do not see."""


def misconception_lean(
    index: QuestionIndex, units: list[Unit], entities: frozenset[str] = frozenset()
) -> tuple[float, int | None]:
    """The mean, over the counted units (weighted by their content words), of each unit's cosine with
    its closest misconception minus that with its closest correct statement (key point phrasings and
    model answer units, question-demoted); and the unit where that difference is largest.

    A misconception flag needs one clause that states a listed misconception plainly. Most wrong
    answers state theirs in other words and are only closer, clause after clause, to what the rubric
    says is wrong than to what it says is right: averaged over the answer, that lean told the labelled
    set's wrong answers from its honest ones with an AUC of 0.83 on questions it was not fitted on,
    where no single clause's match could (bench/calibrate.py). Units that name a misconception to
    refute it (`REFUTATION`) are left out: they sit close to it by saying it is wrong.
    """
    live = [i for i, u in enumerate(units) if u.counts and not u.refutes]
    if not live or not index.misconceptions:
        return 0.0, None
    demoted = np.stack([units[i].demoted for i in live])
    correct = [v for variants in index.key_points for v in variants] + list(index.reference)
    wrong = [v for variants in index.misconceptions for v in variants]

    def closest(statements: list[Encoded], rule: Callable[..., bool]) -> np.ndarray:
        # Without the question's words a swap of roles ("bagging reduces bias") reads as the right
        # pairing: a unit is compared only with the statements it could make about its own concepts.
        best: np.ndarray = np.max(
            [
                np.where(_admissible_units(v, units, live, entities, rule), demoted @ v.demoted, -np.inf)
                for v in statements
            ],
            axis=0,
        )
        return best

    near_wrong, near_right = closest(wrong, states_misconception), closest(correct, admissible)
    # A unit that may make no statement of one kind leans neither way.
    comparable = np.isfinite(near_wrong) & np.isfinite(near_right)
    leans = np.where(comparable, near_wrong - near_right, 0.0)
    weights = np.array([len(units[i].stems) for i in live], dtype=float)
    mean = float(np.average(leans, weights=weights)) if weights.sum() else float(leans.mean())
    return mean, live[int(np.argmax(leans))]


def _admissible_units(
    statement: Encoded,
    units: list[Unit],
    live: list[int],
    entities: frozenset[str],
    rule: Callable[[Iterable[str], frozenset[str], frozenset[str]], bool] = admissible,
) -> np.ndarray:
    """Which live units may make (or deny) the statement: checked on its words with the question's
    words kept, since the concepts it is about are question words ("bagging", "boosting")."""
    if len(entities) < 2:
        return np.ones(len(live), dtype=bool)  # one concept in the question: nothing to confuse it with
    mentioned = mentions(statement.text)
    return np.array([rule(mentioned, units[i].about, entities) for i in live])


@lru_cache(maxsize=4096)
def mentions(text: str) -> frozenset[str]:
    """A rubric statement's content stems, the question's words included."""
    return frozenset(content_stems(text))


def _distinct_share(wrong: tuple[Encoded, ...], right: Sequence[Encoded], unit: frozenset[str]) -> float:
    """A clause that only names what a misconception is about ("keeps a hidden state") shares its
    topic with the correct statements too; stating it takes some of the misconception's own words."""
    right_stems = {s for v in right for s in v.stems}
    shares = [len(own & unit) / len(own) if (own := set(v.stems) - right_stems) else 1.0 for v in wrong]
    return max(shares, default=1.0)


def _recall(variants: tuple[Encoded, ...], words: np.ndarray) -> float:
    scores = [float((v.words @ words.T).max(axis=1).mean()) for v in variants if len(v.words) and len(words)]
    return max(scores, default=0.0)


def counts(start: int, instructions: list[Span]) -> bool:
    """Whether the sentence starting here counts: those addressed to the grader earn nothing."""
    return not any(ex.start <= start < ex.end for ex in instructions)


def restates(question: str, answer: str) -> bool:
    """No word of the answer is new to the question. Unlike `echo_share` this counts small words:
    "all but the first" and "one" are whole answers (Mohler's graders gave them full marks)."""
    said = set(words(answer.lower()))
    return bool(said) and said <= set(words(question.lower()))


def echo_share(question_stems: frozenset[str], answer: str) -> float:
    stems = content_stems(answer)
    if not stems:
        return 0.0
    return sum(s in question_stems for s in stems) / len(stems)


def topic_fit(
    units: list[Unit], point_vectors: np.ndarray, owners: np.ndarray, n_questions: int
) -> np.ndarray:
    """For every question of the bank, the mean over its key points of their best full cosine with a unit."""
    live = [u.vector for u in units if u.counts]
    if not live or not len(point_vectors):
        return np.zeros(n_questions)
    best = (point_vectors @ np.stack(live).T).max(axis=1)
    sums = np.bincount(owners, weights=best, minlength=n_questions)
    counts = np.maximum(np.bincount(owners, minlength=n_questions), 1)
    return np.asarray(sums / counts)


@dataclass(frozen=True)
class BankTopics:
    """Every bank question's key points, stacked: what an off-topic answer is compared with."""

    vectors: np.ndarray
    owners: np.ndarray
    question_ids: tuple[str, ...]
    question_stems: tuple[frozenset[str], ...]
    """Each question's own content words, stemmed."""

    def on_subject(
        self, question_stems: frozenset[str], own_id: str, closest: int | None, said: set[str]
    ) -> bool:
        """Whether an answer that says these stems names its question's subject, and not the closest other's.

        "Overfitting is memorising the training set" fits the underfitting question's key points
        (they contrast the two) better than the overfitting question's; it still answers the
        question asked.
        """
        others = [s for s, i in zip(self.question_stems, self.question_ids, strict=True) if i != own_id]
        own = question_stems - set().union(*others)
        rival = self.question_stems[closest] - question_stems if closest is not None else frozenset()
        return bool(own & said) and not rival & said


def point_variants(index: QuestionIndex) -> list[tuple[Encoded, ...]]:
    """The statements an answer is graded against: the rubric's key points, or the reference's units."""
    if index.question.reference_mode:
        return [(unit,) for unit in index.reference]
    return list(index.key_points)


def assess(
    index: QuestionIndex,
    answer: str,
    encoded: list[Encoded],
    topics: BankTopics,
    *,
    instructions: list[Span],
    non_answer: str | None,
    gibberish: bool,
    keyword_list: bool,
    words: int,
    demoted_answer: Encoded | None = None,
) -> Assessment:
    """`demoted_answer`: in reference-answer mode, the counted answer without the question's words,
    embedded as a text of its own (`without_question_words`)."""
    entities = question_entities(index.question.question)
    units = answer_units(encoded, instructions, entities)
    counted = [e for e in encoded if counts(e.start, instructions)]
    answer_words = (
        np.concatenate([e.words for e in counted]) if counted else np.zeros((0, 1), dtype=np.float32)
    )
    stems = {s for e in counted for s in e.stems}
    variants = point_variants(index)
    said = sentence_words(units, encoded)
    points = [
        match_point(v, units, said, entities, index.question_stems, rivals)
        for v, rivals in zip(variants, index.denials, strict=True)
    ]
    if not index.question.reference_mode:
        # A counting point ("names three strategies") is made by its members, never negated itself.
        counting = [i for i, p in enumerate(index.question.key_points) if p.at_least]
        points = [replace(p, conflict=False) if i in counting else p for i, p in enumerate(points)]
    wrong = (
        [] if index.question.reference_mode else match_misconceptions(index, units, answer_words, entities)
    )
    lean, leaning_unit = (
        (0.0, None) if index.question.reference_mode else misconception_lean(index, units, entities)
    )
    reference = compare_with_reference(index, counted, answer_words, stems, words, demoted_answer)
    counted_text = " ".join(e.text for e in counted)
    fit = topic_fit(units, topics.vectors, topics.owners, len(topics.question_ids))
    own = float(np.mean([p.full for p in points])) if points else 0.0
    # A follow-up ("overfitting--regularisation") is never off-topic for the question it probes.
    own_id = base_id(index.question.id)
    others = [(score, i) for i, score in enumerate(fit) if topics.question_ids[i] != own_id]
    best_other, closest = max(others, default=(0.0, None))
    return Assessment(
        question=index.question,
        answer=answer,
        units=units,
        points=points,
        misconceptions=wrong,
        words=words,
        echo=echo_share(index.question_stems, counted_text),
        novel=len(set(content_stems(counted_text)) - index.question_stems),
        restates=restates(index.question.question, counted_text),
        topic_margin=own - float(best_other),
        closest_other=closest,
        on_subject=topics.on_subject(index.question_stems, own_id, closest, set(content_stems(counted_text))),
        reference=reference,
        non_answer=non_answer,
        gibberish=gibberish,
        keyword_list=keyword_list,
        instructions=instructions,
        lean=lean,
        leaning_unit=leaning_unit,
    )


def compare_with_reference(
    index: QuestionIndex,
    sentences: list[Encoded],
    words: np.ndarray,
    stems: set[str],
    word_count: int,
    demoted_answer: Encoded | None,
) -> dict[str, float]:
    """The answer as a whole against the model answer, with the question's own words left out.

    `demoted_text` compares the two without the question's words, each embedded as a text of
    its own: a second pass over the answer, taken in reference-answer mode only, where it
    lifted Pearson on Mohler's held-out assignments from 0.589 to 0.61 (bench/calibrate.py).
    """
    reference, reference_alone = index.model_answer, index.demoted_model_answer
    if not sentences:
        return dict.fromkeys(_REFERENCE_FEATURES, 0.0) | {
            "length_ratio": float(np.log(1 / (1 + len(reference.text.split()))))
        }
    demoted = np.sum([e.demoted * len(e.stems) for e in sentences], axis=0)
    norm = float(np.linalg.norm(demoted))
    similarity = float(demoted @ reference.demoted / norm) if norm else 0.0
    if len(reference.words) and len(words):
        matrix = reference.words @ words.T
        recall, precision = float(matrix.max(axis=1).mean()), float(matrix.max(axis=0).mean())
    else:
        recall = precision = 0.0
    reference_stems = set(reference.stems)
    shared = len(reference_stems & stems)
    alone = demoted_answer.vector @ reference_alone.vector if demoted_answer is not None else 0.0
    return {
        "demoted": similarity,
        "demoted_text": float(alone),
        "recall": recall,
        "precision": precision,
        "lexical_recall": shared / max(len(reference_stems), 1),
        "lexical_precision": shared / max(len(stems), 1),
        "length_ratio": float(np.log((word_count + 1) / (len(reference.text.split()) + 1))),
    }


_REFERENCE_FEATURES = (
    "demoted",
    "demoted_text",
    "recall",
    "precision",
    "lexical_recall",
    "lexical_precision",
    "length_ratio",
)
