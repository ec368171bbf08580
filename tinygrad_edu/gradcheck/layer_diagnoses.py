"""What kind of wrong, for a layer's backward: one small function per diagnosis, tried in order.

Each diagnosis states a hypothesis as an array, the gradient a particular mistake would return
(computed from the numerical gradient, or from a reference formula that has first been shown to
agree with the numerical gradient), and names the mistake only when your gradient matches that
array by the check's own rule (``accuracy.Rule``, with the numerical error of each entry). So a
diagnosis is said only where its numbers fit; a gradient that fits none is ``mismatch``, which
names no cause.

The codes:

* ``bias_not_summed``: a gradient of a parameter broadcast over the batch (a bias, ``beta``,
  ``gamma``) not summed over the axes it was broadcast along, or summed over the wrong axis;
* ``transposed``: a weight gradient that is the transpose of the right one;
* ``missing_reshape``: the affine layer's x (N, d_1, ..., d_k) not read as (N, D) in the backward;
* ``dropout_scale``: dropout's mask not rescaled by 1/p (or divided twice), or applied in test mode;
* ``batchnorm_mean_term``, ``batchnorm_var_term``: batch (layer, spatial) normalization's dx
  without the term through the mean, through the variance, or both;
* ``kernel_flipped``: a convolution's dx or dw computed with the kernel flipped;
* ``padding_not_cropped``: a convolution's dx returned padded, or cropped at the wrong offset;
* ``pool_not_argmax``: max pooling's dout sent to every entry of the window (or averaged);
* ``shape``, ``sign_flip``, ``scale``, ``batch_size``: a wrong shape, a sign, a constant factor;
* ``mismatch``: wrong, and none of the above fits.

``factor`` and ``transposed`` also serve ``cmp`` (an intermediate against the engine's gradient).
"""
from __future__ import annotations

import types
from dataclasses import dataclass, field

import numpy as np

from .accuracy import Rule
from .diagnoses import Diagnosis, Fitted, lstsq_fit

__all__ = ["Layer", "Evidence", "diagnose_input", "forward_findings", "factor", "transposed",
           "Diagnosis"]


@dataclass
class Layer:
    """What is known of the layer checked: ``kind`` ("affine", "dropout", "norm", "conv", "pool"
    or None, read from the arguments' shapes and dicts), the ``inputs`` (float64) and their
    ``names``, the dicts among the arguments (``params``), ``dout`` and ``out`` (float64)."""

    kind: str | None
    inputs: list
    names: list
    params: list
    dout: np.ndarray
    out: np.ndarray
    raw: list = field(default_factory=list, repr=False)   # the inputs as given (their dtypes)

    def param(self, key, default=None):
        """``key`` from the first dict among the arguments that holds it."""
        for p in self.params:
            if key in p:
                return p[key]
        return default


def layer_kind(inputs, params) -> str | None:
    """The kind of layer, from its float inputs and its dicts (see ``Layer``)."""
    keys = set().union(*[set(p) for p in params]) if params else set()
    shapes = [a.shape for a in inputs]
    if "p" in keys and "mode" in keys and len(inputs) == 1:
        return "dropout"
    if "pool_height" in keys and len(inputs) == 1 and len(shapes[0]) == 4:
        return "pool"
    if len(inputs) == 3 and [len(s) for s in shapes] == [4, 4, 1] and {"stride", "pad"} <= keys:
        return "conv"
    if len(inputs) == 3 and len(shapes[1]) == len(shapes[2]) == 1 and params:
        x = shapes[0]
        if (len(x) == 2 and shapes[1][0] == x[1]) or (len(x) == 4 and shapes[1][0] == x[1]):
            return "norm"
    if len(inputs) == 3 and len(shapes[1]) == 2 and len(shapes[0]) >= 1 and shapes[0] \
            and int(np.prod(shapes[0][1:])) == shapes[1][0] and shapes[2] == (shapes[1][1],):
        return "affine"
    return None


