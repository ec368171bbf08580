"""The layer pairs of a learner's file, found by the course's names and checked with check_layer.

``PAIRS`` lists each forward with its backward (``batchnorm_forward`` with ``batchnorm_backward`` and
with ``batchnorm_backward_alt``; dropout in training and in test mode) and the built-in inputs it is
checked on (``case``): small, seeded, away from kinks (no ReLU input near 0, no ties in a pooling
window), of the course's shapes. ``check_layers(module)`` returns the reports and the text that
``tinygrad-edu check --mine FILE.py`` prints: one table, then each diagnosis.
"""
from __future__ import annotations

import numpy as np

from ..gradcheck import check_layer
from ..compare import worst_verdict

__all__ = ["PAIRS", "case", "check_layers", "layer_names"]


def _away_from_zero(rng, shape):
    x = rng.standard_normal(shape)
    return np.where(np.abs(x) < 0.05, 0.5, x)


def case(kind: str, seed: int = 0) -> tuple:
    """The built-in arguments (after forward and backward) for a layer of ``kind``."""
    rng = np.random.default_rng(seed)
    if kind == "affine":
        return rng.standard_normal((4, 2, 3)), rng.standard_normal((6, 5)), rng.standard_normal(5)
    if kind == "elementwise":
        return (_away_from_zero(rng, (4, 5)),)
    if kind in ("batchnorm", "layernorm"):
        x = 3 * rng.standard_normal((6, 4)) + 1
        param = {"mode": "train"} if kind == "batchnorm" else {}
        return x, 1 + 0.5 * rng.standard_normal(4), 0.5 * rng.standard_normal(4), param
    if kind == "spatial_batchnorm":
        return (2 * rng.standard_normal((2, 3, 4, 4)) - 1, 1 + 0.5 * rng.standard_normal(3),
                0.5 * rng.standard_normal(3), {"mode": "train"})
    if kind in ("dropout_train", "dropout_test"):
        mode = kind.split("_")[1]
        return rng.standard_normal((5, 6)), {"mode": mode, "p": 0.7, "seed": seed}
    if kind == "conv":
        return (rng.standard_normal((2, 3, 5, 5)), rng.standard_normal((2, 3, 3, 3)),
                rng.standard_normal(2), {"stride": 2, "pad": 1})
    if kind == "pool":     # distinct values, so that every window has one maximum
        x = rng.permutation(2 * 2 * 6 * 6).reshape(2, 2, 6, 6) / 7.0 - 10.0
        return x, {"pool_height": 2, "pool_width": 2, "stride": 2}
    raise ValueError(f"case: no built-in inputs for {kind!r}")


PAIRS = [("affine_forward", "affine_backward", "affine"),
         ("relu_forward", "relu_backward", "elementwise"),
         ("leaky_relu_forward", "leaky_relu_backward", "elementwise"),
         ("sigmoid_forward", "sigmoid_backward", "elementwise"),
         ("tanh_forward", "tanh_backward", "elementwise"),
         ("batchnorm_forward", "batchnorm_backward", "batchnorm"),
         ("batchnorm_forward", "batchnorm_backward_alt", "batchnorm"),
         ("layernorm_forward", "layernorm_backward", "layernorm"),
         ("spatial_batchnorm_forward", "spatial_batchnorm_backward", "spatial_batchnorm"),
         ("dropout_forward", "dropout_backward", "dropout_train"),
         ("dropout_forward", "dropout_backward", "dropout_test"),
         ("conv_forward_naive", "conv_backward_naive", "conv"),
         ("conv_forward_fast", "conv_backward_fast", "conv"),
         ("max_pool_forward_naive", "max_pool_backward_naive", "pool"),
         ("max_pool_forward_fast", "max_pool_backward_fast", "pool")]


def layer_names() -> list:
    """Every name ``check_layers`` looks for, in order, once each."""
    return list(dict.fromkeys(n for f, b, _ in PAIRS for n in (f, b)))


def check_layers(module, seed: int = 0) -> tuple:
    """(found, verdict, text) for the layer pairs defined in ``module``: ``found`` the list of
    (label, report or error sentence); ``verdict`` the worst (None when no pair is there)."""
    found = []
    for fwd, bwd, kind in PAIRS:
        forward, backward = getattr(module, fwd, None), getattr(module, bwd, None)
        if not (callable(forward) and callable(backward)):
            continue
        label = bwd + (" (test mode)" if kind == "dropout_test" else "")
        try:
            found.append((label, check_layer(forward, backward, *case(kind, seed), seed=seed)))
        except Exception as e:      # your function raised: that is the finding, not a crash
            found.append((label, f"raised {type(e).__name__}: {e}"))
    if not found:
        return found, None, ""
    verdict = worst_verdict("wrong" if isinstance(r, str) else r.verdict for _, r in found)
    return found, verdict, _text(found)


def _text(found) -> str:
    lines = [f"  {'backward':<34} {'input':<8} {'shape':<16} {'verdict':<13} {'max rel':<9} worst entry"]
    notes = []
    for label, rep in found:
        if isinstance(rep, str):
            lines.append(f"  {label:<34} {'':<8} {'':<16} {'WRONG':<13}")
            notes.append(f"  - {label}: {rep}")
            continue
        for c in rep.inputs:
            lines.append(f"  {label:<34}" + c.row()[1:])
        notes += [f"  - {label}: {d}" for d in rep.forward]
        for c in rep.inputs:
            notes += [f"  - {label} d{c.name}: {d}" for d in c.diagnoses]
            notes += [f"  - {label} d{c.name}: inconclusive: {r}" for r in c.reasons]
    return "\n".join(lines + notes)
