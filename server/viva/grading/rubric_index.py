"""A question's rubric, embedded once and kept on disk.

The rubric side of every comparison (key points and their phrasings,
misconceptions, the question, the model answer's sentences) depends only on the
rubric and the model, so it is computed once per (model, rubric version) and
cached as a `.npz` file: a restart does not re-encode the bank.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from viva.bank import KeyPoint, Misconception, Question
from viva.grading.embedders import Embedder
from viva.grading.encoding import Encoded, encode_texts, without_question_words
from viva.grading.signals import term_share
from viva.grading.text import Span, clauses, content_stems, sentences

log = logging.getLogger("viva.grading")

_CACHED_BY = ("rubric_index.py", "encoding.py", "text.py", "embedders.py", "onnx_embedder.py")
"""The modules that decide what a cache entry holds: its layout, how texts are cut into the content
words whose stems it keeps, and how their vectors are pooled from the model's tokens."""


@functools.cache
def _index_version() -> str:
    """A fingerprint of `_CACHED_BY`: a change to how words are read ("Type I" became a word)
    makes old entries unreachable, so they are rebuilt rather than misread, with no version to bump."""
    folder = Path(__file__).parent
    return hashlib.sha256(b"".join((folder / name).read_bytes() for name in _CACHED_BY)).hexdigest()[:12]


@dataclass(frozen=True)
class QuestionIndex:
    question: Question
    question_stems: frozenset[str]
    prompt: Encoded
    key_points: tuple[tuple[Encoded, ...], ...]
    """For each key point, its text then its phrasings."""
    misconceptions: tuple[tuple[Encoded, ...], ...]
    """For each misconception, its text then its phrasings."""
    reference: tuple[Encoded, ...]
    """The model answer's sentences and clauses: the key points of reference-answer mode."""
    model_answer: Encoded
    demoted_model_answer: Encoded
    """The model answer without the question's words, embedded as a text of its own."""

    @functools.cached_property
    def denials(self) -> tuple[tuple[Encoded, ...], ...]:
        """For each statement an answer is graded against (`assessment.point_variants`), the phrasings of
        the misconceptions that deny it; worked out once per question, not once per answer."""
        if self.question.reference_mode:
            return ((),) * len(self.reference)
        return tuple(
            tuple(
                v
                for wrong, phrasings in zip(self.question.misconceptions, self.misconceptions, strict=True)
                if wrong.contradicts == point.id
                for v in phrasings
            )
            for point in self.question.key_points
        )

    @property
    def expects_list(self) -> bool:
        """The model answer is itself mostly a list of terms: a list of terms is then a fair answer."""
        return term_share(self.question.model_answer) >= 0.5


def reference_units(text: str) -> list[Span]:
    """The model answer cut into sentences, and long sentences into their clauses."""
    units: list[Span] = []
    for sentence in sentences(text):
        units.extend(clauses(sentence))
    return units or [Span(0, len(text), text)]


def build_indexes(
    questions: Sequence[Question], embedder: Embedder, cache_dir: Path | None
) -> list[QuestionIndex]:
    """The questions' embedded rubrics: cached ones from disk, all the others in one batched encode."""
    plans = [_plan(q) for q in questions]
    caches = [_cache_path(cache_dir, embedder, plan.texts) for plan in plans]
    found = [_load(cache, plan.texts) if cache else None for cache, plan in zip(caches, plans, strict=True)]
    missing = [i for i, encoded in enumerate(found) if encoded is None]
    if missing:
        flat = encode_texts(embedder, [(t, plans[i].stems) for i in missing for t in plans[i].texts])
        writable = True
        for i in missing:
            fresh, flat = flat[: len(plans[i].texts)], flat[len(plans[i].texts) :]
            found[i] = fresh
            cache = caches[i]
            if cache and writable:
                writable = _save(cache, fresh)  # after one failure, one warning is enough
    return [_assemble(plan, encoded or []) for plan, encoded in zip(plans, found, strict=True)]


@dataclass(frozen=True)
class _Plan:
    question: Question
    stems: frozenset[str]
    texts: list[str | Span]
    layout: list[int]


