"""The tinygrad-edu command: each subcommand writes what it says; --help; bad arguments exit 2."""
import subprocess
import sys

import pytest

from tinygrad_edu.cli import main

pytest.importorskip("sklearn")
pytest.importorskip("matplotlib")


def cli(*args):
    """Run ``python -m tinygrad_edu ARGS`` in a subprocess: (exit status, stdout, stderr)."""
    p = subprocess.run([sys.executable, "-m", "tinygrad_edu", *args], capture_output=True,
                       text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


@pytest.mark.parametrize("sub", [[], ["demo"], ["check"], ["graph"], ["train"]])
def test_help_everywhere(sub, capsys):
    with pytest.raises(SystemExit) as e:
        main([*sub, "--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: tinygrad-edu") and "--help" in out


@pytest.mark.parametrize("args,words", [
    (["train", "--iters", "-3"], "expected a number > 0"),
    (["train", "--model", "resnet"], "invalid choice"),
    (["check", "--reg", "abc"], "expected a number"),
    (["graph", "--format", "jpeg"], "invalid choice"),
    (["frobnicate"], "invalid choice"),
    (["demo", "--bogus"], "unrecognized arguments"),
])
def test_bad_arguments_one_line_exit_2(args, words, capsys):
    with pytest.raises(SystemExit) as e:
        main(args)
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and words in err and "Traceback" not in err


def test_bad_arguments_through_the_module_entry_point(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    code, out, err = cli("graph", "--out", str(blocker / "sub"))
    assert code == 2 and err.count("\n") == 1 and "cannot create the folder" in err
    assert "Traceback" not in err
    code, out, err = cli("train", "--model", "softmax", "--optimizer", "cg", "--out", str(tmp_path))
    assert code == 2 and "two_layer" in err and "Traceback" not in err
    code, out, err = cli("--version")
    assert code == 0 and out.startswith("tinygrad-edu ")


def test_check_prints_the_table_and_writes_it(tmp_path, capsys):
    assert main(["check", "--loss", "softmax", "--n", "20", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    for word in ("graph", "naive", "vectorized", "numerical", "verdict: ok"):
        assert word in out
    assert "softmax" in (tmp_path / "check.txt").read_text()


def test_graph_writes_dot_svg_and_page(tmp_path, capsys):
    assert main(["graph", "--loss", "svm", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    dot = (tmp_path / "svm_graph.dot").read_text()
    assert dot.startswith("digraph") and "scores = X @ W" in dot   # the matmul, by its names
    page = (tmp_path / "svm_backprop.html").read_text()
    assert "<html" in page.lower()
    assert "svm_graph.dot" in out and "svm_backprop.html" in out
    if "no Graphviz renderer" not in out:
        assert (tmp_path / "svm_graph.svg").read_text().lstrip().startswith(("<?xml", "<svg"))


def test_graph_dot_only_without_page(tmp_path, capsys):
    assert main(["graph", "--loss", "two_layer", "--format", "dot", "--no-page",
                 "--out", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["two_layer_graph.dot"]


@pytest.mark.parametrize("fmt,magic", [("pdf", b"%PDF"), ("png", b"\x89PNG")])
def test_graph_writes_pdf_and_png(fmt, magic, tmp_path, capsys):
    assert main(["graph", "--loss", "softmax", "--format", fmt, "--no-page", "--out",
                 str(tmp_path)]) == 0
    out = capsys.readouterr().out
    if "no Graphviz renderer" in out:
        pytest.skip("no Graphviz renderer: only the DOT text is written")
    assert (tmp_path / f"softmax_graph.{fmt}").read_bytes().startswith(magic)
    assert f"softmax_graph.{fmt}" in out and f"({fmt})" in out


def test_train_softmax_writes_curves_and_weights(tmp_path, capsys):
    assert main(["train", "--model", "softmax", "--iters", "100", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    acc = float(out.split("test accuracy ")[1].split()[0])
    assert acc >= 0.9
    assert (tmp_path / "train_curves.png").stat().st_size > 1000
    assert (tmp_path / "train_weights.png").stat().st_size > 1000


def test_train_two_layer_with_lbfgs(tmp_path, capsys):
    pytest.importorskip("scipy")
    assert main(["train", "--optimizer", "lbfgs", "--iters", "40", "--hidden", "30",
                 "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert float(out.split("test accuracy ")[1].split()[0]) >= 0.9
    assert (tmp_path / "train_curves.png").exists()


def test_demo_quick_writes_everything_it_lists(tmp_path, capsys):
    assert main(["demo", "--quick", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "gradient check ok" in out
    summary = out.split("files written to")[1]
    listed = [line.split()[0] for line in summary.splitlines()[1:] if line.startswith("  ")]
    assert len(listed) >= 12
    for name in listed:
        assert (tmp_path / name).is_file() and (tmp_path / name).stat().st_size > 0, name
    for name in ("check.txt", "softmax_backprop.html", "two_layer_graph.dot", "train_curves.png"):
        assert name in listed


def test_missing_extra_is_one_line_naming_the_install_command(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    assert main(["train", "--model", "softmax", "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and 'pip install -e ".[examples]"' in err


# ---------------------------------------------------------------------------------- check's verdicts

RIGHT = '''
import numpy as np
def softmax_loss_vectorized(W, X, y, reg):
    N = X.shape[0]
    S = X @ W
    P = np.exp(S - S.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    loss = -np.log(P[np.arange(N), y]).mean() + REG * reg * np.sum(W * W)
    P[np.arange(N), y] -= 1
    return loss, X.T @ P / N + 2 * REG * reg * W
'''
IN_FLOAT32 = '''
def svm_loss_vectorized(W, X, y, reg):
    from tinygrad_edu.reference import svm_loss_vectorized as right
    loss, dW = right(W.astype(np.float32), X.astype(np.float32), y, reg)
    return np.float32(loss), dW.astype(np.float32)
'''
WRONG = '''
def svm_loss_naive(W, X, y, reg):
    from tinygrad_edu.reference import svm_loss_vectorized as right
    loss, dW = right(W, X, y, reg)
    return loss, -dW
'''


def mine(tmp_path, text, *more):
    path = tmp_path / "mine.py"
    path.write_text(text.replace("REG", "1.0") if "REG =" not in text else text)
    return cli("check", "--mine", str(path), "--n", "20", *more)


@pytest.mark.parametrize("body, status, word", [
    (RIGHT, 0, "verdict: ok"),
    (RIGHT + WRONG, 1, "verdict: wrong"),
    (RIGHT + IN_FLOAT32, 3, "verdict: inconclusive"),
    (RIGHT + IN_FLOAT32 + WRONG, 1, "verdict: wrong"),       # the worst decides
])
def test_check_exit_status_follows_the_verdict(tmp_path, body, status, word):
    code, out, err = mine(tmp_path, body)
    assert code == status and word in out, out + err
    if status == 3:
        assert "INCONCLUSIVE" in out and "computes in float32" in out


def test_check_with_nothing_to_check_or_no_file_exits_2(tmp_path):
    code, out, err = mine(tmp_path, "x = 1\n")
    assert code == 2 and "found none of" in err
    code, out, err = cli("check", "--mine", str(tmp_path / "missing.py"))
    assert code == 2 and "no such file" in err


def test_check_reg_convention_half(tmp_path):
    half = RIGHT.replace("REG", "0.5")
    path = tmp_path / "half.py"
    path.write_text(half)
    code, out, err = cli("check", "--mine", str(path), "--n", "20")
    assert code == 0 and "0.5 * reg * sum(W*W)" in out, out + err
    code, out, err = cli("check", "--mine", str(path), "--n", "20", "--reg-convention", "0.5")
    assert code == 0, out + err
    code, out, err = cli("check", "--mine", str(path), "--n", "20", "--reg-convention", "1")
    assert code == 1, out + err
    code, out, err = cli("check", "--reg-convention", "0.5")
    assert code == 2 and "--mine" in err


def test_builtin_check_decides_at_any_reg(capsys):
    for reg in ("0", "50", "2.5e4"):
        assert main(["check", "--n", "50", "--reg", reg]) == 0, capsys.readouterr().out
    assert "verdict: ok" in capsys.readouterr().out


def test_check_refuses_more_digits_than_there_are(capsys):
    assert main(["check", "--n", "1500"]) == 2
    err = capsys.readouterr().err
    assert "only 1,168 training digits" in err and err.count("\n") == 1


def test_the_command_only_parses_calls_and_prints():
    import tinygrad_edu.cli as cli_module
    import tinygrad_edu.homework as homework
    for name in ("_load_file", "_two_layer_from", "_example_loss", "MINE_NAMES"):
        assert not hasattr(cli_module, name), name
    for name in ("load_file", "two_layer_from", "example_loss", "check_file", "check_builtin"):
        assert callable(getattr(homework, name)), name


LAYERS_GOOD = """from tinygrad_edu.layers import (affine_forward, affine_backward, batchnorm_forward,
    batchnorm_backward_alt, max_pool_forward_naive, max_pool_backward_naive)
"""
LAYERS_BAD = """import numpy as np
from tinygrad_edu.layers import affine_forward, affine_backward, batchnorm_forward
def batchnorm_backward(dout, cache):
    mode, xhat, xc, inv, gamma = cache
    dxhat = dout * gamma
    return inv * (dxhat - dxhat.mean(axis=0)), (dout * xhat).sum(axis=0), dout.sum(axis=0)
def relu_forward(x):
    return np.maximum(x, 0), x
def relu_backward(dout, cache):
    raise NotImplementedError("not yet")
"""


def test_mine_checks_layer_pairs(tmp_path):
    code, out, err = mine(tmp_path, LAYERS_GOOD)
    assert code == 0, out + err
    assert "affine_backward" in out and "batchnorm_backward_alt" in out and "max_pool_backward_naive" in out
    assert "verdict: ok" in out
    code, out, err = mine(tmp_path, LAYERS_BAD)
    assert code == 1, out + err
    assert "[batchnorm_var_term]" in out and "relu_backward: raised NotImplementedError" in out


def test_mine_with_losses_and_layers(tmp_path):
    body = "from tinygrad_edu.reference import softmax_loss_naive\n" + LAYERS_GOOD
    code, out, err = mine(tmp_path, body)
    assert code == 0 and "softmax" in out and "affine_backward" in out, out + err
