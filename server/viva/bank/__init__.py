"""The question bank: rubric models and loading them from `rubrics/`."""

from viva.bank.loading import Bank, check_bank, load_bank
from viva.bank.models import DeliveryHints, KeyPoint, Misconception, Question, RubricFile

__all__ = [
    "Bank",
    "DeliveryHints",
    "KeyPoint",
    "Misconception",
    "Question",
    "RubricFile",
    "check_bank",
    "load_bank",
]
