"""The ``tinygrad-edu`` command (also ``python -m tinygrad_edu``).

::

    tinygrad-edu demo  [--out DIR] [--quick]     everything below, on the digits, in under a minute
    tinygrad-edu check [--loss NAME] [--n N]     one gradient, four ways: graph, naive, vectorized, numerical
    tinygrad-edu check --mine FILE.py            your own cs231n losses in that table and your layers'
                                                 backward passes (check_layer), diagnosed
    tinygrad-edu graph [--loss NAME] [--out DIR] the computation graph as a picture and a step-through page
    tinygrad-edu train [--model NAME] [--out DIR] train on the digits; curves and weights as PNG

Every subcommand has ``--help``. Bad arguments print one line and exit with status 2. ``check``
exits with 0 when every gradient agrees, 1 when one is wrong, 2 for a usage error or nothing to
check, 3 when the numbers cannot decide (inconclusive); with several functions the worst decides.
This module only parses, calls and prints: the checks themselves are ``homework``'s.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

from . import __version__
from .homework import EXIT, LOSS_NAMES, HomeworkError

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


# ---------------------------------------------------------------------------------- check


def run_check(losses=LOSS_NAMES, n=50, reg=0.1, seed=0, out=None, quiet=False):
    """Print (and with ``out`` write to ``out/check.txt``) the four-way gradient comparison of each
    loss on ``n`` digits (``homework.check_builtin``). Returns ``(verdict, files)``."""
    from .homework import check_builtin
    results, text = check_builtin(losses, n=n, reg=reg, seed=seed)
    _say(text, quiet)
    files = []
    if out is not None:
        path = Path(out) / "check.txt"
        path.write_text(text + "\n", encoding="utf-8")
        files.append((path, "the gradient comparison table"))
    return results.verdict, files


def run_mine(path, n=50, reg=0.1, seed=0, reg_convention=None, quiet=False):
    """Check the cs231n-named functions found in the file ``path`` (``homework.check_file``).
    Returns ``(verdict, text)``."""
    from .homework import check_file
    results, text = check_file(path, n=n, reg=reg, seed=seed, reg_convention=reg_convention)
    _say(text, quiet)
    return results.verdict, text


def _digits(seed, n, option="--n"):
    from .homework import digits
    return digits(n, seed, option)


def _all_digits(seed):
    from .datasets import load_digits
    return load_digits(seed=seed)


# ---------------------------------------------------------------------------------- graph


def run_graph(losses=LOSS_NAMES, out=DEFAULT_OUT, n=4, fmt="svg", page=True, seed=0, quiet=False):
    """Write each loss's computation graph (DOT, and a picture in ``fmt`` when a renderer exists)
    and its step-through HTML page, for ``n`` digits. Returns the list of (path, description)."""
    from . import viz

    from .homework import example_loss

    out = Path(out)
    X, y = _digits(seed, n)
    files = []
    renderer = viz.find_renderer()
    for name in losses:
        loss, _ = example_loss(name, X, y, reg=0.1, seed=seed)
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
    d = _all_digits(seed)
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
    verdict, files = run_check(n=30 if quick else 50, seed=seed, out=out)
    print("\n2. The computation graphs and the step-through pages\n")
    files += run_graph(out=out, seed=seed)
    print("\n3. A short training run of the two-layer net\n")
    _, more = run_train(out=out, iters=200 if quick else 600, seed=seed)
    files += more
    print(f"\nSummary ({time.perf_counter() - start:.1f} s): gradient check {verdict}; files "
          f"written to {out}:")
    width = max(len(p.name) for p, _ in files)
    for path, what in files:
        print(f"  {path.name:<{width}}  {what}")
    print("\nOpen the *_backprop.html pages in a browser to step through backward passes.")
    return EXIT[verdict]


# ---------------------------------------------------------------------------------- parser


def _add_check(sub, common) -> None:
    """The ``check`` subcommand's arguments."""
    sp = sub.add_parser("check", help="compare the gradient four ways: graph, naive, vectorized, "
                                      "numerical",
                        description="Compute each loss's gradient by the engine (graph), the "
                                    "hand-derived formulas (naive, vectorized) and centered "
                                    "differences (numerical) on digits; print the table. Exit "
                                    "status 0 if they agree, 1 if one is wrong, 3 if the numbers "
                                    "cannot decide (inconclusive).")
    common(sp, out=False)
    sp.add_argument("--loss", choices=LOSS_NAMES + ("all",), default="all")
    sp.add_argument("--n", type=_positive_int, default=50, help="number of digits (default 50)")
    sp.add_argument("--reg", type=_nonnegative_float, default=0.1, help="L2 strength (default 0.1)")
    sp.add_argument("--out", default=None, metavar="DIR", help="also write the table to DIR/check.txt")
    sp.add_argument("--mine", default=None, metavar="FILE.py",
                    help="check your own cs231n-named functions in FILE.py (softmax_loss_naive, "
                         "..._vectorized, svm_loss_*, TwoLayerNet or two_layer_loss; layer pairs "
                         "affine_forward/affine_backward, relu_*, batchnorm_backward(_alt), "
                         "conv_*_naive, max_pool_*, ...)")
    sp.add_argument("--reg-convention", type=float, choices=(1.0, 0.5), default=None,
                    metavar="{1,0.5}", help="your loss adds reg*sum(W*W) (1) or 0.5*reg*sum(W*W) "
                                             "(0.5); default: found from your loss")


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

    _add_check(sub, common)

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


def _check(args) -> int:
    """``tinygrad-edu check``: the built-in comparison, or your file's functions; exit by verdict."""
    if args.mine is not None:
        verdict, text = run_mine(args.mine, n=args.n, reg=args.reg, seed=args.seed,
                                 reg_convention=args.reg_convention)
        if args.out is not None:
            (Path(args.out) / "check.txt").write_text(text + "\n", encoding="utf-8")
        return EXIT[verdict]
    if args.reg_convention is not None:
        raise UsageError("--reg-convention says how *your* loss writes the regularization: use it "
                         "with --mine FILE.py")
    losses = LOSS_NAMES if args.loss == "all" else (args.loss,)
    verdict, _ = run_check(losses, n=args.n, reg=args.reg, seed=args.seed, out=args.out)
    return EXIT[verdict]


def main(argv=None) -> int:
    """Entry point of ``tinygrad-edu``; returns the exit status (0 ok, 1 wrong or failed, 2 bad
    usage or nothing to check, 3 inconclusive)."""
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
        if args.command == "check":
            return _check(args)
        if args.command == "graph":
            losses = LOSS_NAMES if args.loss == "all" else (args.loss,)
            run_graph(losses, out=args.out, n=args.n, fmt=args.format, page=not args.no_page,
                      seed=args.seed)
            return 0
        run_train(args.model, out=args.out, iters=args.iters, lr=args.lr, reg=args.reg,
                  hidden=args.hidden, optimizer=args.optimizer, seed=args.seed,
                  verbose=args.verbose)
        return 0
    except (UsageError, HomeworkError) as e:
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
