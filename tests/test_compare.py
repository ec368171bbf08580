"""compare: the side-by-side table of graph, naive, vectorized and numerical gradients."""
import numpy as np
import pytest

from tinygrad_edu import reference as R
from tinygrad_edu.compare import LOSSES, compare, compare_all, make_data


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("reg", [0.0, 0.2])
def test_all_methods_agree(loss, reg):
    result = compare(loss, reg=reg, seed=1)
    assert result.ok and result
    methods = [r.method for r in result.results]
    assert methods == (["graph", "vectorized", "numerical"] if loss == "two_layer"
                       else ["graph", "naive", "vectorized", "numerical"])
    for (a, b), err in result.errors.items():
        assert err < (1e-6 if "numerical" in (a, b) else 1e-9), (a, b)
    text = str(result)
    assert text.count("\n") >= len(methods) + 1
    for m in methods:
        assert m in text
    assert "n/a" in text if loss == "two_layer" else "n/a" not in text


def test_given_data_is_used_and_left_alone():
    d = make_data(2, N=6, D=4, C=3)
    X, y, W = d["X"].copy(), d["y"].copy(), d["W"].copy()
    result = compare("softmax", X, y, W, reg=0.3)
    assert np.array_equal(W, d["W"]) and np.array_equal(X, d["X"])
    loss, dW = R.softmax_loss_vectorized(W, X, y, 0.3)
    assert result.result("vectorized").loss == loss
    assert np.array_equal(result.result("vectorized").grads["W"], dW)
    assert result.shapes == {"X": (6, 4), "W": (4, 3)}
    svm = compare("svm", X, y, W, reg=0.3, delta=2.0)
    assert svm.result("graph").loss == pytest.approx(R.svm_loss_vectorized(W, X, y, 0.3, 2.0)[0], rel=1e-12)


def test_a_wrong_method_is_seen():
    result = compare("svm", seed=0)
    result.results[1].grads["W"] = result.results[1].grads["W"] * 2   # pretend the naive one is wrong
    from tinygrad_edu.compare import Comparison
    broken = Comparison("svm", result.results, result.reg, result.shapes)
    assert not broken.ok and broken.error("graph", "naive") > 0.1 and "DISAGREEMENT" in str(broken)


def test_sparse_numerical_for_large_parameters():
    d = make_data(0, N=10, D=30, C=4, H=40)
    result = compare("two_layer", d["X"], d["y"], params=d["params"], num_checks=5, full_limit=100)
    num = result.result("numerical")
    assert num.mask is not None and sum(int(m.sum()) for m in num.mask.values()) == 5 + 5 + 5 + 4   # b2 has only 4 entries
    assert "numerical (19 of" in str(result) and result.ok


def test_compare_all_one_table():
    results = compare_all(reg=0.1, seed=4)
    assert results.ok and set(results.comparisons) == set(LOSSES)
    text = str(results)
    header = text.splitlines()[0]
    assert text.count(header) == 1                 # one table, not three
    for name in LOSSES:
        assert name in text
    assert results["svm"].loss_name == "svm"


def test_known_values_at_zero_weights():
    d = make_data(0, N=8, D=5, C=6)
    result = compare("softmax", d["X"], d["y"], np.zeros((5, 6)))
    assert all(np.isclose(r.loss, np.log(6)) for r in result.results)
    result = compare("svm", d["X"], d["y"], np.zeros((5, 6)))
    assert all(np.isclose(r.loss, 5.0) for r in result.results)


def test_bad_loss_name():
    with pytest.raises(ValueError, match="compare: loss must be one of"):
        compare("hinge")
