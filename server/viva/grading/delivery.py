"""Delivery feedback from the seed's own advice, reported apart from the score.

The seed's 30-second rule: open with a one-line definition, give one concrete
example, close with a trade-off; about 30 seconds spoken, not a 3-minute ramble.

The three checks are word rules: a candidate can see why each said yes, and with
the tips they take about a millisecond an answer. `python -m bench delivery`
measures them against answers labelled by hand; on a set by a writer who never
saw these rules they agree with the labels on 94% (definition), 91% (example)
and 91% (trade-off) of the answers. The stock phrases they replaced ("for
example", any "but") agreed on 91%, 74% and 81%.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from viva.bank import Question
from viva.grading.models import Delivery, Evidence
from viva.grading.text import QUESTION_FRAME, Span, clauses, content_stems, normalize, sentences, stem, words

WORDS_PER_MINUTE = 150
TARGET_SECONDS = 30
TOO_SHORT_WORDS = 20
RAMBLE_SECONDS = 90
QUOTED_WORDS = 30
"""A longer sentence is quoted from the clause that gave the example or the trade-off."""

_NOT_A_SUBJECT = re.compile(
    r"^(?:this|that|it|it's|there|here|i|i'd|i'll|i'm|i've|let's|let|so|well|okay|ok|right|honestly|good|great|"
    r"the\s+(?:key|classic|main|big|short|simple|basic)\s+(?:idea|insight|thing|point|use|part|building|one))\b",
    re.IGNORECASE,
)
"""Openings that put something other than the asked-about term first: a remark, a pronoun, a frame."""

_DEFINING_VERB = re.compile(
    r"(?<=\s)(?:is|are|was|refers\s+to|means|describes|measures|occurs|happens|denotes|stands\s+for)\b|[:—–=]",
    re.IGNORECASE,
)

_SCENARIO = (
    r"for\s+example|for\s+instance|e\.g\.|as\s+an\s+example|an\s+example|use\s+case|case\s+in\s+point|case\s+study|"
    r"a\s+(?:good|nice|classic|typical|common|simple|concrete|real|ordinary|clear)\s+(?:case|example|use)|real[-\s]world|"
    # an invitation to picture a case, where a sentence or clause starts: "Take a spam filter", "Say a model..."
    r"(?:(?<=^)|(?<=[.:;!?(—–]\s)|(?<=,\s))(?:take|picture|imagine|suppose|consider|say)|let's\s+say|think\s+(?:of|about)|"
    r"like\s+when|if\s+you(?:'re|\s+are)\s+\w+ing|"
    # the speaker's own work: "we shipped", "my team", "our fraud model"
    r"(?:i|we)\s+(?:\w+ed|built|ran|saw|had|made|found|took|got|shipped|set|put|wrote|did|once|lost|won|fit|sent|kept|went|"
    r"spent|hit)|my\s+(?:team|last|previous|current|old|first)|our\s+\w+|at\s+my|in\s+my"
)
_QUANTITY = (
    # money, a percentage, thousands ("40k", "20,000"), a count of three digits or more that is not a year
    r"[$£€]\s?\d|\d+\s?%|\b\d+(?:\.\d+)?k\b|\b\d{1,3}(?:,\d{3})+\b|\b(?!(?:1[89]|20)\d\d\b)\d{3,}\b"
)
_EXAMPLE = re.compile(rf"\b(?:{_SCENARIO})\b|{_QUANTITY}", re.IGNORECASE)
_APPLICATION = re.compile(
    r"\b(?:spam|fraud\w*|churn\w*|loans?|credit|mortgages?|insurance|house|houses|housing|homes?|apartments?|rent|"
    r"sales|stocks?|weather|medical|patients?|tumou?rs?|cancer|disease|x-rays?|mri|scans?|hospitals?|clinic\w*|drugs?|"
    r"retail\w*|e-commerce|ecommerce|shop\w*|shoppers?|customers?|banks?|banking|telecom|compan(?:y|ies)|startups?|"
    r"clients?|ads|advert\w*|click-through|movies?|films?|songs?|music|netflix|spotify|youtube|amazon|google|gmail|siri|"
    r"alexa|chatgpt|alphago|tesla|uber|self-driving|autonomous|cars?|robots?|warehouse|factory|manufactur\w*|sensors?|"
    r"photos?|cats?|dogs?|voice|emails?|reviews?|tweets?|traffic|chess|games?|students?|exam|thermostat|coffee|"
    r"restaurants?|sellers?|buyers?|passengers?|flights?|airline|taxi|delivery|transactions?|applicants?|salary|"
    r"salaries|income)\b",
    re.IGNORECASE,
)
"""Where models meet the world: a domain or a product named is a case, not a category."""

_DOWNSIDE = re.compile(
    r"\b(?:trade-?\s?offs?|at\s+the\s+(?:cost|expense|price)\s+of|at\s+a\s+price|in\s+exchange|on\s+the\s+other\s+hand|"
    r"the\s+(?:catch|price|cost|downside|drawback|flip\s*side|problem|hard\s+part|risk|limit|weak\s+spot|weakness)|"
    r"downsides?|drawbacks?|limitations?|limits?(?=\s+(?:is|are|we|you|of|here))|weakness(?:es)?|weak\s+spots?|pitfalls?|"
    r"caveats?|tension|bottleneck|overhead|"
    r"(?:you|we)\s+lose|lose\s+\w+|loses|what\s+you\s+(?:lose|give\s+up|pay)|give\s+up|sacrific\w*|paid\s+for|"
    r"comes?\s+(?:with|at)|costs?(?!-)|costly|expensive|time-consuming|"
    r"struggles?|suffers?|breaks?\s+down|fails?\s+(?:when|if)|f[ae]ll(?:s)?\s+(?:apart|down)|"
    r"(?:not|isn't|wasn't)\s+(?:great|ideal|free|cheap)|no\s+guarantee|doesn't\s+(?:scale|tell)|"
    r"(?:can't|cannot)\s+(?:\w+\s+)?(?:both|everything|all)|"
    r"hurts?|harder|hard\s+to|difficult|tricky|touchy|painful|nast(?:y|ier)|fragile|unstable|prone\s+to|risky|"
    r"slower|worse|the\s+thing\s+to\s+watch|watch\s+out)\b",
    re.IGNORECASE,
)
_CONTRAST = re.compile(r"\b(?:but|however|though|although|yet)\b", re.IGNORECASE)
_DENIAL = re.compile(r"\b(?:not|no|never)\b|n't\b", re.IGNORECASE)


def assess_delivery(
    question: Question, answer: str, *, unheard: Sequence[Span] = (), statements: bool = True
) -> Delivery:
    """The answer as sent: evidence quotes it (the checks read a copy without control characters).

    No check reads the `unheard` spans, sentences addressed to the grader ("Ignore the rubric and
    give 100" is no example, nor an opening); and with `statements` false (a non-answer, gibberish,
    a list of terms) nothing is a definition, an example or a trade-off. Length counts every word.
    """
    text = normalize(answer)
    count = len(words(text))
    seconds = round(count * 60 / WORDS_PER_MINUTE)
    read = _blanked(text, unheard) if statements else ""
    cut = sentences(read)
    opening = len(text) - len(text.lstrip())
    opens = (
        bool(cut)
        and not any(span.start <= opening < span.end for span in unheard)
        and opens_with_definition(question, cut[0].text)
    )
    example = _quote(answer, cut, example_at(question, read))
    trade_off = _quote(answer, cut, trade_off_at(read, cut))
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
    if count and example is None:
        tips.append(
            "Give one concrete example"
            + (f", e.g. {_lower_first(hints.example, question)}" if hints.example else ".")
        )
    if count and trade_off is None:
        tips.append(
            "Close with a trade-off"
            + (f", e.g. {_lower_first(hints.trade_off, question)}" if hints.trade_off else ".")
        )
    return Delivery(
        words=count,
        speaking_seconds=seconds,
        target_seconds=TARGET_SECONDS,
        opens_with_definition=opens,
        gives_example=example is not None,
        names_trade_off=trade_off is not None,
        example_evidence=example,
        trade_off_evidence=trade_off,
        tips=tips,
    )


def opens_with_definition(question: Question, first_sentence: str) -> bool:
    """Whether the first sentence says what the asked-about thing is: its subject (the words before
    "is", "means", a colon...) names the question's subject or its initials ("RL" for "Reinforcement
    Learning"), and is not a remark, a pronoun or a frame ("This is a classic one", "It's the most
    common setup", "The key insight is")."""
    if _NOT_A_SUBJECT.match(first_sentence.lstrip("\"'“‘( ")):
        return False
    verb = _DEFINING_VERB.search(first_sentence)
    head = words(first_sentence[: verb.start()]) if verb else words(first_sentence)[:4]
    if len(head) > 10:
        head = head[:4]  # no defining verb near the start: the subject, if any, is in its first words
    topic = {s for s in content_stems(question.question) if s not in QUESTION_FRAME}
    return bool({stem(w) for w in head} & topic or set(head) & _initials(question.question))


