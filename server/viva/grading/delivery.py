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
            "Give one concrete example" + (f", e.g. {_lower_first(hints.example)}" if hints.example else ".")
        )
    if count and not trade_off:
        tips.append(
            "Close with a trade-off" + (f", e.g. {_lower_first(hints.trade_off)}" if hints.trade_off else ".")
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


def _lower_first(text: str) -> str:
    """Lower-case a hint's first letter to fit mid-sentence, unless it starts an acronym ("RBF", "A/B")."""
    first = text.split(" ", 1)[0]
    acronym = first.isupper() and len(first) > 1
    return text if acronym or not first.isalpha() else text[:1].lower() + text[1:]
