"""The service under load, over loopback, side by side with the bare batched encode of the same model.

Starts `viva serve` (SQLite in a temporary folder), then measures:
- the bare rate: the same answers' sentences through `SentenceTransformer.encode`
  (batches of 64) in this process, in answers per second, and through the int8 ONNX
  build of the same model;
- one answer end to end, sent one after another: p50 and p95 latency;
- answers per second with 16 and with 32 concurrent clients (bounded in count and
  time), as a ratio of the bare rate (target >= 0.8, p95 < 1 s at 32), with the
  server's mean grading batch, its CPU time per answer, the cores it kept busy, and
  the rate its CPU time per answer would allow with every core busy (the ceiling on
  this machine);
- the same 32 clients on `POST /api/v1/grade`, which stores nothing: the cost of
  storing each answer and asking the next question is the difference;
- the server's resident memory when ready and after the load (target < 1 GB);
for a server on the default model and one on its int8 ONNX build.
"""

from __future__ import annotations

import asyncio
import os
import re
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

from bench import datasets
from tests.server import ServerProcess
from viva.grading import LocalEmbedder
from viva.grading.embedders import BUNDLED_MODEL, ONNX_INT8_MODEL, Embedder
from viva.grading.onnx_embedder import OnnxEmbedder

SEQUENTIAL = 100
PER_CLIENT = 12
TIME_LIMIT = 120.0


def _rows() -> list[datasets.Labelled]:
    return [r for r in datasets.labelled() if r.level in datasets.BASE_LEVELS]


def _answers() -> list[str]:
    return [r.answer for r in _rows()]


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


Load = tuple[int, float, list[float]]
"""Answers done, seconds taken, each answer's latency."""
Request = tuple[str, dict[str, object], dict[str, str]]
"""A POST: its path, JSON body and headers."""


async def concurrent(server: ServerProcess, answers: list[str], clients: int) -> Load:
    """Each client starts an interview and answers its questions: stored, graded, the next one asked."""

    async def candidate(number: int, http: httpx.AsyncClient) -> list[Request]:
        body = {"candidate": f"C{number}", "count": PER_CLIENT, "follow_ups": False}
        started = (await http.post("/api/v1/interviews", json=body)).json()
        auth = {"Authorization": f"Bearer {started['token']}"}
        path = f"/api/v1/interviews/{started['id']}/answers"
        return [
            (path, {"answer": answers[(number * PER_CLIENT + i) % len(answers)]}, auth)
            for i in range(PER_CLIENT)
        ]

    return await _run(server, clients, candidate)


async def grading_only(server: ServerProcess, rows: list[datasets.Labelled], clients: int) -> Load:
    """Each client sends answers to `POST /api/v1/grade`: graded, nothing stored."""

    async def client(number: int, _: httpx.AsyncClient) -> list[Request]:
        picked = [rows[(number * PER_CLIENT + i) % len(rows)] for i in range(PER_CLIENT)]
        return [("/api/v1/grade", {"question": r.question, "answer": r.answer}, {}) for r in picked]

    return await _run(server, clients, client)


async def _run(
    server: ServerProcess, clients: int, plan: Callable[[int, httpx.AsyncClient], Awaitable[list[Request]]]
) -> Load:
    """`clients` clients side by side, each sending its planned requests one after another until TIME_LIMIT."""
    latencies: list[float] = []
    deadline = time.monotonic() + TIME_LIMIT

    async def client(number: int, http: httpx.AsyncClient) -> int:
        done = 0
        for path, body, headers in await plan(number, http):
            if time.monotonic() > deadline:
                break
            begin = time.perf_counter()
            response = await http.post(path, json=body, headers=headers)
            latencies.append(time.perf_counter() - begin)
            response.raise_for_status()
            done += 1
        return done

    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(base_url=server.url, timeout=120, limits=limits) as http:
        begin = time.perf_counter()
        counts = await asyncio.gather(*(client(n, http) for n in range(clients)))
        elapsed = time.perf_counter() - begin
    return sum(counts), elapsed, latencies


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def bare_encode_rate(embedder: Embedder, answers: list[str]) -> float:
    """Answers per second through the model alone: their sentences, batched, no grading around it."""
    sentences = datasets.sentences(answers)
    embedder.encode(sentences[:64])  # warm up
    begin = time.perf_counter()
    embedder.encode(sentences)
    return len(answers) / (time.perf_counter() - begin)


