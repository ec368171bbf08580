"""The course's update rules against the engine's optimizers, RMSprop against torch, the one training
loop, the Solver, and the gradients of FullyConnectedNet and ThreeLayerConvNet against numerical
ones."""
import pickle

import numpy as np
import pytest

from tinygrad_edu import Tensor
from tinygrad_edu.gradcheck import numerical_gradient, rel_error
from tinygrad_edu.layers import FullyConnectedNet, ThreeLayerConvNet
from tinygrad_edu.nn import TwoLayerNet
from tinygrad_edu.optim import SGD, Adam, RMSprop
from tinygrad_edu.train import Solver, epoch_batches, minibatches, train_loop
from tinygrad_edu.train import update_rules as rules


def gradients(steps=6, shape=(4, 5), seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal(shape), [rng.standard_normal(shape) for _ in range(steps)]


def by_rule(rule, config, w, grads):
    for g in grads:
        w, config = rule(w, g, config)
    return w


def by_optimizer(make, w, grads):
    t = Tensor(w.copy(), requires_grad=True)
    opt = make([t])
    for g in grads:
        t.grad = g.copy()
        opt.step()
    return t.data


@pytest.mark.parametrize("rule, config, make", [
    (rules.sgd, {"learning_rate": 0.1}, lambda p: SGD(p, lr=0.1)),
    (rules.sgd, None, lambda p: SGD(p, lr=1e-2)),
    (rules.sgd_momentum, {"learning_rate": 0.05, "momentum": 0.8}, lambda p: SGD(p, lr=0.05, momentum=0.8)),
    (rules.sgd_momentum, None, lambda p: SGD(p, lr=1e-2, momentum=0.9)),
    (rules.rmsprop, {"learning_rate": 0.01, "decay_rate": 0.9}, lambda p: RMSprop(p, lr=0.01, alpha=0.9)),
    (rules.rmsprop, None, lambda p: RMSprop(p)),
    (rules.adam, {"learning_rate": 0.01, "beta1": 0.8, "beta2": 0.99},
     lambda p: Adam(p, lr=0.01, betas=(0.8, 0.99))),
    (rules.adam, None, lambda p: Adam(p)),
], ids=["sgd", "sgd-defaults", "momentum", "momentum-defaults", "rmsprop", "rmsprop-defaults", "adam",
        "adam-defaults"])
def test_update_rules_take_the_engine_optimizers_steps(rule, config, make):
    w, grads = gradients()
    ours = by_rule(rule, config, w.copy(), grads)
    theirs = by_optimizer(make, w, grads)
    assert not np.allclose(ours, w)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)


def test_one_step_of_each_rule_by_hand():
    w, g = np.array([1.0, -2.0]), np.array([0.5, 0.25])
    np.testing.assert_allclose(rules.sgd(w, g, {"learning_rate": 0.1})[0], [0.95, -2.025])
    next_w, config = rules.sgd_momentum(w, g, {"learning_rate": 0.1, "velocity": np.array([1.0, 0.0])})
    np.testing.assert_allclose(config["velocity"], [0.9 - 0.05, -0.025])
    np.testing.assert_allclose(next_w, w + config["velocity"])
    next_w, config = rules.rmsprop(w, g, {"learning_rate": 0.1, "epsilon": 0.0})
    np.testing.assert_allclose(config["cache"], 0.01 * g * g)
    np.testing.assert_allclose(next_w, [0.0, -3.0], atol=1e-15)      # w - 0.1 * g / |0.1 g|
    next_w, config = rules.adam(w, g, {"learning_rate": 0.1, "epsilon": 0.0})
    assert config["t"] == 1
    np.testing.assert_allclose(next_w, w - 0.1 * np.sign(g))      # the first step is lr * sign(g)


def test_update_rules_refuse_mismatched_shapes_and_bad_config():
    with pytest.raises(ValueError, match=r"sgd: dw has shape \(3,\) but w has shape \(2,\)"):
        rules.sgd(np.ones(2), np.ones(3))
    with pytest.raises(TypeError, match="adam: config must be a dict"):
        rules.adam(np.ones(2), np.ones(2), [0.1])


@pytest.mark.parametrize("kw", [{}, {"lr": 0.05, "alpha": 0.9}, {"momentum": 0.7},
                                {"centered": True}, {"centered": True, "momentum": 0.5},
                                {"weight_decay": 0.1, "eps": 1e-3}])
def test_rmsprop_against_torch(kw):
    torch = pytest.importorskip("torch")
    w, grads = gradients(steps=7, seed=3)
    ours = by_optimizer(lambda p: RMSprop(p, **kw), w, grads)
    t = torch.tensor(w.copy(), requires_grad=True)
    opt = torch.optim.RMSprop([t], **kw)
    for g in grads:
        t.grad = torch.tensor(g)
        opt.step()
    np.testing.assert_allclose(ours, t.detach().numpy(), rtol=1e-12, atol=1e-15)


def test_rmsprop_refuses_bad_settings():
    with pytest.raises(ValueError, match="RMSprop: alpha"):
        RMSprop([Tensor(np.ones(2), requires_grad=True)], alpha=1.5)


