"""How the MLP estimators train: scikit-learn's objective, initialisation and stopping rule, run by
tensorgate's own training loop (:class:`tensorgate.training.Trainer`), or by SciPy's L-BFGS-B.

scikit-learn's MLP minimises, per batch of b examples (weights sᵢ, Σsᵢ = S; all 1 without
``sample_weight``, then S = b):

.. code-block:: text

    J = (1/S) Σᵢ sᵢ ℓ(zᵢ, yᵢ) + α Σ_layers ‖W‖² / (2S)       (biases are not penalised)

with ℓ the half squared error averaged over outputs (regression), the cross-entropy of softmax(z)
(multi-class) or the binary cross-entropy of σ(z) summed over outputs (binary, multi-label). An epoch's
loss (``loss_curve_``) is Σ_batches J_b·b / n, which is exactly the mean loss that ``Trainer`` logs.
"""
import math

import numpy as np
from scipy.optimize import minimize

from .. import functional as F
from .. import nn
from ..autograd import Tensor
from ..training import Callback

__all__ = ["MLPObjective", "ScikitLearnStopping", "init_like_sklearn", "fit_lbfgs"]


class MLPObjective(nn.Module):
    """J on one batch, as a loss module ``objective(z, y)`` for :class:`~tensorgate.training.Trainer`.

    ``kind``: 'squared_error', 'log_loss' (softmax) or 'binary_log_loss' (sigmoid per output);
    ``weights``: the layers' W (penalised by ½α‖W‖²/S, or ½λ‖W‖² with ``fixed_l2`` = λ). With ``weighted`` the target carries each
    example's weight sᵢ in its last column (the step then runs eagerly: the split is NumPy, not a gate).

    Shape: z: (b, k); y: (b,) labels ('log_loss') or (b, k), plus one column of weights when weighted;
    result: () scalar.
    """

    def __init__(self, kind, weights, alpha, weighted=False, fixed_l2=None):
        super().__init__()
        self.kind = kind
        self.alpha = float(alpha)
        self.weighted = bool(weighted)
        #: a penalty ½λ‖W‖² per batch whatever its size (logistic regression's J), instead of α‖W‖²/(2S)
        self.fixed_l2 = None if fixed_l2 is None else float(fixed_l2)
        self._weights = list(weights)     # a plain list: the loss does not own the model's parameters

    def forward(self, z, y):
        if self.weighted:
            return self._weighted(z, y)
        b = z.shape[0]
        if self.kind == "log_loss":
            loss = F.cross_entropy(z, y)                                  # (1/b) Σᵢ −log softmax(zᵢ)_yᵢ
        elif self.kind == "binary_log_loss":
            loss = F.binary_cross_entropy_with_logits(z, y, reduction="sum") * (1.0 / b)
        else:
            loss = F.mse_loss(z, y) * 0.5                                 # ½ mean over examples and outputs
        return self._penalised(loss, b)

    def _weighted(self, z, yw):
        data = yw.data if isinstance(yw, Tensor) else np.asarray(yw)
        y, s = data[:, :-1], data[:, -1]
        total = float(s.sum())
        if total <= 0:
            raise ValueError("MLP: the sample weights of a batch sum to 0; give positive sample_weight")
        if self.kind == "log_loss":
            each = F.cross_entropy(z, y[:, 0].astype(np.int64), reduction="none")
        elif self.kind == "binary_log_loss":
            each = F.sum(F.binary_cross_entropy_with_logits(z, y, reduction="none"), axis=1)
        else:
            each = F.mean(F.mse_loss(z, y, reduction="none"), axis=1) * 0.5
        loss = F.sum(each * Tensor(s, dtype=z.dtype)) * (1.0 / total)
        return self._penalised(loss, total)

    def _penalised(self, loss, total):
        factor = 0.5 * self.alpha / total if self.fixed_l2 is None else 0.5 * self.fixed_l2
        if not factor:
            return loss
        squares = None
        for w in self._weights:
            term = F.sum(w * w)
            squares = term if squares is None else squares + term
        return loss + squares * factor  # type: ignore[operator]


def init_like_sklearn(model, rng, scheme, activation):
    """Draw every Linear layer's W and b from U(−a, a), in scikit-learn's order and with its generator.

    'glorot' (scikit-learn's): a = √(f/(fan_in + fan_out)), f = 2 for the logistic activation, else 6;
    'he': a = √(6/fan_in) (Var = 2/fan_in); 'lecun': a = √(3/fan_in) (Var = 1/fan_in). scikit-learn
    draws the biases from the same distribution: with b = 0 every ReLU unit of a one-input network would
    bend at x = 0. With ``rng`` a ``RandomState`` seeded as scikit-learn's, 'glorot' draws its numbers.

    Shape: W: (out, in) (scikit-learn draws Wᵀ, (in, out), which is transposed here); b: (out,).
    """
    for layer in model:
        if not isinstance(layer, nn.Linear):
            continue
        fan_out, fan_in = layer.weight.shape
        if scheme == "glorot":
            bound = math.sqrt((2.0 if activation == "logistic" else 6.0) / (fan_in + fan_out))
        elif scheme == "he":
            bound = math.sqrt(6.0 / fan_in)
        else:
            bound = math.sqrt(3.0 / fan_in)
        layer.weight.data[...] = rng.uniform(-bound, bound, (fan_in, fan_out)).T
        layer.bias.data[...] = rng.uniform(-bound, bound, fan_out)  # type: ignore[union-attr]
        layer.init = {"glorot": "xavier_uniform", "he": "he_uniform", "lecun": "lecun_uniform"}[scheme]