@dataclass
class Evidence:
    """One input's check: ``name``; ``x`` the input (float64); ``grad`` your gradient as returned
    (float64, any shape); ``num`` the numerical gradient and ``err`` its estimated error, shaped
    like x; ``kink`` the entries left out; ``rule``; ``position`` among the inputs; ``layer``."""

    name: str
    x: np.ndarray
    grad: np.ndarray
    num: np.ndarray
    err: np.ndarray
    kink: np.ndarray
    rule: Rule
    position: int = 0
    layer: Layer | None = None
    what: str = "your gradient"

    @property
    def used(self) -> np.ndarray:
        return ~self.kink

    def matches(self, a, b) -> bool:
        """a and b (shaped like x) agree by the rule at every entry that counts."""
        a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
        if a.shape != self.x.shape or b.shape != self.x.shape:
            return False
        return bool(self.rule.agree(a, b, self.err)[self.used].all())

    def fit_view(self):
        """What ``diagnoses.lstsq_fit`` reads: flat ``used``, ``err`` and the ``rule``."""
        return types.SimpleNamespace(used=self.used.ravel(), err=self.err.ravel(), rule=self.rule)

    def say(self, code, text) -> list:
        return [Diagnosis(code, text)]


def _axes(axes):
    """An axis or a tuple of axes, as numpy's axis= would be written."""
    axes = tuple(axes)
    return axes[0] if len(axes) == 1 else axes


def _sum_but(a, axis):
    """a summed over every axis but ``axis``."""
    return a.sum(axis=tuple(k for k in range(a.ndim) if k != axis))


def worst_entry(g, num, err, used):
    """(index, yours, numerical, error) at the entry that counts where g and num differ most."""
    gap = np.where(used, np.abs(g - num), -1.0)
    ix = np.unravel_index(int(np.argmax(gap)), gap.shape)
    return tuple(int(i) for i in ix), float(g[ix]), float(num[ix]), float(err[ix])


# ---------------------------------------------------------------------------------- wrong shapes


def transposed(ev) -> list:
    """A 2-D input whose gradient has the transposed shape, or is the transpose (square)."""
    g, x = ev.grad, ev.x
    if x.ndim != 2 or g.shape != x.shape[::-1] or not ev.matches(g.T, ev.num):
        return []
    if g.shape == x.shape and ev.matches(g, ev.num):
        return []
    hidden = " (it is square, so the shapes hide it)" if g.shape == x.shape else ""
    return ev.say("transposed", (
        f"{ev.what} d{ev.name} is the transpose of the right one{hidden}: shape {g.shape} where "
        f"{ev.name} is {x.shape}; its transpose is right. Return "
        f"d{ev.name}.T (e.g. dw = x.T @ dout, not dout.T @ x)."))


def missing_reshape(ev) -> list:
    """The affine layer's x (N, d_1, ..., d_k) not reshaped: dx left (N, D), or dw = x.T @ dout
    with x not flattened (shape (d_k, ..., d_1, M))."""
    if ev.layer is None or ev.layer.kind != "affine" or ev.layer.inputs[0].ndim <= 2:
        return []
    g, x0 = ev.grad, ev.layer.inputs[0]
    n, d = x0.shape[0], int(np.prod(x0.shape[1:]))
    if ev.position == 0 and g.shape == (n, d) and ev.matches(g.reshape(ev.x.shape), ev.num):
        return ev.say("missing_reshape", (
            f"dx has shape {g.shape}, x's rows flattened, but x is {ev.x.shape}; reshaped to x's "
            f"shape it is right: return dx.reshape(x.shape)."))
    if ev.position == 1 and g.ndim == x0.ndim and g.size == ev.x.size:
        back = g.transpose(tuple(range(g.ndim - 2, -1, -1)) + (g.ndim - 1,)).reshape(ev.x.shape)
        if ev.matches(back, ev.num):
            return ev.say("missing_reshape", (
                f"dw has shape {g.shape}: x.T @ dout with x still {x0.shape}, not reshaped to "
                f"(N, D) = ({n}, {d}); use x.reshape(x.shape[0], -1).T @ dout."))
    return []


