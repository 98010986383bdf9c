"""A lecture-style PyTorch training script: a small MLP on three spiral arms.

tests/conformance/test_script_port.py runs it twice, as written and with its imports changed from torch to
tensorgate (``import tensorgate as torch``, ``import tensorgate.nn as nn``, ...), and compares what ``main``
returns. It uses the habits of real scripts: tensors made from NumPy arrays, a DataLoader over a
TensorDataset, ``x.size(0)``, ``out.max(1)``, ``(pred == y).sum().item()``, an optimiser loop and the
lecture's manual update ``with torch.no_grad(): p -= lr * p.grad``.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset


def make_spirals(n_per_class=40, classes=3, seed=0):
    """Points on `classes` spiral arms with a little noise: X (n, 2) float32, y (n,) int64."""
    rng = np.random.default_rng(seed)
    X, y = [], []
    for k in range(classes):
        r = np.linspace(0.1, 1.0, n_per_class)
        angle = np.linspace(k * 4.0, (k + 1) * 4.0, n_per_class) + rng.normal(0, 0.2, n_per_class)
        X.append(np.stack([r * np.sin(angle), r * np.cos(angle)], axis=1))
        y.append(np.full(n_per_class, k))
    return np.concatenate(X).astype(np.float32), np.concatenate(y).astype(np.int64)


def build_model(seed=1):
    """2 → 16 → 16 → 3 with ReLU, its weights set from NumPy so both libraries start the same."""
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 3))
    rng = np.random.default_rng(seed)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.tensor(rng.normal(0, 0.5, tuple(p.shape)), dtype=torch.float32))
    return model


def evaluate(model, loader, loss_fn):
    """Mean loss and accuracy over a loader, without recording a graph."""
    model.eval()
    total_loss, correct, seen = 0.0, 0, 0
    with torch.no_grad():
        for xb, yb in loader:
            out = model(xb)
            total_loss += loss_fn(out, yb).item() * xb.size(0)
            _, pred = out.max(1)
            correct += (pred == yb).sum().item()
            seen += yb.size(0)
    return total_loss / seen, correct / seen


def train_with_optimizer(model, loader, epochs=15, lr=0.05):
    """The usual loop: zero_grad, forward, loss, backward, step."""
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    history = []
    for epoch in range(epochs):
        model.train()
        running = 0.0
        for xb, yb in loader:
            optimizer.zero_grad()
            out = model(xb)
            loss = loss_fn(out, yb)
            loss.backward()
            optimizer.step()
            running += loss.item() * xb.size(0)
        history.append(running / len(loader.dataset))
    return history


def train_by_hand(model, X, y, steps=30, lr=0.1):
    """The lecture's gradient descent: the update written out, under no_grad, then the gradient zeroed."""
    for step in range(steps):
        out = model(X)
        loss = F.cross_entropy(out, y)
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
                p.grad.zero_()
    return loss.item()


def main():
    X_np, y_np = make_spirals()
    X, y = torch.tensor(X_np), torch.tensor(y_np)
    assert X.dtype == torch.float32 and y.dtype == torch.long
    loader = DataLoader(TensorDataset(X, y), batch_size=20, shuffle=False)
    model = build_model()
    loss_fn = nn.CrossEntropyLoss()
    start_loss, start_acc = evaluate(model, loader, loss_fn)
    history = train_with_optimizer(model, loader)
    end_loss, end_acc = evaluate(model, loader, loss_fn)

    with torch.no_grad():
        out = model(X)
        probs = F.softmax(out, dim=1)
        confidence, pred = probs.max(1)
        per_class = [(pred[y == k] == k).float().mean().item() for k in range(3)]
        wrong = (pred != y).nonzero().squeeze(1)

    manual = build_model()
    manual_loss = train_by_hand(manual, X, y)
    weights = [p.detach().clone() for p in manual.parameters()]
    return {
        "start": (start_loss, start_acc), "end": (end_loss, end_acc), "history": history,
        "pred": pred, "confidence": confidence, "per_class": per_class, "wrong": wrong,
        "manual_loss": manual_loss, "manual_weights": weights, "batch": X[:5].size(), "n": X.size(0),
    }


if __name__ == "__main__":
    results = main()
    print(f"loss {results['start'][0]:.3f} -> {results['end'][0]:.3f}, "
          f"accuracy {results['start'][1]:.2f} -> {results['end'][1]:.2f}")