# ---------------------------------------------------------------------------- the loop


def test_train_loop_checks_logs_and_stops_where_asked():
    seen, logged = [], []
    history = train_loop(lambda b: float(len(b)), ([0] * (i + 1) for i in range(10)), 10,
                         check=lambda it, b: (seen.append(it) or it / 10, 1.0), check_at={0, 4, 9},
                         log=lambda it, loss, checked: logged.append((it, checked)),
                         stop=lambda losses: losses[-1] >= 8)
    assert history["loss_history"] == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]
    assert seen == [0, 4] and history["train_acc_history"] == [0.0, 0.4]
    assert logged[4] == (4, True) and logged[5] == (5, False)


def test_batches_the_course_way_and_by_epochs():
    rng = np.random.RandomState(0)
    drawn = list(minibatches(rng, 10, 4, 3))
    assert [b.shape for b in drawn] == [(4,)] * 3
    np.testing.assert_array_equal(drawn[0], np.random.RandomState(0).choice(10, 4, replace=True))
    passes = list(epoch_batches(np.random.default_rng(0), 10, 4, 2))
    assert [len(b) for b in passes] == [4, 4, 2, 4, 4, 2]
    assert sorted(np.concatenate(passes[:3])) == list(range(10))


# ---------------------------------------------------------------------------- the nets


def net_gradient_errors(model, X, y):
    """Relative errors of the engine's gradients, with the biases moved off 0 (a bias of 0 after a
    dropped row puts a ReLU exactly at its kink). A gradient that is 0 up to rounding (a bias before
    a batch normalization) counts as agreeing when the differences are within rounding of 0 too."""
    rng = np.random.default_rng(1)
    for k in model.params:
        if k[0] == "b" and k[1].isdigit():
            model.params[k] += 0.1 * rng.standard_normal(model.params[k].shape)
    _, grads = model.loss(X, y)
    assert set(grads) == set(model.params)
    errors = {}
    for k in model.params:
        num = numerical_gradient(lambda _: model.loss(X, y)[0], model.params[k])
        exact_zero = np.abs(grads[k]).max() < 1e-15 and np.abs(num).max() < 1e-9
        errors[k] = 0.0 if exact_zero else rel_error(grads[k], num)
    return errors


@pytest.mark.parametrize("normalization", [None, "batchnorm", "layernorm"])
@pytest.mark.parametrize("reg, keep", [(0.0, 1), (0.7, 1), (0.3, 0.6)])
def test_fully_connected_net_gradients_match_numerical(normalization, reg, keep):
    np.random.seed(0)
    X, y = np.random.randn(6, 7), np.random.randint(4, size=6)
    model = FullyConnectedNet([5, 6], input_dim=7, num_classes=4, reg=reg, weight_scale=5e-1,
                              dtype=np.float64, normalization=normalization,
                              dropout_keep_ratio=keep, seed=123)
    errors = net_gradient_errors(model, X, y)
    assert max(errors.values()) < 1e-6, errors


def test_fully_connected_net_has_the_courses_params_and_loss_at_init():
    np.random.seed(1)
    model = FullyConnectedNet([10, 20, 30], input_dim=12, num_classes=7, weight_scale=1e-4,
                              normalization="batchnorm")
    assert list(model.params) == ["W1", "b1", "gamma1", "beta1", "W2", "b2", "gamma2", "beta2",
                                  "W3", "b3", "gamma3", "beta3", "W4", "b4"]
    assert model.params["W1"].dtype == np.float32 and model.params["W3"].shape == (20, 30)
    loss, _ = model.loss(np.random.randn(50, 3, 2, 2), np.random.randint(7, size=50))
    assert abs(loss - np.log(7)) < 0.05


def test_fully_connected_net_scores_use_test_mode():
    np.random.seed(2)
    model = FullyConnectedNet([8], input_dim=5, num_classes=3, dropout_keep_ratio=0.5,
                              normalization="batchnorm", dtype=np.float64)
    X = np.random.randn(20, 5)
    model.loss(X, np.zeros(20, dtype=int))              # a training step fills the running averages
    bn = model.bn_params[0]
    a, b = model.loss(X), model.loss(X)
    np.testing.assert_array_equal(a, b)                 # no dropout mask at test time
    h = X @ model.params["W1"] + model.params["b1"]
    h = np.maximum(0, (h - bn["running_mean"]) / np.sqrt(bn["running_var"] + 1e-5))
    np.testing.assert_allclose(a, h @ model.params["W2"] + model.params["b2"], rtol=1e-12)


def test_three_layer_conv_net_gradients_match_numerical_and_its_shapes_are_the_courses():
    np.random.seed(0)
    model = ThreeLayerConvNet(input_dim=(2, 6, 6), num_filters=3, filter_size=3, hidden_dim=5,
                              num_classes=4, weight_scale=3e-1, reg=0.2, dtype=np.float64)
    assert model.params["W1"].shape == (3, 2, 3, 3) and model.params["W2"].shape == (3 * 3 * 3, 5)
    X, y = np.random.randn(3, 2, 6, 6), np.array([0, 3, 1])
    errors = net_gradient_errors(model, X, y)
    assert max(errors.values()) < 1e-6, errors
    assert model.loss(X).shape == (3, 4)
    with pytest.raises(ValueError, match=r"ThreeLayerConvNet.loss: X must be \(N, C, H, W\) = \(N, 2, 6, 6\)"):
        model.loss(np.ones((3, 2, 8, 8)))


