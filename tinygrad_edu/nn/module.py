"""``Module`` and ``Parameter``, as ``torch.nn.Module`` and ``torch.nn.Parameter``.

A module's parameters are the Tensors assigned to its attributes that require grad (``self.w =
Tensor(..., requires_grad=True)``, or ``nn.Parameter(x)``), found in sub-modules recursively, and
also inside plain lists, tuples and dicts (PyTorch needs ``nn.ModuleList`` there; both work here).
An attribute assigned a parameter stays one when its ``requires_grad`` is later switched off
(a frozen layer), so ``state_dict()`` keeps it. Buffers (``register_buffer``) are state that is not
trained, such as BatchNorm's running statistics: in ``state_dict()``, not in ``parameters()``.

The orders are PyTorch's: ``named_modules()`` visits a module before its children, in the order
they were assigned; ``named_parameters()`` and ``state_dict()`` list each module's own entries
(parameters, then buffers) before its children's, so the keys are the keys PyTorch gives
(``fc1.weight``, ``0.bias``, ``bn.running_mean``) and a PyTorch ``state_dict`` loads here as it is.

There is one device, the CPU: ``to("cpu")``, ``cpu()`` and ``to(torch.device("cpu"))`` return the
module unchanged; ``to("cuda")`` and ``cuda()`` raise. ``to(dtype)``, ``float()`` and ``double()``
convert the parameters' arrays (and gradients) in place.
"""
from __future__ import annotations

import weakref
from collections import OrderedDict
from typing import NamedTuple

import numpy as np

from ..engine import Tensor, no_grad
from ..engine import versions

__all__ = ["Module", "Parameter", "write_in_place"]


def write_in_place(t: Tensor, value) -> None:
    """Copy ``value`` into ``t``'s own array, as PyTorch's ``t.copy_(value)`` under ``no_grad``: aliases
    see it, and a graph that saved the old values refuses to backward (the version moves). The one
    use of the engine's internals in ``nn`` and ``optim``."""
    if not t.data.flags.writeable:           # an array borrowed read-only: take a copy of its own
        t.data = np.array(value, dtype=t.dtype)
    else:
        t.data[...] = value
    versions.bump(t)


# Tensors made by Parameter(..., requires_grad=False), by id (Tensor's == compares entries)
_MADE_AS_PARAMETER = weakref.WeakValueDictionary()


