"""Grading: an answer against a question's rubric (or a reference answer), with no server and no database.

from viva.grading import load_grader
grader = load_grader()
grade = grader.grade(7, "Overfitting is ...")
"""

from viva.grading.embedders import Embedder, HashingEmbedder, LocalEmbedder, OpenAIEmbedder
from viva.grading.grader import Grader, load_grader, reference_question
from viva.grading.models import Grade

__all__ = [
    "Embedder",
    "Grade",
    "Grader",
    "HashingEmbedder",
    "LocalEmbedder",
    "OpenAIEmbedder",
    "load_grader",
    "reference_question",
]
