"""Idioms of real training and evaluation scripts for issue 17's gates, activations, layers, losses,
autograd.grad / autograd.functional and nn.utils, each run in PyTorch and in tensorgate from the same arrays and
the same weights, comparing values, shapes, dtypes, Python types and gradients (nn_compare.compare).

Every idiom is written once, ``fn(lib, *tensors)`` with ``lib`` torch or tensorgate, as a script that only
changed its import would run it. Modules are built by ``module``, which gives tensorgate's copy PyTorch's
initial weights. Idioms tensorgate does not support are at the end, each with the clear error it raises.
Schedulers, data loading, save/load and whole training scripts are in test_conformance_nn_training.py.
"""
import numpy as np
import pytest

import tensorgate as tg
from nn_compare import F, compare, fn_of, grads, module

RNG = np.random.default_rng(23)
X = RNG.standard_normal((6, 4)).astype(np.float32)           # a batch: 6 examples, 4 features
X64 = RNG.standard_normal((6, 4))                              # the same in float64
BIG = (RNG.standard_normal((5, 3)) * 30).astype(np.float32)    # large activations (overflow-prone)
POS = RNG.uniform(0.2, 3.0, (6, 4)).astype(np.float32)         # positive numbers
SMALL = RNG.uniform(-0.9, 0.9, (6, 4)).astype(np.float32)      # inside (−1, 1)
OUT = RNG.standard_normal((8, 5)).astype(np.float32)           # logits: 8 examples, 5 classes
OUT64 = OUT.astype(np.float64)
Y = np.array([0, 4, 1, 1, 2, 3, 4, 0])                         # their labels
Y_IGN = np.array([0, 4, -100, 1, 2, -100, 4, 0])               # with ignored labels
CW = np.array([1.0, 2.0, 0.5, 1.5, 3.0], np.float32)           # class weights
MULTI = (RNG.random((8, 5)) > 0.6).astype(np.float32)         # multi-label targets
IDS = np.array([[1, 3, 0, 7], [2, 2, 9, 0]])                   # token ids
SEQ = RNG.standard_normal((2, 3, 4)).astype(np.float32)        # a batch of sequences (m, L, d)


IDIOMS = {}


def idiom(name, fn, *arrays, grad=False, **tolerances):
    assert name not in IDIOMS, name
    IDIOMS[name] = (fn, arrays, grad, tolerances)


# ---------------------------------------------------------------- elementwise gates (values and gradients)
for name, data in [("sin", X), ("cos", X), ("tan", SMALL), ("log1p", POS), ("expm1", X), ("rsqrt", POS)]:
    idiom(f"{name}_function", lambda lib, x, n=name: getattr(lib, n)(x), data, grad=True)
    idiom(f"{name}_method", lambda lib, x, n=name: getattr(x, n)(), data, grad=True)
    idiom(f"{name}_float64", lambda lib, x, n=name: getattr(lib, n)(x), data.astype(np.float64), grad=True)
for name in ("sign", "floor", "ceil", "round"):
    idiom(f"{name}_values_and_zero_grad", lambda lib, x, n=name: getattr(lib, n)(x * 3) * x, X, grad=True)
idiom("round_decimals", lambda lib, x: lib.round(x, decimals=2), X)
idiom("round_half_even", lambda lib, x: x.round(), np.array([0.5, 1.5, 2.5, -0.5, -2.5], np.float32))
idiom("sign_int", lambda lib, x: lib.sign(x), np.array([-3, 0, 5]))
idiom("pow_tensor_exponent", lambda lib, a, b: lib.pow(a, b), POS, X, grad=True)
idiom("pow_scalar_base", lambda lib, b: 2.0 ** b, X, grad=True)
idiom("chain_rule_sin_square", lambda lib, x: lib.sin(x * x).sum(), X, grad=True)
idiom("sin_cos_identity", lambda lib, x: (lib.sin(x) ** 2 + lib.cos(x) ** 2), X64, grad=True)

# ---------------------------------------------------------------- activation functions and modules
ACTS = [("silu", "SiLU", {}), ("elu", "ELU", {}), ("selu", "SELU", {}), ("mish", "Mish", {}),
        ("softplus", "Softplus", {}), ("logsigmoid", "LogSigmoid", {}), ("relu6", "ReLU6", {}),
        ("hardsigmoid", "Hardsigmoid", {}), ("hardswish", "Hardswish", {}), ("softsign", "Softsign", {}),
        ("hardshrink", "Hardshrink", {}), ("softshrink", "Softshrink", {}), ("tanhshrink", "Tanhshrink", {}),
        ("celu", "CELU", {})]
for fname, mname, kwargs in ACTS:
    idiom(f"F_{fname}", lambda lib, x, f=fname: fn_of(lib, f"{F}.{f}")(x), X, grad=True)
    idiom(f"F_{fname}_large", lambda lib, x, f=fname: fn_of(lib, f"{F}.{f}")(x), BIG, grad=True)
    idiom(f"F_{fname}_float64", lambda lib, x, f=fname: fn_of(lib, f"{F}.{f}")(x), X64, grad=True)
    idiom(f"nn_{mname}", lambda lib, x, m=mname: getattr(lib.nn, m)()(x), X, grad=True)
