"""micrograd's API on this engine: ``tinygrad_edu.micrograd.engine.Value`` and
``tinygrad_edu.micrograd.nn`` (``Module``, ``Neuron``, ``Layer``, ``MLP``).

Change ``micrograd.`` to ``tinygrad_edu.micrograd.`` in the imports and micrograd's README and demo
run unchanged, with micrograd's numbers::

    from tinygrad_edu.micrograd.engine import Value
    from tinygrad_edu.micrograd.nn import MLP

Each Value is a 0-d Tensor of the engine underneath (``v.tensor``), so ``draw(v)`` draws its graph
with ``tinygrad_edu.viz``.
"""
from .engine import Value, draw

__all__ = ["Value", "draw"]
