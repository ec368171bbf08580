"""The checker on the assignment's own settings: how many verdicts are right, and every one that is not.

    PYTHONPATH=. python scripts/checker_grid.py [--quick] [--only TEXT]

The grid: data (standard-normal; mean-subtracted CIFAR-like pixels with a bias column; raw pixels
0..255 with a bias column; the digits, standardized, with a bias column) x dtype (float64,
float32) x reg (0, 0.1, 50, 2.5e4) x N (50, 500, the dev set's size) x model (the softmax and SVM
linear classifiers with W = 1e-4 * randn, as the assignment starts; the two-layer net at std 1e-4,
the assignment's init, and at std 1e-1, the notebook's toy scale) x the code checked: right, or
with one classic mistake. The pixels are synthesized (uint8 values drawn at random, as CIFAR-10's
are, then the training mean subtracted): no download. float32 means X and W float32, the learner's
numpy as written (float32 X times a float64 W computes in float64, so the checker can recheck there).

A verdict is right when correct code gets "ok" and a mistake "wrong"; the diagnosis is right when
the codes are the expected ones (a missing ReLU mask may be named "mask" or "mismatch"). Every
case whose verdict is not right, or that is inconclusive, is printed with what the report said.
``--quick`` runs a small slice (N = 50, reg 0 and 50, float64), ``--only`` the cases whose name
contains TEXT.
"""
from __future__ import annotations

import argparse
import itertools
import sys
import time

import numpy as np

from tinygrad_edu import reference as R
from tinygrad_edu.gradcheck import check_gradient

DATA = ("normal", "pixels", "raw", "digits")
DTYPES = ("float64", "float32")
REGS = (0.0, 0.1, 50.0, 2.5e4)
NS = (50, 500)
C, H, CHECKS = 10, 10, 20

LINEAR = {      # mistake: (gradient from the data gradient d, W, N, reg), expected codes (N, reg)
    "right": (lambda d, W, N, reg: d + 2 * reg * W, lambda N, reg: []),
    "no_mean": (lambda d, W, N, reg: N * d + 2 * reg * W, lambda N, reg: ["batch_size"]),
    "mean_twice": (lambda d, W, N, reg: d / N + 2 * reg * W, lambda N, reg: ["batch_size"]),
    "sign": (lambda d, W, N, reg: -d + 2 * reg * W, lambda N, reg: ["sign_flip"]),
    "reg_missing": (lambda d, W, N, reg: d, lambda N, reg: ["reg_missing"]),
    "reg_doubled": (lambda d, W, N, reg: d + 4 * reg * W, lambda N, reg: ["reg_doubled"]),
    "reg_half": (lambda d, W, N, reg: d + reg * W, lambda N, reg: ["reg_half"]),
    "transposed": (lambda d, W, N, reg: (d + 2 * reg * W).T, lambda N, reg: ["transposed"]),
    "no_mean_no_reg": (lambda d, W, N, reg: N * d, lambda N, reg: ["batch_size", "reg_missing"]),
}
REG_MISTAKES = ("reg_missing", "reg_doubled", "reg_half")
TWO_LAYER = ("right", "no_mask", "no_mean", "reg_missing")


def make_data(kind, N, dtype, seed=0):
    """(X (N, D), y (N,)) of the kind, in dtype."""
    rng = np.random.default_rng(seed)
    if kind == "digits":
        from tinygrad_edu.datasets import load_digits
        d = load_digits(seed=seed)
        X, y = d.X_train[:N], d.y_train[:N]
    elif kind == "normal":
        X, y = rng.standard_normal((N, 3072)), rng.integers(0, C, N)
    else:
        X, y = rng.integers(0, 256, size=(N, 3072)).astype(np.float64), rng.integers(0, C, N)
        if kind == "pixels":
            X -= X.mean(axis=0)
    X = np.hstack([X, np.ones((N, 1))])
    return X.astype(dtype), y


def linear_learner(loss, X, y, reg, mistake):
    """A learner's f(W) -> (loss, dW): the loss right, the gradient with ``mistake``."""
    fn = R.softmax_loss_vectorized if loss == "softmax" else R.svm_loss_vectorized
    wrong = LINEAR[mistake][0]

    def f(W):
        data_loss, d = fn(W, X, y, 0.0)
        return data_loss + reg * np.sum(W * W), wrong(d, W, len(y), reg)
    return f


def two_layer_learner(X, y, reg, params, name, mistake):
    """A learner's hand-written two-layer net, f(p) -> (loss, d loss / d params[name])."""
    def f(v):
        p = {**params, name: v}
        Z = X @ p["W1"] + p["b1"]
        A = np.maximum(Z, 0)
        S = A @ p["W2"] + p["b2"]
        S = S - S.max(1, keepdims=True)
        log_p = S - np.log(np.exp(S).sum(1, keepdims=True))
        P = np.exp(log_p)
        n = len(y)
        loss = -log_p[np.arange(n), y].mean() + reg * (np.sum(p["W1"] ** 2) + np.sum(p["W2"] ** 2))
        P[np.arange(n), y] -= 1
        dS = P if mistake == "no_mean" else P / n
        dA = dS @ p["W2"].T
        dZ = dA if mistake == "no_mask" else dA * (Z > 0)
        r = 0.0 if mistake == "reg_missing" else 2 * reg
        g = {"W1": X.T @ dZ + r * p["W1"], "b1": dZ.sum(0), "W2": A.T @ dS + r * p["W2"],
             "b2": dS.sum(0)}
        return loss, g[name]
    return f


