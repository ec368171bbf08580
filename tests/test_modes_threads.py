"""Grad mode and anomaly mode: per thread, as context managers and decorators."""
import threading

import numpy as np
import pytest

from tinygrad_edu import Tensor, detect_anomaly, enable_grad, is_grad_enabled, no_grad
from tinygrad_edu.engine.modes import state as _state


def test_trainer_and_evaluator_threads_do_not_interfere():
    stop = threading.Event()
    failures, done = [], []
    barrier = threading.Barrier(2)

    def evaluator():
        barrier.wait()
        x = Tensor(np.ones((4, 4)))
        while not stop.is_set():
            with no_grad():
                (x * 2.0).sum()
                assert not is_grad_enabled()

    def trainer():
        barrier.wait()
        w = Tensor(np.ones((4, 4)), requires_grad=True)
        for _ in range(3000):
            try:
                loss = (w * w).sum()
                loss.backward()
                done.append(1)
            except RuntimeError as e:
                failures.append(e)
            w.grad = None
        stop.set()

    threads = [threading.Thread(target=evaluator), threading.Thread(target=trainer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures and len(done) == 3000


def test_a_new_thread_starts_with_grad_on_and_anomaly_off():
    seen = []
    with no_grad(), detect_anomaly():
        t = threading.Thread(target=lambda: seen.append((is_grad_enabled(), _state.anomaly)))
        t.start()
        t.join()
    assert seen == [(True, False)]


@pytest.mark.parametrize("deco", [no_grad, no_grad()], ids=["bare", "called"])
def test_decorator_with_or_without_parentheses(deco):
    @deco
    def f(x):
        return x * 2.0
    y = f(Tensor([1.0], requires_grad=True))
    assert not y.requires_grad and is_grad_enabled()
    assert f.__name__ == "f"


def test_decorator_on_a_recursive_function_restores_the_mode():
    @no_grad
    def depth(n):
        assert not is_grad_enabled()
        return 0 if n == 0 else 1 + depth(n - 1)
    assert depth(20) == 20
    assert is_grad_enabled()
    x = Tensor([1.0], requires_grad=True)
    assert (x * 2.0).requires_grad


def test_enable_grad_inside_no_grad_and_as_decorator():
    @enable_grad
    def f(x):
        return x * 2.0
    x = Tensor([1.0], requires_grad=True)
    with no_grad():
        assert f(x).requires_grad
        assert not (x * 2.0).requires_grad
        with enable_grad():
            assert (x * 2.0).requires_grad
        assert not is_grad_enabled()
    assert is_grad_enabled()


def test_generator_gets_the_mode_at_each_resume_only():
    @no_grad
    def gen(x):
        for _ in range(3):
            received = yield (x * 2.0).requires_grad, is_grad_enabled()
            assert received is None or received == "ping"

    x = Tensor([1.0], requires_grad=True)
    g = gen(x)
    assert next(g) == (False, False)
    assert is_grad_enabled()                  # between resumes the caller's mode holds
    assert (x * 2.0).requires_grad
    assert g.send("ping") == (False, False)
    assert is_grad_enabled()
    g.close()
    assert is_grad_enabled()


def test_generator_return_value_and_throw():
    @no_grad()
    def gen():
        try:
            yield 1
        except KeyError:
            yield ("caught", is_grad_enabled())
        return "end"

    g = gen()
    assert next(g) == 1
    assert g.throw(KeyError("k")) == ("caught", False)
    with pytest.raises(StopIteration) as stop:
        next(g)
    assert stop.value.value == "end" and is_grad_enabled()


def test_modes_restore_after_an_exception():
    @detect_anomaly
    def boom():
        assert _state.anomaly
        raise ValueError("x")
    with pytest.raises(ValueError):
        boom()
    assert not _state.anomaly
    with pytest.raises(KeyError):
        with no_grad():
            raise KeyError
    assert is_grad_enabled()


def test_one_instance_entered_twice_restores_in_order():
    ng = no_grad()
    with ng:
        with enable_grad():
            with ng:
                assert not is_grad_enabled()
            assert is_grad_enabled()
        assert not is_grad_enabled()
    assert is_grad_enabled()


def test_detect_anomaly_as_decorator_finds_the_op():
    @detect_anomaly()
    def f(x):
        return x.log().sum()
    with np.errstate(invalid="ignore"), pytest.raises(FloatingPointError, match="log"):
        f(Tensor([-1.0], requires_grad=True))
    assert not _state.anomaly


def test_a_non_callable_argument_is_refused():
    with pytest.raises(TypeError, match="no_grad: takes no argument"):
        no_grad(3)
