"""Shared test helpers: seeded random data and an independent centered-difference gradient."""
from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import settings

# On CI the property-based tests draw the same examples every run, so a red build is reproducible.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def numgrad(f, x, h=1e-6):
    """Centered differences of the scalar ``f()`` with respect to the float array ``x``, which ``f``
    reads: each entry is nudged in place by +-h and put back.

    Kept independent of ``tinygrad_edu.gradcheck`` on purpose: the engine's tests should not rest on
    the code that checks learners' gradients.
    """
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        fp = f()
        x[i] = old - h
        fm = f()
        x[i] = old
        g[i] = (fp - fm) / (2 * h)
    return g


def numeric_grads(f, arrays, h=1e-6):
    """``numgrad`` of the scalar ``f(*arrays)`` with respect to each array (float64 copies)."""
    arrays = [np.array(a, dtype=np.float64) for a in arrays]
    return [numgrad(lambda: f(*arrays), a, h) for a in arrays]


def rel(a, b):
    """The largest relative error between two arrays (cs231n's measure)."""
    return np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b)))


def loss_data(seed, n=6, d=5, c=4, h=7, w_scale=0.5):
    """Random cs231n-shaped data: X (n, d), labels y (n,), W (d, c) and two-layer params."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = rng.integers(0, c, size=n)
    W = rng.normal(size=(d, c)) * w_scale
    params = {"W1": rng.normal(size=(d, h)) * 0.5, "b1": rng.normal(size=h) * 0.1,
              "W2": rng.normal(size=(h, c)) * 0.5, "b2": rng.normal(size=c) * 0.1}
    return X, y, W, params
