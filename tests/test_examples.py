"""Each example runs as a script (in-process, quick settings) and writes what it says."""
import importlib.util
import re
from pathlib import Path

import pytest

pytest.importorskip("sklearn")
pytest.importorskip("matplotlib")
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def run(name, tmp_path, capsys, *extra):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(["--out", str(tmp_path), *extra])
    return capsys.readouterr().out


def accuracies(out):
    return [float(a) for a in re.findall(r"test accuracy\s+([0-9.]+)", out)]


def test_two_layer_net_digits(tmp_path, capsys):
    out = run("two_layer_net_digits", tmp_path, capsys, "--quick")
    assert "loss at initialization: 2.30" in out
    assert accuracies(out)[0] >= 0.93
    assert (tmp_path / "two_layer_curves.png").stat().st_size > 1000
    assert (tmp_path / "two_layer_weights.png").stat().st_size > 1000


def test_linear_classifiers_digits(tmp_path, capsys):
    pytest.importorskip("tinygrad_edu.gradcheck")
    out = run("linear_classifiers_digits", tmp_path, capsys, "--quick")
    softmax, svm = accuracies(out)
    assert softmax >= 0.94 and svm >= 0.90
    for name in ("softmax_curves", "softmax_weights", "svm_curves", "svm_weights"):
        assert (tmp_path / f"{name}.png").exists()


def test_scipy_cg_digits(tmp_path, capsys):
    pytest.importorskip("scipy")
    out = run("scipy_cg_digits", tmp_path, capsys, "--quick")
    assert len(accuracies(out)) == 2 and min(accuracies(out)) >= 0.95
    assert (tmp_path / "scipy_losses.png").exists()


def test_linear_regression_normalization(tmp_path, capsys):
    out = run("linear_regression_normalization", tmp_path, capsys)
    assert "diverged" in out
    final = float(re.search(r"standardized, .*-> ([0-9.]+) after", out).group(1))
    assert final < 0.01
    assert (tmp_path / "regression_losses.png").exists()


def test_loss_at_init(tmp_path, capsys):
    out = run("loss_at_init", tmp_path, capsys)
    first = re.search(r"0\.0001\s+([0-9.]+)\s+([0-9.]+)\s+([0-9.]+)", out)
    softmax, two_layer, svm = map(float, first.groups())
    assert abs(softmax - 2.3026) < 0.01 and abs(two_layer - 2.3026) < 0.001 and abs(svm - 9) < 0.05
    assert (tmp_path / "loss_at_init.txt").read_text().startswith("log(10)")


def test_newton_regression(tmp_path, capsys):
    out = run("newton_regression", tmp_path, capsys)
    assert float(re.search(r"2/n G\^T G: max difference ([0-9.e+-]+)", out).group(1)) < 1e-9
    assert float(re.search(r"least squares: .*max difference ([0-9.e+-]+)\)", out).group(1)) < 1e-9
    newton = [float(v) for v in re.search(r"loss ([0-9.e+ ->]+)\n", out).group(1).split(" -> ")]
    gd = float(re.search(r"gradient descent, .*-> ([0-9.e+]+) after", out).group(1))
    assert newton[1] < 1.0 < gd          # one Newton step reaches the minimum; 500 GD steps do not
    assert (tmp_path / "newton_losses.png").exists()


def test_solver_digits(tmp_path, capsys):
    out = run("solver_digits", tmp_path, capsys, "--quick")
    errors = re.search(r"FullyConnectedNet ([0-9.e+-]+), ThreeLayerConvNet ([0-9.e+-]+)", out).groups()
    assert max(map(float, errors)) < 1e-6
    fc, cnn = accuracies(out)
    assert fc >= 0.93 and cnn >= 0.93
    for name in ("solver_fc_curves", "solver_cnn_curves"):
        assert (tmp_path / f"{name}.png").stat().st_size > 1000


def test_micrograd_moons(tmp_path, capsys):
    """micrograd's demo on this engine: its first two steps print micrograd's numbers (the full 100
    steps, about two minutes, end at micrograd's loss 0.010978370135492717 and 100% accuracy)."""
    out = run("micrograd_moons", tmp_path, capsys, "--steps", "2")
    assert "number of parameters 337" in out
    assert "step 0 loss 0.8958441028683222, accuracy 50.0%" in out   # no gradient yet: exact
    loss1 = float(re.search(r"step 1 loss ([0-9.]+), accuracy 81.0%", out).group(1))
    assert loss1 == pytest.approx(1.7235905336972022, rel=1e-12)    # printed by micrograd itself
    assert (tmp_path / "micrograd_moons.png").stat().st_size > 1000
