"""The playground's frame rate: one frame = one training epoch, the monitor's measuring pass, the 64×64
decision surface, every neuron's map and the metrics, for a 2-4-4-1 network on 500 points (350 training,
batches of 10: 35 steps a frame). Target: at least 20 frames a second.

Also each part of a frame on its own, and for comparison an epoch with the monitor's hooks on every step
(what measuring once per frame replaced), interleaved round by round, medians.

    .venv/bin/python benchmarks/bench_playground.py [--rounds 15]
"""
import argparse
import json
import statistics
import time

from tensorgate.instruments.monitor import Monitor
from tensorgate.playground.session import TrainingSession


def timed(fn, repeat):
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - start) / repeat


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--frames", type=int, default=10, help="frames per round")
    args = parser.parse_args()
    session = TrainingSession({"dataset": "spiral", "points": 500, "layers": [4, 4], "activation": "relu",
                               "batch_size": 10})
    for _ in range(3):
        session.frame()  # warm up

    def epoch_with_monitor_on_every_step():  # the alternative to measure(): hooks on all 35 steps
        monitor = Monitor(warn=False).attach(session.model)
        session.model.train()
        X, y = session.X[session.is_train], session.y[session.is_train]
        order = session.rng.permutation(len(y))
        for start in range(0, len(order), 10):
            idx = order[start:start + 10]
            loss = session._loss(session.model(X[idx]), y[idx])
            session.optimizer.zero_grad()
            loss.backward()
            session.optimizer.step()
            monitor.observe_batch(loss)
        monitor.end_epoch()
        monitor.detach()

    parts = {"whole frame": lambda: session.frame(),
             "whole frame + JSON text": lambda: json.dumps(session.frame()), "training epoch": session.train_epoch,
             "monitor's measuring pass": session.measure,
             "surface + neuron maps": session._maps, "metrics (threshold, ROC)": lambda: session.metrics(0.5),
             "(epoch with the monitor on every step)": epoch_with_monitor_on_every_step}
    times = {name: [] for name in parts}
    for _ in range(args.rounds):
        for name, fn in parts.items():
            times[name].append(timed(fn, args.frames))
    print(f"2-4-4-1 ReLU network, {len(session.y)} points ({int(session.is_train.sum())} training, batch 10), "
          f"64×64 surface; medians of {args.rounds} rounds × {args.frames}")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"  {name:<40} {1000 * median:7.2f} ms" + (f"   {1 / median:6.1f} frames/s" if name.startswith("whole")
                                                         else ""))


if __name__ == "__main__":
    main()