def _bias_axis(ev):
    """The axis j of dout such that dout summed over the other axes is the numerical gradient of
    this 1-D input (a bias), or None."""
    d = None if ev.layer is None else ev.layer.dout
    if d is None or ev.x.ndim != 1:
        return None
    return next((j for j in range(d.ndim) if d.shape[j] == ev.x.shape[0]
                 and ev.matches(_sum_but(d, j), ev.num)), None)


def not_summed(ev) -> list:
    """A 1-D parameter's gradient left with the batch axes: summed over them, it is right."""
    g, k = ev.grad, ev.x.shape[0] if ev.x.ndim == 1 else -1
    if ev.x.ndim != 1 or g.ndim < 2:
        return []
    for axis in (a for a in range(g.ndim) if g.shape[a] == k):
        if ev.matches(_sum_but(g, axis), ev.num):
            rest = _axes(a for a in range(g.ndim) if a != axis)
            j = _bias_axis(ev)
            hint = "" if j is None else \
                f" (d{ev.name} = dout.sum(axis={_axes(a for a in range(ev.layer.dout.ndim) if a != j)}))"
            return ev.say("bias_not_summed", (
                f"d{ev.name} has shape {g.shape} but {ev.name} is {ev.x.shape}: it is not summed over "
                f"the axes {ev.name} was broadcast along; summed over axis={rest} it is right{hint}."))
    return []


def wrong_axis(ev) -> list:
    """A bias gradient that is dout summed over the wrong axes."""
    j = _bias_axis(ev)
    d = None if ev.layer is None else ev.layer.dout
    if j is None or ev.grad.ndim != 1:
        return []
    for other in (a for a in range(d.ndim) if a != j and d.shape[a] == ev.grad.shape[0]):
        cand = _sum_but(d, other)
        scale = 1e3 * np.finfo(np.float64).eps * float(np.abs(d).sum())
        if np.all(Rule(ev.rule.rtol, scale).agree(ev.grad, cand)):
            keep = _axes(a for a in range(d.ndim) if a != j)
            wrong = _axes(a for a in range(d.ndim) if a != other)
            return ev.say("bias_not_summed", (
                f"d{ev.name} is dout summed over the wrong axis: it equals dout.sum(axis={wrong}) "
                f"(shape {ev.grad.shape}), but {ev.name} {ev.x.shape} was broadcast along axis "
                f"{keep}: use dout.sum(axis={keep})."))
    return []


def padding_not_cropped(ev) -> list:
    """A convolution's dx returned with the padding, or cropped at the wrong offset."""
    if ev.layer is None or ev.layer.kind != "conv" or ev.position != 0:
        return []
    pad = int(ev.layer.param("pad", 0))
    h, w = ev.x.shape[2:]
    g = ev.grad
    if pad and g.shape == ev.x.shape[:2] + (h + 2 * pad, w + 2 * pad):
        if ev.matches(g[:, :, pad:pad + h, pad:pad + w], ev.num):
            return ev.say("padding_not_cropped", (
                f"dx has shape {g.shape}, the padded input's, but x is {ev.x.shape}: the padding "
                f"(pad={pad}) is not cropped off; return dx_padded[:, :, {pad}:{pad}+H, {pad}:{pad}+W]."))
    if pad and g.shape == ev.x.shape:
        dxp = _padded_dx(ev.layer)
        for a in (0, 2 * pad):
            if ev.matches(g, dxp[:, :, a:a + h, a:a + w]):
                return ev.say("padding_not_cropped", (
                    f"dx is the padded gradient cropped at the wrong place: rows and columns "
                    f"{a}..{a}+H of it, where the image sits at {pad}..{pad}+H (pad={pad}); crop "
                    f"dx_padded[:, :, pad:pad+H, pad:pad+W]."))
    return []


def wrong_shape(ev) -> list:
    return ev.say("shape", (
        f"d{ev.name} has shape {ev.grad.shape}, but {ev.name} has shape {ev.x.shape}: the gradient "
        f"of an input has that input's shape."))


SHAPE_TABLE = [transposed, missing_reshape, not_summed, wrong_axis, padding_not_cropped, wrong_shape]


# ---------------------------------------------------------------------------------- wrong values


