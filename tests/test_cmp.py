"""cmp and cmp_all: hand gradients of intermediates against the engine's .grad."""
import numpy as np
import pytest

from tinygrad_edu import Tensor
from tinygrad_edu.gradcheck import cmp, cmp_all


@pytest.fixture
def graph():
    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal((6, 4)), requires_grad=True)
    w = Tensor(rng.standard_normal((4, 3)), requires_grad=True)
    b = Tensor(rng.standard_normal(3), requires_grad=True)
    h = x @ w + b
    m = h.mean(axis=1, keepdims=True)
    c = h - m
    (c * c * Tensor(rng.standard_normal((6, 3)))).sum().backward()
    dc = c.grad.copy()
    dm = -dc.sum(axis=1, keepdims=True)
    dh = dc + dm / 3
    return dict(x=x, w=w, b=b, h=h, m=m, c=c, dc=dc, dm=dm, dh=dh)


def test_right_gradients_print_the_line(graph, capsys):
    g = graph
    for name, mine, t in (("m", g["dm"], g["m"]), ("h", g["dh"], g["h"]), ("b", g["dh"].sum(0), g["b"]),
                          ("w", g["x"].data.T @ g["dh"], g["w"])):
        rep = cmp(name, mine, t)
        assert rep.ok and rep.approximate and rep.codes == []
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("m               | exact: ") and "approximate: True" in out[0]
    assert "maxdiff: " in out[0]


@pytest.mark.parametrize("mistake,name,code", [
    (lambda g: -g["dc"], "m", "not_summed"),
    (lambda g: -g["dc"].sum(axis=0, keepdims=True), "m", "wrong_axis"),
    (lambda g: -g["dc"].sum(axis=1), "m", "shape"),
    (lambda g: g["dh"], "b", "not_summed"),
    (lambda g: g["dh"].T @ g["x"].data, "w", "transposed"),
    (lambda g: -g["dh"], "h", "sign_flip"),
    (lambda g: 3 * g["dh"], "h", "scale"),
])
def test_mistakes_are_named(graph, mistake, name, code):
    rep = cmp(name, mistake(graph), graph[name], verbose=False)
    assert not rep.ok and rep.codes == [code], rep


def test_unpatterned_mistake_has_no_false_code(graph):
    wrong = graph["dh"] + 0.1 * np.cos(np.arange(18)).reshape(6, 3)
    rep = cmp("h", wrong, graph["h"], verbose=False)
    assert not rep.ok and rep.codes == ["mismatch"]


def test_wrong_axis_needs_matching_totals(graph):
    # shaped like a sum over the wrong axis, but not a sum of the same array: no wrong_axis
    rep = cmp("m", np.ones((1, 3)), graph["m"], verbose=False)
    assert rep.codes == ["shape"], rep


def test_no_grad_and_bad_arguments(graph):
    rep = cmp("t", np.ones(3), Tensor(np.ones(3)), verbose=False)
    assert not rep.ok and rep.codes == ["no_grad"] and "backward() did not reach" in str(rep)
    with pytest.raises(TypeError, match="cmp: t must be the Tensor"):
        cmp("h", graph["dh"], graph["dh"])
    with pytest.raises(TypeError, match="cmp: your gradient for 'h' is None"):
        cmp("h", None, graph["h"])


def test_cmp_all_stops_at_the_first_wrong(graph, capsys):
    g = graph
    rep = cmp_all({"c": (g["dc"], g["c"]), "m": (g["dm"], g["m"]), "h": (2 * g["dh"], g["h"]),
                   "b": (g["dh"].sum(0), g["b"])})
    assert not rep.ok and rep.first_wrong == "h" and [r.name for r in rep.reports] == ["c", "m", "h"]
    out = capsys.readouterr().out
    assert "stopped at h" in out and "the mistake entered in the step that computes dh" in out
    assert "b" in rep.left
    rep = cmp_all([("c", g["dc"], g["c"]), ("m", (g["dm"], g["m"]))], verbose=False)
    assert rep.ok and rep.first_wrong is None
    with pytest.raises(TypeError, match="cmp_all: each entry"):
        cmp_all([("c", g["dc"])])