idiom("F_elu_alpha", lambda lib, x: lib.nn.functional.elu(x, alpha=0.3), X, grad=True)
idiom("nn_ELU_alpha", lambda lib, x: lib.nn.ELU(alpha=2.0)(x), X, grad=True)
idiom("F_softplus_beta_threshold", lambda lib, x: lib.nn.functional.softplus(x, beta=2, threshold=5), BIG, grad=True)
idiom("nn_Softplus_beta", lambda lib, x: lib.nn.Softplus(beta=0.5)(x), X, grad=True)
idiom("selu_top_level", lambda lib, x: lib.selu(x), X, grad=True)
idiom("nn_Identity", lambda lib, x: lib.nn.Identity(54, unused="yes")(x), X, grad=True)
idiom("nn_PReLU_one_slope", lambda lib, x: module(lib, lambda L: L.nn.PReLU())(x), X, grad=True)
idiom("nn_PReLU_per_channel", lambda lib, x: module(lib, lambda L: L.nn.PReLU(4, init=0.1))(x), X, grad=True)
idiom("F_prelu_images_with_zeros", lambda lib, x, w: lib.nn.functional.prelu(x, w),   # 0 exactly: the slope's side
      np.tile(np.linspace(-3, 3, 25, dtype=np.float32).reshape(1, 1, 5, 5), (2, 3, 1, 1)),
      np.array([0.1, -0.2, 0.3], np.float32), grad=True)
idiom("F_threshold", lambda lib, x: lib.nn.functional.threshold(x, 0.1, 20.0), X, grad=True)
idiom("nn_Threshold", lambda lib, x: lib.nn.Threshold(-0.5, -1.5)(x), X, grad=True)
idiom("F_softshrink_lambd", lambda lib, x: lib.nn.functional.softshrink(x, 1.0), X, grad=True)
idiom("F_celu_alpha", lambda lib, x: lib.nn.functional.celu(x, alpha=0.3), BIG, grad=True)
idiom("F_glu", lambda lib, x: lib.nn.functional.glu(x), X, grad=True)
idiom("nn_GLU_dim0", lambda lib, x: lib.nn.GLU(0)(x), X, grad=True)
idiom("F_softmin", lambda lib, x: lib.nn.functional.softmin(x, dim=1), X, grad=True)
idiom("nn_Softmin", lambda lib, x: lib.nn.Softmin(dim=0)(x), X64, grad=True)
# the kinks, hit exactly: −3, 0, 3, 6 (the derivative PyTorch takes there)
KINKS = np.linspace(-4.5, 7.5, 25).astype(np.float32)
idiom("relu6_hardswish_at_the_kinks", lambda lib, x: lib.nn.ReLU6()(x) + lib.nn.Hardswish()(x) + lib.nn.Hardsigmoid()(x),
      KINKS, grad=True)

# ---------------------------------------------------------------- regression losses that grow linearly
TARGET = RNG.standard_normal((6, 4)).astype(np.float32)
for lname, kwargs in [("L1Loss", {}), ("L1Loss", {"reduction": "sum"}), ("L1Loss", {"reduction": "none"}),
                      ("SmoothL1Loss", {}), ("SmoothL1Loss", {"beta": 0.3}), ("SmoothL1Loss", {"beta": 0.0}),
                      ("HuberLoss", {}), ("HuberLoss", {"delta": 0.4, "reduction": "sum"})]:
    tag = "_".join(f"{k}_{v}" for k, v in kwargs.items())
    idiom(f"nn_{lname}_{tag}", lambda lib, x, t, m=lname, kw=kwargs: getattr(lib.nn, m)(**kw)(x * 2, t), X, TARGET,
          grad=True)
# GroupNorm (a layer norm of each group of channels), distances and the KL divergence
IMG = (RNG.standard_normal((3, 6, 4, 5)) * 2 + 1).astype(np.float32)
idiom("nn_GroupNorm_2_groups", lambda lib, x: lib.nn.GroupNorm(2, 6)(x), IMG, grad=True)
idiom("nn_GroupNorm_one_group_float64", lambda lib, x: lib.nn.GroupNorm(1, 6, eps=1e-3).double()(x), IMG.astype(np.float64),
      grad=True)
idiom("nn_GroupNorm_instance_like_no_affine", lambda lib, x: lib.nn.GroupNorm(6, 6, affine=False)(x), IMG, grad=True)
idiom("F_group_norm_weights", lambda lib, x, w: lib.nn.functional.group_norm(x, 3, w, w * 0.5), IMG,
      RNG.standard_normal(6).astype(np.float32), grad=True)