def test_nets_refuse_bad_settings():
    with pytest.raises(ValueError, match="normalization must be one of"):
        FullyConnectedNet([3], normalization="groupnorm")
    with pytest.raises(ValueError, match="dropout_keep_ratio"):
        FullyConnectedNet([3], dropout_keep_ratio=0)
    with pytest.raises(ValueError, match="filter_size must be odd"):
        ThreeLayerConvNet(filter_size=4)


# ---------------------------------------------------------------------------- the Solver


def toy_data(seed=0, n=60, d=6, c=3):
    rng = np.random.default_rng(seed)
    centers = 3 * rng.standard_normal((c, d))
    y = rng.integers(0, c, n)
    X = centers[y] + rng.standard_normal((n, d))
    return {"X_train": X[:40], "y_train": y[:40], "X_val": X[40:], "y_val": y[40:]}


def small_net(seed=0, **kw):
    np.random.seed(seed)
    return FullyConnectedNet([16], input_dim=6, num_classes=3, weight_scale=0.1, dtype=np.float64, **kw)


def test_solver_trains_keeps_the_best_params_and_decays_the_rate():
    model = small_net()
    solver = Solver(model, toy_data(), update_rule="sgd_momentum", optim_config={"learning_rate": 0.05},
                    lr_decay=0.5, num_epochs=4, batch_size=10, verbose=False, seed=0)
    solver.train()
    assert len(solver.loss_history) == 4 * 4
    assert len(solver.train_acc_history) == len(solver.val_acc_history) == 1 + 4   # first + each epoch
    assert solver.epoch == 4
    assert solver.loss_history[-1] < solver.loss_history[0] / 3
    assert solver.best_val_acc == max(solver.val_acc_history) > 0.9
    assert all(np.array_equal(model.params[k], solver.best_params[k]) for k in model.params)
    assert all(c["learning_rate"] == 0.05 * 0.5 ** 4 for c in solver.optim_configs.values())
    assert all("velocity" in c for c in solver.optim_configs.values())


def test_solver_is_reproducible_with_a_seed_and_with_numpys_global_seed():
    runs = []
    for seed in (0, 0, None, None):
        if seed is None:
            np.random.seed(5)
        solver = Solver(small_net(), toy_data(), update_rule="adam", num_epochs=2, batch_size=8,
                        verbose=False, seed=seed)
        solver.train()
        runs.append(solver.loss_history)
    assert runs[0] == runs[1] and runs[2] == runs[3]


def test_solver_prints_the_courses_lines(capsys):
    solver = Solver(small_net(), toy_data(), num_epochs=2, batch_size=20, print_every=1, verbose=True)
    solver.train()
    out = capsys.readouterr().out
    assert "(Iteration 1 / 4) loss: " in out
    assert "(Epoch 0 / 2) train acc: " in out and "(Epoch 2 / 2) train acc: " in out and "; val_acc: " in out


def test_solver_trains_the_two_layer_net_and_writes_checkpoints(tmp_path):
    net = TwoLayerNet(6, 10, 3, std=0.1, seed=0)
    solver = Solver(net, toy_data(), update_rule="sgd", optim_config={"learning_rate": 0.2},
                    num_epochs=3, batch_size=10, checkpoint_name=str(tmp_path / "run"), verbose=False)
    solver.train()
    assert solver.best_val_acc > 0.9
    with open(tmp_path / "run_epoch_3.pkl", "rb") as f:
        state = pickle.load(f)
    assert state["epoch"] == 3 and len(state["loss_history"]) == 12


def test_solver_accuracy_check_subsamples():
    solver = Solver(small_net(), toy_data(), verbose=False, seed=0)
    acc = solver.check_accuracy(solver.X_train, solver.y_train, num_samples=7)
    assert acc in {k / 7 for k in range(8)}


@pytest.mark.parametrize("kwargs, error, match", [
    ({"update_rule": "nesterov"}, ValueError, r"update_rule must be one of \('sgd'"),
    ({"batch_size": 0}, ValueError, "Solver: batch_size"),
    ({"num_epochs": 1.5}, TypeError, "Solver: num_epochs"),
    ({"optim_config": [1e-3]}, TypeError, "Solver: optim_config"),
    ({"learning_rate": 1e-3}, TypeError, "learning_rate"),
])
def test_solver_bad_settings(kwargs, error, match):
    with pytest.raises(error, match=match):
        Solver(small_net(), toy_data(), **kwargs)


def test_solver_bad_model_and_data():
    with pytest.raises(TypeError, match="Solver: model must have params"):
        Solver(object(), toy_data())
    data = toy_data()
    del data["y_val"]
    with pytest.raises(KeyError, match=r"Solver: data lacks \['y_val'\]"):
        Solver(small_net(), data)
