"""Bad input to the parts outside the engine: each row gets an error that names the function, or a
documented correct result.

A row is ``(label, call, exc, where, fragment)``: calling ``call()`` must raise ``exc`` with a message
that contains ``where`` (the function the user called) and matches the regular expression
``fragment`` (what was given or what to do). Rows with ``exc=None`` are inputs that must work: ``call()``
returns True when the result is the documented one. ``scripts/probe_bad_input.py`` runs the same
table and counts clear errors, raw tracebacks and silent results.
"""
from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pytest

from tinygrad_edu import Tensor, flat, functional as F, losses, reference, train
from tinygrad_edu.datasets import load_digits
from tinygrad_edu.nn import Linear, Module, ReLU, Sequential, Tanh, TwoLayerNet
from tinygrad_edu.optim import SGD, Adam

RNG = np.random.RandomState(0)
X = RNG.randn(5, 4)
Y = np.array([0, 1, 2, 1, 0])
W = 0.1 * RNG.randn(4, 3)
PARAMS = {"W1": 0.1 * RNG.randn(4, 6), "b1": np.zeros(6), "W2": 0.1 * RNG.randn(6, 3),
          "b2": np.zeros(3)}
NAN_X = np.where(np.eye(5, 4) > 0, np.nan, X)
REF = (reference.softmax_loss_naive, reference.softmax_loss_vectorized, reference.svm_loss_naive,
       reference.svm_loss_vectorized)


def readonly(a):
    a = np.array(a, dtype=np.float64)
    a.flags.writeable = False
    return a


def quiet(f):
    """``f()`` with numpy's floating-point warnings off (for the rows whose documented result is
    -inf or NaN)."""
    with np.errstate(all="ignore"):
        return f()


def net():
    return TwoLayerNet(4, 6, 3, seed=0)


def leaf():
    return Tensor(np.ones(3), requires_grad=True)


def fit(**kw):
    args = dict(num_iters=2, batch_size=5)
    args.update(kw)
    return net().train(X, Y, X, Y, **args)


def same(a, b):
    return np.allclose(a, b, equal_nan=False)


def cli(*args):
    """Run ``python -m tinygrad_edu ARGS``. A usage error (status 2, one line on stderr naming the
    command) is raised as ``SystemExit`` carrying that line; any other failure as RuntimeError with
    stderr's last line; a success returns the exit status 0."""
    p = subprocess.run([sys.executable, "-m", "tinygrad_edu", *args], capture_output=True,
                       text=True, timeout=300)
    lines = p.stderr.strip().splitlines()
    if p.returncode == 2 and len(lines) == 1 and "Traceback" not in p.stderr:
        raise SystemExit(lines[0])
    if p.returncode != 0:
        raise RuntimeError(lines[-1] if lines else f"exit status {p.returncode}")
    return p.returncode == 0 and False  # a run that succeeds on bad input is a silent result


def ref_two_layer(params=PARAMS, X=X, y=Y, reg=0.0):
    return reference.two_layer_loss(params, X, y, reg)


TN, LIN, OPT, DATA, FLAT, TRAIN, LOSS, REFS, FUNC, CLI = (
    "TwoLayerNet", "Linear", "optim", "load_digits", "flat", "train", "losses", "reference",
    "functional", "cli")

