"""Delivery feedback from the seed's own advice, reported apart from the score.

The seed's 30-second rule: open with a one-line definition, give one concrete
example, close with a trade-off; about 30 seconds spoken, not a 3-minute ramble.
"""

from __future__ import annotations

import re

from viva.bank import Question
from viva.grading.models import Delivery
from viva.grading.text import content_stems, sentences, stem, words

WORDS_PER_MINUTE = 150
TARGET_SECONDS = 30
TOO_SHORT_WORDS = 20
RAMBLE_SECONDS = 90

_DEFINITION = re.compile(
    r"^(?:so,?\s+|well,?\s+|basically,?\s+|in short,?\s+)?[\w\s()'’\-/&.]{1,60}?\s+"
    r"(?:is|are|was|refers\s+to|means|describes|measures|occurs|happens|denotes|stands\s+for|"
    r"is\s+when|is\s+where|is\s+a|is\s+an|is\s+the)\b|^[\w\s()'’\-/&.]{1,40}?\s*[:—–=]\s",
    re.IGNORECASE,
)
_EXAMPLE = re.compile(
    r"\b(?:for\s+example|for\s+instance|e\.g\.|such\s+as|say\s+you|imagine|suppose|consider|like\s+when|"
    r"in\s+my\s+(?:last|previous|current)|at\s+my\s+(?:last|previous)|"
    r"(?:i|we)\s+(?:trained|built|used|had|saw|deployed|worked|ran|tried|found|once)|in\s+a\s+project|"
    r"in\s+practice|in\s+production|a\s+real|case\s+study|think\s+of)\b|\d+\s?%|\b\d+\.\d+\b",
    re.IGNORECASE,
)
_TRADE_OFF = re.compile(
    r"\b(?:trade-?\s?offs?|at\s+the\s+(?:cost|expense)\s+of|downsides?|drawbacks?|on\s+the\s+other\s+hand|"
    r"but|however|whereas|although|though|costs?|price|balance|limitations?|weakness(?:es)?|"
    r"con(?:s)?\b|pitfalls?|caveats?|versus|vs\.?|sacrific\w*|expensive|risk)\b",
    re.IGNORECASE,
)


def assess_delivery(question: Question, answer: str) -> Delivery:
    count = len(words(answer))
    seconds = round(count * 60 / WORDS_PER_MINUTE)
    first = sentences(answer)[0].text if count else ""
    opens = len(words(first)) <= 45 and (bool(_DEFINITION.search(first)) or _names_the_topic(question, first))
    example = bool(_EXAMPLE.search(answer))
    trade_off = bool(_TRADE_OFF.search(answer))
    hints = question.delivery
    tips: list[str] = []
    if count and count < TOO_SHORT_WORDS:
        tips.append("Say more: a 30-second answer is about 75 words; this one is over in a few seconds.")
    elif seconds > RAMBLE_SECONDS:
        tips.append(
            f"Trim it: about {seconds} seconds spoken. Aim for 30 seconds: a definition, an example, a trade-off."
        )
    if count and not opens:
        tips.append(
            "Open with a one-line definition" + (f", e.g. “{hints.one_line}”" if hints.one_line else ".")
        )
    if count and not example:
        tips.append(
            "Give one concrete example"
            + (f", e.g. {_lower_first(hints.example, question)}" if hints.example else ".")
        )
    if count and not trade_off:
        tips.append(
            "Close with a trade-off"
            + (f", e.g. {_lower_first(hints.trade_off, question)}" if hints.trade_off else ".")
        )
    return Delivery(
        words=count,
        speaking_seconds=seconds,
        target_seconds=TARGET_SECONDS,
        opens_with_definition=opens,
        gives_example=example,
        names_trade_off=trade_off,
        tips=tips,
    )


def _names_the_topic(question: Question, sentence: str) -> bool:
    """A first sentence that starts with the question's subject ("Dropout randomly switches off...")."""
    topic = set(content_stems(question.question))
    opening = {stem(w) for w in words(sentence)[:4]}
    return bool(topic & opening) and len(words(sentence)) >= 6


def _lower_first(text: str, question: Question) -> str:
    """The hint with its first letter lower-cased to fit mid-sentence, unless its first word keeps its case.

    An acronym or a name written with inner capitals ("RBF", "SVMs", "ReLU", "AlphaGo", "F1", "A/B")
    keeps its case, and so do a capitalised phrase ("Random Forest") and a proper name: a word the
    question's own texts write capitalised mid-sentence and never in lower case ("Netflix, Spotify
    and Amazon").
    """
    first, _, rest = text.partition(" ")
    word = first.rstrip(_TRAILING)
    if word == first and _CAPITALISED.fullmatch(rest.split(" ", 1)[0].rstrip(_TRAILING)):
        return text  # a capitalised phrase, such as a name ("Random Forest", "Vision Transformers")
    if not word[:1].isalpha() or not word[:1].isupper() or word == "I":
        return text
    if any(c.isupper() or c.isdigit() for c in word[1:]) or not re.sub(r"[-'’]", "", word).isalpha():
        return text
    if word in _names_in(question):
        return text
    return text[:1].lower() + text[1:]


_TRAILING = ",.;:!?)’'\""
_SENTENCE_START = re.compile(r"(?:^|[.!?:;]|\n\s*[-*•]?)\s*[(\"“‘']*$")
_CAPITALISED = re.compile(r"\b[A-Z][a-z]+\b")
_LOWER = re.compile(r"\b[a-z]+\b")


def _names_in(question: Question) -> set[str]:
    """The names among the question's words: written capitalised mid-sentence and never in lower case.

    Title-cased terms ("the Bagging vs Boosting trade-off") are capitalised mid-sentence too, but the
    same texts also write them in lower case; a name ("Netflix, Spotify and Amazon") never is.
    """
    texts = [question.question, question.model_answer, question.why_asked or ""]
    texts += [p.text for p in question.key_points] + [p for k in question.key_points for p in k.phrasings]
    texts += [m.text for m in question.misconceptions] + [m.explanation for m in question.misconceptions]
    texts += [
        h for h in (question.delivery.one_line, question.delivery.example, question.delivery.trade_off) if h
    ]
    capitalised: set[str] = set()
    lower: set[str] = set()
    for text in texts:
        lower.update(_LOWER.findall(text))
        for match in _CAPITALISED.finditer(text):
            if not _SENTENCE_START.search(text[: match.start()]):
                capitalised.add(match.group())
    return {word for word in capitalised if word.lower() not in lower}