def cpu_seconds(server: ServerProcess) -> float:
    """The server process's CPU time so far, user and system, all threads."""
    assert server.process is not None
    fields = Path(f"/proc/{server.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def resident_mb(server: ServerProcess) -> float:
    assert server.process is not None
    status = Path(f"/proc/{server.process.pid}/status").read_text()
    match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    assert match, "no VmRSS: this benchmark reads Linux's /proc"
    return int(match.group(1)) / 1024


def mean_batch(server: ServerProcess) -> tuple[float, float]:
    """The server's grading batches so far: (count, total answers)."""
    text = httpx.get(server.url + "/metrics").text
    count = re.search(r"^viva_grading_batch_size_count (\S+)$", text, re.MULTILINE)
    total = re.search(r"^viva_grading_batch_size_sum (\S+)$", text, re.MULTILINE)
    assert count and total
    return float(count.group(1)), float(total.group(1))


def run() -> None:
    answers = _answers()
    measured = answers[: 32 * PER_CLIENT]
    # Both encoders side by side in this process: the target's denominator is the bare
    # sentence-transformers encode of the default model, whatever the server runs.
    bare = {
        BUNDLED_MODEL: bare_encode_rate(LocalEmbedder(), measured),
        ONNX_INT8_MODEL: bare_encode_rate(OnnxEmbedder(), measured),
    }
    for model, rate in bare.items():
        print(f"bare batched encode, {model:<22}{rate:7.1f} answers/s")
    for model in bare:
        print(f"\n== server with VIVA_EMBEDDING_MODEL={model}")
        serve(model, answers, bare[BUNDLED_MODEL], bare[model])


def serve(model: str, answers: list[str], bare_default: float, bare_own: float) -> None:
    with tempfile.TemporaryDirectory() as folder:
        # One token answers 50 questions in a row here, faster than any candidate types, and every
        # client sends its grades from one address.
        env = {
            "VIVA_DATA_DIR": folder,
            "VIVA_ANSWER_RATE": "100000/minute",
            "VIVA_GRADE_RATE": "100000/minute",
            "VIVA_EMBEDDING_MODEL": model,
        }
        server = ServerProcess(env, Path(folder) / "server.log").start()
        try:
            ready_mb = resident_mb(server)
            latencies = sequential(server, answers)
            print(
                f"sequential, {SEQUENTIAL} answers                p50 {statistics.median(latencies) * 1000:6.0f} ms"
                f"   p95 {percentile(latencies, 0.95) * 1000:6.0f} ms"
            )
            for clients in (16, 32):
                batches_before, answers_before = mean_batch(server)
                cpu_before = cpu_seconds(server)
                done, elapsed, under_load = asyncio.run(concurrent(server, answers, clients))
                batches, graded = mean_batch(server)
                rate = done / elapsed
                cpu = (cpu_seconds(server) - cpu_before) / done
                print(
                    f"{clients} concurrent clients, {done} answers      {rate:7.1f} answers/s"
                    f"   ratio to bare {rate / bare_default:5.2f} (target >= 0.8; to its own encoder's"
                    f" bare rate {rate / bare_own:4.2f})"
                    f"   p95 {percentile(under_load, 0.95) * 1000:6.0f} ms"
                    f"   mean batch {(graded - answers_before) / max(1.0, batches - batches_before):4.1f}"
                    f"   server CPU {cpu * 1000:4.1f} ms per answer, {rate * cpu:3.1f} of {os.cpu_count()} cores busy"
                    f" (at most {(os.cpu_count() or 1) / cpu:4.1f} answers/s, ratio {(os.cpu_count() or 1) / cpu / bare_default:4.2f})"
                )
            # The same load on grading alone: what storing each answer and asking the next question costs.
            cpu_before = cpu_seconds(server)
            done, elapsed, under_load = asyncio.run(grading_only(server, _rows(), 32))
            print(
                f"32 clients on POST /api/v1/grade (nothing stored) {done / elapsed:7.1f} answers/s"
                f"   p95 {percentile(under_load, 0.95) * 1000:6.0f} ms"
                f"   server CPU {(cpu_seconds(server) - cpu_before) / done * 1000:4.1f} ms per answer"
            )
            loaded_mb = resident_mb(server)
            print(f"server RSS when ready                     {ready_mb:7.0f} MB")
            print(
                f"server RSS after the load                 {loaded_mb:7.0f} MB"
                f"   ratio to 1 GB {loaded_mb / 1024:5.2f} (target < 1)"
            )
        finally:
            server.kill()
