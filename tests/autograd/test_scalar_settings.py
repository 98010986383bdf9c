"""Settings given as NumPy scalars (np.float64) keep a float32 network float32, as Python numbers do."""
import numpy as np
import pytest

import tensorgate as tg
import tensorgate.nn.functional as F


@pytest.mark.parametrize("call", [
    lambda x: F.leaky_relu(x, np.float64(0.2)),
    lambda x: F.hardtanh(x, np.float64(-0.5), np.float64(0.5)),
    lambda x: x.clip(np.float64(-0.5), None),
    lambda x: F.binary_cross_entropy(x.sigmoid(), np.ones(3, np.float32), eps=np.float64(1e-6)),
    lambda x: F.hinge_loss(x, np.ones(3, np.float32), margin=np.float64(2.0)),
])
def test_numpy_scalar_settings_keep_float32(call):
    # NumPy's promotion rules make an np.float64 scalar turn a float32 array into float64; a setting held as
    # one (a slope read from a config, a bound computed with NumPy) must not change the network's dtype
    x = tg.tensor(np.array([-1.0, 0.25, 2.0], np.float32), requires_grad=True)
    out = call(x)
    out.sum().backward()
    assert out.dtype == np.float32 and x.grad.dtype == np.float32
