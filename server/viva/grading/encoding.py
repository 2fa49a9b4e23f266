"""Embedding texts the way grading compares them.

Every text is embedded whole, without the question's own words ("demoted": a
candidate who restates the question must not look like one who answers it),
word by word for its content words (a token-level recall of what a key point
says), and clause by clause for an answer's sentences. With a span-capable
embedder all of it comes from one forward pass per text.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np

from viva.grading.embedders import Embedder, Ranges, Vectors, encode_spans
from viva.grading.text import STOP_WORDS, WORD, Span, clauses, is_content, stem

_WORD_SPANS = WORD


@dataclass(frozen=True)
class Encoded:
    """One text's embeddings. `start` places it in the answer it came from (0 for rubric texts)."""

    text: str
    start: int
    vector: np.ndarray
    demoted: np.ndarray
    words: Vectors
    stems: tuple[str, ...]
    clauses: tuple[Span, ...]
    clause_vectors: Vectors
    clause_demoted: Vectors


@dataclass(frozen=True)
class _Plan:
    text: str
    start: int
    stems: tuple[str, ...]
    clauses: tuple[Span, ...]
    pieces: list[Ranges]
    has_own_words: bool


def encode_texts(
    embedder: Embedder,
    texts: Sequence[tuple[str | Span, Collection[str]]],
    *,
    with_clauses: bool = False,
) -> list[Encoded]:
    """Embed texts (or answer spans), each with the stems of the question it answers, in one batched call."""
    plans = [_plan(item, question_stems, with_clauses) for item, question_stems in texts]
    vectors = encode_spans(embedder, [p.text for p in plans], [p.pieces for p in plans])
    encoded: list[Encoded] = []
    for plan, rows in zip(plans, vectors, strict=True):
        n_words = len(plan.stems)
        encoded.append(
            Encoded(
                text=plan.text,
                start=plan.start,
                vector=rows[0],
                demoted=rows[1] if plan.has_own_words else np.zeros_like(rows[1]),
                words=rows[2 : 2 + n_words],
                stems=plan.stems,
                clauses=plan.clauses,
                clause_vectors=rows[2 + n_words :: 2],
                clause_demoted=rows[3 + n_words :: 2],
            )
        )
    return encoded


def without_question_words(text: str, question_stems: Collection[str]) -> str:
    """The text's words, the question's own left out: the "demoted" text, to embed as a text of its own.

    Pooling the kept words' token vectors from the whole text's pass (`Encoded.demoted`)
    is free but still carries the question through attention; in reference-answer mode a
    separate pass over the demoted text earns its cost (see `compare_with_reference`).
    """
    kept = [
        m.group() for m in _WORD_SPANS.finditer(text) if not _question_word(m.group().lower(), question_stems)
    ]
    return " ".join(kept) or text


def _question_word(word: str, question_stems: Collection[str]) -> bool:
    return stem(word) in question_stems and word not in STOP_WORDS


def _plan(item: str | Span, question_stems: Collection[str], with_clauses: bool) -> _Plan:
    span = item if isinstance(item, Span) else Span(0, len(item), item)
    text = span.text
    kept: list[tuple[int, int]] = []
    content: list[tuple[int, int]] = []
    stems: list[str] = []
    previous = ""
    for match in _WORD_SPANS.finditer(text):
        word = match.group().lower()
        before, previous = previous, word
        word_stem = stem(word)
        if _question_word(word, question_stems):
            continue
        kept.append(match.span())
        if is_content(word, before):
            content.append(match.span())
            stems.append(word_stem)
    local_clauses = clauses(Span(0, len(text), text)) if with_clauses else []
    if len(local_clauses) <= 1:
        local_clauses = []
    pieces: list[Ranges] = [
        [(0, len(text))],
        kept or [(0, len(text))],
        *([word_range] for word_range in content),
    ]
    for clause in local_clauses:
        pieces.append([(clause.start, clause.end)])
        pieces.append([r for r in kept if clause.start <= r[0] < clause.end] or [(clause.start, clause.end)])
    answer_clauses = tuple(Span(span.start + c.start, span.start + c.end, c.text) for c in local_clauses)
    return _Plan(text, span.start, tuple(stems), answer_clauses, pieces, bool(content))
