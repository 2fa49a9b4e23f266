"""Delivery tips quote the rubric's hints mid-sentence: only an ordinary first word loses its capital."""

from __future__ import annotations

import pytest

from viva.bank import Question, load_bank
from viva.grading.delivery import assess_delivery
from viva.resources import resource_dir

BANK = load_bank(resource_dir("rubrics"))
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


@pytest.mark.parametrize("start", ["Random", "Vision"])
def test_a_tip_keeps_the_case_of_a_capitalised_phrase(start: str) -> None:
    question, hint = _hint(start)
    assert f"e.g. {hint}" in _tips(question)


@pytest.mark.parametrize("start", ["A", "Oversampling,", "Bagging", "Accuracy", "Self-attention's", "Tuning"])
def test_a_tip_lower_cases_an_ordinary_first_word(start: str) -> None:
    question, hint = _hint(start)
    assert f"e.g. {hint[0].lower()}{hint[1:]}" in _tips(question)
