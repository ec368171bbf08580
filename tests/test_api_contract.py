"""The public contract of ../shared/API.md, name by name: every name exists where the page says, and
its parameters are those the page writes, in that order, with those defaults.

Cheap on purpose (no training, no rendering): a renamed or missing name fails here first. The page
may be extended, so a function may take more parameters than the page lists, but only optional
ones after them. What the names do is tested in the other files.
"""
import importlib
import inspect

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import Tensor

REQUIRED = inspect.Parameter.empty


def check_signature(fn, expected: str):
    """``fn``'s parameters begin with ``expected`` ("f, x, h=1e-5, *rest"): the same names in that
    order, the same defaults (``=...`` for any default), ``*name`` for a var-positional; any further
    parameter is optional."""
    params = list(inspect.signature(fn).parameters.values())
    if params and params[0].name == "self":
        params = params[1:]
    wanted = [p.strip() for p in expected.split(",") if p.strip()]
    assert len(params) >= len(wanted), f"{fn.__qualname__}{inspect.signature(fn)} vs ({expected})"
    for p, w in zip(params, wanted):
        where = f"{fn.__qualname__}{inspect.signature(fn)}: parameter {p.name!r}, page says {w!r}"
        if w.startswith("*"):
            assert p.kind is p.VAR_POSITIONAL and p.name == w.lstrip("*"), where
            continue
        name, _, default = w.partition("=")
        assert p.name == name and p.kind is not p.VAR_POSITIONAL, where
        if not default:
            assert p.default is REQUIRED, where
        elif default != "...":
            assert p.default is not REQUIRED and p.default == eval(default), where
    for p in params[len(wanted):]:
        assert p.default is not REQUIRED or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD), \
            f"{fn.__qualname__}: extra parameter {p.name!r} must be optional"


def attr(dotted: str):
    """The object named ``package.module.name`` or ``package.module.Class.method``."""
    parts = dotted.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for name in parts[cut:]:
            obj = getattr(obj, name)
        return obj
    raise ImportError(dotted)


def test_the_import_line():
    from tinygrad_edu import Tensor, no_grad  # noqa: F401  (the page's first lines)
    assert tg.Tensor is Tensor


@pytest.mark.parametrize("name", [
    "data", "grad", "shape", "ndim", "size", "dtype", "item", "numpy", "detach", "requires_grad",
    "backward", "relu", "exp", "log", "tanh", "sigmoid", "sum", "max", "mean", "reshape",
    "transpose", "T", "float", "double", "astype", "abs", "clamp", "clip", "sin", "cos", "log1p",
    "expm1", "square", "std", "var", "prod", "cumsum", "squeeze", "unsqueeze", "expand", "flatten",
    "repeat", "__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__", "__truediv__",
    "__rtruediv__", "__neg__", "__pow__", "__matmul__", "__rmatmul__", "__getitem__", "__iadd__",
    "__isub__", "__imul__", "__itruediv__", "__lt__", "__le__", "__gt__", "__ge__", "__eq__",
    "__ne__", "__repr__"])
def test_tensor_has(name):
    t = Tensor(np.ones((2, 3)), requires_grad=True)
    assert hasattr(t, name), f"Tensor.{name} is on the page"


@pytest.mark.parametrize("fn,expected", [
    (Tensor.__init__, "data, requires_grad=False"),
    (Tensor.backward, "grad=None, retain_graph=..."),
    (Tensor.sum, "axis=None, keepdims=False"),
    (Tensor.max, "dim=None, keepdim=False"),     # positional dims follow torch (the round-3 page)
    (Tensor.mean, "axis=None, keepdims=False"),
    (Tensor.reshape, "*shape"),
    (Tensor.transpose, "*axes"),
])
def test_tensor_signatures(fn, expected):
    check_signature(inspect.unwrap(fn), expected)


def test_max_takes_numpys_keywords_with_numpys_meaning():
    """The page's ``a.max(axis=None, keepdims=False)``: as keywords, numpy's values (ties share the
    gradient); a positional dim is torch's (values, indices)."""
    a = Tensor(np.array([[1.0, 3.0], [2.0, 2.0]]), requires_grad=True)
    np.testing.assert_array_equal(a.max(axis=1, keepdims=True).data, [[3.0], [2.0]])
    np.testing.assert_array_equal(a.max().data, 3.0)
    values, indices = a.max(1)
    np.testing.assert_array_equal(values.data, [3.0, 2.0])
    np.testing.assert_array_equal(indices.data, [1, 0])