idiom("F_normalize", lambda lib, x: lib.nn.functional.normalize(x), X, grad=True)
idiom("F_normalize_p1_dim0", lambda lib, x: lib.nn.functional.normalize(x, p=1.0, dim=0), X, grad=True)
idiom("F_cosine_similarity", lambda lib, x, t: lib.nn.functional.cosine_similarity(x, t), X, TARGET, grad=True)
idiom("nn_CosineSimilarity_dim0", lambda lib, x, t: lib.nn.CosineSimilarity(dim=0)(x, t), X, TARGET, grad=True)
idiom("nn_PairwiseDistance", lambda lib, x, t: lib.nn.PairwiseDistance()(x, t), X, TARGET, grad=True)
idiom("F_pairwise_distance_p1_keepdim", lambda lib, x, t: lib.nn.functional.pairwise_distance(x, t, p=1.0, keepdim=True),
      X, TARGET, grad=True)
idiom("nn_KLDivLoss_batchmean", lambda lib, x, t: lib.nn.KLDivLoss(reduction="batchmean")(x.log_softmax(1), t.softmax(1)),
      X, TARGET, grad=True)
idiom("nn_KLDivLoss_log_target_sum", lambda lib, x, t: lib.nn.KLDivLoss(reduction="sum", log_target=True)(
    x.log_softmax(1), t.log_softmax(1)), X, TARGET, grad=True)
idiom("F_kl_div_zero_targets_none", lambda lib, x, t: lib.nn.functional.kl_div(x.log_softmax(1), t.relu(), reduction="none"),
      X, TARGET, grad=True)
# 1-D convolution and pooling over (N, C, L) sequences; 'same' and 'valid' padding
SEQ1D = RNG.standard_normal((2, 4, 11)).astype(np.float32)
W1D = (RNG.standard_normal((6, 2, 3)) * 0.4).astype(np.float32)
idiom("F_conv1d_stride_padding_groups", lambda lib, x, w, b: lib.nn.functional.conv1d(x, w, b, stride=2, padding=1, groups=2),
      SEQ1D, W1D, RNG.standard_normal(6).astype(np.float32), grad=True)
idiom("F_conv1d_same_dilated", lambda lib, x, w: lib.nn.functional.conv1d(x, w, padding="same", dilation=2, groups=2),
      SEQ1D, W1D, grad=True)
idiom("F_conv1d_valid_float64", lambda lib, x, w: lib.nn.functional.conv1d(x, w[:, :, :2].repeat(1, 2, 1), padding="valid"),
      SEQ1D.astype(np.float64), W1D.astype(np.float64), grad=True)
idiom("F_conv2d_same", lambda lib, x, w: lib.nn.functional.conv2d(x, w, padding="same"), IMG,
      (RNG.standard_normal((2, 6, 3, 5)) * 0.3).astype(np.float32), grad=True)
idiom("nn_Conv1d", lambda lib, x: module(lib, lambda L: L.nn.Conv1d(4, 3, 5, padding=2))(x), SEQ1D, grad=True)
idiom("nn_Conv1d_same_no_bias", lambda lib, x: module(lib, lambda L: L.nn.Conv1d(4, 8, 3, padding="same", bias=False))(x),
      SEQ1D, grad=True)
idiom("nn_Conv2d_same", lambda lib, x: module(lib, lambda L: L.nn.Conv2d(6, 2, 3, padding="same"))(x), IMG, grad=True)
idiom("F_max_pool1d", lambda lib, x: lib.nn.functional.max_pool1d(x, 3, 2, 1), SEQ1D, grad=True)
idiom("nn_MaxPool1d", lambda lib, x: lib.nn.MaxPool1d(2)(x), SEQ1D, grad=True)
idiom("F_avg_pool1d", lambda lib, x: lib.nn.functional.avg_pool1d(x, 4, 2), SEQ1D, grad=True)
idiom("nn_AvgPool1d_padding", lambda lib, x: lib.nn.AvgPool1d(3, stride=1, padding=1)(x), SEQ1D, grad=True)
idiom("nn_AdaptiveAvgPool1d", lambda lib, x: lib.nn.AdaptiveAvgPool1d(4)(x), SEQ1D, grad=True)
idiom("nn_AdaptiveAvgPool1d_global", lambda lib, x: lib.nn.AdaptiveAvgPool1d(1)(x), SEQ1D, grad=True)
idiom("nn_AdaptiveMaxPool1d", lambda lib, x: lib.nn.AdaptiveMaxPool1d(3)(x), SEQ1D, grad=True)
idiom("F_adaptive_max_pool1d_indices", lambda lib, x: lib.nn.functional.adaptive_max_pool1d(x, 5, return_indices=True),
      SEQ1D, grad=True)
