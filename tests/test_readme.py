"""The README's first impressions: every ```python block runs as shown, each in a fresh interpreter
in an empty folder (as on a fresh install), and a block followed by a ```text block prints that
text (numbers to 2e-6, since the forum question's were float32); ``import tinygrad_edu`` makes the
subpackages reachable without importing them."""
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
FENCE = re.compile(r"^```(?P<info>[^\n`]*)\n(?P<body>.*?)^```[ \t]*$", re.S | re.M)
NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")

# Blocks that need engine features still to come: (a phrase of the block, what it needs).
NEEDS_ENGINE = {"w.grad.zero_()": "engine: needs torch.tensor of lists holding 0-d Tensors, "
                                  "w.grad.zero_() and f'{l}' of a 0-d Tensor printing its number"}


def python_blocks():
    """(line, code, expected output or None) of each python block, in order."""
    text = README.read_text()
    fences = list(FENCE.finditer(text))
    out = []
    for i, m in enumerate(fences):
        if m.group("info").strip() != "python":
            continue
        nxt = fences[i + 1] if i + 1 < len(fences) else None
        between = text[m.end():nxt.start()] if nxt else ""
        expected = None
        if nxt is not None and nxt.group("info").strip() == "text" and "```" not in between:
            expected = nxt.group("body")
        out.append((text.count("\n", 0, m.start()) + 2, m.group("body"), expected))
    return out


def params():
    out = []
    for line, code, expected in python_blocks():
        need = next((why for phrase, why in NEEDS_ENGINE.items() if phrase in code), None)
        marks = [pytest.mark.xfail(strict=True, reason=need)] if need else []
        out.append(pytest.param(code, expected, id=f"README.md:{line}", marks=marks))
    return out


def run_fresh(code: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)


def same_output(got: str, expected: str) -> bool:
    """The same text around the numbers (spaces and brackets aside) and numbers within 2e-6."""
    def words(s):
        return re.sub(r"[\s\[\]]", "", NUMBER.sub("#", s))
    a, b = [float(v) for v in NUMBER.findall(got)], [float(v) for v in NUMBER.findall(expected)]
    return words(got) == words(expected) and len(a) == len(b) and np.allclose(a, b, rtol=2e-6,
                                                                             atol=0)


def test_the_readme_has_the_blocks_it_promises():
    codes = [code for _, code, _ in python_blocks()]
    assert len(codes) >= 4
    first = codes[0]
    for name in ("x =", "W =", "b =", "import tinygrad_edu"):
        assert name in first, f"the README's first snippet must define {name!r}"
    assert any("tinygrad_edu.micrograd" in c for c in codes)
    assert any(c.startswith("import tinygrad_edu as torch") for c in codes)


@pytest.mark.parametrize("code, expected", params())
def test_readme_block_runs_as_shown(code, expected, tmp_path):
    result = run_fresh(code, tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    if expected is not None:
        assert same_output(result.stdout, expected), (result.stdout, expected)


def test_output_comparison_can_fail():
    assert same_output("loss 25.45\n", "loss 25.450000762939453")
    assert not same_output("loss 25.46\n", "loss 25.45")
    assert not same_output("gain 25.45\n", "loss 25.45")
    assert not same_output("loss 25.45 1\n", "loss 25.45")


def test_subpackages_are_reachable_after_import_and_not_loaded_before():
    code = ("import sys, tinygrad_edu\n"
            "loaded = sorted(m for m in sys.modules if m.startswith('tinygrad_edu'))\n"
            "assert all(m == 'tinygrad_edu' or m.startswith('tinygrad_edu.engine') for m in loaded), loaded\n"
            "assert not {'graphviz', 'scipy', 'sklearn', 'matplotlib'} & set(sys.modules)\n"
            "names = ['viz', 'gradcheck', 'functional', 'losses', 'reference', 'nn', 'optim', "
            "'utils', 'micrograd', 'compare', 'train']\n"
            "for n in names:\n"
            "    assert getattr(tinygrad_edu, n).__name__ == 'tinygrad_edu.' + n\n"
            "assert tinygrad_edu.viz.draw and tinygrad_edu.utils.data.DataLoader\n"
            "assert tinygrad_edu.device('cpu') == 'cpu' and not tinygrad_edu.cuda.is_available()\n"
            "assert 'viz' in dir(tinygrad_edu)\n"
            "try:\n"
            "    tinygrad_edu.no_gard\n"
            "except AttributeError as e:\n"
            "    assert 'no_grad' in str(e), e\n"
            "else:\n"
            "    raise SystemExit('no AttributeError')\n")
    result = run_fresh(code, ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
