"""``chidao index build --ray [ADDRESS]``: ingest and embed on a Ray cluster, write one generation.

Three Ray Data stages, each a plain function of the single-process pipeline:

1. read: ``ingest.readers.read`` (file -> text and sha256), one task per file;
2. clean + chunk: ``ingest.pipeline.ingest_text`` (clean, attachments, metadata, sections, chunks);
3. embed: an actor pool (``concurrency`` = workers) each holding one loaded embedder, fed batches
   of chunk texts. CPU workers run e5-small on ONNX Runtime (same ``model_id`` and vectors as the
   torch backend, a fraction of its memory); ``device="cuda"`` runs the torch backend on one GPU
   per worker.

The driver then writes the generation exactly as the single-process build does (``index.writer``),
with a ``PrecomputedEmbedder`` that hands the writer the vectors the workers computed: same
document and chunk ids, same manifest, same files. Workers must see the input files at the same
paths (a shared filesystem) and have chidao installed; a local instance
(``--ray`` without an address) starts ``workers`` CPU workers on this machine.
"""

from __future__ import annotations

import os
import pickle  # nosec B403 - only objects this process's own workers produced
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from index.embedders.base import E5_SMALL_MODEL_ID, Embedder, get_embedder
from ingest.model import IngestError
from ingest.pipeline import IngestedFile

ROOT = Path(__file__).resolve().parent.parent