CASES = [
    # ------------------------------------------------------------------ nn.TwoLayerNet
    ("TwoLayerNet input_size 0", lambda: TwoLayerNet(0, 6, 3), ValueError, "TwoLayerNet", r"input_size.*got 0"),
    ("TwoLayerNet hidden_size -1", lambda: TwoLayerNet(4, -1, 3), ValueError, "TwoLayerNet", r"hidden_size.*-1"),
    ("TwoLayerNet output_size 2.5", lambda: TwoLayerNet(4, 6, 2.5), TypeError, "TwoLayerNet", r"output_size.*whole number"),
    ("TwoLayerNet input_size '4'", lambda: TwoLayerNet("4", 6, 3), TypeError, "TwoLayerNet", r"input_size.*str"),
    ("TwoLayerNet std -1", lambda: TwoLayerNet(4, 6, 3, std=-1.0), ValueError, "TwoLayerNet", r"std.*>= 0"),
    ("TwoLayerNet std nan", lambda: TwoLayerNet(4, 6, 3, std=np.nan), ValueError, "TwoLayerNet", r"std.*finite"),
    ("TwoLayerNet std 'big'", lambda: TwoLayerNet(4, 6, 3, std="big"), TypeError, "TwoLayerNet", r"std must be a number"),
    ("TwoLayerNet seed -1", lambda: TwoLayerNet(4, 6, 3, seed=-1), ValueError, "TwoLayerNet", r"seed"),
    ("TwoLayerNet seed 1.5", lambda: TwoLayerNet(4, 6, 3, seed=1.5), TypeError, "TwoLayerNet", r"seed"),
    ("loss X strings", lambda: net().loss(np.full((5, 4), "a")), TypeError, "TwoLayerNet.loss", r"X.*numbers"),
    ("loss X wrong D", lambda: net().loss(np.ones((5, 3))), ValueError, "TwoLayerNet.loss", r"\(N, 4\)"),
    ("loss X 1-D", lambda: net().loss(np.ones(4)), ValueError, "TwoLayerNet.loss", r"X must be 2-D"),
    ("loss X with NaN", lambda: net().loss(NAN_X, Y), ValueError, "TwoLayerNet.loss", r"NaN or inf"),
    ("loss X empty", lambda: net().loss(np.ones((0, 4)), np.ones(0, int)), ValueError, "TwoLayerNet.loss", r"no rows|empty"),
    ("loss X None", lambda: net().loss(None), TypeError, "TwoLayerNet.loss", r"X"),
    ("loss y floats 0.5", lambda: net().loss(X, Y + 0.5), ValueError, "TwoLayerNet.loss", r"whole numbers"),
    ("loss y out of range", lambda: net().loss(X, Y + 3), ValueError, "TwoLayerNet.loss", r"\[0, 3\)"),
    ("loss y wrong length", lambda: net().loss(X, Y[:3]), ValueError, "TwoLayerNet.loss", r"shape \(5,\)"),
    ("loss reg -1", lambda: net().loss(X, Y, reg=-1.0), ValueError, "TwoLayerNet.loss", r"reg.*>= 0"),
    ("loss reg 'a'", lambda: net().loss(X, Y, reg="a"), TypeError, "TwoLayerNet.loss", r"reg must be a number"),
    ("loss reg nan", lambda: net().loss(X, Y, reg=np.nan), ValueError, "TwoLayerNet.loss", r"reg.*finite"),
    ("loss params W1 replaced by a wrong shape",
     lambda: (lambda n: (n.params.update(W1=np.ones((3, 6))), n.loss(X, Y)))(net()), ValueError,
     "TwoLayerNet.loss", r"W1"),
    ("loss read-only X works", lambda: same(net().loss(readonly(X), Y)[0], net().loss(X, Y)[0]), None, "", ""),
    ("loss y float whole numbers work", lambda: same(net().loss(X, Y.astype(float))[0], net().loss(X, Y)[0]), None, "", ""),
    ("predict X wrong D", lambda: net().predict(np.ones((2, 7))), ValueError, "TwoLayerNet.predict", r"\(N, 4\)"),
    ("predict X strings", lambda: net().predict([["a"] * 4]), TypeError, "TwoLayerNet.predict", r"X"),
    ("train batch_size 0", lambda: fit(batch_size=0), ValueError, "TwoLayerNet.train", r"batch_size.*got 0"),
    ("train batch_size -5", lambda: fit(batch_size=-5), ValueError, "TwoLayerNet.train", r"batch_size"),
    ("train batch_size 2.5", lambda: fit(batch_size=2.5), TypeError, "TwoLayerNet.train", r"batch_size.*whole"),
    ("train num_iters -1", lambda: fit(num_iters=-1), ValueError, "TwoLayerNet.train", r"num_iters"),
    ("train num_iters '10'", lambda: fit(num_iters="10"), TypeError, "TwoLayerNet.train", r"num_iters"),
    ("train learning_rate '0.1'", lambda: fit(learning_rate="0.1"), TypeError, "TwoLayerNet.train", r"learning_rate must be a number"),
    ("train learning_rate -1", lambda: fit(learning_rate=-1.0), ValueError, "TwoLayerNet.train", r"learning_rate.*>= 0"),
    ("train learning_rate inf", lambda: fit(learning_rate=np.inf), ValueError, "TwoLayerNet.train", r"learning_rate.*finite"),
    ("train decay 0", lambda: fit(learning_rate_decay=0.0), ValueError, "TwoLayerNet.train", r"learning_rate_decay"),
    ("train reg -1", lambda: fit(reg=-1.0), ValueError, "TwoLayerNet.train", r"reg"),
    ("train X_val wrong D", lambda: net().train(X, Y, np.ones((3, 2)), Y[:3], num_iters=1, batch_size=2),
     ValueError, "TwoLayerNet.train", r"X_val"),
    ("train y_val out of range", lambda: net().train(X, Y, X, Y + 7, num_iters=1, batch_size=2),
     ValueError, "TwoLayerNet.train", r"y_val"),
    ("train y length != X rows", lambda: net().train(X, Y[:4], X, Y, num_iters=1, batch_size=2),
     ValueError, "TwoLayerNet.train", r"y"),
    ("train with read-only params",
     lambda: (lambda n: (n.params.update(W2=readonly(n.params["W2"])), n.train(X, Y, X, Y, num_iters=1, batch_size=2)))(net()),
     ValueError, "TwoLayerNet.train", r"params\['W2'\] is a read-only array"),
    ("train read-only data works",
     lambda: len(net().train(readonly(X), Y, readonly(X), Y, num_iters=2, batch_size=3)["loss_history"]) == 2,
     None, "", ""),
    ("TwoLayerNet hidden_size True", lambda: TwoLayerNet(4, True, 3), TypeError, "TwoLayerNet", r"hidden_size.*bool"),
    ("loss reg None", lambda: net().loss(X, Y, reg=None), TypeError, "TwoLayerNet.loss", r"reg.*NoneType"),
    ("loss params not a dict", lambda: (lambda n: (setattr(n, "params", [1]), n.loss(X, Y)))(net()), TypeError,
     "TwoLayerNet.loss", r"params must be a dict"),
    # ------------------------------------------------------------------ nn layers
    ("Linear in_features 0", lambda: Linear(0, 3), ValueError, "Linear", r"in_features.*got 0"),
    ("Linear in_features -2", lambda: Linear(-2, 3), ValueError, "Linear", r"in_features"),
    ("Linear out_features 2.5", lambda: Linear(3, 2.5), TypeError, "Linear", r"out_features"),
    ("Linear out_features 0", lambda: Linear(3, 0), ValueError, "Linear", r"out_features"),
    ("Linear seed 'x'", lambda: Linear(3, 2, seed="x"), TypeError, "Linear", r"seed"),
    ("Linear input scalar", lambda: Linear(3, 2, seed=0)(1.0), ValueError, "Linear", r"last dimension|0-D|scalar"),
    ("Linear input wrong width", lambda: Linear(3, 2, seed=0)(np.ones((2, 4))), ValueError, "Linear", r"must be 3"),
    ("Linear input strings", lambda: Linear(3, 2, seed=0)(np.full((2, 3), "a")), TypeError, "Linear", r"numeric|numbers"),
    ("Linear input None", lambda: Linear(3, 2, seed=0)(None), TypeError, "Linear", r"None|numeric"),
    ("Linear read-only input works",
     lambda: same(Linear(3, 2, seed=0)(readonly(np.ones((2, 3)))).data, Linear(3, 2, seed=0)(np.ones((2, 3))).data),
     None, "", ""),
    ("ReLU on a string", lambda: ReLU()("a"), TypeError, "ReLU", r"str"),
    ("ReLU on a numpy array works", lambda: same(ReLU()(np.array([-1.0, 2.0])).data, [0.0, 2.0]), None, "", ""),
    ("Tanh on None", lambda: Tanh()(None), TypeError, "Tanh", r"None"),
    ("Sequential of an int", lambda: Sequential(Linear(3, 2), 1), TypeError, "Sequential", r"layer 1"),
    ("Sequential of a class", lambda: Sequential(ReLU), TypeError, "Sequential", r"class.*ReLU\(\)"),
    ("Sequential index 5", lambda: Sequential(ReLU())[5], IndexError, "Sequential", r"5.*1 layer"),
    ("Sequential of nothing is the identity (as PyTorch)", lambda: same(Sequential()(np.ones(2)), np.ones(2)), None, "", ""),
    ("Module without forward", lambda: Module()(1), NotImplementedError, "Module", r"forward"),
    # ------------------------------------------------------------------ optim
    ("SGD lr '0.1'", lambda: SGD([leaf()], lr="0.1"), TypeError, "SGD", r"lr must be a number.*str"),
    ("SGD lr -1", lambda: SGD([leaf()], lr=-1.0), ValueError, "SGD", r"lr.*>= 0"),
    ("SGD lr nan", lambda: SGD([leaf()], lr=np.nan), ValueError, "SGD", r"lr.*finite"),
    ("SGD lr inf", lambda: SGD([leaf()], lr=np.inf), ValueError, "SGD", r"lr.*finite"),
    ("SGD lr None", lambda: SGD([leaf()], lr=None), TypeError, "SGD", r"lr.*NoneType"),
    ("SGD lr True", lambda: SGD([leaf()], lr=True), TypeError, "SGD", r"lr.*bool"),
    ("SGD params empty", lambda: SGD([], lr=0.1), ValueError, "SGD", r"empty"),
    ("SGD params a numpy array", lambda: SGD([np.ones(3)], lr=0.1), TypeError, "SGD", r"parameter 0.*ndarray"),
    ("SGD params one bare Tensor", lambda: SGD(leaf(), lr=0.1), TypeError, "SGD", r"iterable of Tensors"),
    ("SGD params an int", lambda: SGD(5, lr=0.1), TypeError, "SGD", r"iterable of Tensors.*int"),
    ("SGD params duplicated", lambda: (lambda w: SGD([w, w], lr=0.1))(leaf()), ValueError, "SGD", r"more than once"),
    ("SGD param without requires_grad", lambda: SGD([Tensor(np.ones(3))], lr=0.1), ValueError, "SGD", r"requires_grad"),
    ("SGD non-leaf param", lambda: SGD([leaf() * 2], lr=0.1), ValueError, "SGD", r"leaf"),
    ("SGD read-only param", lambda: SGD([Tensor(readonly([1.0, 2.0]), requires_grad=True)], lr=0.1),
     ValueError, "SGD", r"read-only.*copy"),
    ("SGD momentum '0.9'", lambda: SGD([leaf()], lr=0.1, momentum="0.9"), TypeError, "SGD", r"momentum"),
    ("SGD momentum -0.5", lambda: SGD([leaf()], lr=0.1, momentum=-0.5), ValueError, "SGD", r"momentum"),
    ("SGD momentum nan", lambda: SGD([leaf()], lr=0.1, momentum=np.nan), ValueError, "SGD", r"momentum"),
    ("SGD weight_decay -1", lambda: SGD([leaf()], lr=0.1, weight_decay=-1.0), ValueError, "SGD", r"weight_decay"),
    ("SGD dampening 'x'", lambda: SGD([leaf()], lr=0.1, dampening="x"), TypeError, "SGD", r"dampening"),
    ("SGD nesterov without momentum", lambda: SGD([leaf()], lr=0.1, nesterov=True), ValueError, "SGD", r"nesterov"),
    ("SGD step with a closure that is not callable",
     lambda: SGD([leaf()], lr=0.1).step(0.5), TypeError, "step", r"closure.*callable"),
    ("Adam lr '1e-3'", lambda: Adam([leaf()], lr="1e-3"), TypeError, "Adam", r"lr"),
    ("Adam betas (1.0, 0.999)", lambda: Adam([leaf()], betas=(1.0, 0.999)), ValueError, "Adam", r"betas\[0\]"),
    ("Adam betas (0.9, -0.1)", lambda: Adam([leaf()], betas=(0.9, -0.1)), ValueError, "Adam", r"betas\[1\]"),
    ("Adam betas 0.9", lambda: Adam([leaf()], betas=0.9), TypeError, "Adam", r"betas.*pair"),
    ("Adam betas (0.9,)", lambda: Adam([leaf()], betas=(0.9,)), TypeError, "Adam", r"betas.*pair"),
    ("Adam betas ('a', 0.9)", lambda: Adam([leaf()], betas=("a", 0.9)), TypeError, "Adam", r"betas\[0\]"),
    ("Adam weight_decay None", lambda: Adam([leaf()], weight_decay=None), TypeError, "Adam", r"weight_decay"),
    ("Adam eps -1", lambda: Adam([leaf()], eps=-1.0), ValueError, "Adam", r"eps"),
    ("Adam eps nan", lambda: Adam([leaf()], eps=np.nan), ValueError, "Adam", r"eps"),
    ("Adam params a generator of ints", lambda: Adam(iter([1, 2])), TypeError, "Adam", r"parameter 0.*int"),
    # ------------------------------------------------------------------ datasets
    ("load_digits 0 test examples", lambda: load_digits(n=10, test_fraction=0.01), ValueError, "load_digits", r"0 test"),
    ("load_digits 0 validation examples", lambda: load_digits(n=10, val_fraction=0.01), ValueError, "load_digits", r"0 validation"),
    ("load_digits seed -1", lambda: load_digits(seed=-1), ValueError, "load_digits", r"seed"),
    ("load_digits seed 'a'", lambda: load_digits(seed="a"), TypeError, "load_digits", r"seed"),
    ("load_digits seed 2**40", lambda: load_digits(seed=2 ** 40), ValueError, "load_digits", r"seed"),
    ("load_digits n '100'", lambda: load_digits(n="100"), TypeError, "load_digits", r"\bn\b"),
    ("load_digits n 12.5", lambda: load_digits(n=12.5), TypeError, "load_digits", r"\bn\b"),
    ("load_digits n 5", lambda: load_digits(n=5), ValueError, "load_digits", r"\bn\b"),
    ("load_digits val_fraction '0.1'", lambda: load_digits(val_fraction="0.1"), TypeError, "load_digits", r"val_fraction"),
    ("load_digits test_fraction nan", lambda: load_digits(test_fraction=np.nan), ValueError, "load_digits", r"test_fraction"),
    ("load_digits test_fraction 1", lambda: load_digits(test_fraction=1.0), ValueError, "load_digits", r"test_fraction"),
    ("load_digits fractions sum 1", lambda: load_digits(val_fraction=0.5, test_fraction=0.5), ValueError, "load_digits", r"training"),
    ("load_digits n True", lambda: load_digits(n=True), TypeError, "load_digits", r"\bn\b.*bool"),
    ("load_digits scale None", lambda: load_digits(scale=None), ValueError, "load_digits", r"scale"),
    ("load_digits val_fraction 0 works", lambda: len(load_digits(n=20, val_fraction=0.0).y_val) == 0, None, "", ""),
    # ------------------------------------------------------------------ flat
    ("flatten {}", lambda: flat.flatten({}), ValueError, "flatten", r"empty"),
    ("flatten None", lambda: flat.flatten(None), TypeError, "flatten", r"dict.*NoneType"),
    ("flatten a list", lambda: flat.flatten([np.ones(2)]), TypeError, "flatten", r"dict.*list"),
    ("flatten a string value", lambda: flat.flatten({"W": "abc"}), TypeError, "flatten", r"W"),
    ("flatten a None value", lambda: flat.flatten({"W": None}), TypeError, "flatten", r"W"),
    ("unflatten wrong size", lambda: flat.unflatten(np.ones(3), {"W": np.ones(2)}), ValueError, "unflatten", r"2 entries"),
    ("unflatten strings", lambda: flat.unflatten(np.array(["a", "b"]), {"W": np.ones(2)}), TypeError, "unflatten", r"numbers"),
    ("unflatten a 2-D vector", lambda: flat.unflatten(np.ones((2, 1)), {"W": np.ones(2)}), ValueError, "unflatten", r"1-D"),
    ("unflatten like None", lambda: flat.unflatten(np.ones(2), None), TypeError, "unflatten", r"like"),
    ("objective loss_fn not callable", lambda: flat.objective(3, {"W": np.ones(2)}), TypeError, "objective", r"loss_fn must be a function"),
    ("objective like empty", lambda: flat.objective(lambda p: p["W"].sum(), {}), ValueError, "objective", r"empty"),
    ("minimize maxiter 0", lambda: flat.minimize(lambda p: (p["W"] ** 2).sum(), {"W": np.ones(2)}, maxiter=0),
     ValueError, "minimize", r"maxiter"),
    ("minimize method 'nope'", lambda: flat.minimize(lambda p: (p["W"] ** 2).sum(), {"W": np.ones(2)}, method="nope"),
     ValueError, "minimize", r"method"),
    ("flatten read-only works", lambda: same(flat.flatten({"W": readonly([1.0, 2.0])}), [1.0, 2.0]), None, "", ""),
    # ------------------------------------------------------------------ train helpers
    ("accuracy of empty arrays", lambda: train.accuracy([], []), ValueError, "accuracy", r"empty"),
    ("accuracy of None", lambda: train.accuracy(None, None), TypeError, "accuracy", r"pred.*numbers"),
    ("accuracy of strings", lambda: train.accuracy(["a"], ["a"]), TypeError, "accuracy", r"pred"),
    ("accuracy shape mismatch", lambda: train.accuracy([1, 2], [1]), ValueError, "accuracy", r"same shape"),
    ("add_bias_column 1-D", lambda: train.add_bias_column(np.ones(3)), ValueError, "add_bias_column", r"2-D"),
    ("add_bias_column strings", lambda: train.add_bias_column([["a"]]), TypeError, "add_bias_column", r"numbers"),
    ("train_linear batch_size 0", lambda: train.train_linear(losses.softmax_loss, X, Y, X, Y, num_classes=3, batch_size=0),
     ValueError, "train_linear", r"batch_size"),
    ("train_linear num_iters 0", lambda: train.train_linear(losses.softmax_loss, X, Y, X, Y, num_classes=3, num_iters=0),
     ValueError, "train_linear", r"num_iters"),
    ("train_linear X 1-D", lambda: train.train_linear(losses.softmax_loss, np.ones(5), Y, X, Y, num_classes=3),
     ValueError, "train_linear", r"X"),
    ("train_linear loss_fn not callable", lambda: train.train_linear("softmax", X, Y, X, Y, num_classes=3),
     TypeError, "train_linear", r"loss_fn"),
    ("train_linear labels >= num_classes", lambda: train.train_linear(losses.softmax_loss, X, Y, X, Y, num_classes=2),
     ValueError, "train_linear", r"\[0, 2\)"),
    ("train_linear learning_rate 'a'", lambda: train.train_linear(losses.softmax_loss, X, Y, X, Y, num_classes=3, learning_rate="a"),
     TypeError, "train_linear", r"learning_rate"),
    ("plot_history without loss_history", lambda: train.plot_history({}, "x.png"), ValueError, "plot_history", r"loss_history"),
    ("plot_history into a missing folder", lambda: train.plot_history({"loss_history": [1.0]}, "no/such/dir/x.png"),
     FileNotFoundError, "plot_history", r"does not exist"),
    ("plot_history losses strings", lambda: train.plot_history({"loss_history": ["a"]}, "x.png"), TypeError,
     "plot_history", r"loss_history"),
    ("plot_weights image_shape (8,)", lambda: train.plot_weights(np.ones((64, 2)), "x.png", image_shape=(8,)),
     TypeError, "plot_weights", r"image_shape"),
    ("plot_weights W with NaN", lambda: train.plot_weights(np.full((64, 2), np.nan), "x.png"), ValueError,
     "plot_weights", r"NaN"),
    ("plot_weights W wrong shape", lambda: train.plot_weights(np.ones((60, 2)), "x.png"), ValueError,
     "plot_weights", r"\(64, H\)"),
    ("plot_weights path None", lambda: train.plot_weights(np.ones((64, 2)), None), TypeError, "plot_weights", r"path"),
    ("plot_curves a list", lambda: train.plot_curves([1, 2], "x.png"), TypeError, "plot_curves", r"curves must be a dict"),
    ("plot_curves a None curve", lambda: train.plot_curves({"a": None}, "x.png"), TypeError, "plot_curves", r"curves\['a'\]"),
    # ------------------------------------------------------------------ losses (graphs)
    ("softmax_loss W wrong shape", lambda: losses.softmax_loss(np.ones((3, 3)), X, Y), ValueError, "softmax_loss", r"W"),
    ("softmax_loss X strings", lambda: losses.softmax_loss(W, np.full((5, 4), "a"), Y), TypeError, "softmax_loss", r"X"),
    ("softmax_loss X 1-D", lambda: losses.softmax_loss(W, np.ones(4), Y), ValueError, "softmax_loss", r"X"),
    ("softmax_loss X NaN", lambda: losses.softmax_loss(W, NAN_X, Y), ValueError, "softmax_loss", r"NaN or inf"),
    ("softmax_loss W inf", lambda: losses.softmax_loss(np.full((4, 3), np.inf), X, Y), ValueError, "softmax_loss", r"NaN or inf"),
    ("softmax_loss X empty", lambda: losses.softmax_loss(W, np.ones((0, 4)), np.ones(0, int)), ValueError, "softmax_loss", r"no rows|empty"),
    ("softmax_loss X a NaN Tensor", lambda: losses.softmax_loss(W, Tensor(NAN_X), Y), ValueError, "softmax_loss", r"X contains NaN"),
    ("softmax_loss W an object", lambda: losses.softmax_loss(object(), X, Y), TypeError, "softmax_loss", r"W must be an array of numbers"),
    ("softmax_loss X complex", lambda: losses.softmax_loss(W, X + 0j, Y), TypeError, "softmax_loss", r"complex"),
    ("softmax_loss y 0.5", lambda: losses.softmax_loss(W, X, Y + 0.5), ValueError, "softmax_loss", r"whole numbers"),
    ("softmax_loss y out of range", lambda: losses.softmax_loss(W, X, Y + 1), ValueError, "softmax_loss", r"\[0, 3\)"),
    ("softmax_loss y None", lambda: losses.softmax_loss(W, X, None), ValueError, "softmax_loss", r"labels"),
    ("softmax_loss reg -1", lambda: losses.softmax_loss(W, X, Y, reg=-1.0), ValueError, "softmax_loss", r"reg.*>= 0"),
    ("softmax_loss reg nan", lambda: losses.softmax_loss(W, X, Y, reg=np.nan), ValueError, "softmax_loss", r"reg.*finite"),
    ("softmax_loss reg '0.1'", lambda: losses.softmax_loss(W, X, Y, reg="0.1"), TypeError, "softmax_loss", r"reg must be a number"),
    ("softmax_loss reg True", lambda: losses.softmax_loss(W, X, Y, reg=True), TypeError, "softmax_loss", r"reg.*bool"),
    ("svm_loss delta 'a'", lambda: losses.svm_loss(W, X, Y, delta="a"), TypeError, "svm_loss", r"delta"),
    ("svm_loss delta nan", lambda: losses.svm_loss(W, X, Y, delta=np.nan), ValueError, "svm_loss", r"delta"),
    ("svm_loss y 2-D", lambda: losses.svm_loss(W, X, Y[:, None]), ValueError, "svm_loss", r"shape \(5,\)"),
    ("two_layer_loss params None", lambda: losses.two_layer_loss(None, X, Y), TypeError, "two_layer_loss", r"params.*NoneType"),
    ("two_layer_loss params missing b2", lambda: losses.two_layer_loss({k: PARAMS[k] for k in ("W1", "b1", "W2")}, X, Y),
     KeyError, "two_layer_loss", r"b2"),
    ("two_layer_loss b1 wrong shape", lambda: losses.two_layer_loss(dict(PARAMS, b1=np.zeros(5)), X, Y), ValueError, "two_layer_loss", r"b1"),
    ("two_layer_loss W2 strings", lambda: losses.two_layer_loss(dict(PARAMS, W2=np.full((6, 3), "a")), X, Y), TypeError, "two_layer_loss", r"W2"),
    ("two_layer_loss reg -1", lambda: losses.two_layer_loss(PARAMS, X, Y, reg=-1.0), ValueError, "two_layer_loss", r"reg"),
    ("softmax_loss read-only inputs work",
     lambda: same(losses.softmax_loss(readonly(W), readonly(X), Y).item(), reference.softmax_loss_vectorized(W, X, Y, 0.0)[0]),
     None, "", ""),
    # ------------------------------------------------------------------ reference (hand-derived)
    *[(f"{f.__name__} X strings", (lambda f=f: f(W, np.full((5, 4), "a"), Y, 0.0)), TypeError, f.__name__, r"X")
      for f in REF],
    *[(f"{f.__name__} reg 'a'", (lambda f=f: f(W, X, Y, "a")), TypeError, f.__name__, r"reg") for f in REF],
    *[(f"{f.__name__} reg -1", (lambda f=f: f(W, X, Y, -1.0)), ValueError, f.__name__, r"reg") for f in REF],
    *[(f"{f.__name__} X empty", (lambda f=f: f(W, np.ones((0, 4)), np.ones(0, int), 0.0)), ValueError, f.__name__,
       r"no rows|empty") for f in REF],
    *[(f"{f.__name__} W NaN", (lambda f=f: f(np.full((4, 3), np.nan), X, Y, 0.0)), ValueError, f.__name__,
       r"NaN or inf") for f in REF],
    ("softmax_loss_naive W 1-D", lambda: reference.softmax_loss_naive(np.ones(4), X, Y, 0.0), ValueError, "softmax_loss_naive", r"W"),
    ("svm_loss_vectorized y out of range", lambda: reference.svm_loss_vectorized(W, X, Y + 5, 0.0), ValueError, "svm_loss_vectorized", r"\[0, 3\)"),
    ("svm_loss_naive y bools", lambda: reference.svm_loss_naive(W, X, Y > 0, 0.0), ValueError, "svm_loss_naive", r"bool"),
    ("reference two_layer_loss params missing W1", lambda: ref_two_layer(params={"b1": 1}), KeyError, "two_layer_loss", r"W1"),
    ("reference two_layer_loss params a list", lambda: ref_two_layer(params=[1, 2]), TypeError, "two_layer_loss", r"params.*list"),
    ("reference two_layer_loss W1 wrong shape", lambda: ref_two_layer(params=dict(PARAMS, W1=np.ones((3, 6)))), ValueError, "two_layer_loss", r"W1"),
    ("reference two_layer_loss X 1-D", lambda: ref_two_layer(X=np.ones(4)), ValueError, "two_layer_loss", r"X"),
    ("reference two_layer_loss y out of range", lambda: ref_two_layer(y=Y + 3), ValueError, "two_layer_loss", r"\[0, 3\)"),
    ("reference two_layer_loss reg nan", lambda: ref_two_layer(reg=np.nan), ValueError, "two_layer_loss", r"reg"),
    ("reference read-only inputs work",
     lambda: same(ref_two_layer(params={k: readonly(v) for k, v in PARAMS.items()}, X=readonly(X))[0],
                  losses.two_layer_loss(PARAMS, X, Y).item()), None, "", ""),
    ("reference y whole floats work", lambda: same(reference.svm_loss_naive(W, X, Y.astype(float), 0.1)[0],
                                                   reference.svm_loss_vectorized(W, X, Y, 0.1)[0]), None, "", ""),
    # ------------------------------------------------------------------ functional
    ("logsumexp of a string", lambda: F.logsumexp("abc"), TypeError, "logsumexp", r"str"),
    ("logsumexp of complex numbers", lambda: F.logsumexp(np.array([1j, 2.0])), TypeError, "logsumexp", r"complex"),
    ("logsumexp axis 5", lambda: F.logsumexp(np.ones((2, 3)), axis=5), ValueError, "logsumexp", r"axis 5"),
    ("logsumexp axis 'a'", lambda: F.logsumexp(np.ones((2, 3)), axis="a"), TypeError, "logsumexp", r"axis"),
    ("logsumexp of an empty array", lambda: F.logsumexp(np.ones((2, 0))), ValueError, "logsumexp", r"empty"),
    ("logsumexp of all -inf is -inf",
     lambda: quiet(lambda: F.logsumexp(np.array([[-np.inf, -np.inf], [0.0, 0.0]])).data.tolist())
     == [-np.inf, np.log(2)], None, "", ""),
    ("logsumexp of a NaN row propagates NaN (documented, as PyTorch)",
     lambda: bool(np.isnan(quiet(lambda: F.logsumexp(np.array([np.nan, 1.0])).item()))), None, "", ""),
    ("softmax axis 2 of 2-D", lambda: F.softmax(np.ones((2, 3)), axis=2), ValueError, "softmax", r"axis 2"),
    ("softmax read-only works", lambda: same(F.softmax(readonly([[0.0, 0.0]])).data, [[0.5, 0.5]]), None, "", ""),
    ("log_softmax of None", lambda: F.log_softmax(None), TypeError, "log_softmax", r"NoneType"),
    ("cross_entropy scores 1-D", lambda: F.cross_entropy(np.ones(3), [0]), ValueError, "cross_entropy", r"2-D"),
    ("cross_entropy no rows", lambda: F.cross_entropy(np.ones((0, 3)), []), ValueError, "cross_entropy", r"no rows|empty"),
    ("cross_entropy labels strings", lambda: F.cross_entropy(np.ones((2, 3)), ["a", "b"]), ValueError, "cross_entropy", r"dtype"),
    ("cross_entropy labels -1", lambda: F.cross_entropy(np.ones((2, 3)), [0, -1]), ValueError, "cross_entropy", r"-1"),
    ("multiclass_hinge delta inf", lambda: F.multiclass_hinge(np.ones((2, 3)), [0, 1], delta=np.inf), ValueError, "multiclass_hinge", r"delta"),
    ("multiclass_hinge delta None", lambda: F.multiclass_hinge(np.ones((2, 3)), [0, 1], delta=None), TypeError, "multiclass_hinge", r"delta"),
    ("multiclass_hinge no rows", lambda: F.multiclass_hinge(np.ones((0, 3)), []), ValueError, "multiclass_hinge", r"no rows|empty"),
    ("cross_entropy Tensor labels 0.5", lambda: F.cross_entropy(np.ones((2, 3)), Tensor([0.5, 1.0])), ValueError, "cross_entropy", r"whole numbers"),
    ("cross_entropy int scores work", lambda: same(F.cross_entropy(np.zeros((2, 3), int), [0, 2]).item(), np.log(3)), None, "", ""),
    ("mse with NaN propagates NaN (documented, as PyTorch)", lambda: bool(np.isnan(F.mse(np.array([np.nan]), np.ones(1)).item())), None, "", ""),
    ("mse of empty arrays", lambda: F.mse(np.ones(0), np.ones(0)), ValueError, "mse", r"empty"),
    ("mse shapes differ", lambda: F.mse(np.ones(3), np.ones(4)), ValueError, "mse", r"\(3,\).*\(4,\)"),
    ("mse of strings", lambda: F.mse("a", "b"), TypeError, "mse", r"str"),
    ("check_labels of None", lambda: F.check_labels(None, 2, 3, "me"), ValueError, "me", r"dtype object"),
    ("check_labels of a (n, 1) column", lambda: F.check_labels(np.zeros((2, 1), int), 2, 3, "me"), ValueError, "me", r"shape \(2,\)"),
]

