"""losses: the graphs against numerical gradients, PyTorch, known values; input forms and errors."""
import numpy as np
import pytest

from tinygrad_edu import Tensor
from tinygrad_edu.losses import softmax_loss, svm_loss, two_layer_loss
from conftest import loss_data, numgrad, rel


data = loss_data


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("reg", [0.0, 0.3])
@pytest.mark.parametrize("loss_fn", [softmax_loss, svm_loss])
def test_linear_losses_match_numerical(seed, reg, loss_fn):
    X, y, W, _ = data(seed)
    Wt = Tensor(W, requires_grad=True)
    loss_fn(Wt, X, y, reg).backward()
    num = numgrad(lambda: loss_fn(Tensor(W), X, y, reg).item(), W)
    assert rel(Wt.grad, num) < 1e-6


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("reg", [0.0, 0.2])
def test_two_layer_matches_numerical(seed, reg):
    X, y, _, params = data(seed)
    tensors = {k: Tensor(v, requires_grad=True) for k, v in params.items()}
    two_layer_loss(tensors, X, y, reg).backward()
    for k, v in params.items():
        num = numgrad(lambda: two_layer_loss({q: Tensor(a) for q, a in params.items()}, X, y, reg).item(), v)
        assert rel(tensors[k].grad, num) < 1e-6, k


def test_known_values_at_zero_weights():
    X, y, W, params = data(0, c=5)
    W0 = np.zeros_like(W)
    assert np.isclose(softmax_loss(W0, X, y).item(), np.log(5), rtol=1e-14)
    assert np.isclose(svm_loss(W0, X, y).item(), 4.0)
    assert np.isclose(svm_loss(W0, X, y, delta=0.5).item(), 2.0)
    zeros = {k: np.zeros_like(v) for k, v in params.items()}
    assert np.isclose(two_layer_loss(zeros, X, y).item(), np.log(5), rtol=1e-14)
    # regularization adds reg * sum(W*W) exactly
    assert np.isclose(softmax_loss(W, X, y, 0.7).item() - softmax_loss(W, X, y).item(), 0.7 * np.sum(W * W))


def test_input_forms():
    X, y, W, params = data(1)
    expected = softmax_loss(Tensor(W), X, y, 0.1).item()
    assert softmax_loss(W, Tensor(X), Tensor(y), 0.1).item() == expected
    assert softmax_loss(W, X.tolist(), y.tolist(), 0.1).item() == expected
    # a numpy W is wrapped with requires_grad=True, so the loss can be differentiated
    loss = svm_loss(W, X, y)
    assert loss.requires_grad
    loss.backward()
    mixed = dict(params, W1=Tensor(params["W1"], requires_grad=True))
    two_layer_loss(mixed, X, y, 0.1).backward()
    assert mixed["W1"].grad.shape == params["W1"].shape


def test_errors_name_function_and_shapes():
    X, y, W, params = data(0)
    with pytest.raises(ValueError, match=r"softmax_loss: X has shape \(6, 5\).*W must have shape \(5, C\).*\(4, 4\)"):
        softmax_loss(np.zeros((4, 4)), X, y)
    with pytest.raises(ValueError, match=r"svm_loss: X must be 2-D"):
        svm_loss(W, X[0], y)
    with pytest.raises(ValueError, match=r"softmax_loss: .*\(6, 4\)"):
        softmax_loss(W, X, y[:3])
    with pytest.raises(ValueError, match=r"two_layer_loss: params must have shapes .*b1 do not fit"):
        two_layer_loss(dict(params, b1=np.zeros(3)), X, y)
    with pytest.raises(KeyError, match="b2"):
        two_layer_loss({k: v for k, v in params.items() if k != "b2"}, X, y)


def test_against_torch():
    torch = pytest.importorskip("torch")
    X, y, W, params = data(4)
    reg = 0.25
    tp = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    tX, ty = torch.tensor(X), torch.tensor(y)
    hidden = torch.relu(tX @ tp["W1"] + tp["b1"])
    tl = torch.nn.functional.cross_entropy(hidden @ tp["W2"] + tp["b2"], ty) \
        + reg * ((tp["W1"] ** 2).sum() + (tp["W2"] ** 2).sum())
    tl.backward()
    ours = {k: Tensor(v, requires_grad=True) for k, v in params.items()}
    loss = two_layer_loss(ours, X, y, reg)
    loss.backward()
    assert np.isclose(loss.item(), tl.item(), rtol=1e-12)
    for k in params:
        assert rel(ours[k].grad, tp[k].grad.numpy()) < 1e-10, k