MODULE_FUNCTIONS = ("tensor zeros ones zeros_like ones_like full eye arange linspace rand randn stack "
                    "cat concatenate split chunk where maximum minimum matmul einsum "
                    "exp log tanh sigmoid relu abs sin cos").split()


@pytest.mark.parametrize("name", MODULE_FUNCTIONS + ["grad", "Function", "no_grad", "enable_grad",
                                                     "detect_anomaly", "is_grad_enabled"])
def test_top_level_names(name):
    assert callable(getattr(tg, name, None)), f"tinygrad_edu.{name} is on the page"


SIGNATURES = [
    ("tinygrad_edu.functional.logsumexp", "x, axis=-1, keepdims=False"),
    ("tinygrad_edu.functional.softmax", "x, axis=-1"),
    ("tinygrad_edu.functional.log_softmax", "x, axis=-1"),
    ("tinygrad_edu.functional.cross_entropy", "scores, y"),
    ("tinygrad_edu.functional.multiclass_hinge", "scores, y, delta=1.0"),
    ("tinygrad_edu.functional.conv2d", "x, weight, bias=None, stride=1, padding=0, dilation=1, "
                                       "groups=1"),
    ("tinygrad_edu.functional.max_pool2d", "x, kernel_size, stride=None, padding=0"),
    ("tinygrad_edu.functional.avg_pool2d", "x, kernel_size, stride=None, padding=0"),
    ("tinygrad_edu.functional.dropout", "x, p=0.5, training=True"),
    ("tinygrad_edu.functional.batch_norm", "x, running_mean, running_var, weight=None, bias=None, "
                                           "training=False, momentum=0.1, eps=1e-5"),
    ("tinygrad_edu.functional.layer_norm", "x, normalized_shape, weight=None, bias=None, eps=1e-5"),
    ("tinygrad_edu.functional.softplus", "x, beta=1.0, threshold=20.0"),
    ("tinygrad_edu.functional.leaky_relu", "x, negative_slope=0.01"),
    ("tinygrad_edu.losses.softmax_loss", "W, X, y, reg=0.0"),
    ("tinygrad_edu.losses.svm_loss", "W, X, y, reg=0.0, delta=1.0"),
    ("tinygrad_edu.losses.two_layer_loss", "params, X, y, reg=0.0"),
    ("tinygrad_edu.reference.softmax_loss_naive", "W, X, y, reg"),
    ("tinygrad_edu.reference.softmax_loss_vectorized", "W, X, y, reg"),
    ("tinygrad_edu.reference.svm_loss_naive", "W, X, y, reg"),
    ("tinygrad_edu.reference.svm_loss_vectorized", "W, X, y, reg"),
    ("tinygrad_edu.reference.two_layer_loss", "params, X, y, reg"),
    # h=None: the step follows x's dtype, 1e-5 for float64 (test_default_step_is_the_pages)
    ("tinygrad_edu.gradcheck.numerical_gradient", "f, x, h=..."),
    ("tinygrad_edu.gradcheck.rel_error", "a, b"),
    ("tinygrad_edu.gradcheck.gradcheck", "f, *inputs"),
    ("tinygrad_edu.gradcheck.gradgradcheck", "f, *inputs"),
    ("tinygrad_edu.gradcheck.check_gradient", "f, x, reg=None, N=None, h=None, rtol=None, "
                                              "atol=None, num_checks=None, seed=None"),
    ("tinygrad_edu.compare.compare", "loss=..."),
    ("tinygrad_edu.nn.TwoLayerNet", "input_size, hidden_size, output_size, std=1e-4"),
    ("tinygrad_edu.nn.TwoLayerNet.loss", "X, y=None, reg=0.0"),
    ("tinygrad_edu.nn.TwoLayerNet.train", "X, y, X_val, y_val, learning_rate=1e-3, "
                                          "learning_rate_decay=0.95, reg=5e-6, num_iters=100, "
                                          "batch_size=200, verbose=False"),
    ("tinygrad_edu.nn.TwoLayerNet.predict", "X"),
    ("tinygrad_edu.viz.draw", "t, names=None, show_values=True, show_grads=True, "
                              "show_formulas=True"),
    ("tinygrad_edu.viz.render", "t_or_digraph, path"),
    ("tinygrad_edu.viz.to_svg", "t_or_digraph"),
    ("tinygrad_edu.viz.trace", "loss"),
    ("tinygrad_edu.viz.write_page", "loss, path"),
    ("tinygrad_edu.grad", "outputs, inputs, grad_outputs=None, retain_graph=None, "
                          "create_graph=False"),
]


