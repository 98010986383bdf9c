"""XOR and two interleaved spirals: problems no straight line can split, learned by small MLPs.

    python examples/xor_and_spiral.py

XOR is the classic proof that a single layer (a perceptron) is not enough: the four points (0,0)→0,
(0,1)→1, (1,0)→1, (1,1)→0 need a hidden layer. Two interleaved spirals are the harder version of the
same lesson: the hidden layers must bend the plane until the two arms come apart.

Both train with ``fit`` to 100% training accuracy; the script prints the histories' last lines and, for
the spirals, a coarse text picture of the learned decision regions.
"""
import numpy as np

import tensorgate as tg
from tensorgate import nn, optim
from tensorgate.training import fit, predict


def xor():
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], np.float32)
    y = np.array([0, 1, 1, 0])
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2))
    history = fit(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=0.05), (X, y), epochs=200,
                  batch_size=4, verbose=False, seed=0)
    predicted = predict(model, X).argmax(axis=1)
    print(f"XOR: loss {history.history['loss'][-1]:.4f}, accuracy {history.history['accuracy'][-1]:.0%}, "
          f"predictions {predicted.tolist()} for targets {y.tolist()}")
    return history.history["accuracy"][-1]


def spirals(n_per_class=100, turns=1.5, seed=0):
    """Two spiral arms; class 1 is class 0 rotated by π. Shape: X (2n, 2), y (2n,)."""
    rng = np.random.default_rng(seed)
    t = np.sqrt(rng.random(n_per_class)) * turns * 2 * np.pi
    arm = np.stack([t * np.cos(t), t * np.sin(t)], axis=1) / (turns * 2 * np.pi)
    X = np.concatenate([arm, -arm]).astype(np.float32)
    y = np.concatenate([np.zeros(n_per_class, np.int64), np.ones(n_per_class, np.int64)])
    return X, y


def spiral():
    X, y = spirals()
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 2))
    history = fit(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=0.01), (X, y), epochs=300,
                  batch_size=50, verbose=False, seed=0)
    print(f"spirals: loss {history.history['loss'][-1]:.4f}, accuracy {history.history['accuracy'][-1]:.0%} "
          f"after {len(history.epoch)} epochs")

    grid = np.linspace(-1.05, 1.05, 41, dtype=np.float32)
    xx, yy = np.meshgrid(grid, grid[::-1])
    regions = predict(model, np.stack([xx.ravel(), yy.ravel()], axis=1)).argmax(axis=1).reshape(xx.shape)
    picture = np.where(regions == 0, ".", "#").astype(object)
    for (px, py), label in zip(X, y):  # the training points on top of the regions
        i = int(round((1.05 - py) / 2.1 * 40))
        j = int(round((px + 1.05) / 2.1 * 40))
        picture[i, j] = "o" if label == 0 else "x"
    print("decision regions ('.' class 0 with its points 'o', '#' class 1 with its points 'x'):")
    print("\n".join(" ".join(row) for row in picture))
    return history.history["accuracy"][-1]


if __name__ == "__main__":
    xor()
    spiral()
