"""Cheap cues that a clause says the opposite of a key point: an antonym swapped in, or a negation.

Sentence embeddings barely separate "connected" from "not connected", or "reduces
variance" from "reduces bias"; these cues look at the words themselves, on the
clause that is already the closest match to the key point.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from viva.grading.text import NEGATIONS, QUESTION_FRAME, content_stems, stem, words

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
    ("connected", "separated"),
    ("connected", "disconnected"),
    ("open", "closed"),
    ("series", "parallel"),
    ("complete", "incomplete"),
    ("inside", "outside"),
    ("attract", "repel"),
    ("gain", "lose"),
    ("conductor", "insulator"),
    ("hotter", "colder"),
    ("warmer", "cooler"),
    ("heavier", "lighter"),
    ("well", "badly"),
    ("well", "poorly"),
    ("good", "bad"),
    ("better", "worse"),
    ("improve", "worsen"),
    ("help", "hurt"),
    ("eager", "lazy"),
    ("binary", "multi-class"),
    ("harmonic", "arithmetic"),
    ("i", "ii"),  # Type I and Type II errors (a lone "i" is a content word only after "type")
]
OPPOSITE: dict[str, set[str]] = {}
for _a, _b in _OPPOSITES:
    OPPOSITE.setdefault(stem(_a), set()).add(stem(_b))
    OPPOSITE.setdefault(stem(_b), set()).add(stem(_a))


NEGATION_REACH = 3
"""A negation reaches the words that follow it within this many words: "dropout is not disabled"
negates the point, "data it has never seen" does not."""


_COMPARATIVES = frozenset(["better", "worse", "more", "less", "greater", "fewer", "larger", "smaller"])
"""After a negation and before "than", a comparison, not a denial: "no better than random" says "random"."""


def polarity(text: str, about: set[str], prevention: bool = False) -> list[frozenset[str]]:
    """The text's negations that bear on the `about` stems, each as the `about` stems it reaches.

    A negation counts where at least half the content words it reaches are `about` ones: the
    point's "no single feature dominates" is not denied by a clause that speaks of features but
    says nothing of one dominating. (More than half cost the held-out order 0.011: it let wrong
    answers' real denials through with the false ones.)
    """
    return [
        frozenset(s for s in reached if s in about)
        for compares, reached in _negations(text, amounts=False, prevention=prevention)
        if reached and not compares and 2 * sum(s in about for s in reached) >= len(reached)
    ]


def _flipped(point: list[frozenset[str]], clause: list[frozenset[str]]) -> frozenset[str]:
    """What one text denies and the other affirms: an odd number of negations against an even one,
    or as many on both sides but of different words ("learned from data rather than chosen" against
    "chosen, not learned")."""
    said: frozenset[str] = frozenset().union(*point)
    other: frozenset[str] = frozenset().union(*clause)
    if len(point) % 2 != len(clause) % 2:
        return (said ^ other) or (said | other)
    return said | other if point and clause and said.isdisjoint(other) else frozenset()


_SCARCITY = frozenset(["little", "few", "lack", "lacks", "lacking", "insufficient"])
"""Words that deny an amount, not a fact: "too little model complexity" says "too simple". ("A little"
and "a few" affirm one; "less" and "fewer" are opposites of "more" already.) They count only against
a swapped-in opposite: counted as denials everywhere, "few false positives, so few false alarms"
(two) was denied by "few false alarms" (one)."""

_ADDITIVE = frozenset(["only", "just", "merely"])
"""After a negation, an addition, not a denial: "tests not only code but data"."""


_PREVENTION = frozenset(
    f"{verb}{ending}" for verb in ("prevent", "avoid") for ending in ("", "s", "ed", "ing")
)
"""Verbs that deny what they reach happens: "prevents them from co-adapting" says what "they can't
co-adapt" says. Read as negations only against a plain one (`contradicts`): "prevents overfitting"
and "reduces overfitting" say the same thing too."""

_PREVENTION_WITH_FROM = frozenset(
    f"{verb}{ending}"
    for verb, endings in [("stop", ("", "s", "ped", "ping")), ("keep", ("", "s"))]
    for ending in endings
) | {"kept"}
"""Verbs that prevent only with a "from" ("stops them from co-adapting"): "early stopping", "stop
words" and "keeps the weights small" deny nothing."""


_CONTRASTING = {"rather": "than", "instead": "of"}
"""Words that deny what follows them with their second word: "chosen before training rather than
learned from the data" says "not learned from the data". They deny only what the text has not
affirmed before them: "the harmonic mean instead of the arithmetic mean" denies "arithmetic", not
"mean"."""


def _negates(token: str, previous: str, after: list[str], amounts: bool, prevention: bool = False) -> bool:
    if token in _CONTRASTING:
        return bool(after) and after[0] == _CONTRASTING[token]
    if token in _SCARCITY:
        return amounts and previous != "a"
    if token in _PREVENTION:
        return prevention
    if token in _PREVENTION_WITH_FROM:
        return prevention and "from" in after[:NEGATION_REACH]
    following = after[0] if after else ""
    return (token in NEGATIONS or token.endswith("n't")) and following not in _ADDITIVE


def _negations(text: str, amounts: bool = True, prevention: bool = False) -> list[tuple[bool, list[str]]]:
    """Each negation in the text (with `amounts`, the words that deny an amount too; with `prevention`,
    the verbs of `_PREVENTION`): whether it only compares ("no better than"), and the content stems it
    reaches (for `_CONTRASTING` words, those the text has not affirmed before them)."""
    tokens = words(text)
    found = []
    for i, token in enumerate(tokens):
        if not _negates(
            token, tokens[i - 1] if i else "", tokens[i + 1 : i + 1 + NEGATION_REACH], amounts, prevention
        ):
            continue
        compares = len(tokens) > i + 2 and tokens[i + 1] in _COMPARATIVES and tokens[i + 2] == "than"
        if token in _CONTRASTING:
            affirmed = set(content_stems(" ".join(tokens[:i])))
            reached = [
                s
                for s in content_stems(" ".join(tokens[i + 2 : i + 2 + NEGATION_REACH]))
                if s not in affirmed
            ]
        else:
            reached = content_stems(" ".join(tokens[i + 1 : i + 1 + NEGATION_REACH]))
        found.append((compares, reached))
    return found


def swaps(
    point_stems: Iterable[str], clause_stems: Iterable[str], subject: frozenset[str] = frozenset()
) -> list[tuple[str, str]]:
    """Each word of the key point the clause replaces with its opposite (using the opposite, not the word).

    The question's own words (`subject`) name what is asked about, so they are never swapped in:
    "Linear regression fits a line" does not deny "...such as a non-linear relationship".
    """
    point, clause = set(point_stems), set(clause_stems)
    swapped_in = clause - point - subject
    return [
        (word, other)
        for word in point
        if word not in clause
        for other in OPPOSITE.get(word, set()) & swapped_in
    ]


_PREFIXES = frozenset(["non", "un", "in", "anti", "mis", "ill"]) | frozenset(
    ["multi", "semi", "pre", "post", "self", "re", "co", "sub", "over", "under", "cross", "well"]
)
"""First parts that make a compound a word of its own: "non-linear" is not "linear" (nor "over-fitting"
"fitting"). The first set negates the word, the second changes what it names."""


def _swap_stems(text: str) -> list[str]:
    """The text's content stems with the parts of its compounds: "outlier-robust" says "robust", and
    "high-bias" "bias" (unless the compound is an opposite in its own right, or a prefix makes it a new
    word). Only for swaps: elsewhere a compound is one term."""
    found = content_stems(text)
    for word in words(text):
        parts = word.split("-")
        if len(parts) > 1 and parts[0] not in _PREFIXES and stem(word) not in OPPOSITE:
            found += content_stems(" ".join(parts))
    return found


def negated(text: str, target: str) -> bool:
    """Whether a negation reaches the word with this stem, or a compound that holds it ("not outlier-robust"
    negates "robust", which `_swap_stems` reads in it)."""
    return any(
        target in reached or any(target in {stem(part) for part in word.split("-")} for word in reached)
        for _, reached in _negations(text)
    )


def contradicts(point_text: str, clause_text: str, subject: frozenset[str] = frozenset()) -> bool:
    """An antonym swapped in, or a negation flip, between a key point and the clause that matches it best."""
    return bool(denied_words(point_text, clause_text, subject))


def denied_words(point_text: str, clause_text: str, subject: frozenset[str] = frozenset()) -> frozenset[str]:
    """The point's words the clause contradicts it on (none: no contradiction): those it swaps an
    opposite in for, or those a negation flip bears on.

    A swap is judged where it happens: the opposite denies the point unless one of the two words,
    and only one, is negated ("no labels" says "unlabelled", "too little model complexity" says
    "too simple"), whatever other negations either sentence holds.
    """
    pairs = swaps(_swap_stems(point_text), _swap_stems(clause_text), subject)
    if pairs:
        return frozenset(
            word for word, other in pairs if negated(point_text, word) == negated(clause_text, other)
        )
    # A negation counts where it bears on what both say: the point's "so the two cannot both be
    # minimised" is not denied by a clause that only says complexity lowers bias and raises variance.
    about = set(content_stems(point_text)) & set(content_stems(clause_text))
    flipped = _flipped(polarity(point_text, about), polarity(clause_text, about))
    # A plain negation on one side only: the other may deny the same with a verb of prevention.
    prevented = _flipped(
        polarity(point_text, about, prevention=True), polarity(clause_text, about, prevention=True)
    )
    if not flipped or not prevented:
        return frozenset()
    return flipped


_SAME = [frozenset(stem(w) for w in group) for group in [("test", "inference", "prediction", "serving")]]
"""Words that name the same thing where a contradiction hinges on it: "test time" is "inference"."""


def mentions_any(stems: Iterable[str], words_of: Iterable[str]) -> bool:
    """Whether `stems` hold one of `words_of`, or a word naming the same (`_SAME`)."""
    wanted = set(words_of)
    wanted |= {w for group in _SAME if group & wanted for w in group}
    return bool(wanted.intersection(stems))


_NOT_ENTITIES = QUESTION_FRAME | frozenset(
    stem(w)
    for w in [
        "differences",
        "different",
        "type",
        "types",
        "main",
        "kind",
        "kinds",
        "way",
        "ways",
        "role",
        "important",
        "versus",
        "vs",
        "good",
        "best",
        "common",
        "key",
        "machine",
        "learning",
        "model",
        "models",
        "algorithm",
    ]
)
"""Question words that name no concept an answer could confuse with another ("difference", "type")."""


# Tried only where a word begins (its leading "_" or "-" skipped): tried from each of its letters, a
# 5,000-letter word took most of a second, as each try read the rest of the word.
_CONTRAST = re.compile(
    r"(?<![\w-])[_-]*([^\W_][\w-]*+)\s+(?:and|vs\.?|versus|or)\s+([^\W_][\w-]*)", re.IGNORECASE
)


def question_entities(question: str) -> frozenset[str]:
    """The concepts a question sets against each other: "Bagging and Boosting" gives {bag, boost}.

    Empty unless the question contrasts two named concepts ("X and Y", "X vs Y"):
    only then can an answer say of one what is true of the other.
    """
    found: set[str] = set()
    for match in _CONTRAST.finditer(question):
        pair = [content_stems(word) for word in match.groups()]
        if all(len(stems) == 1 and stems[0] not in _NOT_ENTITIES for stems in pair):
            found.update(stems[0] for stems in pair)
    return frozenset(found)


def admissible(statement_stems: Iterable[str], unit_about: frozenset[str], entities: frozenset[str]) -> bool:
    """Whether a unit can make a statement about one of several concepts of the question.

    "Bagging mainly reduces variance" is not made by a sentence about boosting that
    says "it reduces variance": with two or more concepts in the question, a unit
    whose sentence is about other concepts only cannot make a point about this one.
    """
    if len(entities) < 2 or not unit_about:
        return True
    subject = set(statement_stems) & entities
    return not subject or bool(subject & unit_about)


def states_misconception(
    text_stems: Iterable[str], unit_about: frozenset[str], entities: frozenset[str]
) -> bool:
    """Whether a unit can state a misconception worded with these stems (question words included).

    "Bagging reduces variance and boosting reduces bias" and its swap embed alike (0.99),
    and without the question's words they are the same words: a wording that binds
    properties to two of the question's concepts is only compared through its clauses
    (indexed as wordings of their own), each with the units about its one concept.
    """
    mentions = set(text_stems) & entities
    return len(mentions) < 2 and admissible(mentions, unit_about, entities)