def _plan(question: Question) -> _Plan:
    stems = frozenset(content_stems(question.question))
    texts: list[str | Span] = [
        question.question,
        question.model_answer,
        without_question_words(question.model_answer, stems),
    ]
    layout: list[int] = []
    statements: list[KeyPoint | Misconception] = [*question.key_points, *question.misconceptions]
    for statement in statements:
        variants: list[str | Span] = [statement.text, *statement.phrasings]
        if isinstance(statement, Misconception):
            # "Bagging reduces bias and boosting reduces variance" is often said across two sentences:
            # each of its clauses is a wording of the misconception too.
            parts = clauses(Span(0, len(statement.text), statement.text))
            variants += [p.text for p in parts] if len(parts) > 1 else []
        texts.extend(variants)
        layout.append(len(variants))
    texts.extend(reference_units(question.model_answer))
    return _Plan(question, stems, texts, layout)


def _assemble(plan: _Plan, encoded: list[Encoded]) -> QuestionIndex:
    prompt, model_answer, demoted_model_answer, rest = encoded[0], encoded[1], encoded[2], encoded[3:]
    statements: list[tuple[Encoded, ...]] = []
    for count in plan.layout:
        statements.append(tuple(rest[:count]))
        rest = rest[count:]
    n_points = len(plan.question.key_points)
    return QuestionIndex(
        question=plan.question,
        question_stems=plan.stems,
        prompt=prompt,
        key_points=tuple(statements[:n_points]),
        misconceptions=tuple(statements[n_points:]),
        reference=tuple(rest),
        model_answer=model_answer,
        demoted_model_answer=demoted_model_answer,
    )


def _cache_path(cache_dir: Path | None, embedder: Embedder, texts: list[str | Span]) -> Path | None:
    if cache_dir is None:
        return None
    digest = hashlib.sha256(
        json.dumps(
            [_index_version(), embedder.name, [t if isinstance(t, str) else t.text for t in texts]]
        ).encode()
    ).hexdigest()[:20]
    model = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in embedder.name)
    return cache_dir / "rubric-embeddings" / model / f"{digest}.npz"


def _save(path: Path, encoded: list[Encoded]) -> bool:
    """Write one cache entry; a cache that cannot be written is only slower, so it is a warning, not a
    failure. False when it could not be written."""
    word_counts = np.array([len(e.stems) for e in encoded])
    temporary = path.with_suffix(".tmp.npz")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(
            temporary,
            vectors=np.stack([e.vector for e in encoded]),
            demoted=np.stack([e.demoted for e in encoded]),
            words=np.concatenate([e.words for e in encoded]),
            word_counts=word_counts,
            stems=np.array(json.dumps([list(e.stems) for e in encoded])),
        )
        temporary.replace(path)  # atomic: a crash mid-write never leaves a half cache behind
    except OSError as error:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
        log.warning(
            "cannot write the rubric-embedding cache at %s (%s): rubrics are embedded again at each start;"
            " make VIVA_CACHE_DIR writable by this user",
            path.parent,
            error.strerror or error,
        )
        return False
    return True


def _load(path: Path, texts: list[str | Span]) -> list[Encoded] | None:
    if not path.exists():
        return None
    try:
        with np.load(path) as data:
            vectors, demoted, words = data["vectors"], data["demoted"], data["words"]
            counts = data["word_counts"]
            stems = json.loads(str(data["stems"]))
    except (OSError, ValueError, KeyError):
        return None  # a damaged cache is rebuilt, never trusted
    if len(vectors) != len(texts):
        return None
    bounds = np.concatenate([[0], np.cumsum(counts)])
    return [
        Encoded(
            text=t if isinstance(t, str) else t.text,
            start=0,
            vector=vectors[i],
            demoted=demoted[i],
            words=words[bounds[i] : bounds[i + 1]],
            stems=tuple(stems[i]),
            clauses=(),
            clause_vectors=np.zeros((0, vectors.shape[1]), dtype=np.float32),
            clause_demoted=np.zeros((0, vectors.shape[1]), dtype=np.float32),
        )
        for i, t in enumerate(texts)
    ]
