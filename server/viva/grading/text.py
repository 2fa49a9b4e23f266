"""Cutting an answer into gradable units, and words into comparable stems.

Grading compares rubric key points with the answer's sentences and clauses, so
every unit keeps its character offsets into the original answer: that is what
lets a page highlight the candidate's own words as evidence.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

WORD = re.compile(r"[^\W_](?:[\w'’\-]*[^\W_])?", re.UNICODE)

NEGATIONS = frozenset(
    [
        "not",
        "no",
        "never",
        "none",
        "nothing",
        "nobody",
        "neither",
        "nor",
        "without",
        "cannot",
        "can't",
        "don't",
        "doesn't",
        "didn't",
        "isn't",
        "aren't",
        "wasn't",
        "weren't",
        "won't",
        "wouldn't",
        "shouldn't",
        "couldn't",
        "hasn't",
        "haven't",
        "hadn't",
    ]
)
"""Words that flip a statement. Kept apart from stop words: "dropout is not used at test time" and
"dropout is used at test time" must not look alike."""

STOP_WORDS = frozenset(ENGLISH_STOP_WORDS) - NEGATIONS - {"more", "less", "most", "least", "few", "many"}

_BRITISH = [
    (re.compile(r"(?<=\w{3})is(e|es|ed|ing|ation|ations|er|ers)$"), r"iz\1"),
    (re.compile(r"(?<=\w{2})yse(s|d)?$"), r"yze\1"),
    (re.compile(r"(?<=\w{3})our(s|ed|ing)?$"), r"or\1"),
]
_STEMMER = snowballstemmer.stemmer("english")

# A sentence ends at . ! ? followed by space, unless the dot belongs to a common abbreviation.
_ABBREVIATIONS = r"(?<!\be\.g)(?<!\bi\.e)(?<!\bvs)(?<!\betc)(?<!\bcf)(?<!\bapprox)(?<!\bDr)(?<!\bMr)(?<!\bMs)"
# A run of stops is read from its first (or, after an abbreviation, its second) stop only: tried from
# each of them, 5,000 dots took seconds to split, as each try read the rest of the run.
_SENTENCE_END = re.compile(_ABBREVIATIONS + r"(?<![.!?][.!?])[.!?]+[\"')\]]*(?=\s+|$)|\n+")
LEADING_SPACE = r"(?:(?<!\s)\s*)?"
r"""`\s*` at the start of a separator, taken only from where a run of spaces begins: a separator tried
from each space of a run read the rest of the run each time (5,000 spaces took seconds to split)."""
_CLAUSE_BREAK = re.compile(
    rf"{LEADING_SPACE}[;:—–]\s*|(?<!\s)\s+-\s+|{LEADING_SPACE}\((?=[^)]{{12,}}\))|\)\s*"
    r"|,?(?<!\s)\s+\b(?:but|whereas|while|although|though|because|since|so that|which means|whilst|however|"
    r"and then|and|so|or|then|which|where|unless)\b\s+"
    r"|,\s+"
)
_COORDINATION = re.compile(r"[\s,]*\b(?:and|or)\s+", re.IGNORECASE)
MIN_CLAUSE_WORDS = 3


@dataclass(frozen=True)
class Span:
    """A piece of the answer: its text and where it sits in the answer."""

    start: int
    end: int
    text: str


def normalize(text: str) -> str:
    """The text with control characters as spaces, character for character: an offset into it is an
    offset into the original, which evidence quotes. (No Unicode normalisation: composing "e" and an
    accent into "é" would shift every offset after it; the model's tokenizer normalises on its own.)"""
    return "".join(ch if ch in "\n\t" or unicodedata.category(ch)[0] != "C" else " " for ch in text)


def sentences(text: str) -> list[Span]:
    """The answer's sentences (and bullet items), trimmed, with their offsets."""
    spans: list[Span] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        _append_trimmed(spans, text, start, match.end() if match.group().strip() else match.start())
        start = match.end()
    _append_trimmed(spans, text, start, len(text))
    return [s for s in spans if words(s.text)]


def clauses(sentence: Span) -> list[Span]:
    """The sentence's clauses, each long enough to state something; just the sentence if it has one."""
    pieces: list[Span] = []
    start = 0
    for match in _CLAUSE_BREAK.finditer(sentence.text):
        _append_trimmed(pieces, sentence.text, start, match.start())
        start = match.end()
    _append_trimmed(pieces, sentence.text, start, len(sentence.text))
    # A short piece belongs with the clause it introduces ("supervised, where you have labels"),
    # unless "and" or "or" ties it to the one before ("the harmonic mean of precision and recall").
    merged: list[Span] = []
    for piece in pieces:
        if merged and (
            len(words(merged[-1].text)) < MIN_CLAUSE_WORDS
            or (
                len(words(piece.text)) < MIN_CLAUSE_WORDS
                and _COORDINATION.fullmatch(sentence.text[merged[-1].end : piece.start])
            )
        ):
            last = merged.pop()
            piece = Span(last.start, piece.end, sentence.text[last.start : piece.end])
        merged.append(piece)
    if len(merged) > 1 and len(words(merged[-1].text)) < MIN_CLAUSE_WORDS:
        tail = merged.pop()
        last = merged.pop()
        merged.append(Span(last.start, tail.end, sentence.text[last.start : tail.end]))
    if len(merged) <= 1:
        return [sentence]
    return [Span(sentence.start + p.start, sentence.start + p.end, p.text) for p in merged]


def _append_trimmed(spans: list[Span], text: str, start: int, end: int) -> None:
    piece = text[start:end]
    stripped = piece.strip(" \t\n\r-*•,")
    if not stripped:
        return
    offset = start + piece.index(stripped)
    spans.append(Span(offset, offset + len(stripped), stripped))


def words(text: str) -> list[str]:
    """Lower-case word tokens, apostrophes and inner hyphens kept."""
    return [w.replace("’", "'") for w in WORD.findall(text.lower())]


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A spelling-neutral stem: British and American spellings of a word stem alike."""
    for pattern, replacement in _BRITISH:
        word = pattern.sub(replacement, word)
    return str(_STEMMER.stemWord(word))


def content_stems(text: str) -> list[str]:
    """Stems of the words that carry meaning (no stop words), in order."""
    tokens = words(text)
    return [stem(w) for i, w in enumerate(tokens) if is_content(w, tokens[i - 1] if i else "")]


def is_content(word: str, previous: str) -> bool:
    """Whether a (lower-case) word carries meaning: not a stop word, nor a lone letter.

    After "type" a lone "i" is a numeral, not the pronoun: a Type I error is not a Type II one.
    """
    if previous == "type" and word == "i":
        return True
    return word not in STOP_WORDS and (len(word) > 1 or word.isdigit())


QUESTION_FRAME = frozenset(
    stem(w)
    for w in [
        "what",
        "how",
        "why",
        "when",
        "explain",
        "describe",
        "define",
        "compare",
        "difference",
        "between",
        "prevent",
        "handle",
        "happen",
        "mean",
        "means",
        "work",
        "works",
        "use",
        "used",
        "using",
    ]
)
"""Words that frame a question rather than name its subject ("How do you *handle* imbalanced data?")."""