CLI_CASES = [
    ("cli train --iters 0", ("train", "--iters", "0"), "tinygrad-edu", r"> 0"),
    ("cli train --lr abc", ("train", "--lr", "abc"), "tinygrad-edu", r"abc"),
    ("cli train --lr nan", ("train", "--lr", "nan"), "tinygrad-edu", r"finite"),
    ("cli train --reg -1", ("train", "--reg", "-1"), "tinygrad-edu", r">= 0"),
    ("cli train --seed -1", ("train", "--seed", "-1"), "tinygrad-edu", r"seed|-1"),
    ("cli demo --seed 99999999999", ("demo", "--seed", "99999999999"), "tinygrad-edu", r"2\*\*32|4294967295"),
    ("cli graph --n 5000", ("graph", "--n", "5000", "--format", "dot", "--no-page", "--loss", "svm"),
     "tinygrad-edu", r"--n"),
    ("cli train --model softmax --optimizer cg", ("train", "--model", "softmax", "--optimizer", "cg"),
     "tinygrad-edu", r"--optimizer"),
    ("cli train --out on a file", ("train", "--out", f"{__file__}/x"), "tinygrad-edu", r"--out"),
    ("cli train --optimizer lbfgs --lr 0.1", ("train", "--optimizer", "lbfgs", "--lr", "0.1"), "tinygrad-edu", r"--lr"),
    ("cli train --hidden 0", ("train", "--hidden", "0"), "tinygrad-edu", r"> 0"),
    ("cli graph --loss nope", ("graph", "--loss", "nope"), "tinygrad-edu", r"nope"),
]

ROWS = CASES + [(label, (lambda a=args: cli(*a)), SystemExit, where, frag)
                for label, args, where, frag in CLI_CASES]


def _message(e: BaseException) -> str:
    return str(e.args[0]) if isinstance(e, (KeyError, SystemExit)) and e.args else str(e)


@pytest.mark.parametrize("label, call, exc, where, fragment", ROWS, ids=[r[0] for r in ROWS])
def test_bad_input(label, call, exc, where, fragment, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the command line's default output folder lands there
    if exc is None:
        assert call() is True, f"{label}: not the documented result"
        return
    with pytest.raises(exc) as info:
        call()
    message = _message(info.value)
    assert where in message, f"{label}: the message does not name {where}: {message}"
    assert re.search(fragment, message), f"{label}: {fragment!r} not in: {message}"
