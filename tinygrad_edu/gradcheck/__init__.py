"""Numerical gradients, and checks that compare them with a gradient computed some other way.

Four rooms, one idea each:

* ``numerical``: the one +-h loop (``differences``) and what is built on it directly:
  ``numerical_gradient``, ``numerical_gradient_array``, ``grad_check_sparse``,
  ``directional_check``, ``rel_error``; the step and tolerances that follow x's dtype;
* ``engine``: ``gradcheck(f, *inputs)``, the engine's gradients against numerical ones, and
  ``locate_op``, which names the first op on the tape whose local gradient is wrong;
* ``learner``: ``check_gradient(f, x)``, a learner's own ``f(x) -> (loss, grad)`` checked;
* ``diagnoses``: what kind of wrong, one small function per diagnosis, tried from a table.

``gradgradcheck`` (second derivatives) lives with ``grad`` in ``tinygrad_edu.higher`` and is
re-exported here, so that both checks are found under ``tinygrad_edu.gradcheck``.

Every check perturbs the given array *in place*, one entry (or one direction) at a time, so that a
closure over the same array sees the change, and puts it back bit for bit, also when ``f`` raises.
"""
from .diagnoses import Diagnosis
from .engine import GradcheckReport, InputCheck, OpCheck, gradcheck, locate_op
from ..higher import GradGradReport, gradgradcheck
from .learner import GradientCheckReport, check_gradient
from .numerical import (DirectionalCheck, SparseCheck, default_step, differences, directional_check,
                        grad_check_sparse, numerical_gradient, numerical_gradient_array, rel_error,
                        tolerances)

__all__ = ["numerical_gradient", "numerical_gradient_array", "grad_check_sparse", "directional_check",
           "rel_error", "gradcheck", "gradgradcheck", "GradGradReport", "check_gradient", "GradcheckReport", "InputCheck",
           "GradientCheckReport", "Diagnosis", "SparseCheck", "DirectionalCheck", "OpCheck",
           "locate_op", "differences", "default_step", "tolerances"]