class _ParameterType(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj.is_leaf and (
            obj.requires_grad or _MADE_AS_PARAMETER.get(id(obj)) is obj)


class Parameter(metaclass=_ParameterType):
    """``nn.Parameter(data, requires_grad=True)``: a leaf Tensor sharing ``data``'s array, to assign
    to a module's attribute. It is a plain ``Tensor`` (``isinstance(p, nn.Parameter)`` is True for
    any leaf Tensor that requires grad); ``requires_grad=False`` makes a parameter that is not
    trained but is still listed and saved."""

    def __new__(cls, data=None, requires_grad: bool = True):
        if data is None:
            data = np.zeros(0)
        t = Tensor(data.detach() if isinstance(data, Tensor) else data, requires_grad=requires_grad)
        if not requires_grad:
            _MADE_AS_PARAMETER[id(t)] = t
        return t


class _IncompatibleKeys(NamedTuple):
    missing_keys: list
    unexpected_keys: list


def _container_items(prefix: str, value):
    """(dotted name, value) of the entries of a list, tuple or dict attribute, recursively."""
    out, stack = [], [(prefix, value)]
    while stack:
        name, v = stack.pop()
        if isinstance(v, (list, tuple)):
            stack.extend(reversed([(f"{name}.{i}", x) for i, x in enumerate(v)]))
        elif isinstance(v, dict):
            stack.extend(reversed([(f"{name}.{k}", x) for k, x in v.items()]))
        else:
            out.append((name, v))
    return out


def _device_of(arg):
    """'cpu' for the CPU device in any spelling; raise for another device."""
    text = str(getattr(arg, "type", arg))
    if text.split(":")[0] != "cpu":
        raise RuntimeError(f"to: tinygrad_edu computes on the CPU (numpy) only; got device "
                           f"{text!r}. Use 'cpu', or drop the .to(device) call")
    return "cpu"


class Module:
    """Base class of layers and models, as ``torch.nn.Module`` (see the module's docstring).

    Subclasses set attributes in ``__init__`` (calling ``super().__init__()`` is accepted and not
    needed) and define ``forward``; calling the module calls ``forward``.
    """

    training = True   # Dropout and BatchNorm behave differently in training and in evaluation

    def __init__(self, *args, **kwargs):
        if args or kwargs:
            raise TypeError(f"{type(self).__name__}: Module.__init__() takes no arguments, got "
                            f"{len(args)} positional and {sorted(kwargs)} keyword")

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__}: define forward(self, x) in the subclass")

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    # ------------------------------------------------------------------ registration
    def __setattr__(self, name, value):
        d = self.__dict__
        if isinstance(value, Tensor) and isinstance(value, Parameter):
            d.setdefault("_param_names", set()).add(name)
        elif name in d.get("_param_names", ()) and not isinstance(value, Tensor):
            d["_param_names"].discard(name)
        object.__setattr__(self, name, value)

    def register_buffer(self, name: str, tensor, persistent: bool = True) -> None:
        """Keep ``tensor`` (a Tensor, a numpy array or None) as ``self.<name>``: in ``state_dict()``
        when ``persistent``, never in ``parameters()``."""
        if not isinstance(name, str) or not name.isidentifier():
            raise KeyError(f"register_buffer: the name must be an identifier, got {name!r}")
        self.__dict__.setdefault("_buffer_names", {})[name] = persistent
        setattr(self, name, tensor)

    def register_parameter(self, name: str, param) -> None:
        """``self.<name> = param`` (a Tensor, or None for an absent parameter such as a bias)."""
        if param is not None and not isinstance(param, Tensor):
            raise TypeError(f"register_parameter: {name} must be a Tensor or None, got "
                            f"{type(param).__name__}")
        if param is not None:
            self.__dict__.setdefault("_param_names", set()).add(name)
        object.__setattr__(self, name, param)

    def add_module(self, name: str, module) -> None:
        """``self.<name> = module``."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"add_module: {name} must be a Module or None, got {type(module).__name__}")
        setattr(self, name, module)

    register_module = add_module

    def _entries(self):
        """(name, value) of this module's attributes, containers unpacked: what the walks read."""
        out = []
        for k, v in vars(self).items():
            if k in ("_param_names", "_buffer_names"):
                continue
            out.extend(_container_items(k, v) if isinstance(v, (list, tuple, dict)) else [(k, v)])
        return out

    def _own(self):
        """This module's own (parameters, buffers), each a list of (name, value)."""
        params = self.__dict__.get("_param_names", ())
        buffers = self.__dict__.get("_buffer_names", {})
        ps, bs = [], []
        for k, v in self._entries():
            if k in buffers:
                if v is not None:
                    bs.append((k, v))
            elif isinstance(v, Tensor) and (k in params or (v.requires_grad and v.is_leaf)):
                ps.append((k, v))
        return ps, bs

    # ------------------------------------------------------------------ the walks
    def named_children(self):
        """(name, module) of the direct sub-modules, in assignment order, each once."""
        seen = set()
        for k, v in self._entries():
            if isinstance(v, Module) and id(v) not in seen:
                seen.add(id(v))
                yield k, v

    def children(self):
        """The direct sub-modules."""
        return (m for _, m in self.named_children())

    def named_modules(self, memo=None, prefix: str = "", remove_duplicate: bool = True):
        """(dotted name, module) of this module and every sub-module, a module before its children."""
        seen = memo if memo is not None else set()
        stack = [(prefix, self, ())]
        while stack:
            name, m, above = stack.pop()
            if remove_duplicate:
                if id(m) in seen:
                    continue
                seen.add(id(m))
            elif id(m) in above:
                continue                          # a module that contains itself: stop there
            yield name, m
            kids = [(f"{name}.{k}" if name else k, c, above + (id(m),))
                    for k, c in m._entries() if isinstance(c, Module)]
            stack.extend(reversed(kids))

    def modules(self):
        """This module and every sub-module."""
        return (m for _, m in self.named_modules())

    def named_parameters(self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True):
        """(dotted name, Tensor) of every parameter, each once, in PyTorch's order."""
        walk = self.named_modules(prefix=prefix) if recurse else [(prefix, self)]
        seen = set()
        for mname, m in walk:
            for k, p in m._own()[0]:
                if remove_duplicate and id(p) in seen:
                    continue
                seen.add(id(p))
                yield (f"{mname}.{k}" if mname else k), p

    def parameters(self, recurse: bool = True):
        """Every parameter, each once (an iterator, as PyTorch's)."""
        return (p for _, p in self.named_parameters(recurse=recurse))

    def named_buffers(self, prefix: str = "", recurse: bool = True):
        """(dotted name, value) of every buffer."""
        walk = self.named_modules(prefix=prefix) if recurse else [(prefix, self)]
        for mname, m in walk:
            for k, b in m._own()[1]:
                yield (f"{mname}.{k}" if mname else k), b

    def buffers(self, recurse: bool = True):
        """Every buffer."""
        return (b for _, b in self.named_buffers(recurse=recurse))

    def apply(self, fn) -> "Module":
        """Call ``fn(module)`` on every sub-module and then on this one (children first, each
        before its parent, as PyTorch's); ``self``."""
        stack, done = [(self, False)], set()
        while stack:
            m, expanded = stack.pop()
            if expanded:
                fn(m)
            elif id(m) not in done:
                done.add(id(m))
                stack.append((m, True))
                stack.extend((c, False) for c in reversed(list(m.children())))
        return self

    # ------------------------------------------------------------------ training state
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset every parameter's ``.grad``: to None (PyTorch's default), or to zeros in place."""
        for p in self.parameters():
            if set_to_none or p.grad is None:
                p.grad = None
            else:
                p.grad[...] = 0

    def requires_grad_(self, requires_grad: bool = True) -> "Module":
        """Switch ``requires_grad`` of every parameter (False freezes the module); ``self``."""
        for p in self.parameters():
            p.requires_grad = bool(requires_grad)
        return self

    def train(self, mode: bool = True) -> "Module":
        """Set ``training`` on this module and every sub-module; ``self``."""
        if not isinstance(mode, bool):
            raise ValueError(f"train: mode must be True or False, got {mode!r}")
        for m in self.modules():
            m.training = mode
        return self

    def eval(self) -> "Module":
        """``train(False)``: Dropout passes inputs through, BatchNorm uses its running statistics."""
        return self.train(False)

    # ------------------------------------------------------------------ state_dict
    def state_dict(self, destination=None, prefix: str = "", keep_vars: bool = False):
        """An ``OrderedDict`` {dotted name: value} of the parameters and persistent buffers, with
        PyTorch's keys and order. Values are Tensors sharing the arrays (detached unless
        ``keep_vars``), so a later ``load_state_dict`` or step shows through, as in PyTorch."""
        out = OrderedDict() if destination is None else destination
        for mname, m in self.named_modules(prefix=prefix, remove_duplicate=False):
            params, buffers = m._own()
            persistent = m.__dict__.get("_buffer_names", {})
            for k, v in params + [(k, b) for k, b in buffers if persistent.get(k, True)]:
                key = f"{mname}.{k}" if mname else k
                if keep_vars:
                    out[key] = v
                else:
                    out[key] = v.detach() if isinstance(v, Tensor) else Tensor(np.asarray(v))
        return out

    def load_state_dict(self, state_dict, strict: bool = True, assign: bool = False):
        """Copy the values of ``state_dict`` (from ``state_dict()`` here or in PyTorch: Tensors, torch
        tensors or numpy arrays) into the parameters and buffers, in place; returns
        ``(missing_keys, unexpected_keys)``. With ``strict`` (the default), missing or unexpected keys
        raise, as do shape mismatches always."""
        own = self.state_dict(keep_vars=True)
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        errors, todo = [], []
        for k, target in own.items():
            if k in state_dict:
                value = _as_numpy(state_dict[k], k)
                if value.shape != target.shape:
                    errors.append(f"size mismatch for {k}: copying a param with shape "
                                  f"{value.shape} from checkpoint, the shape in current model is "
                                  f"{target.shape}.")
                todo.append((k, target, value))
        if strict and (missing or unexpected):
            if unexpected:
                errors.insert(0, "Unexpected key(s) in state_dict: " + ", ".join(map(repr, unexpected)))
            if missing:
                errors.insert(0, "Missing key(s) in state_dict: " + ", ".join(map(repr, missing)))
        if errors:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}:\n\t"
                               + "\n\t".join(errors))
        with no_grad():
            for _, target, value in todo:
                if isinstance(target, Tensor):
                    write_in_place(target, value.astype(target.dtype, copy=False))
                else:
                    target[...] = value                   # a numpy buffer, in place
        return _IncompatibleKeys(missing, unexpected)

    def get_submodule(self, target: str) -> "Module":
        """The sub-module at dotted path ``target`` ('' is this module)."""
        for name, m in self.named_modules(remove_duplicate=False):
            if name == target:
                return m
        raise AttributeError(f"get_submodule: {type(self).__name__} has no sub-module {target!r}; "
                             f"its modules are {[n for n, _ in self.named_modules()]}")

    # ------------------------------------------------------------------ devices and dtypes
    def to(self, *args, **kwargs) -> "Module":
        """``to(device)``, ``to(dtype)``, ``to(device, dtype)``: the CPU is the only device; a float
        dtype converts the parameters and buffers (see ``double``)."""
        dtype = kwargs.pop("dtype", None)
        for a in list(args) + [kwargs.pop("device", "cpu")]:
            if _is_float_dtype(a):
                dtype = a
            elif a is not None and not isinstance(a, (bool, Tensor)):
                _device_of(a)
        kwargs.pop("non_blocking", None)
        if kwargs:
            raise TypeError(f"to: unexpected keyword argument(s) {sorted(kwargs)}")
        if dtype is None:
            return self
        if np.dtype(dtype) not in (np.float32, np.float64):
            raise TypeError(f"to: parameters can be float32 or float64, got {np.dtype(dtype)}")
        return self._convert(np.dtype(dtype))

    def cpu(self) -> "Module":
        """This module (everything is on the CPU already)."""
        return self

    def cuda(self, device=None) -> "Module":
        """Raises: there is no GPU here."""
        _device_of("cuda")

    def double(self) -> "Module":
        """Convert every float parameter and buffer (and gradient) to float64; ``self``."""
        return self._convert(np.dtype(np.float64))

    def float(self) -> "Module":
        """Convert every float parameter and buffer (and gradient) to float32; ``self``."""
        return self._convert(np.dtype(np.float32))

    def _convert(self, dtype: np.dtype) -> "Module":
        for m in self.modules():
            for _, t in m._own()[0] + m._own()[1]:
                if isinstance(t, Tensor) and t.dtype.kind == "f":
                    g = t.grad
                    t.data = t.data.astype(dtype)
                    t.grad = None if g is None else g.astype(dtype)
            for k in m.__dict__.get("_buffer_names", {}):
                v = getattr(m, k)
                if isinstance(v, np.ndarray) and v.dtype.kind == "f":
                    object.__setattr__(m, k, v.astype(dtype))
        return self

    # ------------------------------------------------------------------ printing
    def extra_repr(self) -> str:
        """The text inside this module's parentheses (its settings); '' by default."""
        return ""

    def __repr__(self):
        kids = list(self.named_children())
        if not kids:
            return f"{type(self).__name__}({self.extra_repr()})"
        lines = [self.extra_repr()] if self.extra_repr() else []
        for name, m in kids:
            lines.append(f"({name}): " + repr(m).replace("\n", "\n  "))
        return f"{type(self).__name__}(\n  " + "\n  ".join(lines) + "\n)"


def _is_float_dtype(a) -> bool:
    """True for float32/float64 in any spelling (np.float32, 'float64', tg.float32, ...)."""
    if a is None or isinstance(a, (bool, Tensor)):
        return False
    try:
        return np.dtype(a).kind == "f"
    except TypeError:
        return False


def _as_numpy(value, key: str) -> np.ndarray:
    """A state_dict value as a numpy array: a Tensor, a torch tensor, an array or a number."""
    if isinstance(value, Tensor):
        return value.data
    if hasattr(value, "detach") and hasattr(value, "cpu"):      # a torch tensor
        return value.detach().cpu().numpy()
    try:
        return np.asarray(value)
    except (TypeError, ValueError):
        raise TypeError(f"load_state_dict: the value of {key!r} is a {type(value).__name__}, not a "
                        f"tensor or array") from None
