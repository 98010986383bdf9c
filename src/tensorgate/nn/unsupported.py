"""PyTorch's names that tensorgate does not have, so that asking for one says so: an AttributeError
that names PyTorch's function and says it is not supported, rather than a bare one that reads like a typo.
(A borrowed name is supported, or says it is not.) The lists are of torch 2.13's public names; the tests
(tests/conformance/test_conformance_core.py) check that each is PyTorch's and none is tensorgate's.
"""
from __future__ import annotations

#: ``torch.<name>`` at the top level
TOP_LEVEL = frozenset((
    "amp", "backends", "bfloat16", "cdist", "compile", "cumprod", "default_generator", "dist", "distributions",
    "fft", "Generator", "get_default_dtype", "get_rng_state", "hub", "initial_seed", "jit", "linalg",
    "repeat_interleave", "seed", "set_default_dtype", "set_printoptions", "set_rng_state", "special",
))

#: ``torch.nn.<name>``
NN = frozenset((
    'AdaptiveAvgPool3d', 'AdaptiveLogSoftmaxWithLoss', 'AdaptiveMaxPool3d', 'AlphaDropout', 'AvgPool3d', 'BatchNorm3d', 'Bilinear', 'Buffer', 'CTCLoss', 'ChannelShuffle', 'CircularPad1d', 'CircularPad2d', 'CircularPad3d', 'Container', 'Conv3d', 'ConvTranspose1d', 'ConvTranspose3d',
    'CrossMapLRN2d', 'DataParallel', 'Dropout3d', 'EmbeddingBag',
    'FeatureAlphaDropout', 'Fold', 'FractionalMaxPool2d', 'FractionalMaxPool3d', 'GaussianNLLLoss', 'InstanceNorm3d',
    'LPPool1d', 'LPPool2d', 'LPPool3d', 'LazyBatchNorm1d', 'LazyBatchNorm2d',
    'LazyBatchNorm3d', 'LazyConv1d', 'LazyConv2d', 'LazyConv3d', 'LazyConvTranspose1d', 'LazyConvTranspose2d',
    'LazyConvTranspose3d', 'LazyInstanceNorm1d', 'LazyInstanceNorm2d', 'LazyInstanceNorm3d', 'LazyLinear',
    'LinearCrossEntropyLoss', 'LinearCrossEntropyOptions', 'MaxPool3d',
    'MaxUnpool1d', 'MaxUnpool2d', 'MaxUnpool3d', 'MultiLabelMarginLoss', 'MultiheadAttention', 'NLLLoss2d', 'PoissonNLLLoss', 'RMSNorm', 'RNNBase', 'RNNCellBase', 'RReLU', 'ReflectionPad1d',
    'ReflectionPad2d', 'ReflectionPad3d', 'ReplicationPad1d', 'ReplicationPad2d', 'ReplicationPad3d',
    'SyncBatchNorm', 'Transformer',
    'TransformerDecoder', 'TransformerDecoderLayer', 'TransformerEncoder', 'TransformerEncoderLayer',
    'TripletMarginWithDistanceLoss', 'Unfold', 'UninitializedBuffer',
    'UninitializedParameter', 'UpsamplingBilinear2d', ))

#: ``torch.nn.functional.<name>``
NN_FUNCTIONAL = frozenset((
    'adaptive_avg_pool3d', 'adaptive_max_pool1d_with_indices',
    'adaptive_max_pool2d_with_indices', 'adaptive_max_pool3d', 'adaptive_max_pool3d_with_indices',
    'affine_grid', 'alpha_dropout', 'avg_pool3d', 'bilinear', 'celu_', 'channel_shuffle',
    'conv3d', 'conv_tbc', 'conv_transpose1d', 'conv_transpose3d', 'ctc_loss',
    'dropout3d', 'elu_', 'embedding_bag', 'feature_alpha_dropout', 'fold', 'fractional_max_pool2d',
    'fractional_max_pool2d_with_indices', 'fractional_max_pool3d', 'fractional_max_pool3d_with_indices',
    'gaussian_nll_loss', 'grid_sample', 'grouped_mm', 'gumbel_softmax', 'hardtanh_',
    'leaky_relu_', 'linear_cross_entropy', 'lp_pool1d', 'lp_pool2d',
    'lp_pool3d', 'max_pool1d_with_indices', 'max_pool2d_with_indices',
    'max_pool3d', 'max_pool3d_with_indices', 'max_unpool1d', 'max_unpool2d', 'max_unpool3d',
    'multi_head_attention_forward', 'multilabel_margin_loss',
    'native_channel_shuffle', 'pdist', 'poisson_nll_loss', 'relu_', 'rms_norm', 'rrelu', 'rrelu_', 'scaled_dot_product_attention',
    'scaled_grouped_mm', 'scaled_mm', 'selu_', 'threshold_', 'triplet_margin_with_distance_loss', 'unfold', 'upsample_bilinear',
    'upsample_nearest',
))


def no_attribute(module: str, name: str, torch_module: str, names: frozenset[str]) -> AttributeError:
    """The AttributeError for ``module.name``: saying that PyTorch's ``torch_module.name`` is not supported
    where it is one of ``names``, Python's plain message otherwise."""
    if name in names:
        return AttributeError(f"module {module!r} has no attribute {name!r}: PyTorch's {torch_module}.{name} is "
                              "not supported by tensorgate (docs/coming-from.md says what differs from PyTorch)")
    return AttributeError(f"module {module!r} has no attribute {name!r}")
