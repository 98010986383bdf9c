"""Each plot returns a Figure with the expected axes, lines and labels, and writes a non-empty PNG."""
import doctest

import numpy as np
import pytest

pytest.importorskip("matplotlib")

import tensorgate as tg  # noqa: E402
import tensorgate.data  # noqa: E402,F401
import tensorgate.metrics  # noqa: E402,F401
import tensorgate.nn  # noqa: E402,F401
import tensorgate.training  # noqa: E402,F401
import tensorgate.plot as plot  # noqa: E402
from tensorgate.plot import activations, boundary, confusion, curves, history, weights  # noqa: E402

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def assert_png(path):
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC
    assert len(data) > 5000  # a drawn figure, not an empty canvas


@pytest.fixture(scope="module")
def binary_scores():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    score = np.clip(0.35 * y + rng.normal(0.3, 0.2, 200), 0, 1)
    return y, score


@pytest.fixture(scope="module")
def multiclass_scores():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 4, 300)
    z = rng.normal(size=(300, 4))
    z[np.arange(300), y] += 2
    return y, np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)


def legend_texts(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


# ------------------------------------------------------------------ history
def test_history_two_panels_training_and_validation(tmp_path):
    h = tg.training.History()
    for e, (loss, val) in enumerate([(1.0, 1.1), (0.6, 0.8), (0.4, 0.7), (0.3, 0.75)]):
        h.record(e, {"loss": loss, "val_loss": val, "accuracy": 1 - loss / 2, "val_accuracy": 1 - val / 2})
    fig = plot.plot_history(h, path=tmp_path / "h.png")
    loss_ax, acc_ax = fig.axes
    assert (loss_ax.get_ylabel(), acc_ax.get_ylabel()) == ("loss", "accuracy")
    assert loss_ax.get_xlabel() == "epoch"
    assert len(loss_ax.get_lines()) == 3  # training, validation, the best-epoch star
    assert np.allclose(loss_ax.get_lines()[1].get_ydata(), [1.1, 0.8, 0.7, 0.75])
    star = loss_ax.get_lines()[2]
    assert star.get_xdata()[0] == 3 and star.get_ydata()[0] == 0.7  # epoch 3 (1-based) has the lowest
    assert any("validation" in t for t in legend_texts(acc_ax))
    assert_png(tmp_path / "h.png")


def test_history_accepts_history_json_and_skips_missing_values():
    fig = plot.plot_history({"history": {"loss": [0.5, 0.4], "val_loss": [None, 0.45]}, "epoch": [0, 1]})
    (ax,) = fig.axes
    assert list(ax.get_lines()[1].get_xdata()) == [2]


def test_history_without_loss_is_an_error():
    with pytest.raises(ValueError, match="no 'loss'"):
        plot.plot_history({"accuracy": [0.5]})


# ------------------------------------------------------------------ ROC and PR
def test_roc_binary_marks_threshold_and_auc(tmp_path, binary_scores):
    y, s = binary_scores
    fig = plot.plot_roc(y, s, classes=["neg", "pos"], path=tmp_path / "roc.png")
    (ax,) = fig.axes
    labels = legend_texts(ax)
    auc = tg.metrics.roc_auc_score(y, s)
    assert f"ROC (AUC = {auc:.3f})" in labels
    assert "chance (AUC = 0.5)" in labels
    best = tg.metrics.best_threshold(y, s, "youden")
    marker = [t for t in labels if t.startswith("θ")]
    assert marker and f"{best.threshold:.3g}" in marker[0]
    diagonal = ax.get_lines()[0]
    assert list(diagonal.get_xdata()) == [0, 1] and list(diagonal.get_ydata()) == [0, 1]
    point = ax.get_lines()[-1]
    assert np.isclose(point.get_xdata()[0], best.fpr) and np.isclose(point.get_ydata()[0], best.tpr)
    assert "pos" in ax.get_title()
    assert_png(tmp_path / "roc.png")


def test_roc_accepts_two_column_probabilities(binary_scores):
    y, s = binary_scores
    a = plot.plot_roc(y, s, threshold=None).axes[0].get_lines()[1].get_ydata()
    b = plot.plot_roc(y, np.column_stack([1 - s, s]), threshold=None).axes[0].get_lines()[1].get_ydata()
    assert np.allclose(a, b)


def test_roc_multiclass_one_curve_per_class(multiclass_scores):
    y, p = multiclass_scores
    fig = plot.plot_roc(y, p, classes=list("abcd"))
    (ax,) = fig.axes
    assert len(ax.get_lines()) == 1 + 4
    per_class = tg.metrics.roc_auc_score(y, p, multi_class="ovr", average=None)
    assert legend_texts(ax)[1:] == [f"{c} (AUC = {a:.3f})" for c, a in zip("abcd", per_class)]
    assert "macro-average AUC" in ax.get_title()


def test_precision_recall_binary_and_multiclass(tmp_path, binary_scores, multiclass_scores):
    y, s = binary_scores
    fig = plot.plot_precision_recall(y, s, threshold="f1", path=tmp_path / "pr.png")
    (ax,) = fig.axes
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("recall", "precision")
    ap = tg.metrics.average_precision_score(y, s)
    labels = legend_texts(ax)
    assert f"PR (AP = {ap:.3f})" in labels
    assert any(t.startswith("no skill") for t in labels)
    assert any("(f1)" in t for t in labels)
    assert_png(tmp_path / "pr.png")
    y, p = multiclass_scores
    assert len(plot.plot_precision_recall(y, p).axes[0].get_lines()) == 4


def test_curves_reject_mismatched_shapes():
    with pytest.raises(ValueError, match="y_score must have shape"):
        plot.plot_roc([0, 1, 1], [0.2, 0.8])
    with pytest.raises(ValueError, match="class indices"):
        plot.plot_roc([0, 1, 5], [[0.5, 0.5]] * 3)
    with pytest.raises(ValueError, match="expected 2 names"):
        plot.plot_roc([0, 1], [0.3, 0.6], classes=["a", "b", "c"])


# ------------------------------------------------------------------ confusion matrix
def test_confusion_matrix_counts_and_class_names(tmp_path):
    y_true = [0, 0, 1, 1, 1, 2]
    y_pred = [0, 1, 1, 1, 2, 2]
    fig = plot.plot_confusion_matrix(y_true, y_pred, classes=["cat", "dog", "bird"], path=tmp_path / "cm.png")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["cat", "dog", "bird"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["cat", "dog", "bird"]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("predicted", "true")
    cells = [t.get_text() for t in ax.texts]
    assert cells == ["1", "1", "0", "0", "2", "1", "0", "0", "1"]  # row by row
    assert np.array_equal(ax.get_images()[0].get_array(), [[1, 1, 0], [0, 2, 1], [0, 0, 1]])
    assert "accuracy 66.7%" in ax.get_title()
    assert len(fig.axes) == 2  # the heatmap and its colour bar
    assert_png(tmp_path / "cm.png")


def test_confusion_matrix_from_a_matrix_normalised():
    fig = plot.plot_confusion_matrix(np.array([[3, 1], [0, 4]]), normalize=True)
    ax = fig.axes[0]
    assert ax.texts[0].get_text() == "3\n75%"
    assert np.allclose(ax.get_images()[0].get_array(), [[0.75, 0.25], [0, 1]])
    with pytest.raises(ValueError, match="K × K"):
        plot.plot_confusion_matrix(np.zeros((2, 3)))


# ------------------------------------------------------------------ decision boundary
def test_decision_boundary_binary_function(tmp_path):
    X, y = tg.data.make_moons(120, noise=0.1, random_state=0)

    def proba(P):  # a linear rule: P(class 1) = σ(2·(x₂ − 0.25))... in the lower half
        return 1 / (1 + np.exp(4 * (P[:, 1] - 0.25)))

    fig = plot.plot_decision_boundary(proba, X, y, classes=["top", "bottom"], path=tmp_path / "db.png",
                                      resolution=80)
    ax = fig.axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("$x_1$", "$x_2$")
    image = ax.get_images()[0]
    shading = np.asarray(image.get_array())
    assert shading.shape == (80, 80) and 0 <= shading.min() and shading.max() <= 1
    assert shading[0].mean() > 0.9 > 0.1 > shading[-1].mean()  # bottom rows: class 1, top rows: class 0
    assert len(ax.collections) >= 2  # the scattered classes (and the contour)
    labels = legend_texts(ax)
    assert "boundary p = 0.5" in labels and "class top" in labels and "class bottom" in labels
    assert "P(class 'bottom' | x)" == fig.axes[1].get_ylabel()
    assert_png(tmp_path / "db.png")


def test_decision_boundary_with_a_network_and_three_classes():
    X, y = tg.data.make_spiral(90, n_classes=3, noise=0.0, random_state=0)
    tg.manual_seed(0)
    model = tg.nn.Sequential(tg.nn.Linear(2, 8), tg.nn.Tanh(), tg.nn.Linear(8, 3))
    fig = plot.plot_decision_boundary(model, X, y, resolution=50)
    ax = fig.axes[0]
    rgba = np.asarray(ax.get_images()[0].get_array())
    assert rgba.shape == (50, 50, 4)
    assert len(fig.axes) == 1  # no colour bar for K > 2
    assert sum(t.startswith("class ") for t in legend_texts(ax)) == 3


def test_decision_boundary_needs_two_features():
    with pytest.raises(ValueError, match="2 features"):
        plot.plot_decision_boundary(lambda P: P[:, 0], np.zeros((5, 3)), np.zeros(5))


# ------------------------------------------------------------------ first-layer weights
def test_first_layer_weights_from_a_module(tmp_path):
    tg.manual_seed(0)
    model = tg.nn.Sequential(tg.nn.Linear(64, 20), tg.nn.ReLU(), tg.nn.Linear(20, 10))
    fig = plot.plot_first_layer_weights(model, path=tmp_path / "w.png")
    ax = fig.axes[0]
    mosaic = np.ma.filled(ax.get_images()[0].get_array(), np.nan)
    # 20 units of 8×8 on 8 columns × 3 rows, 1-pixel gaps: 3·9 − 1 by 8·9 − 1
    assert mosaic.shape == (26, 71)
    W = model[0].weight.data
    assert np.allclose(mosaic[:8, :8], W[0].reshape(8, 8) / np.abs(W[0]).max(), atol=1e-6)
    assert np.isnan(mosaic[8, 0])  # the gap between rows
    assert "all 20 units" in ax.get_title()
    assert_png(tmp_path / "w.png")


def test_first_layer_weights_28x28_limited_and_filters():
    W = np.random.default_rng(0).normal(size=(100, 784))
    fig = plot.plot_first_layer_weights(W, max_units=16)
    assert np.ma.filled(fig.axes[0].get_images()[0].get_array(), 0).shape == (4 * 29 - 1, 4 * 29 - 1)
    assert "16 of 100 units" in fig.axes[0].get_title()
    filters = np.random.default_rng(0).normal(size=(6, 1, 5, 5))
    assert "filters" in plot.plot_first_layer_weights(filters).axes[0].get_title()
    with pytest.raises(ValueError, match="not a square image"):
        plot.plot_first_layer_weights(np.zeros((3, 30)))
    with pytest.raises(ValueError, match="pixels"):
        plot.plot_first_layer_weights(np.zeros((3, 30)), image_shape=(5, 5))


# ------------------------------------------------------------------ activations
def test_activation_derivatives_come_from_backward():
    x = np.linspace(-3, 3, 13)
    f, df = plot.activation_and_derivative("sigmoid", x)
    s = 1 / (1 + np.exp(-x))
    assert np.allclose(f, s) and np.allclose(df, s * (1 - s))
    f, df = plot.activation_and_derivative("tanh", x)
    assert np.allclose(df, 1 - np.tanh(x) ** 2)
    _, df = plot.activation_and_derivative("relu", np.array([-1.0, 2.0]))
    assert df.tolist() == [0.0, 1.0]
    with pytest.raises(ValueError, match="unknown activation"):
        plot.activation_and_derivative("swish", x)


def test_plot_activations_grid(tmp_path):
    fig = plot.plot_activations(["sigmoid", "tanh", "relu"], path=tmp_path / "act.png")
    assert len(fig.axes) == 6
    top, bottom = fig.axes[:3], fig.axes[3:]
    assert [ax.get_title() for ax in top][0].startswith("σ(x)")
    assert bottom[0].get_title() == "σ'(x) = σ(x)(1 − σ(x))"
    assert np.isclose(max(bottom[0].get_lines()[0].get_ydata()), 0.25, atol=1e-4)  # σ'(0) = 1/4
    assert_png(tmp_path / "act.png")


# ------------------------------------------------------------------ saving and docs
def test_save_is_atomic_and_by_suffix(tmp_path):
    fig = plot.plot_activations(["relu"])
    plot._common.save(fig, tmp_path / "sub" / "a.svg")
    assert (tmp_path / "sub" / "a.svg").read_text().lstrip().startswith("<?xml")
    assert [p.name for p in (tmp_path / "sub").iterdir()] == ["a.svg"]  # no temporary file left


def test_importing_plot_does_not_import_pyplot():
    import subprocess
    import sys

    code = "import sys, tensorgate.plot; print('matplotlib.pyplot' in sys.modules, 'matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


@pytest.mark.parametrize("module", [activations, boundary, confusion, curves, history, weights])
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
