"""The ``tinygrad-edu`` command (also ``python -m tinygrad_edu``).

::

    tinygrad-edu demo  [--out DIR] [--quick]     everything below, on the digits, in under a minute
    tinygrad-edu check [--loss NAME] [--n N]     one gradient, four ways: graph, naive, vectorized, numerical
    tinygrad-edu check --mine FILE.py            your own cs231n functions in that table, diagnosed
    tinygrad-edu graph [--loss NAME] [--out DIR] the computation graph as a picture and a step-through page
    tinygrad-edu train [--model NAME] [--out DIR] train on the digits; curves and weights as PNG

Every subcommand has ``--help``. Bad arguments print one line and exit with status 2; a failed
gradient check exits with status 1.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

from . import __version__

LOSS_NAMES = ("softmax", "svm", "two_layer")
DEFAULT_OUT = "tinygrad-edu-out"


class UsageError(Exception):
    """A bad argument found after parsing (e.g. an output folder that cannot be created)."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr and exit status 2, never a traceback."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _whole(low, high=None):
    """An argparse type: a whole number in [low, high] (no upper bound when ``high`` is None)."""
    def whole(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < low or (high is not None and value > high):
            wanted = f"from {low} to {high}" if high is not None else f"> {low - 1}"
            raise argparse.ArgumentTypeError(f"expected a number {wanted}, got {value}")
        return value
    return whole


_positive_int = _whole(1)
_seed = _whole(0, 2 ** 32 - 1)   # what numpy's RandomState takes


def _nonnegative_float(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not np.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"expected a finite number >= 0, got {text}")
    return value


def _out_dir(path) -> Path:
    out = Path(path)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise UsageError(f"--out {path}: cannot create the folder ({e.strerror or e})") from None
    return out


def _say(text="", quiet=False):
    if not quiet:
        print(text, flush=True)


# ---------------------------------------------------------------------------------- data


def _digits(seed, n=None):
    from .datasets import load_digits
    return load_digits(seed=seed, n=n)


def _example_loss(name, X, y, reg, seed):
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


# ---------------------------------------------------------------------------------- check


def run_check(losses=LOSS_NAMES, n=50, reg=0.1, seed=0, out=None, quiet=False):
    """Print (and with ``out`` write to ``out/check.txt``) the four-way gradient comparison of each
    loss on ``n`` digits. Returns ``(ok, files)``."""
    from .compare import compare, compare_all

    d = _digits(seed)
    X, y = d.X_train[:n], d.y_train[:n]
    rng = np.random.RandomState(seed)
    # weights that make scores of order 1 (as after some training): a tiny weight has a tiny
    # gradient, whose relative error against centered differences would be dominated by rounding
    W = rng.randn(64, 10) / 8.0
    H = 16
    params = {"W1": rng.randn(64, H) / 8.0, "b1": 0.1 * rng.randn(H),
              "W2": rng.randn(H, 10) / 4.0, "b2": 0.1 * rng.randn(10)}
    if tuple(losses) == LOSS_NAMES:   # one table for all three
        results = [compare_all(X=X, y=y, W=W, params=params, reg=reg, seed=seed)]
    else:
        results = [compare(name, X=X, y=y, W=W, params=params, reg=reg, seed=seed)
                   for name in losses]
    ok = all(r.ok for r in results)
    text = (f"The gradient of each loss on {len(y)} digits (64 features, 10 classes), reg={reg}, "
            f"four ways:\n  graph = the engine's backward(); naive, vectorized = the hand-derived "
            f"formulas;\n  numerical = centered differences. Columns 'vs ...': max relative error "
            f"between the gradients.\n\n" + "\n\n".join(str(r) for r in results)
            + f"\n\nall agree: {'yes' if ok else 'NO'}")
    if not ok:
        text += ("\n(The numerical gradient of a ReLU or hinge loss is wrong where an input lies within "
                 "h = 1e-5 of the kink at 0: centered differences then straddle it. If only such a "
                 "pair disagrees, try another --seed.)")
    _say(text, quiet)
    files = []
    if out is not None:
        path = Path(out) / "check.txt"
        path.write_text(text + "\n", encoding="utf-8")
        files.append((path, "the gradient comparison table"))
    return ok, files


MINE_NAMES = {"softmax": ("softmax_loss_naive", "softmax_loss_vectorized"),
              "svm": ("svm_loss_naive", "svm_loss_vectorized")}


def _load_file(path):
    """Import the Python file at ``path`` as a module (its top level runs, as with ``python FILE``)."""
    import importlib.util

    path = Path(path)
    if not path.is_file():
        raise UsageError(f"--mine {path}: no such file")
    spec = importlib.util.spec_from_file_location(f"_tinygrad_edu_mine_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(path.parent.resolve()))
    try:
        spec.loader.exec_module(module)
    except Exception as e:
        raise UsageError(f"--mine {path}: importing it failed with {type(e).__name__}: {e}") from None
    finally:
        sys.path.pop(0)
    return module


def _two_layer_from(module):
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


def run_mine(path, n=50, reg=0.1, seed=0, quiet=False):
    """Check the cs231n-named functions found in the file ``path`` against the graph, the library's
    formulas and numerical differences, on ``n`` digits. Returns ``(ok, text)``."""
    from .compare import ComparisonSet, compare

    module = _load_file(path)
    d = _digits(seed)
    X, y = d.X_train[:n], d.y_train[:n]
    rng = np.random.RandomState(seed)
    W = rng.randn(64, 10) / 8.0
    params = {"W1": rng.randn(64, 16) / 8.0, "b1": 0.1 * rng.randn(16),
              "W2": rng.randn(16, 10) / 4.0, "b2": 0.1 * rng.randn(10)}
    found, comparisons = [], {}
    for loss, (naive_name, vec_name) in MINE_NAMES.items():
        naive, vec = getattr(module, naive_name, None), getattr(module, vec_name, None)
        found += [name for name, fn in ((naive_name, naive), (vec_name, vec)) if callable(fn)]
        if callable(naive) or callable(vec):
            comparisons[loss] = compare(loss, X=X, y=y, W=W, reg=reg, seed=seed, full_limit=200,
                                        naive=naive if callable(naive) else None,
                                        vectorized=vec if callable(vec) else None)
    two = _two_layer_from(module)
    if two is not None:
        found.append(two.__name__)
        comparisons["two_layer"] = compare("two_layer", X=X, y=y, params=params, reg=reg, seed=seed,
                                           full_limit=200,
                                           vectorized=two)
    if not comparisons:
        names = ", ".join(n for pair in MINE_NAMES.values() for n in pair)
        raise UsageError(f"--mine {path}: found none of {names}, TwoLayerNet, two_layer_loss")
    results = ComparisonSet(comparisons)
    text = (f"Your functions in {path} ({', '.join(found)}) on {len(y)} digits, reg={reg}, beside the "
            f"engine's graph, the library's formulas and numerical differences:\n\n{results}\n\n"
            f"all agree: {'yes' if results.ok else 'NO'}")
    _say(text, quiet)
    return results.ok, text


# ---------------------------------------------------------------------------------- graph


def run_graph(losses=LOSS_NAMES, out=DEFAULT_OUT, n=4, fmt="svg", page=True, seed=0, quiet=False):
    """Write each loss's computation graph (DOT, and a picture in ``fmt`` when a renderer exists)
    and its step-through HTML page, for ``n`` digits. Returns the list of (path, description)."""
    from . import viz

    out = Path(out)
    d = _digits(seed)
    if n > len(d.y_train):
        raise UsageError(f"--n {n}: there are {len(d.y_train)} training digits; pass at most that")
    X, y = d.X_train[:n], d.y_train[:n]
    files = []
    renderer = viz.find_renderer()
    for name in losses:
        loss, _ = _example_loss(name, X, y, reg=0.1, seed=seed)
        if page:  # before backward: the page replays the walk from the values the ops saved
            path = viz.write_page(loss, out / f"{name}_backprop.html",
                                  title=f"{name} loss: the backward pass, step by step")
            files.append((path, f"{name}: step-through page of the backward pass (open in a browser)"))
        loss.backward()
        diagram = viz.draw(loss)
        path = viz.render(diagram, out / f"{name}_graph.dot", format="dot")
        files.append((path, f"{name}: the graph as DOT text"))
        if fmt != "dot":
            if renderer is None:
                _say(f"no Graphviz renderer found: wrote {name}_graph.dot only", quiet)
            else:
                path = viz.render(diagram, out / f"{name}_graph.{fmt}", format=fmt)
                files.append((path, f"{name}: the graph with values and gradients ({fmt})"))
    for path, what in files:
        _say(f"wrote {path}  ({what})", quiet)
    return files


# ---------------------------------------------------------------------------------- train


def run_train(model="two_layer", out=DEFAULT_OUT, iters=None, lr=None, reg=None, hidden=100,
              optimizer="sgd", seed=0, quiet=False, verbose=False):
    """Train ``model`` on the digits, print the accuracies, write curves and first-layer weights.

    Returns ``(test_accuracy, files)``. Defaults are the settings of the examples.
    """
    from .train import accuracy, add_bias_column, plot_curves, plot_history, plot_weights

    if optimizer != "sgd" and lr is not None:
        raise UsageError(f"--lr is the step size of sgd; --optimizer {optimizer} chooses its own "
                         f"steps: leave --lr out")
    out = Path(out)
    d = _digits(seed)
    files = []
    start = time.perf_counter()
    if model == "two_layer":
        from .nn import TwoLayerNet
        net = TwoLayerNet(64, hidden, 10, std=1e-4 if optimizer == "sgd" else 0.1, seed=seed)
        reg = 1e-3 if reg is None else reg
        if optimizer == "sgd":
            stats = net.train(d.X_train, d.y_train, d.X_val, d.y_val,
                              learning_rate=0.5 if lr is None else lr, learning_rate_decay=0.99,
                              reg=reg, num_iters=iters or 2000, batch_size=200, verbose=verbose)
            path = plot_history(stats, out / "train_curves.png", "two-layer net, SGD")
        else:
            from .flat import minimize
            from .losses import two_layer_loss
            method = {"cg": "CG", "lbfgs": "L-BFGS-B"}[optimizer]
            net.params, res = minimize(lambda p: two_layer_loss(p, d.X_train, d.y_train, reg),
                                       net.params, method=method, maxiter=iters or 200,
                                       verbose=verbose)
            path = plot_curves({method: res.loss_history}, out / "train_curves.png", logy=True,
                               title=f"two-layer net, scipy {method} (full batch)")
        files.append((Path(path), "loss and accuracy curves"))
        W, predict = net.params["W1"], net.predict
    else:
        from . import losses
        from .train import train_linear
        if optimizer != "sgd":
            raise UsageError(f"--optimizer {optimizer} is for --model two_layer; the linear "
                             f"models train with sgd")
        Xs = [add_bias_column(A) for A in (d.X_train, d.X_val, d.X_test)]
        loss_fn = losses.softmax_loss if model == "softmax" else losses.svm_loss
        Wb, stats = train_linear(loss_fn, Xs[0], d.y_train, Xs[1], d.y_val,
                                 learning_rate=0.1 if lr is None else lr,
                                 reg=1e-3 if reg is None else reg, num_iters=iters or 500,
                                 seed=seed, verbose=verbose)
        files.append((Path(plot_history(stats, out / "train_curves.png", f"{model} classifier")),
                      "loss and accuracy curves"))
        W = Wb[:-1]
        predict = lambda X: np.argmax(add_bias_column(X) @ Wb, axis=1)  # noqa: E731
    files.append((Path(plot_weights(W, out / "train_weights.png",
                                    title=f"{model}: first-layer weights as 8x8 images")),
                  "first-layer weights, one 8x8 image per unit"))
    val, test = accuracy(predict(d.X_val), d.y_val), accuracy(predict(d.X_test), d.y_test)
    _say(f"{model} ({optimizer}): validation accuracy {val:.4f}, test accuracy {test:.4f} "
         f"({time.perf_counter() - start:.1f} s)", quiet)
    for path, what in files:
        _say(f"wrote {path}  ({what})", quiet)
    return test, files


# ---------------------------------------------------------------------------------- demo


def run_demo(out=DEFAULT_OUT, quick=False, seed=0):
    """The tour: gradient comparison, diagrams and pages, a short training run, a summary."""
    out = Path(out)
    start = time.perf_counter()
    print(f"tinygrad-edu {__version__} demo: everything goes to {out.resolve()}\n")
    print("1. One gradient, four ways (graph / naive / vectorized / numerical)\n")
    ok, files = run_check(n=30 if quick else 50, seed=seed, out=out)
    print("\n2. The computation graphs and the step-through pages\n")
    files += run_graph(out=out, seed=seed)
    print("\n3. A short training run of the two-layer net\n")
    _, more = run_train(out=out, iters=200 if quick else 600, seed=seed)
    files += more
    print(f"\nSummary ({time.perf_counter() - start:.1f} s): gradients "
          f"{'agree' if ok else 'DISAGREE'}; files written to {out}:")
    width = max(len(p.name) for p, _ in files)
    for path, what in files:
        print(f"  {path.name:<{width}}  {what}")
    print("\nOpen the *_backprop.html pages in a browser to step through backward passes.")
    return 0 if ok else 1


# ---------------------------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="tinygrad-edu",
                description="A small autograd engine for learning backprop and checking gradients.",
                epilog="Run 'tinygrad-edu demo' to see everything once; each subcommand has --help.")
    p.add_argument("--version", action="version", version=f"tinygrad-edu {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def common(sp, out=True):
        if out:
            sp.add_argument("--out", default=DEFAULT_OUT, metavar="DIR",
                            help=f"folder for the files written (default: ./{DEFAULT_OUT})")
        sp.add_argument("--seed", type=_seed, default=0, help="seed for data splits and weights")

    sp = sub.add_parser("demo", help="the tour: gradient comparison, diagrams, training (< 1 min)",
                        description="On the digits: the side-by-side gradient comparison for the "
                                    "softmax, hinge and two-layer losses, their diagrams and "
                                    "step-through pages, a short training run with its curves, "
                                    "and a summary of what was written where.")
    common(sp)
    sp.add_argument("--quick", action="store_true", help="smaller comparison, shorter training")

    sp = sub.add_parser("check", help="compare the gradient four ways: graph, naive, vectorized, "
                                      "numerical",
                        description="Compute each loss's gradient by the engine (graph), the "
                                    "hand-derived formulas (naive, vectorized) and centered "
                                    "differences (numerical) on digits; print the table. Exit "
                                    "status 1 if they disagree.")
    common(sp, out=False)
    sp.add_argument("--loss", choices=LOSS_NAMES + ("all",), default="all")
    sp.add_argument("--n", type=_positive_int, default=50, help="number of digits (default 50)")
    sp.add_argument("--reg", type=_nonnegative_float, default=0.1, help="L2 strength (default 0.1)")
    sp.add_argument("--out", default=None, metavar="DIR", help="also write the table to DIR/check.txt")
    sp.add_argument("--mine", default=None, metavar="FILE.py",
                    help="check your own cs231n-named functions in FILE.py (softmax_loss_naive, "
                         "..._vectorized, svm_loss_*, TwoLayerNet or two_layer_loss)")

    sp = sub.add_parser("graph", help="draw a loss's graph; write the step-through page",
                        description="Build a loss on a few digits, write its computation graph "
                                    "(DOT, and SVG, PNG or PDF through Graphviz or graphviz-pure) and "
                                    "the HTML page that steps through its backward pass.")
    common(sp)
    sp.add_argument("--loss", choices=LOSS_NAMES + ("all",), default="all")
    sp.add_argument("--n", type=_positive_int, default=4, help="number of digits (default 4)")
    sp.add_argument("--format", choices=("svg", "png", "pdf", "dot"), default="svg")
    sp.add_argument("--no-page", action="store_true", help="skip the step-through HTML page")

    sp = sub.add_parser("train", help="train on the digits; write curves and weights as PNG",
                        description="Train a model on the 8x8 digits with the settings of the "
                                    "examples (override them below); print the accuracies; write "
                                    "train_curves.png and train_weights.png.")
    common(sp)
    sp.add_argument("--model", choices=LOSS_NAMES, default="two_layer")
    sp.add_argument("--optimizer", choices=("sgd", "cg", "lbfgs"), default="sgd",
                    help="sgd (minibatches), or scipy's cg / lbfgs on the full batch (two_layer only)")
    sp.add_argument("--iters", type=_positive_int, default=None, help="iterations")
    sp.add_argument("--lr", type=_nonnegative_float, default=None, help="learning rate (sgd)")
    sp.add_argument("--reg", type=_nonnegative_float, default=None, help="L2 strength")
    sp.add_argument("--hidden", type=_positive_int, default=100, help="hidden units (two_layer)")
    sp.add_argument("--verbose", action="store_true", help="progress bar from the start")
    return p


def main(argv=None) -> int:
    """Entry point of ``tinygrad-edu``; returns the exit status (0 ok, 1 failure, 2 bad usage)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        if getattr(args, "out", None) is not None:
            _out_dir(args.out)
        if args.command == "demo":
            return run_demo(out=args.out, quick=args.quick, seed=args.seed)
        if args.command == "check" and args.mine is not None:
            ok, text = run_mine(args.mine, n=args.n, reg=args.reg, seed=args.seed)
            if args.out is not None:
                (Path(args.out) / "check.txt").write_text(text + "\n", encoding="utf-8")
            return 0 if ok else 1
        if args.command == "check":
            losses = LOSS_NAMES if args.loss == "all" else (args.loss,)
            ok, _ = run_check(losses, n=args.n, reg=args.reg, seed=args.seed, out=args.out)
            return 0 if ok else 1
        if args.command == "graph":
            losses = LOSS_NAMES if args.loss == "all" else (args.loss,)
            run_graph(losses, out=args.out, n=args.n, fmt=args.format, page=not args.no_page,
                      seed=args.seed)
            return 0
        run_train(args.model, out=args.out, iters=args.iters, lr=args.lr, reg=args.reg,
                  hidden=args.hidden, optimizer=args.optimizer, seed=args.seed,
                  verbose=args.verbose)
        return 0
    except UsageError as e:
        print(f"tinygrad-edu {args.command}: error: {e}", file=sys.stderr)
        return 2
    except ImportError as e:
        print(f"tinygrad-edu {args.command}: {e}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # e.g. piped into `head`: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        print(f"tinygrad-edu {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
