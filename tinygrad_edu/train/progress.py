"""Optional extras and progress bars.

The engine needs only numpy. The teaching extras (scikit-learn for the digits, scipy for
``scipy.optimize``, matplotlib for the pictures, tqdm for progress bars) come with
``pip install -e ".[examples]"``; ``require`` imports one of them or raises an ``ImportError`` that
says so.

* ``progress(iterable, total, desc, verbose)``: a tqdm bar that appears only when the loop runs longer
  than a second (at once when ``verbose``), or the plain iterable when tqdm is missing;
  ``progress_bar(total, desc)`` the same for a bar advanced by hand (optimizer callbacks).
"""
from __future__ import annotations

import importlib

EXTRA_HINT = 'pip install -e ".[examples]"'


def require(module: str, purpose: str = ""):
    """Import ``module`` (e.g. ``"scipy.optimize"``) or raise an ImportError naming the extra to install."""
    try:
        return importlib.import_module(module)
    except ImportError as e:
        top = module.split(".")[0]
        why = f" for {purpose}" if purpose else ""
        raise ImportError(
            f"{top} is needed{why} but is not installed; it is one of the optional extras: "
            f"install them with  {EXTRA_HINT}  (or pip install {_pip_name(top)}). ({e})"
        ) from None


def _pip_name(top: str) -> str:
    return {"sklearn": "scikit-learn"}.get(top, top)


def progress(iterable, total: int | None = None, desc: str | None = None, verbose: bool = False):
    """Wrap a loop in a tqdm progress bar shown once it has run for a second (at once if ``verbose``).

    Without tqdm installed the loop runs unchanged (no bar), so the engine never needs the extra.
    The returned object is iterable; when it is a tqdm bar, ``bar.set_postfix(loss=...)`` works.
    """
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return iterable
    return tqdm(iterable, total=total, desc=desc, delay=0.0 if verbose else 1.0, leave=verbose,
                dynamic_ncols=True)


class _NoBar:
    """Stands in for a tqdm bar when tqdm is not installed."""

    def update(self, n=1):
        pass

    def set_postfix(self, *args, **kwargs):
        pass

    def close(self):
        pass


def progress_bar(total: int | None, desc: str | None = None, verbose: bool = False):
    """A bar advanced by hand (``bar.update()``, ``bar.close()``), e.g. from an optimizer's callback;
    shown after a second (at once if ``verbose``); a silent stand-in when tqdm is missing."""
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return _NoBar()
    return tqdm(total=total, desc=desc, delay=0.0 if verbose else 1.0, leave=verbose,
                dynamic_ncols=True)
