"""The service under load, over loopback, side by side with the bare grading rate of the same model.

Starts `viva serve` (SQLite in a temporary folder), then measures:
- one answer end to end, sent one after another: p50 and p95 latency;
- answers per second with 16 and with 32 concurrent clients (bounded in count and time);
- the bare rate: `grade_many` over the same answers in this process, one batch;
and prints the service's throughput as a ratio of the bare rate.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from bench import datasets
from tests.server import ServerProcess
from viva.grading import load_grader

SEQUENTIAL = 100
PER_CLIENT = 12
TIME_LIMIT = 120.0


def _answers() -> list[str]:
    return [r.answer for r in datasets.labelled() if r.level in datasets.BASE_LEVELS]


def _start(client: httpx.Client, count: int) -> tuple[str, dict[str, str]]:
    body = {"candidate": "Load", "count": count, "follow_ups": False}
    started = client.post("/api/v1/interviews", json=body).json()
    return started["id"], {"Authorization": f"Bearer {started['token']}"}


def sequential(server: ServerProcess, answers: list[str]) -> list[float]:
    latencies: list[float] = []
    with server.client() as client:
        interview, auth = "", dict[str, str]()
        for i in range(SEQUENTIAL):
            if i % 50 == 0:
                interview, auth = _start(client, 50)
            start = time.perf_counter()
            response = client.post(
                f"/api/v1/interviews/{interview}/answers", json={"answer": answers[i]}, headers=auth
            )
            latencies.append(time.perf_counter() - start)
            response.raise_for_status()
    return latencies


async def concurrent(
    server: ServerProcess, answers: list[str], clients: int
) -> tuple[int, float, list[float]]:
    latencies: list[float] = []
    deadline = time.monotonic() + TIME_LIMIT

    async def candidate(number: int, http: httpx.AsyncClient) -> int:
        started = (
            await http.post(
                "/api/v1/interviews",
                json={"candidate": f"C{number}", "count": PER_CLIENT, "follow_ups": False},
            )
        ).json()
        auth = {"Authorization": f"Bearer {started['token']}"}
        done = 0
        for i in range(PER_CLIENT):
            if time.monotonic() > deadline:
                break
            text = answers[(number * PER_CLIENT + i) % len(answers)]
            begin = time.perf_counter()
            response = await http.post(
                f"/api/v1/interviews/{started['id']}/answers", json={"answer": text}, headers=auth
            )
            latencies.append(time.perf_counter() - begin)
            response.raise_for_status()
            done += 1
        return done

    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(base_url=server.url, timeout=120, limits=limits) as http:
        begin = time.perf_counter()
        counts = await asyncio.gather(*(candidate(n, http) for n in range(clients)))
        elapsed = time.perf_counter() - begin
    return sum(counts), elapsed, latencies


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run() -> None:
    answers = _answers()
    grader = load_grader()
    sample = answers[: 32 * PER_CLIENT]
    grader.grade_many([(7, a) for a in sample[:16]])  # warm up
    begin = time.perf_counter()
    grader.grade_many([(7, a) for a in sample])
    bare_rate = len(sample) / (time.perf_counter() - begin)
    del grader
    with tempfile.TemporaryDirectory() as folder:
        server = ServerProcess({"VIVA_DATA_DIR": folder}, Path(folder) / "server.log").start()
        try:
            latencies = sequential(server, answers)
            print(f"bare grading rate (grade_many, this process)  {bare_rate:7.1f} answers/s")
            print(
                f"sequential, {SEQUENTIAL} answers                    p50 {statistics.median(latencies) * 1000:6.0f} ms"
                f"   p95 {percentile(latencies, 0.95) * 1000:6.0f} ms"
            )
            for clients in (16, 32):
                done, elapsed, under_load = asyncio.run(concurrent(server, answers, clients))
                rate = done / elapsed
                print(
                    f"{clients} concurrent clients, {done} answers          {rate:7.1f} answers/s"
                    f"   ratio to bare {rate / bare_rate:5.2f}   p95 {percentile(under_load, 0.95) * 1000:6.0f} ms"
                )
        finally:
            server.kill()
