"""Delivery tips quote the rubric's hints mid-sentence: only an ordinary first word loses its capital."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from viva.bank import Question, load_bank
from viva.grading.delivery import assess_delivery
from viva.resources import resource_dir

BANK = load_bank(resource_dir("rubrics"))
DELIVERY_ANSWERS = Path(__file__).parent / "data" / "delivery_answers.jsonl"
LABELS = ("definition", "example", "trade_off")
BARE = "It is a method."  # no example, no trade-off: every hint is quoted


def _hint(start: str) -> tuple[Question, str]:
    """The bank question whose example or trade-off hint starts with `start`, and that hint."""
    for question in BANK:
        for hint in (question.delivery.example, question.delivery.trade_off):
            if hint and hint.startswith(start + " "):
                return question, hint
    raise AssertionError(f"no hint in the bank starts with {start!r}")


def _tips(question: Question) -> str:
    return "\n".join(assess_delivery(question, BARE).tips)


@pytest.mark.parametrize("start", ["SVMs", "RNNs", "ReLU", "AlphaGo", "F1", "GPT-style"])
def test_a_tip_keeps_the_case_of_an_acronym_or_a_name_with_inner_capitals(start: str) -> None:
    question, hint = _hint(start)
    assert f"e.g. {hint}" in _tips(question)


def test_a_tip_keeps_the_capital_of_a_proper_name_the_rubric_writes_mid_sentence() -> None:
    question, hint = _hint("Spotify")
    assert "Netflix, Spotify" in question.model_answer  # how the tip knows it is a name
    assert f"e.g. {hint}" in _tips(question)


@pytest.mark.timeout(30)
def test_a_rubric_text_with_thousands_of_blank_lines_is_read_for_names_at_once() -> None:
    """Each capitalised word was checked against all the text before it: a model answer with 2,000 blank
    lines took a minute (hence the timeout, a hang guard far above the milliseconds it takes)."""
    question, hint = _hint("Spotify")
    long = question.model_copy(update={"model_answer": "Notes:" + "\n" * 3000 + question.model_answer})
    assert f"e.g. {hint}" in _tips(long)


@pytest.mark.parametrize("start", ["Random", "Vision"])
def test_a_tip_keeps_the_case_of_a_capitalised_phrase(start: str) -> None:
    question, hint = _hint(start)
    assert f"e.g. {hint}" in _tips(question)


@pytest.mark.parametrize("start", ["A", "Oversampling,", "Bagging", "Accuracy", "Self-attention's", "Tuning"])
def test_a_tip_lower_cases_an_ordinary_first_word(start: str) -> None:
    question, hint = _hint(start)
    assert f"e.g. {hint[0].lower()}{hint[1:]}" in _tips(question)


def _delivery(number: int, answer: str) -> tuple[bool, bool, bool]:
    d = assess_delivery(BANK.get(number), answer)
    return d.opens_with_definition, d.gives_example, d.names_trade_off


def test_a_case_pictured_in_plain_words_is_an_example() -> None:
    for answer in (
        "Machine learning is software that learns its rules from data. Take a spam filter: it learns which "
        "words matter from emails people marked.",
        "Machine learning is software that learns its rules from data. At my last job we replaced pricing "
        "rules with a model trained on bookings.",
        "Machine learning is software that learns its rules from data, like Netflix learning what you watch.",
    ):
        assert _delivery(1, answer)[1], answer


def test_a_list_of_method_names_or_a_bare_number_is_not_an_example() -> None:
    answer = (
        "Overfitting is when a model learns the noise of its training set. Methods such as L1, L2 and "
        "dropout fight it; the 2 curves tell you when."
    )
    assert not _delivery(7, answer)[1]


def test_a_cost_named_in_other_words_is_a_trade_off() -> None:
    for closing in (
        "The catch is that it needs a lot of labelled data.",
        "It struggles when the classes overlap.",
        "What you lose is interpretability.",
    ):
        assert _delivery(3, "Supervised learning fits a mapping from inputs to known labels. " + closing)[
            2
        ], closing


def test_a_correction_or_a_contrast_of_definitions_is_not_a_trade_off() -> None:
    assert not _delivery(
        12, "Logistic regression is a classifier. Despite the name, it's not regression but classification."
    )[2]
    assert not _delivery(
        40,
        "Bagging trains models in parallel on bootstrap samples, whereas boosting "
        "trains them one after another.",
    )[2]


def test_a_definition_names_the_subject_or_its_initials_first() -> None:
    assert _delivery(5, "RL is learning by interaction: an agent acts and collects rewards.")[0]
    assert _delivery(18, "K-means is a clustering algorithm that assigns points to the nearest centroid.")[0]
    assert not _delivery(9, "This is a classic one that people mix up with parameters.")[0]
    assert not _delivery(39, "I like this question because the intuition is simple.")[0]


def test_the_delivery_checks_agree_with_answers_labelled_by_hand() -> None:
    """200 answers written and labelled for these three checks (tests/data/delivery_answers.jsonl);
    `python -m bench delivery` reports them, and a set the checks were never tuned on."""
    rows = [json.loads(line) for line in DELIVERY_ANSWERS.read_text(encoding="utf-8").splitlines()]
    for label in ("definition", "example", "trade_off"):
        agree = sum(_delivery(r["question"], r["answer"])[LABELS.index(label)] == r[label] for r in rows)
        assert agree / len(rows) >= 0.9, label


def test_the_example_and_the_trade_off_are_quoted_from_the_answer_as_sent() -> None:
    answer = (
        "Supervised learning fits a mapping from inputs to known labels.\x07 Take a spam filter: it learns "
        "from emails people marked. The catch is that labels cost money."
    )
    delivery = assess_delivery(BANK.get(3), answer)
    example, trade_off = delivery.example_evidence, delivery.trade_off_evidence
    assert example is not None and trade_off is not None
    assert example.text == "Take a spam filter: it learns from emails people marked."
    assert trade_off.text == "The catch is that labels cost money."
    for quote in (example, trade_off):
        assert answer[quote.start : quote.end] == quote.text


def test_a_long_sentence_is_quoted_from_the_clause_that_counts() -> None:
    answer = (
        "MSE is the mean of squared errors and the default loss for regression in most libraries because it "
        "is smooth, convex and easy to differentiate, but a handful of outliers can dominate the whole number."
    )
    quote = assess_delivery(BANK.get(29), answer).trade_off_evidence
    assert quote is not None and quote.text == "a handful of outliers can dominate the whole number."


def test_nothing_is_quoted_for_a_check_the_answer_does_not_pass() -> None:
    delivery = assess_delivery(BANK.get(3), "Supervised learning fits a mapping from inputs to known labels.")
    assert (delivery.example_evidence, delivery.trade_off_evidence) == (None, None)