class ScikitLearnStopping(Callback):
    """scikit-learn's end of epoch for the stochastic solvers, as a callback of tensorgate's loop.

    After every epoch: record the loss (``loss_curve_``), count the epochs without improvement (training
    loss not below best − tol, or with early stopping validation score not above best + tol, keeping the
    best weights), update the learning rate ('invscaling': η = η₀/(t + 1)^power_t with t the examples
    seen), and once the count exceeds ``n_iter_no_change`` stop training, or, with 'adaptive', divide η
    by 5 and go on while η > 10⁻⁶.

    Shape: not applicable.
    """

    def __init__(self, estimator, n_train, validation=None):
        self.estimator = estimator
        self.n_train = n_train
        self.validation = validation
        self.stopped = False

    def _set_lr(self, lr):
        """Set η. scikit-learn keeps its velocity with η inside (V ← μV − ηg, p ← p + V); tensorgate's SGD
        keeps raw gradients (v ← μv + g, p ← p − ηv), so V = −ηv: when η changes, v is rescaled by
        η_old/η_new to keep the step scikit-learn would take."""
        optimizer = self.trainer.optimizer  # type: ignore[union-attr]
        for group in optimizer.param_groups:
            old, group["lr"] = group["lr"], lr
            for p in group["params"]:
                buffer = optimizer.state.get(p, {}).get("momentum_buffer")
                if buffer is not None and old != lr:
                    buffer *= old / lr

    def on_epoch_end(self, epoch, logs=None):
        est = self.estimator
        loss = float(logs["loss"])
        if not np.isfinite(loss):
            raise FloatingPointError(f"{type(est).__name__}: the loss diverged to {loss} at epoch {est.n_iter_ + 1}; "
                                     f"lower learning_rate_init (it is {est.learning_rate_init})")
        est.n_iter_ += 1
        est.t_ += self.n_train
        est.loss_ = loss
        est.loss_curve_.append(loss)
        if est.verbose:
            print(f"Iteration {est.n_iter_}, loss = {loss:.8f}")
        if self.validation is not None:
            score = est._validation_score(*self.validation)
            est.validation_scores_.append(score)
            if est.verbose:
                print(f"Validation score: {score:.6f}")
            est._no_improvement_count = (est._no_improvement_count + 1
                                         if score < est.best_validation_score_ + est.tol else 0)
            if score > est.best_validation_score_:
                est.best_validation_score_ = score
                est._best_state = [p.data.copy() for p in est.model_.parameters()]
        else:
            est._no_improvement_count = est._no_improvement_count + 1 if loss > est.best_loss_ - est.tol else 0
            est.best_loss_ = min(est.best_loss_, loss)
        sgd = est.solver == "sgd"
        if sgd and est.learning_rate == "invscaling":
            self._set_lr(float(est.learning_rate_init) / (est.t_ + 1) ** float(est.power_t))
        if est._no_improvement_count > est.n_iter_no_change:
            lr = self.trainer.optimizer.param_groups[0]["lr"]  # type: ignore[union-attr]
            if sgd and est.learning_rate == "adaptive" and lr > 1e-6:
                self._set_lr(lr / 5.0)
                est._no_improvement_count = 0
                if est.verbose:
                    print(f"No improvement by tol={est.tol} for {est.n_iter_no_change} epochs: learning rate "
                          f"{lr / 5.0:f}")
            else:
                self.stopped = True
                self.trainer.stop_training = True  # type: ignore[union-attr]
                if est.verbose:
                    what = "Validation score" if self.validation is not None else "Training loss"
                    print(f"{what} did not improve more than tol={est.tol} for {est.n_iter_no_change} consecutive "
                          "epochs. Stopping.")


def fit_lbfgs(model, objective, X, target, max_iter, max_fun, tol):
    """Minimise ``objective(model(X), target)`` over all parameters with SciPy's L-BFGS-B.

    The parameters are flattened into one float64 vector θ; each evaluation writes θ into the model,
    runs the engine's forward and backward pass on the whole data and returns (J, ∇J). Options as
    scikit-learn's: ``maxiter``, ``maxfun`` and ``gtol`` = tol. Returns SciPy's OptimizeResult, with the
    model left at its solution.

    Shape: X: (n, n_in); target as ``objective`` takes it.
    """
    params = list(model.parameters())
    sizes = [p.data.size for p in params]
    xt, yt = Tensor(X, dtype=X.dtype), Tensor(target, dtype=target.dtype)

    def value_and_grad(theta):
        offset = 0
        for p, size in zip(params, sizes):
            p.data[...] = theta[offset:offset + size].reshape(p.data.shape)
            p.grad = None
            offset += size
        loss = objective(model(xt), yt)
        loss.backward()
        grad = np.concatenate([np.asarray(p.grad.data if isinstance(p.grad, Tensor) else p.grad,
                                          dtype=np.float64).reshape(-1) for p in params])
        return float(loss.item()), grad

    theta0 = np.concatenate([p.data.reshape(-1) for p in params]).astype(np.float64)
    result = minimize(value_and_grad, theta0, jac=True, method="L-BFGS-B",
                      options={"maxiter": int(max_iter), "maxfun": int(max_fun), "gtol": float(tol)})
    value_and_grad(result.x)
    for p in params:
        p.grad = None
    return result