idiom("nn_ConstantPad1d", lambda lib, x: lib.nn.ConstantPad1d((2, 1), 3.5)(x), SEQ1D, grad=True)
idiom("nn_ConstantPad2d_crop", lambda lib, x: lib.nn.ConstantPad2d((1, -1, 0, 2), -1.0)(x), IMG, grad=True)
idiom("nn_ConstantPad3d", lambda lib, x: lib.nn.ConstantPad3d(1, 0.5)(x.reshape(1, 3, 6, 4, 5)), IMG, grad=True)
idiom("nn_ZeroPad1d", lambda lib, x: lib.nn.ZeroPad1d(2)(x), SEQ1D, grad=True)
idiom("nn_ZeroPad3d", lambda lib, x: lib.nn.ZeroPad3d((1, 0, 0, 1, 2, 0))(x.reshape(1, 3, 6, 4, 5)), IMG, grad=True)
# margin and multi-label losses (functional/loss_margin.py)
M_PM = np.where(RNG.random((6, 4)) > 0.5, 1.0, -1.0).astype(np.float32)      # labels ±1
M_MULTI = (M_PM > 0).astype(np.float32)                                        # several labels per example
M_LABELS = np.array([0, 3, 1, 2, 3, 1])
M_SIGNS = np.array([1.0, -1.0, 1.0, -1.0, -1.0, 1.0], np.float32)
M_CLASS_W = RNG.uniform(0.5, 2.0, 4).astype(np.float32)
idiom("nn_SoftMarginLoss", lambda lib, x, y: lib.nn.SoftMarginLoss()(x, y.detach()), X, M_PM, grad=True)
idiom("nn_MultiLabelSoftMarginLoss", lambda lib, x, y: lib.nn.MultiLabelSoftMarginLoss()(x, y), X, M_MULTI, grad=True)
idiom("nn_MultiLabelSoftMarginLoss_weight_none", lambda lib, x, y, w: lib.nn.MultiLabelSoftMarginLoss(
    weight=w, reduction="none")(x, y), X, M_MULTI, M_CLASS_W, grad=True)
idiom("nn_MultiMarginLoss", lambda lib, x, y: lib.nn.MultiMarginLoss()(x, y), X, M_LABELS, grad=True)
idiom("nn_MultiMarginLoss_p2_weight_sum", lambda lib, x, y, w: lib.nn.MultiMarginLoss(p=2, margin=0.7, weight=w.detach(),
                                                                                     reduction="sum")(x, y),
      X, M_LABELS, M_CLASS_W, grad=True)
idiom("nn_MarginRankingLoss", lambda lib, x, y: lib.nn.MarginRankingLoss(margin=0.3)(x[:, 0], x[:, 1], y), X, M_SIGNS,
      grad=True)
idiom("nn_HingeEmbeddingLoss", lambda lib, x, y: lib.nn.HingeEmbeddingLoss(margin=0.5)(x, y), X, M_PM, grad=True)
idiom("nn_CosineEmbeddingLoss", lambda lib, x, t, y: lib.nn.CosineEmbeddingLoss(margin=0.2, reduction="none")(x, t, y),
      X, TARGET, M_SIGNS, grad=True)
idiom("nn_TripletMarginLoss", lambda lib, x, t: lib.nn.TripletMarginLoss()(x, t, x.flip(0)), X, TARGET, grad=True)
idiom("F_triplet_margin_loss_swap_p1", lambda lib, x, t: lib.nn.functional.triplet_margin_loss(
    x, t, t * 0.5, margin=0.5, p=1, swap=True, reduction="none"), X, TARGET, grad=True)
# recurrent layers (nn/recurrent.py): outputs, final states and gradients, PyTorch's weights loaded
STEPS = RNG.standard_normal((6, 3, 5)).astype(np.float32)                   # (L, N, H_in)
H0 = (RNG.standard_normal((2, 3, 7)) * 0.5).astype(np.float32)
idiom("nn_RNN", lambda lib, x: module(lib, lambda L: L.nn.RNN(5, 7))(x), STEPS, grad=True)
idiom("nn_RNN_relu_two_layers_h0", lambda lib, x, h: module(lib, lambda L: L.nn.RNN(5, 7, 2, nonlinearity="relu"))(x, h),
      STEPS, H0, grad=True)
idiom("nn_LSTM", lambda lib, x: module(lib, lambda L: L.nn.LSTM(5, 7))(x), STEPS, grad=True)
idiom("nn_LSTM_bidirectional_batch_first", lambda lib, x: module(
    lib, lambda L: L.nn.LSTM(5, 7, num_layers=2, bidirectional=True, batch_first=True))(x), STEPS, grad=True)
idiom("nn_LSTM_states_given", lambda lib, x, h: module(lib, lambda L: L.nn.LSTM(5, 7, 2))(x, (h, h * 2)), STEPS, H0,
      grad=True)
idiom("nn_LSTM_unbatched", lambda lib, x: module(lib, lambda L: L.nn.LSTM(5, 7))(x[:, 0]), STEPS, grad=True)
idiom("nn_GRU", lambda lib, x: module(lib, lambda L: L.nn.GRU(5, 7, bidirectional=True))(x), STEPS, grad=True)
idiom("nn_GRU_no_bias_float64", lambda lib, x: module(lib, lambda L: L.nn.GRU(5, 7, 2, bias=False).double())(x),
      STEPS.astype(np.float64), grad=True)
idiom("nn_LSTM_dropout_in_eval", lambda lib, x: module(lib, lambda L: L.nn.LSTM(5, 7, 3, dropout=0.5).eval())(x),
      STEPS, grad=True)
