"""The embedding seam: the local model, an OpenAI-compatible server, and the cache of rubric embeddings."""

import os
import re
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest
from fastapi import FastAPI

from tests.fakes.openai_server import create_app, free_port, serving
from viva.bank import load_bank
from viva.grading import Grader, HashingEmbedder, LocalEmbedder, OpenAIEmbedder, rubric_index
from viva.grading.embedders import EmbeddingError, Vectors, length_batches
from viva.resources import resource_dir


@pytest.fixture
def fake_app() -> FastAPI:
    return create_app()


@pytest.fixture
def server(fake_app: FastAPI) -> Iterator[str]:
    with serving(fake_app) as url:
        yield url


class CountingEmbedder(HashingEmbedder):
    """The hashing embedder, counting the texts it is asked to encode."""

    def __init__(self) -> None:
        super().__init__()
        self.encoded = 0

    def encode(self, texts: Sequence[str]) -> Vectors:
        self.encoded += len(texts)
        return super().encode(texts)


def test_local_model_gives_unit_vectors_and_knows_synonyms(embedder: LocalEmbedder) -> None:
    vectors = embedder.encode(
        ["The model memorises noise.", "It learns the noise by heart.", "Bake the bread."]
    )
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2


def test_local_spans_from_one_pass_match_the_whole_text(embedder: LocalEmbedder) -> None:
    text = "Dropout is disabled at test time."
    whole = embedder.encode([text])[0]
    pooled = embedder.encode_spans([text], [[[(0, len(text))], [(0, 7)]]])[0]
    assert pooled[0] @ whole > 0.98  # the same text, pooled without its special tokens
    assert pooled[1] @ whole < pooled[0] @ whole


def test_a_texts_vectors_do_not_depend_on_the_texts_batched_with_it(embedder: LocalEmbedder) -> None:
    text = "Dropout is disabled at test time."
    companions = [
        "ok",
        "A much longer sentence, " + "about dropout and ensembles and noise, " * 8 + "ends here.",
    ]
    alone = embedder.encode_spans([text], [[[(0, len(text))]]])[0]
    together = embedder.encode_spans(
        [companions[0], text, companions[1]], [[[(0, 2)]], [[(0, len(text))]], [[(0, 5)]]]
    )[1]
    assert np.allclose(alone, together, atol=1e-5)


def test_batches_hold_texts_of_similar_length_and_every_text_once() -> None:
    texts = ["short", "tiny", "x" * 300, "y" * 120, "z" * 700, "a" * 60, "b" * 2000, "c" * 290]
    batches = length_batches(texts, batch_size=3)
    assert sorted(i for batch in batches for i in batch) == list(range(len(texts)))
    assert all(len(batch) <= 3 for batch in batches)
    assert {0, 1, 5} in [set(batch) for batch in batches]  # short texts share a pass
    for batch in batches:
        lengths = [len(texts[i]) for i in batch]
        assert max(lengths) <= 2 * max(64, min(lengths))


def test_hashing_embedder_is_deterministic_and_normalised() -> None:
    first = HashingEmbedder().encode(["bagging reduces variance", "boosting reduces bias", ""])
    again = HashingEmbedder().encode(["bagging reduces variance", "boosting reduces bias", ""])
    assert np.array_equal(first, again)
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-5)


def test_openai_embedder_returns_normalised_vectors_in_input_order(server: str, fake_app: FastAPI) -> None:
    client = OpenAIEmbedder(base_url=server + "/v1", model="all-MiniLM-L6-v2")
    texts = ["bagging reduces variance", "boosting reduces bias", "bagging reduces variance"]
    vectors = client.encode(texts)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.allclose(vectors[0], vectors[2])
    assert vectors[0] @ vectors[1] < 0.99
    assert fake_app.state.requests == [texts]
    assert client.name == "all-MiniLM-L6-v2"


