"""The learner's homework file, and the library's own examples, checked on the digits.

What ``tinygrad-edu check`` runs, as functions that return their result (the command only parses,
calls and prints):

* ``check_builtin(losses, n, reg, seed)``: the library's own four ways to each loss's gradient
  (graph, naive, vectorized, numerical) on ``n`` training digits, at weights of cs231n's toy scale
  (std 0.1, as the two-layer notebook's gradient check uses), where few ReLU inputs or hinge
  margins sit within the step of their corner and the numbers can decide at any ``reg``;
* ``check_file(path, n, reg, seed, reg_convention)``: the cs231n-named functions found in a
  learner's file (``softmax_loss_naive``, ``softmax_loss_vectorized``, ``svm_loss_naive``,
  ``svm_loss_vectorized``, ``two_layer_loss`` or a ``TwoLayerNet`` class) in that table, and its
  layer pairs (``affine_forward``/``affine_backward``, ..., ``max_pool_backward_naive``) checked
  with ``check_layer`` on built-in inputs;
* ``example_loss(name, X, y, reg, seed)``: a loss graph with small random weights, for drawing;
* ``digits(n, seed)``: the first ``n`` training digits, refusing more than there are.

Each returns a ``compare.ComparisonSet`` (``.verdict``: ok, wrong or inconclusive; the worst of its
losses decides) and the text to print. A problem with the request (a file that is not there or has
none of the names, more digits than exist) raises ``HomeworkError`` with a sentence saying so.
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np

from .compare import ComparisonSet, compare, compare_all, worst_verdict

__all__ = ["check_builtin", "check_file", "example_loss", "digits", "load_file", "HomeworkError",
           "MINE_NAMES", "LOSS_NAMES", "EXIT"]

LOSS_NAMES = ("softmax", "svm", "two_layer")
MINE_NAMES = {"softmax": ("softmax_loss_naive", "softmax_loss_vectorized"),
              "svm": ("svm_loss_naive", "svm_loss_vectorized")}
EXIT = {"ok": 0, "wrong": 1, "inconclusive": 3}     # the command's exit status per verdict
TOY_STD = 0.1


class HomeworkError(ValueError):
    """A request that cannot be checked: no such file, none of the names in it, too many digits."""


def digits(n: int, seed: int = 0, option: str = "--n"):
    """(X, y): the first ``n`` training digits (64 standardized features, 10 classes)."""
    from .datasets import load_digits
    d = load_digits(seed=seed)
    if n > len(d.y_train):
        raise HomeworkError(f"{option} {n}: there are only {len(d.y_train):,} training digits "
                            f"(of the 1,797 in the set, the rest are validation and test); pass "
                            f"at most {len(d.y_train)}")
    return d.X_train[:n], d.y_train[:n]


def toy_parameters(D: int, C: int, H: int = 16, seed: int = 0) -> tuple:
    """(W, params) at cs231n's toy scale: every weight std 0.1, small random biases."""
    rng = np.random.RandomState(seed)
    W = TOY_STD * rng.randn(D, C)
    params = {"W1": TOY_STD * rng.randn(D, H), "b1": TOY_STD * rng.randn(H),
              "W2": TOY_STD * rng.randn(H, C), "b2": TOY_STD * rng.randn(C)}
    return W, params


def check_builtin(losses=LOSS_NAMES, n: int = 50, reg: float = 0.1, seed: int = 0) -> tuple:
    """(ComparisonSet, text): the four-way comparison of each loss on ``n`` digits."""
    X, y = digits(n, seed)
    W, params = toy_parameters(X.shape[1], 10, seed=seed)
    if tuple(losses) == LOSS_NAMES:
        results = compare_all(X=X, y=y, W=W, params=params, reg=reg, seed=seed)
    else:
        results = ComparisonSet({name: compare(name, X=X, y=y, W=W, params=params, reg=reg,
                                               seed=seed) for name in losses})
    text = (f"The gradient of each loss on {len(y)} digits (64 features, 10 classes), reg={reg}, "
            f"weights of std {TOY_STD}, four ways:\n  graph = the engine's backward(); naive, "
            f"vectorized = the hand-derived formulas;\n  numerical = centered differences, each "
            f"entry with its estimated error. Columns 'vs ...': max relative error\n  between the "
            f"gradients.\n\n{results}\n\nverdict: {results.verdict}")
    return results, text


