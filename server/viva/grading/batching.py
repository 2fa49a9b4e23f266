"""Micro-batching: answers that arrive together are graded together, in one encode.

A server grading one answer per request would run the model on a handful of
sentences at a time; batching the sentences of concurrent requests makes
throughput grow with load instead of collapsing. A request waits at most
`window` seconds for company.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import queue
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass
from functools import cache

from viva.grading.grader import Grader, QuestionLike
from viva.grading.models import Grade
from viva.metrics import BATCH_SIZE, GRADING_FAILURES, GRADING_SECONDS


@cache
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    libc = ctypes.CDLL(name) if name else None
    return libc if libc is not None and hasattr(libc, "malloc_trim") else None


def release_memory() -> None:
    """Hand the model's freed activations back to the system (glibc keeps them otherwise:
    a server's RSS would grow by hundreds of MB under load and never shrink)."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)


@dataclass(frozen=True)
class _Job:
    question: QuestionLike
    answer: str
    result: Future[Grade]


class GradingBatcher:
    """A worker thread that grades queued answers in batches; `grade` blocks until its answer is done."""

    def __init__(self, grader: Grader, *, window: float = 0.01, max_batch: int = 64) -> None:
        self.grader = grader
        self.window = window
        self.max_batch = max_batch
        self._jobs: queue.Queue[_Job | None] = queue.Queue()
        self._worker = threading.Thread(target=self._run, name="viva-grading", daemon=True)
        self._worker.start()

    def grade(self, question: QuestionLike, answer: str, timeout: float | None = None) -> Grade:
        return self.submit(question, answer).result(timeout)

    def submit(self, question: QuestionLike, answer: str) -> Future[Grade]:
        result: Future[Grade] = Future()
        self._jobs.put(_Job(question, answer, result))
        return result

    def close(self) -> None:
        """Finish the answers already queued, then stop."""
        self._jobs.put(None)
        self._worker.join()

    def _run(self) -> None:
        stopping = False
        while not stopping:
            first = self._jobs.get()
            if first is None:
                return
            batch = [first]
            deadline = time.monotonic() + self.window
            while len(batch) < self.max_batch and (remaining := deadline - time.monotonic()) > 0:
                try:
                    job = self._jobs.get(timeout=remaining)
                except queue.Empty:
                    break
                if job is None:
                    stopping = True
                    break
                batch.append(job)
            self._grade(batch)
            if self._jobs.empty():
                release_memory()  # only when idle: under load the next batch reuses the memory

    def _grade(self, batch: list[_Job]) -> None:
        BATCH_SIZE.observe(len(batch))
        try:
            with GRADING_SECONDS.time():
                grades = self.grader.grade_many([(job.question, job.answer) for job in batch])
        except Exception as error:  # one bad answer must not fail the others: grade them one by one
            GRADING_FAILURES.inc()
            if len(batch) == 1:
                batch[0].result.set_exception(error)
                return
            for job in batch:
                self._grade([job])
            return
        for job, grade in zip(batch, grades, strict=True):
            job.result.set_result(grade)
