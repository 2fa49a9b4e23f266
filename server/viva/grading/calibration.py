"""The fitted constants of grading, shipped as data (`calibration.json`) rather than scattered in code.

`bench/calibrate.py` fits them (on half the questions of the labelled ML set for
the report, then on all of it for the shipped file; on Mohler's assignments for
reference mode) and writes the file; this module only reads it. Each field says
what it controls; the fitting script says how it was chosen.
"""

from __future__ import annotations

import hashlib
import json
import math
from functools import lru_cache
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

CALIBRATION_FILE = Path(__file__).with_name("calibration.json")


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PointCalibration(Frozen):
    """How strongly an answer makes a key point, 0 to 1: the stronger of two readings.

    In wording: a weighted mix of the question-demoted cosine of the closest clause,
    the token-level recall of the point's words and their stem overlap, rescaled
    from `low`..`high`. In meaning alone: the demoted cosine, rescaled from
    `meaning_low`..`meaning_high`, so a paraphrase in other words can count too.
    """

    w_demoted: float = Field(description="Weight of the question-demoted cosine of the best unit.")
    w_recall: float = Field(description="Weight of the token-level recall of the point's words.")
    w_lexical: float = Field(description="Weight of the share of the point's word stems the answer uses.")
    low: float = Field(description="Mix at or below which the point is not made at all (strength 0).")
    high: float = Field(description="Mix at or above which the point is fully made (strength 1).")
    meaning_low: float = Field(
        description="Demoted cosine at or below which the clause alone does not make it."
    )
    meaning_high: float = Field(
        description="Demoted cosine at or above which the clause alone fully makes it."
    )
    covered: float = Field(description="Strength from which a point counts as covered.")
    partial: float = Field(description="Strength from which a point counts as partly covered.")
    conflict_penalty: float = Field(
        description="Share of a point's strength lost when its best match negates it or swaps in an antonym."
    )


class MisconceptionCalibration(Frozen):
    """When a clause states a misconception rather than the key point it contradicts."""

    full_share: float = Field(
        description="Similarities mix the question-demoted cosine and, with this share, the full cosine."
    )
    min_similarity: float = Field(
        description="Least (mixed) cosine between the clause and the misconception."
    )
    min_margin: float = Field(
        description="How much closer to the misconception than to the key point it must be."
    )
    min_margin_any: float = Field(
        description="How much closer to the misconception than to any correct statement of the rubric it must be."
    )
    min_words: int = Field(description="Least content words in the clause: fragments state nothing.")
    min_recall_gap: float = Field(
        description="How much more of the misconception's wording than of the key point's the answer must recall."
    )
    min_distinct: float = Field(
        description="Least share of the misconception's own words (used by no correct statement) in the clause."
    )
    verbatim: float = Field(
        description="A clause this close (question-demoted cosine) to a wording of the misconception states it "
        "whatever the margins, if it is closer to it than to the key point it denies: the misconception in "
        "the rubric's own words ('F1 is just the average of precision and recall') sits close to the key "
        "point too ('the harmonic mean of precision and recall'), inside any margin. Above 1: never."
    )


class AnswerCalibration(Frozen):
    """A linear score over answer-level features, then an increasing map onto 0-100."""

    features: list[str] = Field(description="Names of the features, in the order of `weights`.")
    means: list[float]
    scales: list[float]
    weights: list[float]
    intercept: float
    curve_x: list[float] = Field(description="Isotonic map: raw linear scores...")
    curve_y: list[float] = Field(description="...and the 0-100 scores they map to (linear in between).")

    def score(self, values: dict[str, float]) -> float:
        x = np.array([values[name] for name in self.features])
        raw = float(
            (x - np.array(self.means)) / np.array(self.scales) @ np.array(self.weights) + self.intercept
        )
        return float(np.interp(raw, self.curve_x, self.curve_y))


class LeanCalibration(Frozen):
    """How much of its score an answer keeps when its units lean towards the rubric's misconceptions
    (`Assessment.lean`), short of stating one plainly enough to be flagged.

    A logistic fit of the lean gives the chance that the answer is one of the labelled set's
    wrong ones. An answer no likelier to be wrong than three honest answers in four keeps its whole
    score; above that it keeps ((1 - chance) / (1 - neutral)) ** exponent.
    """

    intercept: float = Field(description="Logistic intercept of the chance that the answer is wrong.")
    weight: float = Field(description="Logistic weight of the lean.")
    neutral: float = Field(
        description="The honest answers' 75th percentile chance: at or below it nothing is taken off."
    )
    exponent: float = Field(description="How steeply the share kept falls as the chance rises.")
    flag_below: float = Field(
        description="Policy, not fitted: an answer keeping less than this share is told why (a flag)."
    )

    def kept(self, lean: float) -> float:
        """The share of its score an answer with this lean keeps, 0 to 1."""
        chance = 1.0 / (1.0 + math.exp(-(self.intercept + self.weight * lean)))
        return float(min(1.0, (1.0 - chance) / (1.0 - self.neutral)) ** self.exponent)


class Caps(Frozen):
    """The most an answer can score when it is flagged; flags never raise a score."""

    grader_instructions: int
    off_topic: int
    keyword_list: int
    echo: int
    gibberish: int
    misconception: int


class Thresholds(Frozen):
    off_topic_margin: float = Field(
        description="Flag off-topic when another question's key points fit the answer better by this much."
    )
    off_topic_coverage: float = Field(
        description="...and the answer covers less than this of its own rubric."
    )
    echo_share: float = Field(
        description="Flag echo when this share of the answer's content words is the question's,"
    )
    echo_novel: int = Field(description="...it adds at most this many words of its own...")
    echo_coverage: float = Field(description="...and it covers less than this of the rubric.")
    reference_off_topic: float = Field(
        description="Reference mode: flag off-topic when the answer's cosines with the reference, the "
        "question's words left out (pooled, and each embedded as a text of its own), are both below this.",
    )


class Calibration(Frozen):
    version: str = Field(
        description="What it was fitted on (`all` or `half`) and a fingerprint of its constants: every grade "
        "names the constants that scored it, and a refit that moves any of them is a new version."
    )
    fitted_on: str = Field(description="What the constants were fitted on.")
    point: PointCalibration
    misconception: MisconceptionCalibration
    rubric: AnswerCalibration = Field(description="Score of an answer graded against a rubric.")
    reference: AnswerCalibration = Field(description="Score of an answer graded against a reference answer.")
    lean: LeanCalibration = Field(description="Rubric mode: what leaning towards misconceptions costs.")
    caps: Caps
    thresholds: Thresholds
    bands: list[tuple[int, str]] = Field(description="(lowest score, band), from the highest band down.")

    def band(self, score: int) -> str:
        return next(name for lowest, name in self.bands if score >= lowest)

    def fingerprint(self) -> str:
        constants = self.model_dump(mode="json", exclude={"version", "fitted_on"})
        return hashlib.sha256(json.dumps(constants, sort_keys=True).encode()).hexdigest()[:12]


def load_calibration(path: Path = CALIBRATION_FILE) -> Calibration:
    return Calibration.model_validate(json.loads(path.read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def shipped_calibration() -> Calibration:
    """The calibration bundled with the package."""
    return load_calibration()
