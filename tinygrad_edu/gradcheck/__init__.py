"""Numerical gradients, and checks that compare them with a gradient computed some other way.

The rooms, one idea each:

* ``numerical``: the one +-h loop (``differences``) and what is built on it directly:
  ``numerical_gradient``, ``numerical_gradient_array``, ``grad_check_sparse``,
  ``directional_check``, ``rel_error``;
* ``accuracy``: how accurate a numerical derivative is (the step measured, each entry's error,
  kinks) and ``Rule``, the one agreement rule every check compares with;
* ``verdict``: ok, wrong or inconclusive, and what to do when the numbers cannot decide;
* ``engine``: ``gradcheck(f, *inputs)``, the engine's gradients against numerical ones, each
  learner's op on its own, and ``locate_op``, the first op on the tape whose local gradient is
  wrong; ``tape``: what these read from the engine's graph;
* ``gradgrad``: ``gradgradcheck``, second derivatives as ``gradcheck`` of the gradient function;
* ``learner``: ``check_gradient(f, x)``, a learner's own ``f(x) -> (loss, grad)`` checked;
* ``diagnoses``: what kind of wrong, one small function per diagnosis, tried from a table;
* ``layer``: ``check_layer(forward, backward, *args)``, a layer's ``backward(dout, cache)``
  against the numerical vector-Jacobian product; ``layer_diagnoses``: what kind of wrong there;
* ``cmp``: ``cmp(name, mine, t)``, your gradient of one intermediate against the engine's ``t.grad``,
  and ``cmp_all``, a sequence of them stopped at the first wrong one.

Every check perturbs the given array *in place*, one entry (or one direction) at a time, so that a
closure over the same array sees the change, and puts it back bit for bit, also when ``f`` raises.
"""
from .diagnoses import Diagnosis
from .engine import GradcheckReport, InputCheck, OpCheck, check_ops, gradcheck, locate_op
from .accuracy import Estimate, Rule, estimate, rule_for
from .gradgrad import GradGradReport, gradgradcheck
from .learner import GradientCheckReport, check_gradient
from .layer import LayerCheckReport, LayerInputCheck, check_layer
from .cmp import CmpAllReport, CmpReport, cmp, cmp_all
from .numerical import (DirectionalCheck, SparseCheck, default_step, differences, directional_check,
                        grad_check_sparse, numerical_gradient, numerical_gradient_array, rel_error)

__all__ = ["numerical_gradient", "numerical_gradient_array", "grad_check_sparse", "directional_check",
           "rel_error", "gradcheck", "gradgradcheck", "GradGradReport", "check_gradient",
           "GradcheckReport", "InputCheck", "GradientCheckReport", "Diagnosis", "SparseCheck",
           "DirectionalCheck", "OpCheck", "locate_op", "check_ops", "differences", "default_step",
           "estimate", "Estimate", "Rule", "rule_for", "check_layer", "LayerCheckReport",
           "LayerInputCheck", "cmp", "cmp_all", "CmpReport", "CmpAllReport"]