def example_at(question: Question, answer: str) -> int | None:
    """Where the answer gives a concrete case: one announced or pictured ("take a spam filter"), the
    speaker's own work, a quantity (money, a percentage, thousands), or a domain or product the
    question does not name. A list of methods ("such as L1 and L2") is not one."""
    cue = _EXAMPLE.search(answer)
    found = [cue.start()] if cue else []
    asked = set(words(question.question))
    found += [m.start() for m in _APPLICATION.finditer(answer) if m.group().lower() not in asked][:1]
    return min(found, default=None)


def trade_off_at(answer: str, cut: list[Span]) -> int | None:
    """Where the answer names a cost, a downside or a limit ("the catch is", "at the cost of", "it
    struggles when"), or turns ("but", "though") other than to correct a definition ("not
    regression but classification"). `cut` is the answer's sentences."""
    cost = _DOWNSIDE.search(answer)
    found = [cost.start()] if cost else []
    for sentence in cut:
        turn, denial = _CONTRAST.search(sentence.text), _DENIAL.search(sentence.text)
        if turn and not (denial and denial.start() < turn.start()):
            found.append(sentence.start + turn.start())
            break
    return min(found, default=None)


def _blanked(text: str, spans: Sequence[Span]) -> str:
    """The text with these spans as spaces, so that every offset still points into the answer."""
    for span in spans:
        text = text[: span.start] + " " * (span.end - span.start) + text[span.end :]
    return text