idiom("nn_RNNCell", lambda lib, x: module(lib, lambda L: L.nn.RNNCell(5, 7))(x[0]), STEPS, grad=True)
idiom("nn_LSTMCell_states", lambda lib, x, h: module(lib, lambda L: L.nn.LSTMCell(5, 7))(x[0], (h[0], h[1])), STEPS, H0,
      grad=True)
idiom("nn_GRUCell_unbatched", lambda lib, x, h: module(lib, lambda L: L.nn.GRUCell(5, 7))(x[0, 0], h[0, 0]), STEPS, H0,
      grad=True)
idiom("nn_InstanceNorm2d", lambda lib, x: lib.nn.InstanceNorm2d(6)(x), IMG, grad=True)
idiom("nn_InstanceNorm1d_affine", lambda lib, x: module(lib, lambda L: L.nn.InstanceNorm1d(4, affine=True))(x), SEQ1D,
      grad=True)
idiom("F_instance_norm_unbatched_module", lambda lib, x: lib.nn.InstanceNorm2d(6)(x[0]), IMG, grad=True)
idiom("nn_Softmax2d", lambda lib, x: lib.nn.Softmax2d()(x), IMG, grad=True)
idiom("nn_PixelShuffle", lambda lib, x: lib.nn.PixelShuffle(2)(x.reshape(3, 8, 3, 5)[:, :8]), IMG, grad=True)
idiom("nn_PixelUnshuffle", lambda lib, x: lib.nn.PixelUnshuffle(2)(x[:, :, :4, :4]), IMG, grad=True)
idiom("nn_UpsamplingNearest2d", lambda lib, x: lib.nn.UpsamplingNearest2d(scale_factor=2)(x), IMG, grad=True)
idiom("nn_Dropout1d_eval", lambda lib, x: lib.nn.Dropout1d(0.5).eval()(x), SEQ1D, grad=True)
idiom("F_l1_loss", lambda lib, x, t: lib.nn.functional.l1_loss(x, t), X, TARGET, grad=True)
idiom("F_smooth_l1_loss", lambda lib, x, t: lib.nn.functional.smooth_l1_loss(x, t, beta=0.5), X64,
      TARGET.astype(np.float64), grad=True)
idiom("F_huber_loss", lambda lib, x, t: lib.nn.functional.huber_loss(x, t, delta=0.7, reduction="none"), X, TARGET,
      grad=True)

# ---------------------------------------------------------------- layers with weights
idiom("LayerNorm", lambda lib, x: module(lib, lambda L: L.nn.LayerNorm(4))(x), X, grad=True)
idiom("LayerNorm_2d_shape", lambda lib, x: module(lib, lambda L: L.nn.LayerNorm((3, 4)))(x), SEQ, grad=True)
idiom("LayerNorm_no_affine", lambda lib, x: module(lib, lambda L: L.nn.LayerNorm(4, elementwise_affine=False))(x),
      SEQ, grad=True)
idiom("LayerNorm_eps", lambda lib, x: module(lib, lambda L: L.nn.LayerNorm(4, eps=1e-2))(x), X, grad=True)
idiom("LayerNorm_float64", lambda lib, x: module(lib, lambda L: L.nn.LayerNorm(4, dtype=L.float64))(x), X64,
      grad=True)
idiom("F_layer_norm", lambda lib, x: lib.nn.functional.layer_norm(x, (4,)), X, grad=True)


def _layernorm_param_grads(lib, x):
    ln = module(lib, lambda L: L.nn.LayerNorm(4))
    (ln(x) * x).sum().backward()
    return grads(lib, ln)


idiom("LayerNorm_weight_grads", _layernorm_param_grads, X)
idiom("Embedding_lookup", lambda lib, ids: module(lib, lambda L: L.nn.Embedding(10, 3))(ids), IDS)
idiom("Embedding_shape", lambda lib, ids: tuple(module(lib, lambda L: L.nn.Embedding(10, 3))(ids).shape), IDS)


def _embedding_grads(lib, ids, padding_idx=None, scale=False):
    emb = module(lib, lambda L: L.nn.Embedding(10, 3, padding_idx=padding_idx, scale_grad_by_freq=scale))
    out = emb(ids)
    (out * out).sum().backward()
    return out, grads(lib, emb)


idiom("Embedding_grad_repeated_ids", lambda lib, ids: _embedding_grads(lib, ids), IDS)
idiom("Embedding_padding_idx", lambda lib, ids: _embedding_grads(lib, ids, padding_idx=0), IDS)
idiom("Embedding_scale_grad_by_freq", lambda lib, ids: _embedding_grads(lib, ids, scale=True), IDS)
idiom("Embedding_padding_row_zero", lambda lib: module(lib, lambda L: L.nn.Embedding(5, 2, padding_idx=2)).weight[2])
idiom("Embedding_from_pretrained", lambda lib, w, ids: lib.nn.Embedding.from_pretrained(w)(ids),
      RNG.standard_normal((10, 2)).astype(np.float32), IDS)