def dropout_scale(ev) -> list:
    """Dropout's mask not rescaled by 1/p (or divided by p twice) in training; a mask in test."""
    if ev.layer is None or ev.layer.kind != "dropout":
        return []
    p, mode, g = float(ev.layer.param("p")), ev.layer.param("mode"), ev.grad
    if mode == "train":
        for factor, how in ((p, "not rescaled: dx = dout * mask needs the mask's 1/p (the forward's "
                                "x * [u < p] / p), and yours lacks it"),
                            (1 / p, "divided by p twice: the mask the forward keeps already holds "
                                    "the 1/p")):
            if p != 1 and ev.matches(g, factor * ev.num):
                return ev.say("dropout_scale", f"dx is {factor:.4g} (= {'p' if factor == p else '1/p'}) "
                                               f"times the right one, with p = {p:g}: the mask is {how}.")
        return []
    kept = g != 0
    for factor in (1.0, 1 / p):
        if (~kept).any() and kept.any() and ev.matches(np.where(kept, g, 0), np.where(kept, factor * ev.num, 0)):
            return ev.say("dropout_scale", (
                f"dx applies a dropout mask in test mode: it is 0 at {int((~kept).sum())} of "
                f"{g.size} entries and {factor:.4g} times dout elsewhere, but at test time dropout "
                f"is the identity, so dx = dout."))
    return []


def _norm_candidates(layer):
    """{"right", "no_mean", "no_var", "neither"}: dx of a train-mode normalization, with all its
    terms and without the one through the mean, the variance, or both; per axis tried (batch: 0,
    layer: 1; (N, C, H, W): per channel). [] for another layer or test mode."""
    from ..layers.norms import _channels_last, _standardize
    if layer.kind != "norm" or layer.param("mode", "train") != "train":
        return []
    x, gamma, dout = layer.inputs[0], layer.inputs[1], layer.dout
    eps = float(layer.param("eps", 1e-5))
    spatial = x.ndim == 4
    if spatial:
        x, dout = _channels_last(x), _channels_last(dout)
    found = []
    for axis in ((0,) if spatial else (0, 1)):
        xhat, _, inv = _standardize(x, axis, eps)
        dxhat = dout * gamma
        mean = lambda a: a.mean(axis=axis, keepdims=True)  # noqa: E731
        c = {"right": inv * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)),
             "no_mean": inv * (dxhat - xhat * mean(dxhat * xhat)),
             "no_var": inv * (dxhat - mean(dxhat)), "neither": inv * dxhat}
        if spatial:
            n, ch, h, w = layer.inputs[0].shape
            c = {k: v.reshape(n, h, w, ch).transpose(0, 3, 1, 2) for k, v in c.items()}
        found.append(c)
    return found


NORM_TEXT = {"no_mean": ["the term through the mean: -mean(dxhat) over the batch, what mu = mean(x) "
                         "sends back", None],
             "no_var": [None, "the term through the variance: -xhat * mean(dxhat * xhat), what "
                        "var = mean(xc**2) sends back"],
             "neither": ["the term through the mean (-mean(dxhat))", "the term through the variance "
                         "(-xhat * mean(dxhat * xhat)) as well: it treats the batch statistics as "
                         "constants (dx = dout * gamma / std)"]}


def norm_terms(ev) -> list:
    """A normalization's dx without the term through the mean, the variance, or both."""
    if ev.layer is None or ev.position != 0:
        return []
    for c in _norm_candidates(ev.layer):
        if not ev.matches(c["right"], ev.num):
            continue
        for key, (mean, var) in NORM_TEXT.items():
            if ev.matches(ev.grad, c[key]):
                found = [Diagnosis(code, f"dx lacks {what}.") for code, what in
                         (("batchnorm_mean_term", mean), ("batchnorm_var_term", var)) if what]
                found[-1].text += " (dgamma and dbeta do not depend on it.)"
                return found
    return []


def _conv_reference(layer, w=None, x=None, pad=None):
    """conv_backward_fast's (dx, dw, db) for the layer's arguments (w, x, pad replaced if given)."""
    from ..layers.conv import conv_backward_fast
    x0, w0, b = layer.inputs
    p = {"stride": layer.param("stride"), "pad": layer.param("pad") if pad is None else pad}
    return conv_backward_fast(layer.dout, (x0 if x is None else x, w0 if w is None else w, b, p))


