"""A small OpenAI-compatible server for the tests, run for real on a loopback port.

It answers `/v1/embeddings` like an embeddings server (vectors from the hashing
embedder, deliberately not normalised, in shuffled order with their `index`, as
real servers may) so the client's handling of the wire format is exercised.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI
from pydantic import BaseModel

from viva.grading import HashingEmbedder


class EmbeddingRequest(BaseModel):
    model: str
    input: list[str] | str


def create_app() -> FastAPI:
    app = FastAPI()
    embedder = HashingEmbedder(dimensions=64)
    app.state.requests = []

    @app.post("/v1/embeddings")
    def embeddings(request: EmbeddingRequest) -> dict[str, object]:
        texts = [request.input] if isinstance(request.input, str) else request.input
        app.state.requests.append(texts)
        vectors = embedder.encode(texts) * 3.0
        data = [
            {"object": "embedding", "index": i, "embedding": vectors[i].tolist()} for i in range(len(texts))
        ]
        return {
            "object": "list",
            "data": data[::-1],
            "model": request.model,
            "usage": {"prompt_tokens": 0, "total_tokens": 0},
        }

    return app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """Run `app` on a free loopback port in a thread; yield its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the fake server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
