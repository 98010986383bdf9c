"""What ``tensorgate predict`` computes, as one module that ``tensorgate export --format onnx`` can convert.

:class:`PredictGraph` wraps a run's network: standardise the raw features, run the network, and turn its
logits into class probabilities (:func:`tensorgate.cli.models.probabilities`: σ for one output, softmax
otherwise). Its ONNX converter is registered beside it.
"""
import numpy as np

from .. import functional as F
from .. import nn
from ..onnx import register_converter


class PredictGraph(nn.Module):
    """(x − mean)/scale → network → (logits, probabilities).

    Shape: x: (m, *example_shape); logits: (m, K) or (m, 1); probabilities: (m, K), or (m, 2) for one logit.
    """

    def __init__(self, network, mean=None, scale=None):
        super().__init__()
        self.network = network
        dtype = network._dtype()
        self.mean = None if mean is None else np.asarray(mean, dtype=dtype)
        self.scale = None if scale is None else np.asarray(scale, dtype=dtype)

    def forward(self, x):
        if self.mean is not None:
            x = (x - self.mean) / self.scale
        z = self.network(x)
        if z.shape[1] == 1:
            p = F.sigmoid(z)
            return z, F.cat([1.0 - p, p], 1)
        return z, F.softmax(z, 1)


@register_converter(PredictGraph)
def _predict_graph(ctx, wrapper, x):
    if wrapper.mean is not None:
        x = ctx.op("Div", [ctx.op("Sub", [x, ctx.const(wrapper.mean, "mean")]), ctx.const(wrapper.scale, "scale")])
    z = ctx.convert(wrapper.network, x, "network")
    if z.shape[1] == 1:
        p = ctx.op("Sigmoid", [z])
        return [z, ctx.op("Concat", [ctx.op("Sub", [ctx.scalar(1.0), p]), p], shape=(z.shape[0], 2), axis=1)]
    return [z, ctx.op("Softmax", [z], axis=1)]
