"""Charts people would rather look at than read: agreement with human grades, scores per group."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def agreement_chart(
    viva: np.ndarray, human: np.ndarray, pearson_by_group: dict[str, float], path: Path
) -> None:
    """Left: Viva's score against the human grade, one dot per answer. Right: Pearson per group."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (scatter, bars) = plt.subplots(1, 2, figsize=(11, 4.5), gridspec_kw={"width_ratios": [1, 1.2]})
    jitter = np.random.default_rng(0).uniform(-0.08, 0.08, len(human))
    scatter.scatter(human + jitter, viva, s=9, alpha=0.45)
    scatter.set_xlabel("human grade")
    scatter.set_ylabel("Viva score (0-100)")
    scatter.set_title("Viva against human grades")
    names = list(pearson_by_group)
    bars.barh(names, [pearson_by_group[n] for n in names])
    bars.set_xlim(min(0.0, *pearson_by_group.values()) if names else 0.0, 1.0)
    bars.set_xlabel("Pearson r")
    bars.set_title("Agreement per group")
    bars.invert_yaxis()
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
