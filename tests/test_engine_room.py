"""The engine is a room of its own: it imports numpy and nothing else from the package."""
import ast
import pathlib

import tinygrad_edu

ENGINE = pathlib.Path(tinygrad_edu.__file__).parent / "engine"


def _imports(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                yield 0, a.name
        elif isinstance(node, ast.ImportFrom):
            yield node.level, node.module or ""


def test_engine_imports_only_numpy_and_itself():
    files = sorted(ENGINE.rglob("*.py"))
    assert len(files) >= 5
    for f in files:
        depth = len(f.relative_to(ENGINE).parts) - 1     # 0 for engine/x.py, 1 for engine/ops/x.py
        for level, name in _imports(f):
            if level == 0:
                root = name.split(".")[0]
                assert root in {"numpy", "__future__", "contextlib", "functools", "itertools", "gc",
                                "operator", "numbers", "threading", "weakref", "math", "inspect",
                                "types", "typing", "dataclasses", "collections", "sys", "warnings", "dis", "re"}, (f, name)
            else:
                assert level <= depth + 1, f"{f} imports {'.' * level}{name}, outside engine/"


def test_top_level_names_unchanged():
    for name in ["Tensor", "tensor", "no_grad", "enable_grad", "is_grad_enabled", "detect_anomaly",
                 "unbroadcast"]:
        assert getattr(tinygrad_edu, name) is getattr(tinygrad_edu.engine, name)


def test_nn_imports_nothing_of_train():
    """nn is the networks' room; the training loop's room (train/) imports nn, not the other way."""
    import subprocess
    import sys
    code = ("import sys, tinygrad_edu.nn as nn; assert not [m for m in sys.modules "
            "if m.startswith('tinygrad_edu.train')], 'nn imported train'; "
            "assert nn.TwoLayerNet.__module__ == 'tinygrad_edu.train.two_layer'")
    root = pathlib.Path(__file__).resolve().parents[1]
    run = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