def test_grading_through_an_embeddings_server(server: str, fake_app: FastAPI, tmp_path: Path) -> None:
    grader = Grader(
        load_bank(resource_dir("rubrics")),
        OpenAIEmbedder(base_url=server + "/v1", model="hash"),
        cache_dir=tmp_path,
    )
    before = len(fake_app.state.requests)
    answers = [(7, "Overfitting is memorising noise in the training data."), (40, "No idea.")]
    grades = grader.grade_many(answers)
    assert len(fake_app.state.requests) == before + 1  # all the answers' pieces in one request
    assert grades[0].grader.embedding_model == "hash"
    assert grades[1].score == 0


def test_an_unreachable_embeddings_server_is_a_clear_error() -> None:
    client = OpenAIEmbedder(base_url=f"http://127.0.0.1:{free_port()}/v1", model="m", timeout=2)
    with pytest.raises(EmbeddingError, match=r"embeddings server at http://127\.0\.0\.1"):
        client.encode(["text"])


def test_rubric_embeddings_are_computed_once_and_kept_on_disk(tmp_path: Path) -> None:
    bank = load_bank(resource_dir("rubrics"))
    first = CountingEmbedder()
    Grader(bank, first, cache_dir=tmp_path)
    assert first.encoded > 1000  # every key point, phrasing, misconception and model-answer clause
    second = CountingEmbedder()
    grader = Grader(bank, second, cache_dir=tmp_path)
    assert second.encoded == 0
    grader.grade(7, "Overfitting is memorising noise.")
    assert second.encoded > 0  # only the answer


def test_a_damaged_cache_is_rebuilt(tmp_path: Path) -> None:
    bank = load_bank(resource_dir("rubrics"))
    Grader(bank, HashingEmbedder(), cache_dir=tmp_path)
    for cached in tmp_path.rglob("*.npz"):
        cached.write_bytes(b"not a numpy file")
    counting = CountingEmbedder()
    grader = Grader(bank, counting, cache_dir=tmp_path)
    assert counting.encoded > 1000
    assert grader.grade(7, "I don't know").score == 0


def test_a_changed_rubric_is_re_encoded(bank_copy: Path, tmp_path: Path) -> None:
    everything = CountingEmbedder()
    Grader(load_bank(bank_copy), everything, cache_dir=tmp_path / "cache")
    path = bank_copy / "fundamentals.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("poor generalisation", "weak generalisation"))
    counting = CountingEmbedder()
    Grader(load_bank(bank_copy), counting, cache_dir=tmp_path / "cache")
    assert 0 < counting.encoded < everything.encoded / 20  # question 7 alone, of 50


def test_rubrics_cached_by_an_older_grader_are_encoded_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A cache entry keeps the rubric's content words and their vectors: after an upgrade that reads
    # words differently ("Type I" became a word), entries written before it must not be reused.
    bank = load_bank(resource_dir("rubrics"))
    with monkeypatch.context() as older:
        older.setattr(rubric_index, "_index_version", lambda: "an older grader")
        Grader(bank, HashingEmbedder(), cache_dir=tmp_path)
    counting = CountingEmbedder()
    Grader(bank, counting, cache_dir=tmp_path)
    assert counting.encoded > 1000


def _openmp_spin_count(environment: dict[str, str]) -> int:
    """How long torch's OpenMP threads spin before they sleep, in a fresh process that loads the local model."""
    loading = "from viva.grading import LocalEmbedder; LocalEmbedder()"
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"} | {"OMP_DISPLAY_ENV": "VERBOSE"}
    done = subprocess.run(
        [sys.executable, "-c", loading], env=env | environment, capture_output=True, text=True, check=True
    )
    # Each OpenMP runtime prints its settings as it loads; torch's loads last (scikit-learn,
    # imported for its stop words, brings one of its own that grading never runs).
    found = re.findall(r"GOMP_SPINCOUNT = '(\d+)'", done.stderr)
    assert found, done.stderr
    return int(found[-1])


def test_the_models_threads_sleep_between_passes_unless_the_operator_says_otherwise() -> None:
    assert _openmp_spin_count({}) == 0
    assert _openmp_spin_count({"OMP_WAIT_POLICY": "ACTIVE"}) > 0