@pytest.mark.parametrize("dotted,expected", SIGNATURES, ids=[s[0] for s in SIGNATURES])
def test_signatures(dotted, expected):
    check_signature(inspect.unwrap(attr(dotted)), expected)


def test_compare_takes_the_learners_functions_by_name():
    from tinygrad_edu.compare import compare
    params = inspect.signature(compare).parameters
    for name in ("naive", "vectorized", "reg", "seed"):
        assert name in params, f"compare(..., {name}=...) is on the page"
    assert params["naive"].default is None and params["vectorized"].default is None


def test_default_step_is_the_pages():
    from tinygrad_edu.gradcheck import default_step
    assert default_step(np.zeros(3)) == 1e-5


def test_gradgradcheck_lives_with_gradcheck():
    import importlib.util
    from tinygrad_edu import gradcheck
    from tinygrad_edu.gradcheck import gradgrad
    assert gradcheck.gradgradcheck is gradgrad.gradgradcheck
    assert "gradgradcheck" in gradcheck.__all__
    assert importlib.util.find_spec("tinygrad_edu.higher") is None      # one home, not two


def test_function_is_shaped_like_torchs():
    f = tg.Function
    assert callable(getattr(f, "apply", None))
    assert hasattr(f, "forward") and hasattr(f, "backward")
    ctx = tg.engine.FunctionCtx()
    assert callable(ctx.save_for_backward)
    ctx.save_for_backward(np.ones(2))
    assert len(ctx.saved_tensors) == 1


def test_report_attributes_of_check_gradient():
    from tinygrad_edu.gradcheck import check_gradient
    x = np.array([0.3, -1.2])
    report = check_gradient(lambda w: (float(np.sum(w * w)), 2 * w), x)
    assert report.ok is True and report.codes == [] and list(report.diagnoses) == []
    assert isinstance(str(report), str)


def test_every_diagnosis_code_on_the_page_exists():
    from tinygrad_edu.gradcheck import diagnoses
    page = {"batch_size", "sign_flip", "scale", "reg_missing", "reg_doubled", "reg_half",
            "reg_excess", "transposed", "shape", "no_dependence", "only_reg", "mask",
            "input_modified", "mismatch"}
    source = inspect.getsource(diagnoses) + inspect.getsource(importlib.import_module(
        "tinygrad_edu.gradcheck.learner"))
    missing = {code for code in page if f'"{code}"' not in source}
    assert not missing, f"diagnosis codes on the page that no check names: {sorted(missing)}"


def test_viz_formats_on_the_page():
    from tinygrad_edu.viz import programs
    for suffix in ("svg", "png", "pdf", "dot"):
        assert programs.format_of(f"g.{suffix}", None) == suffix


def test_cli_has_check_mine_and_graph_formats():
    from tinygrad_edu.cli import build_parser
    parser = build_parser()
    args = parser.parse_args(["check", "--mine", "mine.py"])
    assert args.mine == "mine.py"
    for fmt in ("svg", "png", "pdf", "dot"):
        assert parser.parse_args(["graph", "--format", fmt]).format == fmt


def test_the_signature_check_can_fail():
    def f(x, h=1e-5, extra=None):
        return x
    check_signature(f, "x, h=1e-5")
    for wrong in ("y", "x, h=1e-4", "x, h", "x, h=1e-5, extra=None, more=1", "*x"):
        with pytest.raises(AssertionError):
            check_signature(f, wrong)

    def g(x, must):
        return x
    with pytest.raises(AssertionError):      # an extra parameter must be optional
        check_signature(g, "x")


def test_functional_takes_torchs_dim_too():
    from tinygrad_edu import functional as F
    x = Tensor(np.array([[1.0, 2.0, 3.0], [0.5, -1.0, 4.0]]))
    assert np.array_equal(F.softmax(x, dim=0).data, F.softmax(x, axis=0).data)
    assert np.array_equal(F.log_softmax(x, dim=1).data, F.log_softmax(x, axis=1).data)
    assert F.logsumexp(x, dim=1, keepdim=True).shape == (2, 1)
    with pytest.raises(TypeError, match="not both"):
        F.softmax(x, axis=0, dim=0)
