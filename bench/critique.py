"""The LLM critique against a real model (llama.cpp, SmolLM2-135M) next to grading without it.

Ten answers, one at a time: the p50 latency of `grade` alone and of the critique
call alone, the response format the server accepted, and the tokens spent.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from bench import datasets
from tests import llama
from viva.grading import load_grader
from viva.llm.critic import OpenAICritic

ANSWERS = 10


def run() -> None:
    if not llama.available():
        print(f"skipped: the local LLM is not installed ({llama.INSTALL})")
        return
    grader = load_grader()
    rows = [r for r in datasets.labelled() if r.level in ("strong", "partial")][:ANSWERS]
    grader.grade(rows[0].question, rows[0].answer)  # warm up
    with tempfile.TemporaryDirectory() as folder, llama.llama_server(Path(folder) / "llama.log") as url:
        critic = OpenAICritic(url, "smollm2-135m-instruct", timeout=llama.TIMEOUT)
        grading, critiques, tokens, formats = [], [], [], set()
        for row in rows:
            begin = time.perf_counter()
            grade = grader.grade(row.question, row.answer)
            grading.append(time.perf_counter() - begin)
            outcome = critic.critique(grader.bank.get(row.question), row.answer, grade)
            critiques.append(outcome.latency_ms / 1000)
            tokens.append(outcome.usage.prompt_tokens + outcome.usage.completion_tokens)
            formats.add(f"{outcome.response_format} ({outcome.status})")
    grade_p50, critique_p50 = statistics.median(grading), statistics.median(critiques)
    print(f"grade without the LLM, p50 over {ANSWERS}    {grade_p50 * 1000:8.0f} ms")
    print(
        f"critique (llama.cpp, SmolLM2-135M), p50  {critique_p50 * 1000:8.0f} ms   ratio {critique_p50 / grade_p50:6.0f}x"
    )
    print(f"tokens per critique, mean               {statistics.mean(tokens):8.0f}")
    print(f"response format and status              {', '.join(sorted(formats))}")
