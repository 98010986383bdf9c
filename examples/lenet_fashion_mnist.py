"""LeNet-5 on Fashion-MNIST: a convolutional network reaches about 90% test accuracy in 3 epochs on a CPU.

The network (tensorgate.models.zoo.LeNet5):

    (N, 1, 28, 28) → conv 5×5, 6 maps, padding 2 → ReLU → max-pool 2   → (N, 6, 14, 14)
                   → conv 5×5, 16 maps          → ReLU → max-pool 2   → (N, 16, 5, 5)
                   → flatten 400 → 120 → ReLU → 84 → ReLU → 10 logits

Pixels are standardised with the training set's mean and standard deviation; Adam (η₀ = 3·10⁻³) with the
learning rate annealed along half a cosine to 0 over the run, step by step; cross-entropy loss;
mini-batches of 32. The test set is evaluated after every epoch only to report it.

LeNet-5 is small (62k parameters), and 3 epochs put it right at 90%, no more: measured here, seed 0
gives 90.08% and seed 1 89.86% (batches of 64 with η₀ = 4·10⁻³: 89.82%, in a third less time). Label
smoothing, horizontal flips, He initialisation and SGD with Nesterov momentum did not do better in
3 epochs.

Run::

    PYTHONPATH=src python3 examples/lenet_fashion_mnist.py [--epochs 3] [--batch-size 32] [--lr 3e-3] [--seed 0]
"""
import argparse
import time

import tensorgate as tg
from tensorgate.models.zoo import LeNet5
from tensorgate.optim import Adam
from tensorgate.optim.lr_scheduler import CosineAnnealingLR
from tensorgate.training import LearningRateScheduler, evaluate, fit


def main():
    parser = argparse.ArgumentParser(description="Train LeNet-5 on Fashion-MNIST")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    X_train, y_train, X_test, y_test, classes = tg.data.load_fashion_mnist(as_images=True)
    mean, std = float(X_train.mean()), float(X_train.std())
    X_train, X_test = (X_train - mean) / std, (X_test - mean) / std
    print(f"train {X_train.shape}, test {X_test.shape}, pixels standardised with mean {mean:.4f}, std {std:.4f}")

    tg.manual_seed(args.seed)
    model = LeNet5(in_channels=1, num_classes=len(classes), input_size=28)
    print(model)
    optimizer = Adam(model.parameters(), lr=args.lr)
    loss_fn = tg.nn.CrossEntropyLoss()
    start = time.perf_counter()
    steps = args.epochs * -(-len(X_train) // args.batch_size)
    schedule = LearningRateScheduler(CosineAnnealingLR(optimizer, T_max=steps), per_batch=True)
    history = fit(model, loss_fn, optimizer, (X_train, y_train), epochs=args.epochs, batch_size=args.batch_size,
                  val_data=(X_test, y_test), callbacks=[schedule], verbose=1, seed=args.seed)
    seconds = time.perf_counter() - start
    result = evaluate(model, loss_fn, (X_test, y_test))
    print(f"test accuracy {result['accuracy']:.4f} (loss {result['loss']:.4f}) after {args.epochs} epochs, "
          f"{seconds:.1f} s of training ({sum(history.history['samples_per_sec']) / args.epochs:.0f} samples/s)")
    return result["accuracy"]


if __name__ == "__main__":
    main()
