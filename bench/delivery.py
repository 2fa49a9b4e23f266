"""Delivery checks against answers labelled by hand: a definition first, a concrete example, a trade-off.

Each check is a yes or no a candidate reads beside the score ("example ✗"): told
there is no example after giving one, they stop trusting the rest. Agreement,
precision and recall per check, on the answers the checks were written against
and on a sealed set by another writer; a chart of the agreement side by side.
"""

from __future__ import annotations

from pathlib import Path

from bench import datasets
from viva.bank import Bank, load_bank
from viva.grading.delivery import assess_delivery
from viva.resources import resource_dir

CHART = Path(__file__).resolve().parent / "results" / "delivery.png"
CHECKS = {"definition": "opens_with_definition", "example": "gives_example", "trade_off": "names_trade_off"}


def agreement(bank: Bank, rows: list[datasets.DeliveryLabels]) -> dict[str, tuple[float, float, float]]:
    """For each check: the share of answers where it agrees with the label, its precision and its recall."""
    found = [assess_delivery(bank.get(row.question), row.answer) for row in rows]
    figures = {}
    for label, field in CHECKS.items():
        pairs = [
            (bool(getattr(d, field)), bool(getattr(row, label))) for d, row in zip(found, rows, strict=True)
        ]
        hits = sum(said and truth for said, truth in pairs)
        said = sum(s for s, _ in pairs)
        true = sum(t for _, t in pairs)
        figures[label] = (
            sum(s == t for s, t in pairs) / len(pairs),
            hits / said if said else float("nan"),
            hits / true if true else float("nan"),
        )
    return figures


def chart(results: dict[str, dict[str, tuple[float, float, float]]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    figure, axis = plt.subplots(figsize=(7, 4))
    x = np.arange(len(CHECKS))
    width = 0.8 / len(results)
    for i, (name, figures) in enumerate(results.items()):
        axis.bar(x + i * width, [figures[label][0] for label in CHECKS], width, label=name)
    axis.set_xticks(x + width * (len(results) - 1) / 2, list(CHECKS))
    axis.set_ylim(0, 1)
    axis.set_ylabel("agreement with the labels")
    axis.legend(loc="lower right")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)


def run() -> None:
    sets = {
        "written against (200)": datasets.delivery(),
        "sealed, never tuned on": datasets.delivery(datasets.DELIVERY_SEALED),
    }
    bank = load_bank(resource_dir("rubrics"))
    results = {name: agreement(bank, rows) for name, rows in sets.items()}
    print(f"{'answers':<24} {'check':<11} {'agree':>6} {'precision':>9} {'recall':>7}")
    for name, figures in results.items():
        for label, (agree, precision, recall) in figures.items():
            print(f"{name:<24} {label:<11} {agree:>6.2f} {precision:>9.2f} {recall:>7.2f}")
    chart(results, CHART)
    print(f"chart: {CHART.relative_to(Path.cwd()) if CHART.is_relative_to(Path.cwd()) else CHART}")
