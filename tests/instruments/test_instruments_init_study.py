"""The initialisation study reproduces the lecture: zeros → no spread, N(0, 1) saturates tanh and explodes
ReLU, Xavier keeps tanh and He keeps ReLU at a steady spread."""
import numpy as np
import pytest

from tensorgate.instruments import initialisation_study
from tensorgate.plot.instruments import plot_initialisation_study


@pytest.fixture(scope="module")
def tanh():
    return initialisation_study(depth=10, width=256, activation="tanh", batch=512)


@pytest.fixture(scope="module")
def relu():
    return initialisation_study(depth=10, width=256, activation="relu", batch=512)


def test_zeros_give_zero_spread(tanh, relu):
    assert set(tanh) == {"zeros", "normal", "xavier", "he"} and tanh["zeros"].shape == (10,)
    assert np.all(tanh["zeros"] == 0) and np.all(relu["zeros"] == 0)


def test_standard_normal_saturates_tanh_and_explodes_relu(tanh, relu):
    assert np.all(tanh["normal"] > 0.95)            # |tanh| ≈ 1 everywhere: saturated units
    # ReLU: the spread grows by about √(width/2) = 11.3 per layer
    growth = relu["normal"][1:] / relu["normal"][:-1]
    assert np.all(growth > 8) and relu["normal"][-1] > 1e9


def test_xavier_keeps_tanh_alive_and_he_keeps_relu_steady(tanh, relu):
    assert 0.1 < tanh["xavier"][-1] < 0.9            # neither saturated nor vanished after 10 layers
    assert tanh["xavier"][-1] > 0.3 * tanh["xavier"][0]
    he = relu["he"]
    assert 0.5 < he.min() and he.max() < 2.0 and he[-1] / he[0] > 0.7
    # Xavier under-scales ReLU (half the units are zero): the spread halves layer after layer
    assert relu["xavier"][-1] < 0.1 * relu["xavier"][0]


def test_study_repeats_for_a_seed_and_checks_its_arguments():
    a = initialisation_study(depth=3, width=16, activation="relu", batch=8, seed=1)
    b = initialisation_study(depth=3, width=16, activation="relu", batch=8, seed=1)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    with pytest.raises(ValueError, match="activation"):
        initialisation_study(activation="softplus")
    with pytest.raises(ValueError, match="unknown init"):
        initialisation_study(inits=("orthogonal",))
    with pytest.raises(ValueError, match="depth"):
        initialisation_study(depth=0)


def test_plot_has_one_line_per_init_on_a_log_axis(tanh, relu, tmp_path):
    fig = plot_initialisation_study({"tanh": tanh, "relu": relu}, path=tmp_path / "study.png")
    assert (tmp_path / "study.png").stat().st_size > 0
    axes = fig.get_axes()
    assert len(axes) == 2 and all(ax.get_yscale() == "log" for ax in axes)
    assert all(len(ax.get_lines()) == 4 for ax in axes)


def test_docstring_examples_of_the_instruments_run():
    import doctest

    import tensorgate.instruments.graph as graph
    import tensorgate.instruments.init_study as init_study

    for module in (graph, init_study):
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
        assert result.failed == 0 and result.attempted > 0, module.__name__
