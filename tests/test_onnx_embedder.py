"""The int8 ONNX model is the bundled model without torch: the same vectors, the same grades."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from tests.test_grading import STRONG_OVERFITTING
from viva.config import Settings
from viva.grading import LocalEmbedder, load_grader
from viva.grading.embedders import ONNX_INT8_MODEL, Ranges
from viva.grading.onnx_embedder import OnnxEmbedder
from viva.resources import resource_dir

SENTENCES = [
    "Overfitting is when a model memorises the noise in its training data.",
    "Bagging reduces variance; boosting reduces bias.",
    "What's the difference between L1 and L2 regularisation?",
    "idk",
    "",
    "The gradient vanishes as it flows back through many sigmoid layers, so early layers barely learn.",
    "Precision = TP / (TP + FP), recall = TP / (TP + FN).",
    "Überanpassung heißt: das Modell lernt das Rauschen auswendig.",
    "Bake the bread at 220 °C for thirty minutes 🍞.",
    "asdf qwer zxcv",
    "   Leading and trailing spaces, and\na line break.   ",
    "A model that " + "keeps talking about features and labels and " * 60 + "never stops.",
]


@pytest.fixture(scope="module")
def onnx() -> OnnxEmbedder:
    return OnnxEmbedder()


def cosines(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    return np.asarray((first * second).sum(axis=1))


def test_int8_vectors_point_where_the_torch_models_do(onnx: OnnxEmbedder, embedder: LocalEmbedder) -> None:
    ours, theirs = onnx.encode(SENTENCES), embedder.encode(SENTENCES)
    assert ours.shape == theirs.shape == (len(SENTENCES), 384)
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    assert cosines(ours, theirs).min() >= 0.99


def test_int8_pieces_pool_like_the_torch_models(onnx: OnnxEmbedder, embedder: LocalEmbedder) -> None:
    texts = [text for text in SENTENCES if text.strip()]
    pieces: list[list[Ranges]] = [
        [
            [(0, len(text))],  # the whole text
            [(0, len(text) // 3)],  # its start
            [(0, 5), (len(text) - 10, len(text))],  # two ranges as one piece
            [(len(text) - 4, len(text))],  # its last word, cut off by truncation in the longest text
        ]
        for text in texts
    ]
    ours, theirs = onnx.encode_spans(texts, pieces), embedder.encode_spans(texts, pieces)
    for text, mine, reference in zip(texts, ours, theirs, strict=True):
        assert mine.shape == (4, 384)
        assert cosines(mine, reference).min() >= 0.99, text


def test_choosing_the_int8_model_loads_neither_torch_nor_sentence_transformers(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from viva.config import Settings\n"
        "from viva.grading.embedders import embedder_from_settings\n"
        "embedder = embedder_from_settings(Settings())\n"
        "assert embedder.encode(['Dropout is disabled at test time.']).shape == (1, 384)\n"
        "print(type(embedder).__name__, *sorted(m for m in ('torch', 'sentence_transformers', 'onnxruntime')"
        " if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "VIVA_EMBEDDING_MODEL": ONNX_INT8_MODEL, "VIVA_DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["OnnxEmbedder", "onnxruntime"]


def test_a_strong_answer_gets_the_same_statuses_from_either_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bank = yaml.safe_load((resource_dir("rubrics") / "fundamentals.yaml").read_text(encoding="utf-8"))
    bank["questions"] = [q for q in bank["questions"] if q["id"] == "overfitting"]
    (tmp_path / "rubrics").mkdir()
    (tmp_path / "rubrics" / "overfitting.yaml").write_text(yaml.safe_dump(bank), encoding="utf-8")
    monkeypatch.setenv("VIVA_RUBRICS_DIR", str(tmp_path / "rubrics"))
    grades = {}
    for model in ("all-MiniLM-L6-v2", ONNX_INT8_MODEL):
        monkeypatch.setenv("VIVA_EMBEDDING_MODEL", model)
        monkeypatch.setenv("VIVA_CACHE_DIR", str(tmp_path / "cache" / model))
        grades[model] = load_grader(Settings()).grade("overfitting", STRONG_OVERFITTING)
    torch_grade, int8_grade = grades["all-MiniLM-L6-v2"], grades[ONNX_INT8_MODEL]
    assert torch_grade.band in ("good", "strong")
    assert int8_grade.grader.embedding_model == ONNX_INT8_MODEL
    assert [(p.id, p.status) for p in int8_grade.key_points] == [
        (p.id, p.status) for p in torch_grade.key_points
    ]
    # Within two points; the band follows the score, so at a band's edge (80 and 79) it may differ.
    assert abs(int8_grade.score - torch_grade.score) <= 2