def load_file(path):
    """Import the Python file at ``path`` as a module (its top level runs, as with ``python FILE``)."""
    path = Path(path)
    if not path.is_file():
        raise HomeworkError(f"--mine {path}: no such file")
    spec = importlib.util.spec_from_file_location(f"_tinygrad_edu_mine_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(path.parent.resolve()))
    try:
        spec.loader.exec_module(module)
    except Exception as e:
        raise HomeworkError(f"--mine {path}: importing it failed with {type(e).__name__}: {e}") from None
    finally:
        sys.path.pop(0)
    return module


def two_layer_from(module):
    """Your two-layer loss as ``(params, X, y, reg) -> (loss, grads)``: ``two_layer_loss`` itself,
    or a ``TwoLayerNet`` class whose ``.params`` are set and whose ``.loss(X, y, reg=reg)`` is called."""
    fn = getattr(module, "two_layer_loss", None)
    if callable(fn):
        return fn
    cls = getattr(module, "TwoLayerNet", None)
    if not isinstance(cls, type):
        return None

    def net_loss(params, X, y, reg):
        net = cls(params["W1"].shape[0], params["W1"].shape[1], params["W2"].shape[1])
        net.params = {k: v.copy() for k, v in params.items()}
        return net.loss(X, y, reg=reg)
    net_loss.__name__ = "TwoLayerNet.loss"
    return net_loss


def check_file(path, n: int = 50, reg: float = 0.1, seed: int = 0,
               reg_convention: float | None = None) -> tuple:
    """(result, text): the cs231n-named functions in the file ``path``: its losses beside the
    graph, the library's formulas and numerical differences, on ``n`` digits at the toy scale
    (a ``ComparisonSet``), and its layer pairs checked with ``check_layer`` on built-in inputs
    (``layers.homework``). ``result.verdict`` is the worst of all."""
    from .layers.homework import check_layers, layer_names
    module = load_file(path)
    X, y = digits(n, seed)
    found, comparisons = _loss_comparisons(module, X, y, reg, seed, reg_convention)
    layers, layer_verdict, layer_text = check_layers(module, seed=seed)
    if not comparisons and not layers:
        names = ", ".join(n for pair in MINE_NAMES.values() for n in pair)
        raise HomeworkError(f"--mine {path}: found none of {names}, TwoLayerNet, two_layer_loss, "
                            f"nor a layer pair ({', '.join(layer_names())})")
    results = FileResult(ComparisonSet(comparisons), layer_verdict)
    parts = []
    if comparisons:
        parts.append(f"Your functions in {path} ({', '.join(found)}) on {len(y)} digits, reg={reg}, "
                     f"beside the engine's graph, the library's formulas and numerical "
                     f"differences:\n\n{results.losses}")
    if layers:
        parts.append(f"Your layers in {path} ({len(layers)} backward checks), each backward(dout, "
                     f"cache) against the numerical sum(dout * d out / d input) on built-in inputs "
                     f"(check_layer):\n\n{layer_text}")
    text = "\n\n".join(parts) + f"\n\nverdict: {results.verdict}" + _what_next(results.verdict)
    return results, text


class FileResult:
    """What ``check_file`` found: ``losses`` (a ``ComparisonSet``, maybe empty) and the layers'
    verdict (None when the file has no layer pair); ``verdict`` the worst of both."""

    def __init__(self, losses, layer_verdict):
        self.losses, self.layer_verdict = losses, layer_verdict

    @property
    def verdict(self) -> str:
        verdicts = [c.verdict for c in self.losses.comparisons.values()]
        return worst_verdict(verdicts + ([self.layer_verdict] if self.layer_verdict else []))

    @property
    def ok(self) -> bool:
        return self.verdict == "ok"


def _loss_comparisons(module, X, y, reg, seed, reg_convention):
    """(names found, {loss: Comparison}) for the loss functions of ``module``."""
    W, params = toy_parameters(X.shape[1], 10, seed=seed)
    found, comparisons = [], {}
    kw = dict(X=X, y=y, reg=reg, seed=seed, full_limit=200, reg_convention=reg_convention)
    for loss, (naive_name, vec_name) in MINE_NAMES.items():
        naive, vec = getattr(module, naive_name, None), getattr(module, vec_name, None)
        found += [name for name, fn in ((naive_name, naive), (vec_name, vec)) if callable(fn)]
        if callable(naive) or callable(vec):
            comparisons[loss] = compare(loss, W=W, naive=naive if callable(naive) else None,
                                        vectorized=vec if callable(vec) else None, **kw)
    two = two_layer_from(module)
    if two is not None:
        found.append(two.__name__)
        comparisons["two_layer"] = compare("two_layer", params=params, vectorized=two, **kw)
    return found, comparisons


def _what_next(verdict) -> str:
    return {"ok": " (all agree)",
            "wrong": " (see the findings and diagnoses above)",
            "inconclusive": " (the numbers cannot decide: see the reasons above)"}[verdict]


def example_loss(name, X, y, reg, seed):
    """A scalar loss Tensor of ``name`` on (X, y) with small random weights, and its parameters."""
    from . import losses
    from .engine import Tensor

    rng = np.random.RandomState(seed)
    D, C, H = X.shape[1], 10, 16
    Xt = Tensor(X, name="X")
    if name == "two_layer":
        params = {"W1": Tensor(rng.randn(D, H) / np.sqrt(D), requires_grad=True, name="W1"),
                  "b1": Tensor(np.zeros(H), requires_grad=True, name="b1"),
                  "W2": Tensor(rng.randn(H, C) / np.sqrt(H), requires_grad=True, name="W2"),
                  "b2": Tensor(np.zeros(C), requires_grad=True, name="b2")}
        return losses.two_layer_loss(params, Xt, y, reg), params
    W = Tensor(0.01 * rng.randn(D, C), requires_grad=True, name="W")
    fn = losses.softmax_loss if name == "softmax" else losses.svm_loss
    return fn(W, Xt, y, reg), {"W": W}
