"""A real LLM for the tests: llama.cpp's server with SmolLM2-135M (`python -m viva.llm.local`), on loopback."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.fakes.openai_server import free_port
from viva.llm.local import INSTALL as INSTALL
from viva.llm.local import MODEL_FILE, MODEL_PACKAGE

TIMEOUT = 180.0
"""Generous: on two cores under other load, generation slows a hundredfold."""


def available() -> bool:
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    has_model = (
        spec is not None and spec.origin is not None and (Path(spec.origin).parent / MODEL_FILE).exists()
    )
    return has_model and importlib.util.find_spec("xllamacpp") is not None


@contextmanager
def llama_server(log: Path) -> Iterator[str]:
    """Yield the base URL (…/v1) of a running llama.cpp server; it is stopped afterwards."""
    if not available():
        raise RuntimeError(f"The local LLM is not installed: {INSTALL}")
    port = free_port()
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "viva.llm.local", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the llama.cpp server exited: {log.read_text()[-1000:]}")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/v1/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the llama.cpp server did not start")
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
