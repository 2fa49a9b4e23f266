"""Grading speed: `grade_many` over 100 answers against a bare encode of the same answers' sentences.

Both run in this process with the same model, warm, best of three; the ratio is
what grading costs on top of the embedding model itself (target <= 1.25). Then the
same answers in batches of 8, as the server grades them under load, with numpy's BLAS
on one thread (what `load_grader` sets) and on every core.
"""

from __future__ import annotations

import os
import resource
import time
from collections.abc import Callable

from threadpoolctl import threadpool_limits

from bench import datasets
from viva.grading import Grader, LocalEmbedder, load_grader

ANSWERS = 100
REPEATS = 3
SERVER_BATCH = 8
"""About what the server's grading queue gathers under a few dozen concurrent candidates."""


def best_of(work: Callable[[], object]) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def _in_batches(grader: Grader, items: list[tuple[int, str]], size: int) -> None:
    for start in range(0, len(items), size):
        grader.grade_many(items[start : start + size])


def run() -> None:
    grader = load_grader()
    embedder = grader.embedder
    assert isinstance(embedder, LocalEmbedder), "the benchmark measures the local model"
    rows = [r for r in datasets.labelled() if r.level in datasets.BASE_LEVELS][:ANSWERS]
    items = [(r.question, r.answer) for r in rows]
    sentences = datasets.sentences([r.answer for r in rows])
    grader.grade_many(items)  # warm up: rubric indexes, lexicon, torch
    bare = best_of(lambda: embedder._model.encode(sentences, batch_size=embedder.batch_size))
    graded = best_of(lambda: grader.grade_many(items))
    single = best_of(lambda: [grader.grade(q, a) for q, a in items[:20]]) / 20
    small = best_of(lambda: _in_batches(grader, items, SERVER_BATCH))
    with threadpool_limits(limits=os.cpu_count(), user_api="blas"):
        threaded = best_of(lambda: _in_batches(grader, items, SERVER_BATCH))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"answers {len(items)}, sentences {len(sentences)}, torch threads {os.cpu_count()}")
    print(f"bare SentenceTransformer.encode   {bare * 1000:8.1f} ms")
    print(
        f"grade_many                         {graded * 1000:8.1f} ms   ({graded / len(items) * 1000:.1f} ms per answer)"
    )
    print(f"ratio grade_many / bare encode     {graded / bare:8.2f}   (target <= 1.25)")
    print(
        f"grade_many in batches of {SERVER_BATCH}, 1 BLAS thread   {small / len(items) * 1000:6.1f} ms per answer"
        f"   ({os.cpu_count()} BLAS threads: {threaded / len(items) * 1000:.1f}; ratio {threaded / small:.2f})"
    )
    print(f"one answer at a time (grade)       {single * 1000:8.1f} ms per answer")
    print(f"process peak RSS                   {rss:8.0f} MB")