def _padded_dx(layer):
    """The gradient with respect to the zero-padded input (nothing cropped)."""
    from ..layers.conv import _pad
    pad = int(layer.param("pad", 0))
    return _conv_reference(layer, x=_pad(layer.inputs[0], pad), pad=0)[0]


def kernel_flipped(ev) -> list:
    """A convolution's dx computed with the kernel flipped, or a dw that is the flipped one."""
    if ev.layer is None or ev.layer.kind != "conv" or ev.position > 1:
        return []
    w = ev.layer.inputs[1]
    if ev.position == 0:
        if not ev.matches(_conv_reference(ev.layer)[0], ev.num):
            return []
        flipped = _conv_reference(ev.layer, w=np.ascontiguousarray(w[:, :, ::-1, ::-1]))[0]
        where = "dx is computed with the kernel flipped (w[:, :, ::-1, ::-1])"
    else:
        flipped = ev.num[:, :, ::-1, ::-1]
        where = "dw is the right gradient flipped in both spatial axes"
    if ev.matches(ev.grad, flipped):
        return ev.say("kernel_flipped", (
            f"{where}: the forward is a cross-correlation (no flip), so its backward sends "
            f"dout[n, f, i, j] * w[f] back to the same window, unflipped."))
    return []


def pool_not_argmax(ev) -> list:
    """Max pooling's dout sent to every entry of its window (or averaged), not to the argmax."""
    if ev.layer is None or ev.layer.kind != "pool":
        return []
    from ..layers.conv import conv_output_size
    ph, pw, s = (int(ev.layer.param(k)) for k in ("pool_height", "pool_width", "stride"))
    n, ch, h, w = ev.x.shape
    oh, ow = conv_output_size(h, ph, s), conv_output_size(w, pw, s)
    spread = np.zeros_like(ev.x)
    for a in range(ph):
        for b in range(pw):
            spread[:, :, a:a + s * oh:s, b:b + s * ow:s] += ev.layer.dout
    for cand, how in ((spread, "to every entry of its window"),
                      (spread / (ph * pw), "averaged over its window (average pooling's gradient)")):
        if ev.matches(ev.grad, cand):
            return ev.say("pool_not_argmax", (
                f"dx sends each window's dout {how}; max pooling's output depends only on the "
                f"window's maximum, so all of dout goes to that one entry (np.argmax of the "
                f"window) and the others get 0."))
    return []


def factor(ev) -> list:
    """Your gradient = alpha * the right one, alpha fitted (``diagnoses.lstsq_fit``): a sign, the
    batch size N, or another constant."""
    if ev.grad.shape != ev.x.shape or not np.any(ev.num[ev.used]):
        return []
    fit = lstsq_fit(ev.grad.ravel().astype(np.float64), [ev.num.ravel()], ev.fit_view())
    if fit is None:
        return []
    alpha = Fitted(fit[0][0], float(np.sqrt(max(fit[1][0, 0], 0.0))))
    if alpha.near(1.0):
        return []
    k = Fitted(abs(alpha.value), alpha.sigma)
    found = [] if alpha.value > 0 else ev.say("sign_flip", (
        f"{ev.what} d{ev.name} has its sign flipped ({alpha} times the right one): check the "
        f"sign of each term (x - mu, not mu - x; out = x - y sends -dout to y)."))
    n = ev.layer.inputs[0].shape[0] if ev.layer is not None and ev.layer.inputs[0].ndim else None
    if k.near(1.0):
        return found
    if alpha.near(0.0):
        return ev.say("scale", f"{ev.what} d{ev.name} is 0 where the right one is not.")
    if n is not None and n > 1 and (k.near(n) or k.near(1 / n)):
        return found + ev.say("batch_size", (
            f"{ev.what} d{ev.name} is {alpha} times the right one, the batch size N = {n}"
            f"{'' if k.value > 1 else ' as 1/N'}: a division by N missing or done twice."))
    return found + ev.say("scale", (
        f"{ev.what} d{ev.name} is the right one times a constant factor {alpha} (a missing or "
        f"extra factor in one step of the chain rule)."))


