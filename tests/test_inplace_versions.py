"""In-place operators and version counters, as PyTorch."""
import threading

import numpy as np
import pytest

from tinygrad_edu import Tensor, no_grad
from tinygrad_edu.optim import SGD, Adam


def micrograd_readme(leaf=lambda x: Tensor(x, requires_grad=True)):
    """micrograd's README program, line for line, with ``leaf(x)`` (a Tensor that requires grad, or a
    torch tensor) for Value(x)."""
    a = leaf(-4.0)
    b = leaf(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    return g, a, b


def test_micrograd_readme_program_runs_unchanged():
    g, a, b = micrograd_readme()
    assert f"{g.data:.4f}" == "24.7041"
    assert f"{a.grad:.4f}" == "138.8338"
    assert f"{b.grad:.4f}" == "645.5773"


def test_micrograd_readme_matches_torch():
    torch = pytest.importorskip("torch")
    g, a, b = micrograd_readme(lambda x: torch.tensor(x, dtype=torch.float64, requires_grad=True))
    ours, oa, ob = micrograd_readme()
    assert ours.item() == pytest.approx(g.item(), rel=1e-14)
    assert oa.grad.item() == pytest.approx(a.grad.item(), rel=1e-13)
    assert ob.grad.item() == pytest.approx(b.grad.item(), rel=1e-13)


@pytest.mark.parametrize("op", ["+=", "-=", "*=", "/="])
def test_in_place_on_a_leaf_that_requires_grad_raises(op):
    w = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad.*no_grad"):
        exec(f"w {op} 2.0")
    np.testing.assert_array_equal(w.data, [1.0, 2.0])


def test_recorded_in_place_keeps_the_object_and_aliases_see_it():
    w = Tensor([1.0, 2.0], requires_grad=True)
    h = w * 3.0
    alias = h
    h += w                  # recorded: h is now the output of an add
    assert alias is h and h.op.name == "add" and not h.is_leaf
    np.testing.assert_array_equal(alias.data, [4.0, 8.0])
    h.sum().backward()
    np.testing.assert_array_equal(w.grad, [4.0, 4.0])


def test_older_uses_of_a_tensor_see_the_value_they_used():
    w = Tensor([1.0, 2.0], requires_grad=True)
    h = w * 1.0
    z = h * h               # uses h before the update: d z / d w = 2 w
    h *= 10.0               # recorded after
    (z.sum() + h.sum()).backward()
    np.testing.assert_array_equal(w.grad, 2 * np.array([1.0, 2.0]) + 10.0)


def test_in_place_under_no_grad_updates_the_array_itself():
    arr = np.array([1.0, 2.0])
    w = Tensor(arr, requires_grad=True)
    view = w.detach()
    with no_grad():
        w -= 0.5
        w *= np.array([2.0, 4.0])
        w /= 2
        w += Tensor([1.0, 1.0])
    assert w.data is arr and w.is_leaf and w.requires_grad
    np.testing.assert_array_equal(arr, [1.5, 4.0])
    np.testing.assert_array_equal(view.data, [1.5, 4.0])
    assert w._version == 4 and view._version == 4      # detach() shares the counter


def test_in_place_under_no_grad_keeps_float32():
    w = Tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    with no_grad():
        w += np.ones(3)          # float64 operand, written into the float32 array
        w *= 2.5
    assert w.dtype == np.float32
    np.testing.assert_array_equal(w.data, [5.0, 5.0, 5.0])


def test_in_place_that_cannot_be_written_in_place_says_so():
    w = Tensor(np.ones(3))
    with pytest.raises(ValueError, match=r"in-place \+=.*shape \(2, 3\).*x = x \+ y"):
        w += np.ones((2, 3))
    mask = Tensor(np.array([True, False]))
    with pytest.raises(TypeError, match=r"in-place \*=.*bool"):
        mask *= 2.5
    ro = np.ones(2)
    ro.flags.writeable = False
    with pytest.raises(TypeError, match=r"in-place \+=.*read-only"):
        t = Tensor(ro)
        t += 1.0


def test_step_after_the_forward_pass_makes_backward_raise():
    w = Tensor([1.0, 2.0], requires_grad=True, name="w")
    opt = SGD([w], lr=0.1)
    (w * w).sum().backward()          # a first gradient, so step() has something to do
    loss = (w * w).sum()
    opt.step()
    with pytest.raises(RuntimeError, match=r"modified by an inplace operation: mul \(op \d+ of \d+ on the tape\) saved "
                                           r"input 0 \(shape \(2,\), name 'w'\) at version 0.*now at version 1"):
        loss.backward()


def test_adam_step_bumps_the_version_too():
    w = Tensor([1.0, 2.0], requires_grad=True)
    opt = Adam([w], lr=0.1)
    w.grad = np.ones(2)
    loss = (w ** 2).sum()
    opt.step()
    with pytest.raises(RuntimeError, match="pow"):
        loss.backward()


def test_output_saved_by_its_op_is_checked():
    x = Tensor([0.0, 1.0], requires_grad=True)
    y = x.exp()
    with no_grad():
        y += 1.0               # exp saved y itself for its gradient
    with pytest.raises(RuntimeError, match=r"exp \(op \d+ of \d+ on the tape\) saved its output"):
        y.sum().backward()


def test_writing_data_is_the_unchecked_escape_hatch():
    w = Tensor([1.0, 2.0], requires_grad=True)
    loss = (w * w).sum()
    w.data -= 1.0               # bypasses versions, as PyTorch's .data: the gradient uses the new value
    loss.backward()
    np.testing.assert_array_equal(w.grad, [0.0, 2.0])


def test_step_then_new_forward_is_fine():
    w = Tensor([1.0, 2.0], requires_grad=True)
    opt = SGD([w], lr=0.5)
    for _ in range(3):
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        opt.step()
    np.testing.assert_array_equal(w.data, [0.0, 0.0])


def test_ops_that_save_nothing_of_the_value_do_not_raise():
    w = Tensor([1.0, 2.0], requires_grad=True)
    c = Tensor([3.0, 4.0])
    loss = (w + c).sum()         # add saves nothing: PyTorch lets this backward run too
    c += 1.0
    loss.backward()
    np.testing.assert_array_equal(w.grad, [1.0, 1.0])


def test_versions_with_torch_agree_on_what_raises():
    torch = pytest.importorskip("torch")
    for build in (lambda w, c: (w * c).sum(), lambda w, c: (w + c).sum(),
                  lambda w, c: (w / c).sum(), lambda w, c: (c ** 2 * w).sum()):
        results = []
        for lib in ("ours", "torch"):
            if lib == "ours":
                w, c = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0, 4.0])
                ctx = no_grad
            else:
                w = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
                c = torch.tensor([3.0, 4.0], dtype=torch.float64)
                ctx = torch.no_grad
            loss = build(w, c)
            with ctx():
                c += 1.0
            try:
                loss.backward()
                results.append("ok")
            except RuntimeError as e:
                assert "modified by an inplace operation" in str(e)
                results.append("raised")
        assert results[0] == results[1], (build, results)