idiom("Embedding_from_pretrained_frozen", lambda lib, w: lib.nn.Embedding.from_pretrained(w).weight.requires_grad,
      RNG.standard_normal((10, 2)).astype(np.float32))
idiom("F_embedding", lambda lib, ids, w: lib.nn.functional.embedding(ids, w), IDS,
      RNG.standard_normal((10, 2)).astype(np.float32), grad=True)
idiom("Unflatten", lambda lib, x: lib.nn.Unflatten(1, (2, 2))(x), X, grad=True)
idiom("Unflatten_minus_one", lambda lib, x: lib.nn.Unflatten(1, (-1, 2))(x).shape[1], X)
idiom("Flatten_Unflatten_roundtrip", lambda lib, x: lib.nn.Flatten()(lib.nn.Unflatten(1, (3, 4))(
    lib.nn.Flatten()(x))), SEQ, grad=True)


def _text_classifier(L):
    class Classifier(L.nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = L.nn.Embedding(10, 4, padding_idx=0)
            self.norm = L.nn.LayerNorm(4)
            self.heads = L.nn.ModuleDict({"topic": L.nn.Linear(4, 3), "sentiment": L.nn.Linear(4, 2)})
            self.act = L.nn.SiLU()

        def forward(self, ids):
            h = self.act(self.norm(self.emb(ids))).mean(1)
            return self.heads["topic"](h), self.heads["sentiment"](h)

    return Classifier()


def _text_classifier_step(lib, ids):
    model = module(lib, _text_classifier)
    topic, sentiment = model(ids)
    loss = lib.nn.functional.cross_entropy(topic, lib.tensor([0, 2])) + \
        lib.nn.functional.cross_entropy(sentiment, lib.tensor([1, 0]))
    loss.backward()
    return loss, grads(lib, model), list(model.state_dict())


idiom("ModuleDict_model_step", _text_classifier_step, IDS)
idiom("ModuleDict_keys", lambda lib: list(module(lib, _text_classifier).heads.keys()))
idiom("ModuleDict_len_contains", lambda lib: (len(module(lib, _text_classifier).heads),
                                              "topic" in module(lib, _text_classifier).heads))
idiom("ModuleDict_items_shapes", lambda lib: [(k, tuple(m.weight.shape)) for k, m in
                                              module(lib, _text_classifier).heads.items()])


def _param_list_model(L):
    class Scales(L.nn.Module):
        def __init__(self):
            super().__init__()
            self.scales = L.nn.ParameterList([L.nn.Parameter(L.ones(4) * (i + 1)) for i in range(3)])
            self.extra = L.nn.ParameterDict({"shift": L.nn.Parameter(L.zeros(4))})

        def forward(self, x):
            for s in self.scales:
                x = x * s
            return x + self.extra["shift"]

    return Scales()


def _param_list_step(lib, x):
    model = module(lib, _param_list_model)
    out = model(x)
    out.sum().backward()
    return out, grads(lib, model), [n for n, _ in model.named_parameters()]


idiom("ParameterList_ParameterDict_step", _param_list_step, X)
idiom("ParameterList_len_index", lambda lib: (len(module(lib, _param_list_model).scales),
                                              module(lib, _param_list_model).scales[-1]))
idiom("ParameterList_append_tensor", lambda lib: lib.nn.ParameterList([lib.zeros(2)]).append(
    lib.ones(3))[1].requires_grad)
idiom("ParameterDict_keys", lambda lib: list(lib.nn.ParameterDict({"a": lib.nn.Parameter(lib.zeros(1)),
                                                                   "b": lib.nn.Parameter(lib.ones(1))}).keys()))

# ---------------------------------------------------------------- losses: weights, ignored labels, smoothing
idiom("CrossEntropyLoss_weight", lambda lib, out, y: lib.nn.CrossEntropyLoss(weight=lib.tensor(CW))(out, y), OUT, Y,
      grad=True)
idiom("CrossEntropyLoss_ignore_index", lambda lib, out, y: lib.nn.CrossEntropyLoss()(out, y), OUT, Y_IGN, grad=True)
idiom("CrossEntropyLoss_ignore_index_3", lambda lib, out, y: lib.nn.CrossEntropyLoss(ignore_index=3)(out, y), OUT, Y,
      grad=True)
idiom("CrossEntropyLoss_weight_ignore_smoothing",
      lambda lib, out, y: lib.nn.CrossEntropyLoss(weight=lib.tensor(CW), label_smoothing=0.2)(out, y), OUT, Y_IGN,
      grad=True)
idiom("CrossEntropyLoss_label_smoothing", lambda lib, out, y: lib.nn.CrossEntropyLoss(label_smoothing=0.1)(out, y),
      OUT, Y, grad=True)
idiom("CrossEntropyLoss_weight_sum",
      lambda lib, out, y: lib.nn.CrossEntropyLoss(weight=lib.tensor(CW), reduction="sum")(out, y), OUT, Y, grad=True)
idiom("CrossEntropyLoss_weight_none",
      lambda lib, out, y: lib.nn.CrossEntropyLoss(weight=lib.tensor(CW), reduction="none")(out, y), OUT, Y_IGN,
      grad=True)
idiom("CrossEntropyLoss_weight_float64",
      lambda lib, out, y: lib.nn.CrossEntropyLoss(weight=lib.tensor(CW.astype(np.float64)))(out, y), OUT64, Y,
      grad=True)
idiom("F_cross_entropy_positional_weight", lambda lib, out, y: lib.nn.functional.cross_entropy(out, y, lib.tensor(CW)),
      OUT, Y, grad=True)
idiom("F_cross_entropy_soft_targets_weight",
      lambda lib, out, p: lib.nn.functional.cross_entropy(out, p, weight=lib.tensor(CW)), OUT,
      np.full((8, 5), 0.2, np.float32), grad=True)
idiom("NLLLoss_weight", lambda lib, out, y: lib.nn.NLLLoss(weight=lib.tensor(CW))(lib.log_softmax(out, dim=1), y),
      OUT, Y, grad=True)
idiom("NLLLoss_ignore_index", lambda lib, out, y: lib.nn.NLLLoss(ignore_index=4)(lib.log_softmax(out, dim=1), y),
      OUT, Y, grad=True)
idiom("F_nll_loss_ignored", lambda lib, out, y: lib.nn.functional.nll_loss(lib.log_softmax(out, dim=1), y), OUT,
      Y_IGN, grad=True)
idiom("BCEWithLogitsLoss_pos_weight",
      lambda lib, out, t: lib.nn.BCEWithLogitsLoss(pos_weight=lib.tensor([1.0, 2.0, 3.0, 0.5, 1.0]))(out, t), OUT,
      MULTI, grad=True)
idiom("BCEWithLogitsLoss_weight", lambda lib, out, t: lib.nn.BCEWithLogitsLoss(weight=lib.tensor(CW))(out, t), OUT,
      MULTI, grad=True)
idiom("BCEWithLogitsLoss_pos_weight_large_logits",
      lambda lib, out, t: lib.nn.BCEWithLogitsLoss(pos_weight=lib.tensor([4.0, 2.0, 3.0, 0.5, 1.0]),
                                                   reduction="sum")(out * 50, t), OUT, MULTI, grad=True)
idiom("BCELoss_weight", lambda lib, out, t: lib.nn.BCELoss(weight=lib.tensor(CW))(lib.sigmoid(out), t), OUT, MULTI,
      grad=True)
idiom("loss_item_is_float", lambda lib, out, y, w: lib.nn.CrossEntropyLoss(weight=w)(out, y).item(), OUT, Y, CW)
idiom("CrossEntropyLoss_state_dict_keys",
      lambda lib, w: list(lib.nn.CrossEntropyLoss(weight=w).state_dict()), CW)

# ---------------------------------------------------------------- autograd.grad, jacobian, hessian
idiom("autograd_grad", lambda lib, x: lib.autograd.grad((x * x).sum(), x), X, grad="inputs")
idiom("autograd_grad_two_inputs", lambda lib, x, w: lib.autograd.grad(lib.tanh(x @ w).sum(), [x, w]), X,
      RNG.standard_normal((4, 2)).astype(np.float32), grad="inputs")
idiom("autograd_grad_outputs", lambda lib, x: lib.autograd.grad(lib.sin(x), x, grad_outputs=lib.ones_like(x)), X,
      grad="inputs")
idiom("autograd_grad_allow_unused", lambda lib, x, z: lib.autograd.grad(x.sum(), [x, z], allow_unused=True), X, X,
      grad="inputs")
idiom("autograd_grad_keeps_dot_grad", lambda lib, x: (lib.autograd.grad(x.exp().sum(), x), x.grad), X, grad="inputs")
idiom("autograd_grad_input_penalty",     # ∇ₓ of a model's output, as in input-gradient saliency
      lambda lib, x: lib.autograd.grad(module(lib, lambda L: L.nn.Linear(4, 1))(x).sum(), x)[0].abs().mean(), X,
      grad="inputs")
idiom("jacobian_x_squared", lambda lib, x: lib.autograd.functional.jacobian(lambda v: v ** 2, x),
      np.array([1.0, 2.0, 3.0], np.float32))
idiom("jacobian_layer", lambda lib, x: lib.autograd.functional.jacobian(
    lambda v: lib.tanh(module(lib, lambda L: L.nn.Linear(4, 3))(v)), x), X[0])
idiom("jacobian_two_inputs", lambda lib, a, b: lib.autograd.functional.jacobian(lambda u, v: u * v.sum(), (a, b)),
      X[0], X[1])
idiom("gradient_vT_A_v", lambda lib, v, A: lib.autograd.grad(v @ A @ v, v), X64[0], X64[:4], grad="inputs")
idiom("hessian_vT_A_v", lambda lib, v, A: lib.autograd.functional.hessian(lambda u: u @ A @ u, v), X64[0], X64[:4],
      rtol=1e-8, atol=1e-8)
idiom("vjp_layer", lambda lib, x, v: lib.autograd.functional.vjp(lambda u: lib.tanh(u * 2).sum(1), x, v), X64,
      X64[:, 0])
idiom("jvp_square", lambda lib, x, v: lib.autograd.functional.jvp(lambda u: u ** 2, x, v), X64[0], X64[1])
idiom("hvp_quartic", lambda lib, x, v: lib.autograd.functional.hvp(lambda u: (u ** 4).sum(), x, v), X64[0], X64[1],
      rtol=1e-7, atol=1e-8)
idiom("vhp_quartic", lambda lib, x, v: lib.autograd.functional.vhp(lambda u: (u ** 4).sum(), x, v), X64[0], X64[1],
      rtol=1e-7, atol=1e-8)
idiom("hessian_log_sum_exp", lambda lib, v: lib.autograd.functional.hessian(lambda u: u.exp().sum().log(), v),
      X64[1], rtol=1e-6, atol=1e-8)

# ---------------------------------------------------------------- nn.utils
def _clipped(lib, x, norm_type=2.0, max_norm=0.5):
    model = module(lib, lambda L: L.nn.Sequential(L.nn.Linear(4, 8), L.nn.SiLU(), L.nn.Linear(8, 2)))
    (model(x) ** 2).sum().backward()
    total = lib.nn.utils.clip_grad_norm_(model.parameters(), max_norm, norm_type=norm_type)
    return total, grads(lib, model)


idiom("clip_grad_norm_", _clipped, X, rtol=1e-4, atol=1e-6)
idiom("clip_grad_norm_inf", lambda lib, x: _clipped(lib, x, norm_type=float("inf")), X, rtol=1e-4)
idiom("clip_grad_norm_item", lambda lib, x: _clipped(lib, x)[0].item(), X, rtol=1e-4)
idiom("clip_grad_norm_no_clipping", lambda lib, x: _clipped(lib, x, max_norm=1e6), X, rtol=1e-4)


def _clip_value(lib, x):
    model = module(lib, lambda L: L.nn.Linear(4, 3))
    (model(x) ** 3).sum().backward()
    lib.nn.utils.clip_grad_value_(model.parameters(), 0.5)
    return grads(lib, model)


idiom("clip_grad_value_", _clip_value, X)
idiom("parameters_to_vector", lambda lib: lib.nn.utils.parameters_to_vector(
    module(lib, lambda L: L.nn.Linear(4, 3)).parameters()))


def _vector_to_parameters(lib):
    model = module(lib, lambda L: L.nn.Linear(3, 2))
    lib.nn.utils.vector_to_parameters(lib.arange(8).float(), model.parameters())
    return model.weight, model.bias


idiom("vector_to_parameters", _vector_to_parameters)


# ---------------------------------------------------------------- the run
@pytest.mark.parametrize("name", sorted(IDIOMS))
def test_idiom(name):
    fn, arrays, grad, tolerances = IDIOMS[name]
    compare(fn, *arrays, grad=grad, **tolerances)


# ---------------------------------------------------------------- not supported: a clear error, never a silent difference
NOT_SUPPORTED = [
    ("autograd_grad_create_graph", lambda: tg.autograd.grad((tg.ones(2, requires_grad=True) ** 2).sum(),
                                                            tg.ones(2, requires_grad=True), create_graph=True),
     NotImplementedError, "create_graph"),
    ("jacobian_create_graph", lambda: tg.autograd.functional.jacobian(lambda v: v * 2, tg.ones(2), create_graph=True),
     NotImplementedError, "create_graph"),
    ("Embedding_max_norm", lambda: tg.nn.Embedding(5, 2, max_norm=1.0), NotImplementedError, "max_norm"),
    ("Embedding_sparse", lambda: tg.nn.Embedding(5, 2, sparse=True), NotImplementedError, "sparse"),
    ("F_silu_inplace", lambda: tg.nn.functional.silu(tg.ones(2), inplace=True), NotImplementedError, "inplace"),
    ("nn_ELU_inplace", lambda: tg.nn.ELU(inplace=True), NotImplementedError, "inplace"),
    ("load_map_location_dict", lambda: tg.load("unused.tgate", map_location={"cuda:0": "cpu"}), ValueError,
     "map_location"),
    ("load_pickle_module", lambda: tg.load("unused.tgate", pickle_module=object()), ValueError, "pickle"),
    ("loss_size_average", lambda: tg.nn.CrossEntropyLoss(size_average=False), ValueError, "deprecated"),
    ("autograd_grad_is_grads_batched", lambda: tg.autograd.grad(tg.ones(2, requires_grad=True).sum(),
                                                                tg.ones(2, requires_grad=True), is_grads_batched=True),
     NotImplementedError, "is_grads_batched"),
]


@pytest.mark.parametrize("name,fn,error,match", NOT_SUPPORTED, ids=[n[0] for n in NOT_SUPPORTED])
def test_not_supported(name, fn, error, match):
    with pytest.raises(error, match=match):
        fn()