def expected_two_layer(name, mistake, reg):
    if mistake == "right" or (mistake == "no_mask" and name in ("W2", "b2")) \
            or (mistake == "reg_missing" and (name in ("b1", "b2") or reg == 0)):
        return [[]]
    if mistake == "no_mask":
        return [["mask"], ["mismatch"], ["mask", "mask"]]
    if mistake == "no_mean":
        return [["batch_size"]]
    return [["reg_missing"]]


def cases(quick=False):
    """(name, thunk returning [(report, accepted code lists)], mistake) for every cell."""
    regs, ns, dtypes = ((0.0, 50.0), (50,), ("float64",)) if quick else (REGS, NS, DTYPES)
    for kind, dtype, reg, N in itertools.product(DATA, dtypes, regs, ns):
        for loss, mistake in itertools.product(("softmax", "svm"), LINEAR):
            if reg == 0 and mistake in REG_MISTAKES:
                continue          # at reg 0 these are the right code again
            yield (f"{kind} {dtype} reg={reg:g} N={N} {loss} {mistake}",
                   lambda kind=kind, dtype=dtype, reg=reg, N=N, loss=loss, mistake=mistake:
                   _linear(kind, dtype, reg, N, loss, mistake), mistake)
        for std, mistake in itertools.product((1e-4, 1e-1), TWO_LAYER):
            if reg == 0 and mistake == "reg_missing":
                continue
            yield (f"{kind} {dtype} reg={reg:g} N={N} two_layer(std={std:g}) {mistake}",
                   lambda kind=kind, dtype=dtype, reg=reg, N=N, std=std, mistake=mistake:
                   _two_layer(kind, dtype, reg, N, std, mistake), mistake)


def _linear(kind, dtype, reg, N, loss, mistake):
    X, y = make_data(kind, N, dtype)
    W = (1e-4 * np.random.default_rng(1).standard_normal((X.shape[1], C))).astype(dtype)
    expect = [LINEAR[mistake][1](N, reg) if not (reg == 0 and "reg" in mistake) else
              ["batch_size"]]
    rep = check_gradient(linear_learner(loss, X, y, reg, mistake), W, reg=reg, num_checks=CHECKS,
                         seed=0, progress=False)
    return [(rep, expect)]


def _two_layer(kind, dtype, reg, N, std, mistake):
    X, y = make_data(kind, N, dtype)
    rng = np.random.RandomState(0)
    D = X.shape[1]
    params = {"W1": std * rng.randn(D, H), "b1": np.zeros(H), "W2": std * rng.randn(H, C),
              "b2": np.zeros(C)}
    params = {k: v.astype(dtype) for k, v in params.items()}
    out = []
    for name in ("W1", "b1", "W2", "b2"):
        f = two_layer_learner(X, y, reg, params, name, mistake)
        rep = check_gradient(f, params[name].copy(), reg=reg if name.startswith("W") else None,
                             N=N, num_checks=CHECKS, seed=0, progress=False)
        out.append((rep, expected_two_layer(name, mistake, reg)))
    return out


def judge(results, mistake) -> tuple:
    """(verdict of the case, verdict right, codes right): the worst verdict over its checks."""
    verdicts = [rep.verdict for rep, _ in results]
    verdict = next((v for v in ("wrong", "inconclusive") if v in verdicts), "ok")
    right = verdict == ("ok" if mistake == "right" else "wrong")
    codes = all(rep.codes in accepted for rep, accepted in results)
    return verdict, right, codes


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", default="")
    args = ap.parse_args(argv)
    start = time.perf_counter()
    total = verdicts_right = codes_right = 0
    shown = []
    for name, thunk, mistake in cases(args.quick):
        if args.only not in name:
            continue
        results = thunk()
        verdict, right, codes = judge(results, mistake)
        total += 1
        verdicts_right += right
        codes_right += right and codes
        if not right or not codes or verdict == "inconclusive":
            shown.append((name, verdict, results))
            print(f"{name}: {verdict.upper()} (expected {'ok' if mistake == 'right' else 'wrong'})",
                  flush=True)
            for rep, accepted in results:
                if rep.verdict != "ok" or rep.codes not in accepted:
                    print("    " + "\n    ".join(str(rep).splitlines()), flush=True)
    print(f"\n{total} cases in {time.perf_counter() - start:.0f} s: verdict right in "
          f"{verdicts_right} ({100 * verdicts_right / max(total, 1):.1f}%), verdict and diagnosis "
          f"right in {codes_right}; {len(shown)} cases listed above (a verdict not right, a "
          f"diagnosis not the expected one, or inconclusive)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