def mask(ev) -> list:
    """Right where the gradient is not 0, but nonzero where it is 0 (a ReLU's or max's mask left
    out), or 0 where it is not (a mask that blocks too much)."""
    u, zero = ev.used, np.zeros_like(ev.num)
    flat, off = ev.rule.agree(ev.num, zero, ev.err), ev.rule.agree(ev.grad, zero, ev.err)
    leak, blocked = u & flat & ~off, u & ~flat & off
    agree = ev.rule.agree(ev.grad, ev.num, ev.err)
    if not (leak | blocked).any() or not (agree | leak | blocked)[u].all() or not (agree & ~flat).any():
        return []
    if leak.any() and not blocked.any():
        return ev.say("mask", (
            f"d{ev.name} is right wherever the gradient is not 0, but nonzero at {int(leak.sum())} "
            f"entries where the output does not depend on {ev.name} at all: a mask left out of the "
            f"backward (relu: dx = dout * (x > 0))."))
    return ev.say("mask", (
        f"d{ev.name} is right wherever it is not 0, but 0 at {int(blocked.sum())} entries where the "
        f"right one is not"
        + (f" (and nonzero at {int(leak.sum())} where it should be 0)" if leak.any() else "")
        + ": a mask taken from the wrong array or the wrong comparison."))


def transposed_square(ev) -> list:
    if ev.x.ndim != 2 or ev.x.shape[0] != ev.x.shape[1]:
        return []
    return transposed(ev)


def mismatch(ev) -> list:
    ix, a, n, e = worst_entry(ev.grad, ev.num, ev.err, ev.used)
    bad = int((~ev.rule.agree(ev.grad, ev.num, ev.err) & ev.used).sum())
    return ev.say("mismatch", (
        f"d{ev.name} differs from the numerical gradient at {bad} of {int(ev.used.sum())} entries "
        f"(worst at {ix}: yours {a:.6g}, numerical {n:.6g} ± {e:.2g}); it is no constant factor of "
        f"the right one and none of the mistakes this check knows for this layer. Check each step "
        f"of your backward against the forward, one intermediate at a time (cmp)."))


VALUE_TABLE = [wrong_axis, transposed_square, dropout_scale, norm_terms, kernel_flipped,
               padding_not_cropped, pool_not_argmax, factor, mask, mismatch]


def diagnose_input(ev) -> list:
    """The diagnoses of one wrong input: the shape table when its gradient's shape is not the
    input's, else the value table; the first entry that finds something ends the search."""
    for rule in (SHAPE_TABLE if ev.grad.shape != ev.x.shape else VALUE_TABLE):
        found = rule(ev)
        if found:
            return found
    return []


def forward_findings(layer, rule) -> list:
    """What the forward itself shows (checked before any gradient): a dropout whose kept entries
    are not scaled by 1/p in training, or that changes x in test mode."""
    if layer.kind != "dropout":
        return []
    x, out = layer.inputs[0], layer.out
    p, mode = float(layer.param("p")), layer.param("mode")
    err = 1e3 * np.finfo(layer.raw[0].dtype if layer.raw else np.float64).eps * np.abs(x)
    if mode == "test" and not np.all(rule.agree(out, x, err)):
        return [Diagnosis("dropout_scale", (
            f"dropout_forward changes x in test mode (out differs from x at "
            f"{int((~rule.agree(out, x, err)).sum())} of {x.size} entries): at test time inverted "
            f"dropout is the identity, out = x; the mask and its 1/p belong to training only."))]
    kept = (out != 0) & (x != 0)
    if mode == "train" and p < 1 and kept.any() and np.all(rule.agree(out[kept], x[kept], err[kept])):
        return [Diagnosis("dropout_scale", (
            f"dropout_forward keeps entries unscaled (out = x where kept, p = {p:g}): inverted "
            f"dropout divides the kept entries by p, out = x * [u < p] / p, so that test time "
            f"needs no change."))]
    return []