def test_in_place_with_grad_on_the_other_side_makes_a_non_leaf():
    a = Tensor([1.0, 2.0], requires_grad=True)
    c = Tensor([0.0, 0.0])
    c += a * 2.0
    assert c.requires_grad and not c.is_leaf
    c.sum().backward()
    np.testing.assert_array_equal(a.grad, [2.0, 2.0])


def test_threads_do_not_share_versions_or_break_in_place():
    errors = []

    def work():
        try:
            for _ in range(200):
                w = Tensor([1.0, 2.0], requires_grad=True)
                h = w * 1.0
                h += w
                h.sum().backward()
                assert np.array_equal(w.grad, [2.0, 2.0])
        except Exception as e:   # reported below
            errors.append(e)
    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


def test_a_view_shares_the_version_of_its_base():
    w = Tensor(np.arange(6.0), requires_grad=True)
    loss = (w * w).sum()
    with no_grad():
        v = w.detach().reshape(2, 3)[0]      # a view of w's array, two steps away
        v += 1.0                             # changes w's array too, as in PyTorch
    assert w.data[0] == 1.0 and w._version == 1
    with pytest.raises(RuntimeError, match="modified by an inplace operation: mul"):
        loss.backward()


def test_a_copy_made_by_an_index_array_does_not_share_the_version():
    w = Tensor(np.arange(6.0), requires_grad=True)
    loss = (w * w).sum()
    with no_grad():
        c = w[np.array([0, 1])]             # advanced indexing copies
        c += 1.0
    assert w._version == 0
    loss.backward()
    np.testing.assert_array_equal(w.grad, 2 * np.arange(6.0))


def test_recorded_in_place_on_a_view_is_refused_not_silently_diverging():
    w = Tensor(np.arange(6.0), requires_grad=True)
    y = w * 1.0
    v = y[0:2]
    with pytest.raises(RuntimeError, match=r"in-place \+=: .*shares its array with another"):
        v += 1.0
    with pytest.raises(RuntimeError, match=r"in-place \*=: .*shares its array with another"):
        y *= 2.0                             # the base of a view: the view would not see it either
    np.testing.assert_array_equal(v.data, [0.0, 1.0])