class PrecomputedEmbedder:
    """The writer's ``Embedder``: passage vectors looked up by text (computed on the cluster)."""

    def __init__(self, model_id: str, dim: int, vectors: Mapping[str, np.ndarray]) -> None:
        self.model_id = model_id
        self.dim = dim
        self._vectors = vectors

    def load(self) -> None:
        return None

    def encode_passages(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        missing = [t[:60] for t in texts if t not in self._vectors]
        if missing:
            raise KeyError(f"{len(missing)} chunk texts were not embedded by the cluster, e.g. {missing[0]!r}")
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.vstack([self._vectors[t] for t in texts]).astype(np.float32)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        raise NotImplementedError("a precomputed embedder only serves the build")

    def count_tokens(self, text: str) -> int:
        raise NotImplementedError("a precomputed embedder only serves the build")


@dataclass(frozen=True)
class RayIngest:
    files: tuple[IngestedFile, ...]
    failed: tuple[IngestError, ...]
    embedder: PrecomputedEmbedder
    seconds: Mapping[str, float] = field(default_factory=dict)
    workers: int = 0


def worker_embedder_name(name: str, device: str) -> str:
    """The backend a worker loads: e5-small on CPU runs on ONNX Runtime (same vectors)."""
    if name == "e5-small" and device == "cpu":
        from index.embedders.onnx_e5 import onnxruntime_available

        if onnxruntime_available():
            return "e5-onnx"
    return name


def _read(row: dict[str, Any]) -> dict[str, Any]:
    from ingest.readers import read

    try:
        raw = read(Path(row["path"]))
        return {"path": row["path"], "text": raw.text, "sha256": raw.sha256, "error": ""}
    except Exception as exc:  # noqa: BLE001 - reported per file, as the single-process build does
        return {"path": row["path"], "text": "", "sha256": "", "error": _reason(exc)}


def _chunk(row: dict[str, Any]) -> dict[str, Any]:
    from ingest.pipeline import ingest_text

    if row["error"]:
        return {"path": row["path"], "file": b"", "error": row["error"]}
    p = Path(row["path"])
    try:
        f = ingest_text(row["text"], p.stem, str(p), row["sha256"])
        return {"path": row["path"], "file": pickle.dumps(f), "error": ""}
    except Exception as exc:  # noqa: BLE001
        return {"path": row["path"], "file": b"", "error": _reason(exc)}


def _reason(exc: Exception) -> str:
    return exc.reason if isinstance(exc, IngestError) else f"unexpected {type(exc).__name__}: {exc}"


class _Embed:
    """One loaded embedder per actor; Ray Data feeds it batches of chunk texts."""

    def __init__(self, name: str, device: str, threads: int) -> None:
        kwargs: dict[str, Any] = {"threads": threads}
        if device != "cpu":
            kwargs["device"] = device
        self.embedder = get_embedder(name, **kwargs)
        self.embedder.load()

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        texts = [str(t) for t in batch["text"]]
        started = time.process_time()
        vectors = self.embedder.encode_passages(texts)
        cpu = time.process_time() - started  # this worker's CPU seconds, shared out over the rows
        return {"text": np.asarray(texts, dtype=object), "vec": vectors,
                "cpu_s": np.full(len(texts), cpu / max(len(texts), 1)), "worker": np.full(len(texts), os.getpid())}


def ray_ingest(
    paths: Sequence[Path],
    embedder: Embedder,
    embedder_name: str,
    *,
    address: str | None = None,
    workers: int = 2,
    device: str = "cpu",
    batch_size: int = 64,
) -> RayIngest:
    """Run read / clean+chunk / embed on Ray; return the files in path order and their vectors."""
    try:
        import ray
    except ImportError as exc:
        raise RuntimeError("--ray needs Ray Data: pip install 'chidao[ray]'") from exc
    started = time.perf_counter()
    if not ray.is_initialized():
        if address:
            ray.init(address=address, log_to_driver=False)
        else:
            ray.init(
                num_cpus=workers,
                include_dashboard=False,
                log_to_driver=False,
                runtime_env={"env_vars": {"PYTHONPATH": str(ROOT), "TOKENIZERS_PARALLELISM": "false"}},
                # Ray starts workers 15 nice levels below the driver, so that they yield to it; here
                # the workers do all the work and the driver waits: on a shared machine that niceness
                # let every other process take the cores from the build
                _system_config={"worker_niceness": 0},
            )
    ctx = ray.data.DataContext.get_current()
    ctx.enable_progress_bars = False
    seconds: dict[str, float] = {"ray_start": round(time.perf_counter() - started, 2)}
    name = worker_embedder_name(embedder_name, device)
    t = time.perf_counter()
    items = [{"path": str(p)} for p in paths]
    chunked = (
        ray.data.from_items(items, override_num_blocks=max(1, min(len(items), workers * 4)))
        .map(_read)
        .map(_chunk)
        .materialize()
    )
    rows = sorted(chunked.take_all(), key=lambda r: r["path"])
    seconds["read_clean_chunk"] = round(time.perf_counter() - t, 2)
    files = tuple(pickle.loads(r["file"]) for r in rows if not r["error"])  # nosec B301
    failed = tuple(IngestError(r["path"], r["error"]) for r in rows if r["error"])
    t = time.perf_counter()
    # The chunk texts go back through the driver (they are small next to the vectors): an embed
    # stage chained on the chunk stage would need a free CPU for the upstream tasks while the
    # actors hold all of them, and a local Ray deadlocks on that.
    # sorted by length: each block then holds texts of similar length, so batches carry little
    # padding (the single-process embedders sort the same way). Longest first, and one block at a
    # time per actor: a free actor takes the next block, so the last blocks, the shortest, are
    # what is left to balance at the end (longest-processing-time-first)
    texts = sorted(dict.fromkeys(c.index_text for f in files for c in f.chunks), key=len, reverse=True)
    gpu = 1 if device.startswith("cuda") else 0
    embedded = ray.data.from_items(
        [{"text": t} for t in texts], override_num_blocks=max(1, min(len(texts), workers * 8))
    ).map_batches(
        _Embed,
        fn_constructor_kwargs={"name": name, "device": device, "threads": 1},
        batch_size=batch_size,
        compute=ray.data.ActorPoolStrategy(size=workers, max_tasks_in_flight_per_actor=1),
        num_gpus=gpu,
        num_cpus=0 if gpu else 1,
    )
    vectors: dict[str, np.ndarray] = {}
    cpu: dict[int, float] = {}
    for batch in embedded.iter_batches(batch_size=1024, batch_format="numpy"):
        for text, vec in zip(batch["text"], batch["vec"]):
            vectors[str(text)] = np.asarray(vec, dtype=np.float32)
        for worker, share in zip(batch["worker"], batch["cpu_s"]):
            cpu[int(worker)] = cpu.get(int(worker), 0.0) + float(share)
    seconds["embed"] = round(time.perf_counter() - t, 2)
    # CPU seconds the workers spent embedding (together, and the busiest one): beside the wall
    # time this says whether the workers were starved or idle (per-worker throughput)
    seconds["embed_cpu"] = round(sum(cpu.values()), 2)
    seconds["embed_cpu_max_worker"] = round(max(cpu.values(), default=0.0), 2)
    if name != embedder_name and embedder.model_id != E5_SMALL_MODEL_ID:
        raise RuntimeError(f"worker embedder {name} does not produce {embedder.model_id}")
    return RayIngest(files, failed, PrecomputedEmbedder(embedder.model_id, embedder.dim, vectors), seconds, workers)