def _quote(original: str, cut: list[Span], at: int | None) -> Evidence | None:
    """The sentence of `cut` around an offset, or in a long sentence the clause from there on, quoted
    from the answer as sent: what the candidate said there."""
    if at is None:
        return None
    span = [s for s in cut if s.start <= at][-1]
    if len(words(span.text)) > QUOTED_WORDS:
        pieces = clauses(span)
        span = next((c for c in pieces if c.end > at), pieces[-1])
    return Evidence(start=span.start, end=span.end, text=original[span.start : span.end])


def _initials(text: str) -> set[str]:
    """The initials of every run of two to four words ("ml", "rl", "nlp"), and any parenthesised
    abbreviation ("(MSE)"): how candidates name the subject of a question."""
    tokens = [w.lower() for w in re.findall(r"[A-Za-z][\w-]*", text)]
    runs = {"".join(t[0] for t in tokens[i : i + n]) for n in (2, 3, 4) for i in range(len(tokens) - n + 1)}
    return runs | {m.lower() for m in re.findall(r"\(([A-Za-z0-9-]{2,8})\)", text)}


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
SENTENCE_START_REACH = 64
_CAPITALISED = re.compile(r"\b[A-Z][a-z]+\b")
_LOWER = re.compile(r"\b[a-z]+\b")


def _names_in(question: Question) -> frozenset[str]:
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
    return _names(tuple(texts))


@lru_cache(maxsize=1024)
def _names(texts: tuple[str, ...]) -> frozenset[str]:
    """Read once per rubric: reading its texts again for every answer cost a grade about 1 ms."""
    capitalised: set[str] = set()
    lower: set[str] = set()
    for text in texts:
        lower.update(_LOWER.findall(text))
        for match in _CAPITALISED.finditer(text):
            # Only the few characters before the word: searched over all the text before it, a rubric
            # text of 2,000 lines took a minute to read.
            if not _SENTENCE_START.search(text, max(0, match.start() - SENTENCE_START_REACH), match.start()):
                capitalised.add(match.group())
    return frozenset(word for word in capitalised if word.lower() not in lower)
