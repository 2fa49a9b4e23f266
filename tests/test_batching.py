"""The server's grading queue: answers that arrive together are graded together."""

import time
from collections.abc import Sequence
from concurrent.futures import Future
from typing import Any, cast

import pytest

from viva.grading.batching import GradingBatcher
from viva.grading.grader import Grader


class RecordingGrader:
    """Grades an answer as its own text upper-cased, recording each batch."""

    def __init__(self, delay: float = 0.0) -> None:
        self.batches: list[list[str]] = []
        self.delay = delay

    def grade_many(self, items: Sequence[tuple[Any, str]]) -> list[str]:
        self.batches.append([answer for _, answer in items])
        time.sleep(self.delay)
        if any(answer == "poison" for _, answer in items):
            raise ValueError("this answer breaks the grader")
        return [answer.upper() for _, answer in items]


def results(futures: Sequence["Future[Any]"]) -> list[Any]:
    """What the grader returned for each answer (the recording grader's text, not a Grade)."""
    return [future.result(10) for future in futures]


def batcher_for(grader: RecordingGrader, **options: Any) -> GradingBatcher:
    return GradingBatcher(cast(Grader, grader), **options)


def test_answers_that_arrive_together_are_graded_in_one_batch() -> None:
    grader = RecordingGrader()
    batcher = batcher_for(grader, window=0.5)
    graded = [batcher.submit(n, f"answer {n}") for n in range(5)]
    assert results(graded) == [f"ANSWER {n}" for n in range(5)]
    assert grader.batches == [[f"answer {n}" for n in range(5)]]
    batcher.close()


def test_one_answer_that_breaks_the_grader_does_not_fail_the_others() -> None:
    batcher = batcher_for(RecordingGrader(), window=0.5)
    good, bad = batcher.submit(1, "fine"), batcher.submit(2, "poison")
    assert results([good]) == ["FINE"]
    with pytest.raises(ValueError, match="breaks the grader"):
        bad.result(10)
    batcher.close()


def test_closing_finishes_every_answer_already_queued() -> None:
    batcher = batcher_for(RecordingGrader(delay=0.05), window=0, max_batch=2)
    graded = [batcher.submit(n, f"answer {n}") for n in range(12)]
    batcher.close()
    assert all(future.done() for future in graded)
    assert results(graded) == [f"ANSWER {n}" for n in range(12)]
