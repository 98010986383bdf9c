"""RNN, LSTM, GRU and their cells (nn/recurrent.py): parameter gradients against PyTorch's (the conformance
idioms compare outputs and input gradients), a sequence classifier that learns through fit's compiled step,
save and load, and bad input named."""
import numpy as np
import pytest
import torch

import tensorgate as tg


def _twins(name, **kwargs):
    torch.manual_seed(0)
    theirs = getattr(torch.nn, name)(5, 7, **kwargs)
    ours = getattr(tg.nn, name)(5, 7, **kwargs)
    ours.load_state_dict({k: v.detach().numpy().copy() for k, v in theirs.state_dict().items()})
    return ours, theirs


@pytest.mark.parametrize("name, kwargs", [("RNN", {"num_layers": 2}), ("LSTM", {"bidirectional": True}),
                                          ("GRU", {"num_layers": 2, "batch_first": True}),
                                          ("LSTM", {"bias": False})])
def test_parameter_gradients_match_pytorch(name, kwargs):
    ours, theirs = _twins(name, **kwargs)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((6, 3, 5)).astype(np.float32)
    out, state = ours(x)
    out_t, state_t = theirs(torch.tensor(x))
    h, h_t = (state[0], state_t[0]) if name == "LSTM" else (state, state_t)
    w = rng.standard_normal(out.shape).astype(np.float32)
    ((out * tg.tensor(w)).sum() + (h * h).sum()).backward()
    ((out_t * torch.tensor(w)).sum() + (h_t * h_t).sum()).backward()
    expected = dict(theirs.named_parameters())
    assert [n for n, _ in ours.named_parameters()] == list(expected)
    for n, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), expected[n].grad.numpy(), rtol=1e-4, atol=1e-5, err_msg=n)


def test_an_lstm_classifier_learns_through_fit_and_saves(tmp_path):
    """Tell sequences whose sum rises from those whose sum falls, with an LSTM read at its last step."""

    class LastStep(tg.nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = tg.nn.LSTM(1, 16, batch_first=True)
            self.head = tg.nn.Linear(16, 2)

        def forward(self, x):
            out, _ = self.lstm(x)
            return self.head(out[:, -1])

    rng = np.random.default_rng(0)
    X = rng.standard_normal((256, 12, 1)).astype(np.float32)
    y = (X.sum(axis=(1, 2)) > 0).astype(np.int64)
    _ = tg.manual_seed(0)
    model = LastStep()
    history = tg.fit(model, "cross_entropy", tg.optim.Adam(model.parameters(), lr=0.02), (X, y), epochs=25,
                     batch_size=32, verbose=0, run_eagerly=False)
    assert history.history["accuracy"][-1] > 0.9, history.history["accuracy"][-5:]
    path = tmp_path / "lstm.tg"
    tg.save(model.lstm, path)
    again = tg.load(path)
    np.testing.assert_array_equal(again(X[:4])[0].numpy(), model.lstm(X[:4])[0].numpy())


@pytest.mark.parametrize("call, message", [
    (lambda: tg.nn.LSTM(5, 7, proj_size=3), "LSTM: proj_size .* is not supported"),
    (lambda: tg.nn.RNN(5, 7, nonlinearity="gelu"), "RNN: nonlinearity must be 'tanh' or 'relu'"),
    (lambda: tg.nn.GRU(5, 0), "GRU: hidden_size must be a positive int, got 0"),
    (lambda: tg.nn.LSTM(5, 7, dropout=1.5), r"LSTM: dropout must be a probability in \[0, 1\]"),
    (lambda: tg.nn.GRU(5, 7)(tg.zeros((6, 3, 4))), r"GRU: expected input of shape \(L, N, 5\)"),
    (lambda: tg.nn.LSTM(5, 7)(tg.zeros((6, 3, 5)), tg.zeros((1, 3, 7))), r"LSTM: hx must be a tuple \(h_0, c_0\)"),
    (lambda: tg.nn.RNN(5, 7)(tg.zeros((6, 3, 5)), tg.zeros((1, 2, 7))), r"RNN: h_0 must have shape \(1, 3, 7\)"),
    (lambda: tg.nn.GRUCell(5, 7)(tg.zeros((3, 5)), tg.zeros((2, 7))), r"GRUCell: hx must have shape \(3, 7\)"),
])
def test_bad_input_is_named(call, message):
    with pytest.raises((ValueError, NotImplementedError), match=message):
        call()
