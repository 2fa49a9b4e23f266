"""A small OpenAI-compatible server for the tests, run for real on a loopback port.

`/v1/embeddings` answers like an embeddings server (vectors from the hashing
embedder, deliberately not normalised, in shuffled order with their `index`, as
real servers may). `/v1/chat/completions` plays an LLM critic in the mode a test
sets (`app.state.mode`): a good critique, flattery, a score stated in words, malformed JSON, a reply
cut off at its token limit, HTTP 500, HTTP 429 with Retry-After, a
reply slower than any timeout, a server that refuses `json_schema` output, or a 200
that is no chat completion (HTML, another JSON, no choices); any
reply can take a while first (`app.state.thinking`, seconds).
Every request is recorded in `app.state.requests` / `app.state.chats`.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel

from viva.grading import HashingEmbedder

MODES = (
    "good",
    "flattery",
    "flattery_quoting",
    "score_in_words",
    "malformed",
    "error",
    "slow",
    "schema_rejected",
)
SLOW_SECONDS = 5.0


class EmbeddingRequest(BaseModel):
    model: str
    input: list[str] | str


def _answer(prompt: str) -> str:
    found = re.search(r"<<<ANSWER\n(.*)\nANSWER>>>", prompt, re.DOTALL)
    return found.group(1) if found else ""


def _point_ids(prompt: str) -> list[str]:
    rubric = prompt.split("Wrong ideas", 1)[0]
    return re.findall(r"^- \[([a-z0-9-]+)\]", rubric, re.MULTILINE)


def _critique(mode: str, prompt: str) -> str:
    answer, ids = _answer(prompt), _point_ids(prompt)
    words = answer.split()
    if mode in ("flattery", "flattery_quoting"):
        quote = " ".join(words[:5]) if mode == "flattery_quoting" else "an excellent and complete answer"
        praise = {i: {"verdict": "covered", "reason": "Perfect.", "quote": quote} for i in ids}
        return json.dumps(
            {"critique": "Perfect answer, 100/100!", "score": 100, "grade": "A+", "key_points": praise}
        )
    if mode == "score_in_words":  # a mark stated in words, not as a fraction after a comma
        return json.dumps(
            {
                "critique": "A clear definition of overfitting. This answer deserves 100. "
                "I would rate this answer 100 out of 100.",
                "suggestion": "Score: 100. Name one way to prevent it.",
            }
        )
    if mode == "malformed":
        return 'Sure! Here is my review: {"critique": "Good start", "suggestion": '
    verdicts: dict[str, Any] = {}
    if ids and len(words) >= 4:
        verdicts[ids[0]] = {"verdict": "covered", "reason": "Stated plainly.", "quote": " ".join(words[:4])}
    if len(ids) > 1:
        verdicts[ids[-1]] = {"verdict": "missed", "reason": "Not mentioned at all.", "quote": ""}
    reply = {
        "critique": "A clear definition; it needs a concrete example and a trade-off.",
        "suggestion": "Close with one trade-off.",
        "key_points": verdicts,
        "misconceptions": [],
        "follow_up": "How would you spot this in a live system?",
        "score": 97,
    }
    return "```json\n" + json.dumps(reply) + "\n```" if mode == "schema_rejected" else json.dumps(reply)


def create_app() -> FastAPI:
    app = FastAPI()
    embedder = HashingEmbedder(dimensions=64)
    app.state.requests = []
    app.state.chats = []
    app.state.mode = "good"
    app.state.thinking = 0.0  # seconds before any reply, as a real model takes

    @app.post("/v1/embeddings")
    def embeddings(request: EmbeddingRequest) -> dict[str, object]:
        texts = [request.input] if isinstance(request.input, str) else request.input
        app.state.requests.append(texts)
        vectors = embedder.encode(texts) * 3.0
        data = [
            {"object": "embedding", "index": i, "embedding": vectors[i].tolist()} for i in range(len(texts))
        ]
        usage = {"prompt_tokens": 0, "total_tokens": 0}
        return {"object": "list", "data": data[::-1], "model": request.model, "usage": usage}

    @app.post("/v1/chat/completions")
    async def chat(request: Request) -> Response:
        body = await request.json()
        app.state.chats.append(body)
        mode = app.state.mode
        await asyncio.sleep(app.state.thinking)
        wanted = (body.get("response_format") or {}).get("type", "text")
        if mode == "rate_limited":  # 429 until the Retry-After it gave first has passed, as OpenAI does
            app.state.limited_until = getattr(app.state, "limited_until", None) or time.monotonic() + 1
            if time.monotonic() < app.state.limited_until:
                return JSONResponse(
                    {"error": {"message": "Rate limit reached", "type": "requests"}},
                    status_code=429,
                    headers={"Retry-After": str(math.ceil(app.state.limited_until - time.monotonic()))},
                )
        if mode == "error":
            return JSONResponse(
                {"error": {"message": "the model crashed", "type": "server_error"}}, status_code=500
            )
        if mode == "schema_rejected" and wanted == "json_schema":
            return JSONResponse({"error": {"message": "json_schema is not supported"}}, status_code=500)
        if mode == "slow":
            await asyncio.sleep(SLOW_SECONDS)
        # Answered 200, but not with a chat completion: a proxy's page, another API, an empty choice list.
        if mode == "not_json":
            return HTMLResponse("<html><body>Bad gateway</body></html>")
        if mode == "wrong_shape":
            return JSONResponse({"hello": "world"})
        if mode == "no_choices":
            return JSONResponse(
                {"id": "x", "object": "chat.completion", "created": 0, "model": "m", "choices": []}
            )
        prompt = body["messages"][-1]["content"]
        content = _critique(mode, prompt)
        if mode == "cut_off":  # the reply ran into max_tokens, as a small model's loop does
            content = content[: len(content) // 2]
        return JSONResponse(
            {
                "id": "chatcmpl-fake",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body.get("model", "fake"),
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": content},
                        "finish_reason": "length" if mode == "cut_off" else "stop",
                    }
                ],
                "usage": {
                    "prompt_tokens": len(prompt) // 4,
                    "completion_tokens": len(content) // 4,
                    "total_tokens": 0,
                },
            }
        )

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
        thread.join(timeout=15)
