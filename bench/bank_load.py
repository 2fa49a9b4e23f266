"""Loading and validating the question bank, against parsing its YAML alone.

Validation is the cost that loading adds over reading the files; the ratio
says what every start-up and every `viva bank` command pays for it.
"""

import time

import yaml

from viva.bank import load_bank
from viva.bank.loading import rubric_files
from viva.resources import resource_dir


def _best_of(repeats: int, work: object) -> float:
    assert callable(work)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def run() -> None:
    directory = resource_dir("rubrics")
    files = rubric_files(directory)
    parse = _best_of(10, lambda: [yaml.safe_load(p.read_text(encoding="utf-8")) for p in files])
    parse_c = _best_of(
        10, lambda: [yaml.load(p.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader) for p in files]
    )
    load = _best_of(10, lambda: load_bank(directory))
    print(f"parse YAML, pure Python    {parse * 1000:7.1f} ms")
    print(f"parse YAML, libyaml        {parse_c * 1000:7.1f} ms")
    print(f"load_bank (libyaml)        {load * 1000:7.1f} ms")
    print(f"ratio load_bank / parse    {load / parse:7.2f}  (load_bank against the pure-Python parse)")
