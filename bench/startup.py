"""Cold start: `viva serve` launched to `/readyz` answering 200, with and without the rubric-embedding cache.

Each start is a new process on an empty SQLite database (migrations included). The
first start of each pair has an empty cache folder and encodes the bank; the next
ones find the cache on disk, as every restart and every replica after the first do
(the Docker image builds the cache in). Target: < 5 s with the cache.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import httpx

from tests.server import ServerProcess

STARTS = 3


def time_to_ready(env: dict[str, str], log: Path) -> float:
    server = ServerProcess(env, log)
    begin = time.perf_counter()
    server.launch()
    try:
        while True:
            assert server.process is not None and server.process.poll() is None, log.read_text()[-2000:]
            try:
                if httpx.get(server.url + "/readyz", timeout=1).status_code == 200:
                    return time.perf_counter() - begin
            except httpx.HTTPError:
                pass
            time.sleep(0.02)
    finally:
        server.kill()


def run() -> None:
    without, cached = [], []
    for _ in range(STARTS):
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            env = {"VIVA_CACHE_DIR": str(root / "cache")}
            without.append(time_to_ready(env | {"VIVA_DATA_DIR": str(root / "first")}, root / "log"))
            cached.append(time_to_ready(env | {"VIVA_DATA_DIR": str(root / "again")}, root / "log"))
    first, again = statistics.median(without), statistics.median(cached)
    print(f"to /readyz, empty embedding cache     {first:6.2f} s   (median of {STARTS})")
    print(f"to /readyz, embedding cache on disk   {again:6.2f} s   (target < 5 s)")
    print(f"ratio cached / uncached               {again / first:6.2f}")
