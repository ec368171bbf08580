"""Run the bad-input table of tests/test_bad_input.py and count what each row ends in.

    PYTHONPATH=$PWD python scripts/probe_bad_input.py [-v]

For a row that expects an error:
  clear   an exception whose message names the function the user called;
  raw     an exception that does not name it (a traceback from inside numpy, Python or scipy);
  silent  no exception: a result passed off as an answer.
For a row that expects a documented result (read-only arrays, whole-number float labels, ...):
  works   the documented result;  broken  an exception or another result.
``-v`` prints every row that is not clear / works, with its message.
"""
from __future__ import annotations

import collections
import importlib.util
import os
import sys
import tempfile
import warnings
from pathlib import Path

TABLE = Path(__file__).resolve().parent.parent / "tests" / "test_bad_input.py"


def load_rows():
    spec = importlib.util.spec_from_file_location("bad_input_table", TABLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.ROWS, module._message


def classify(call, exc, where, message_of) -> tuple[str, str]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = call()
    except BaseException as e:  # noqa: BLE001 - SystemExit carries the command line's message
        if isinstance(e, KeyboardInterrupt):
            raise
        text = f"{type(e).__name__}: {message_of(e)}"
        if exc is None:
            return "broken", text
        return ("clear" if where in message_of(e) else "raw"), text
    if exc is None:
        return ("works" if result is True else "broken"), repr(result)[:80]
    return "silent", repr(result)[:80]


def main(argv) -> int:
    rows, message_of = load_rows()
    counts = collections.Counter()
    home = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)
        try:
            for label, call, exc, where, _ in rows:
                kind, text = classify(call, exc, where, message_of)
                counts[kind] += 1
                if "-v" in argv and kind not in ("clear", "works"):
                    print(f"{kind:7} {label}: {text[:160]}")
        finally:
            os.chdir(home)
    bad = sum(1 for r in rows if r[2] is not None)
    print(f"{len(rows)} rows: {bad} bad inputs, {len(rows) - bad} inputs with a documented result")
    print(f"bad inputs: clear error {counts['clear']}, raw traceback {counts['raw']}, "
          f"silent result {counts['silent']}")
    print(f"documented results: works {counts['works']}, broken {counts['broken']}")
    return 0 if counts["raw"] + counts["silent"] + counts["broken"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
