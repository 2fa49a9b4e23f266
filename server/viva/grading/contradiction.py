"""Cheap cues that a clause says the opposite of a key point: an antonym swapped in, or a negation.

Sentence embeddings barely separate "connected" from "not connected", or "reduces
variance" from "reduces bias"; these cues look at the words themselves, on the
clause that is already the closest match to the key point.
"""

from __future__ import annotations

from collections.abc import Iterable

from viva.grading.text import NEGATIONS, content_stems, stem, words

_OPPOSITES = [
    ("increase", "decrease"),
    ("increase", "reduce"),
    ("raise", "lower"),
    ("amplify", "shrink"),
    ("amplify", "reduce"),
    ("amplify", "dampen"),
    ("grow", "shrink"),
    ("high", "low"),
    ("higher", "lower"),
    ("more", "less"),
    ("more", "fewer"),
    ("larger", "smaller"),
    ("bigger", "smaller"),
    ("large", "small"),
    ("faster", "slower"),
    ("fast", "slow"),
    ("overfitting", "underfitting"),
    ("overfit", "underfit"),
    ("bias", "variance"),
    ("supervised", "unsupervised"),
    ("labelled", "unlabelled"),
    ("labeled", "unlabeled"),
    ("positive", "negative"),
    ("training", "test"),
    ("train", "test"),
    ("parallel", "sequential"),
    ("parallel", "sequentially"),
    ("independent", "dependent"),
    ("linear", "nonlinear"),
    ("linear", "non-linear"),
    ("discrete", "continuous"),
    ("classification", "regression"),
    ("precision", "recall"),
    ("before", "after"),
    ("input", "output"),
    ("forward", "backward"),
    ("maximise", "minimise"),
    ("maximize", "minimize"),
    ("sensitive", "robust"),
    ("always", "never"),
    ("add", "remove"),
    ("simple", "complex"),
    ("simpler", "complex"),
    ("cheap", "expensive"),
    ("fixed", "learned"),
    ("manual", "automatic"),
    ("manually", "automatically"),
    ("explicit", "implicit"),
    ("explicitly", "implicitly"),
    ("enabled", "disabled"),
    ("active", "inactive"),
    ("active", "disabled"),
    ("on", "off"),
    ("same", "different"),
    ("all", "none"),
    ("local", "global"),
    ("sparse", "dense"),
    ("row", "column"),
    ("horizontal", "vertical"),
    ("false", "true"),
    ("correct", "incorrect"),
    ("majority", "minority"),
    ("upweight", "downweight"),
    ("oversample", "undersample"),
    ("generalise", "memorise"),
    ("well", "badly"),
    ("well", "poorly"),
    ("good", "bad"),
    ("better", "worse"),
    ("improve", "worsen"),
    ("help", "hurt"),
    ("prevent", "worse"),
    ("reduce", "worse"),
    ("fix", "worse"),
    ("eager", "lazy"),
    ("binary", "multi-class"),
    ("harmonic", "arithmetic"),
]
OPPOSITE: dict[str, set[str]] = {}
for _a, _b in _OPPOSITES:
    OPPOSITE.setdefault(stem(_a), set()).add(stem(_b))
    OPPOSITE.setdefault(stem(_b), set()).add(stem(_a))


def polarity(text: str) -> bool:
    """True when the clause is negated an odd number of times."""
    count = sum(w in NEGATIONS or w.endswith("n't") for w in words(text))
    return count % 2 == 1


def opposite_swapped(point_stems: Iterable[str], clause_stems: Iterable[str]) -> bool:
    """The clause uses a word's opposite where the key point uses the word, and not the word itself."""
    point, clause = set(point_stems), set(clause_stems)
    return any(
        word not in clause and any(other in clause and other not in point for other in OPPOSITE.get(word, ()))
        for word in point
    )


def contradicts(point_text: str, clause_text: str) -> bool:
    """An antonym swap or a negation flip between a key point and the clause that matches it best.

    Both together cancel out ("does not increase" ~ "decreases").
    """
    swapped = opposite_swapped(content_stems(point_text), content_stems(clause_text))
    flipped = polarity(point_text) != polarity(clause_text)
    return swapped != flipped
