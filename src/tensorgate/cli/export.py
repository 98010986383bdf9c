"""``tensorgate export RUN_OR_MODEL [--format onnx|safetensors]``: the run's model in a format other tools read.

``--format onnx`` (the default) writes ``model.onnx`` beside the run's ``model.tgate``: the graph takes the
raw features of a batch of examples, shape (batch, *example_shape), applies the training set's
standardisation (x − mean)/scale, runs the network and outputs ``logits`` and ``probabilities`` — what
``tensorgate predict`` computes (σ for one output, [1 − σ, σ]; softmax otherwise). The class names, the data
set and the model's name are stored in the ONNX model's metadata (``metadata_props``).

``--format safetensors`` writes ``model.safetensors``: the network's ``state_dict()`` (weights only).

An existing output file is never replaced without ``--overwrite``.
"""
import io
import json
from pathlib import Path

import numpy as np

from ..backend.files import atomic_path
from .errors import UserError, one_line

FORMATS = {"onnx": ".onnx", "safetensors": ".safetensors"}


def add_parser(subparsers):
    p = subparsers.add_parser(
        "export", help="write a trained model as ONNX (or its weights as safetensors) for other tools",
        description="Write the run's model as model.onnx (standardisation, network, logits and probabilities; "
                    "runs in onnxruntime) or its weights as model.safetensors, beside the run's model file.",
        epilog="example: tensorgate export runs/20250101-120000-digits-mlp --format onnx")
    p.add_argument("model", metavar="RUN_OR_MODEL", help="a run directory or a model file (.tgate)")
    p.add_argument("--format", choices=sorted(FORMATS), default="onnx", help="onnx (default) or safetensors")
    p.add_argument("--output", "-o", default=None, metavar="FILE",
                   help="where to write (default: model.onnx / model.safetensors beside the model file)")
    p.add_argument("--overwrite", action="store_true", help="replace the output file if it exists")
    p.add_argument("--opset", type=int, default=None, metavar="N", help="ONNX opset version (default 17)")
    p.set_defaults(run=run)
    return p


def run(args, extra=None):
    from .runs import Predictor

    predictor = Predictor.load(args.model)
    output = Path(args.output).expanduser() if args.output else \
        predictor.path.with_name("model" + FORMATS[args.format])
    if output.exists() and not args.overwrite:
        raise UserError(f"{output} exists; pass --overwrite to replace it")
    if output.is_dir():
        raise UserError(f"--output: {output} is a directory")
    if not output.parent.is_dir():
        raise UserError(f"--output: no such directory: {output.parent}")
    if args.format == "safetensors":
        _write_safetensors(predictor, output)
    else:
        _write_onnx(predictor, output, args.opset)
    print(f"wrote {output}")
    return 0


def _write_safetensors(predictor, output):
    from .. import io as tg_io

    try:
        tg_io.save(predictor.model.state_dict(), output, metadata={"tensorgate_model": predictor.model_name})
    except ImportError as err:
        raise UserError(f"--format safetensors: {one_line(err)}") from None


def _write_onnx(predictor, output, opset):
    try:
        import onnx

        from .. import onnx as tg_onnx
        from .predict_graph import PredictGraph
    except ImportError as err:
        raise UserError(f"--format onnx needs the onnx package: pip install tensorgate[onnx] ({one_line(err)})") \
            from None
    shape = predictor.example_shape
    if not shape:
        raise UserError(f"{predictor.path}: the model file does not say its input shape; export it from Python with "
                        "tensorgate.onnx.export(model, example_input, 'model.onnx')")
    wrapper = PredictGraph(predictor.model, predictor.mean, predictor.scale)
    example = np.zeros((2,) + tuple(shape), dtype=np.float32)
    buffer = io.BytesIO()
    try:
        proto = tg_onnx.export(wrapper, example, buffer, input_names=["input"],
                               output_names=["logits", "probabilities"], opset_version=opset)
    except (tg_onnx.UnsupportedModelError, ValueError) as err:
        raise UserError(f"cannot export {predictor.path} to ONNX: {one_line(err)}") from None
    info = predictor.info
    props = {"tensorgate_model": str(predictor.model_name), "data": str(info.get("data", "")),
             "classes": json.dumps(predictor.class_names(_classes(proto))),
             "input": "raw features, standardised inside the graph" if predictor.mean is not None else "features"}
    onnx.helper.set_model_props(proto, props)
    with atomic_path(output) as tmp, open(tmp, "wb") as f:
        f.write(proto.SerializeToString())


def _classes(proto):
    """K, the width of the probabilities output."""
    dims = proto.graph.output[1].type.tensor_type.shape.dim
    return int(dims[1].dim_value)
