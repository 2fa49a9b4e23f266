"""Run every benchmark: `python -m bench [NAME ...]`."""

import importlib
import sys

BENCHMARKS = [
    "bank_load",
    "grading_speed",
    "calibrate",
    "contradictions",
    "delivery",
    "startup",
    "load",
    "critique",
]


def main(names: list[str]) -> None:
    for name in names or BENCHMARKS:
        module = importlib.import_module(f"bench.{name}")
        print(f"== {name}: {(module.__doc__ or '').strip().splitlines()[0]}")
        module.run()


if __name__ == "__main__":
    main(sys.argv[1:])
