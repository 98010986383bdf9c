"""The initialisation study: push one batch through a 10-layer stack under zeros, N(0, 1), Xavier and He,
and plot the spread (std) of the activations layer by layer, for tanh and for ReLU.

    python examples/initialisation_study.py [out.png]

What to see: zeros give no spread at all (every unit identical); N(0, 1) saturates tanh (std ≈ 1: every
unit at ±1) and makes ReLU explode (×√(n/2) per layer); Xavier keeps tanh alive, He keeps ReLU constant.
"""
import sys

import numpy as np

from tensorgate.instruments import initialisation_study
from tensorgate.plot.instruments import plot_initialisation_study


def main(path="initialisation_study.png"):
    study = {act: initialisation_study(depth=10, width=256, activation=act, batch=512) for act in ("tanh", "relu")}
    np.set_printoptions(precision=3, linewidth=120)
    for act, spreads in study.items():
        print(f"{act}: std of the activations after each of the 10 layers")
        for init, spread in spreads.items():
            print(f"  {init:<7} {spread}")
    plot_initialisation_study(study, path=path)
    print(f"wrote {path}")


if __name__ == "__main__":
    main(*sys.argv[1:2])
