"""DOT export of a forward pass, and rendering it with Graphviz."""
import shutil

import numpy as np
import pytest

import tensorgate as tg
from tensorgate import nn
from tensorgate.instruments import render_graph, to_dot


def tiny_mlp_output():
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    x = tg.tensor(np.ones((5, 3), dtype=np.float32))
    x.name = "x"
    return model, model(x)


def test_dot_of_a_tiny_mlp_has_its_gates_shapes_and_parameter_names():
    model, out = tiny_mlp_output()
    dot = to_dot(out, model=model)
    assert dot.startswith("digraph forward {") and dot.rstrip().endswith("}")
    nodes = [line for line in dot.splitlines() if "[label=" in line]
    labels = [line.split('label="', 1)[1].split('"', 1)[0] for line in nodes]
    # leaves: the input and the four parameters by module path; gates: linear, relu, linear
    assert sorted(labels) == sorted([
        "x\\n(5, 3)", "0.weight\\n(4, 3)", "0.bias\\n(4,)", "2.weight\\n(2, 4)", "2.bias\\n(2,)",
        "linear\\n(5, 4)", "relu\\n(5, 4)", "linear\\n(5, 2)"])
    edges = [line.strip() for line in dot.splitlines() if "->" in line]
    assert len(edges) == 3 + 1 + 3          # linear has x, W, b; relu one input; linear three
    ids = {label.replace("\\n", " "): line.split()[0] for label, line in zip(labels, nodes)}
    assert f"{ids['x (5, 3)']} -> {ids['linear (5, 4)']};" in edges
    assert f"{ids['0.weight (4, 3)']} -> {ids['linear (5, 4)']};" in edges
    assert f"{ids['linear (5, 4)']} -> {ids['relu (5, 4)']};" in edges
    assert f"{ids['relu (5, 4)']} -> {ids['linear (5, 2)']};" in edges


def test_without_the_model_parameters_are_still_drawn_and_constants_show_their_value():
    w = tg.tensor([[1.0, 2.0]], requires_grad=True)
    out = (tg.tensor([[3.0, 4.0]]) * w * 2.0).sum()
    dot = to_dot(out)
    assert 'label="parameter\\n(1, 2)"' in dot and 'label="2\\n()"' in dot and 'label="sum\\n()"' in dot


def test_graphs_over_max_nodes_are_refused_clearly():
    x = tg.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(30):
        y = y * 1.5
    with pytest.raises(ValueError, match="more than max_nodes=20"):
        to_dot(y, max_nodes=20)
    assert to_dot(y, max_nodes=200).count("mul\\n(1,)") == 30
    with pytest.raises(TypeError, match="must be a Tensor"):
        to_dot(np.ones(3))


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_render_to_svg_and_png(tmp_path):
    model, out = tiny_mlp_output()
    svg = render_graph(out, tmp_path / "g.svg", model=model)
    text = (tmp_path / "g.svg").read_text()
    assert svg.endswith("g.svg") and "<svg" in text and "0.weight" in text and "relu" in text
    render_graph(out, tmp_path / "g.png")
    assert (tmp_path / "g.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert list(tmp_path.iterdir()) and not [p for p in tmp_path.iterdir() if p.suffix not in (".svg", ".png")]


def test_render_without_graphviz_says_how_to_get_it(tmp_path, monkeypatch):
    _, out = tiny_mlp_output()
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match="Graphviz's 'dot' program was not found"):
        render_graph(out, tmp_path / "g.svg")
    render_graph(out, tmp_path / "g.dot")            # DOT text needs no Graphviz
    assert (tmp_path / "g.dot").read_text().startswith("digraph")
    with pytest.raises(ValueError, match="image format"):
        render_graph(out, tmp_path / "g.bmp")
