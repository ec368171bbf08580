"""The layers of a modular network, three ways: derived by hand, as graphs, and numerically.

The course's next assignment builds a network from layers, each a pair ``X_forward(...) -> (out,
cache)`` and ``X_backward(dout, cache) -> gradients``, derived by hand. This package holds those
pairs with the course's names and signatures, in plain numpy (importable from here)::

    from tinygrad_edu.layers import affine_forward, affine_backward, batchnorm_backward_alt

* ``dense``: affine, ReLU, leaky ReLU, sigmoid, tanh, inverted dropout, ``softmax_loss(x, y)`` and
  ``svm_loss(x, y)`` (returning ``(loss, dx)``);
* ``norms``: batch normalization (train and test mode, running averages; the staged backward and
  the simplified ``_alt``), layer normalization, spatial batch normalization;
* ``conv``: convolution and max pooling, naive (loops) and fast (vectorized);
* ``graph``: the same layers as graphs of the engine's ops, whose gradients ``backward()`` finds;
* ``numerical``: their gradients by centered differences, for an upstream gradient ``dout``;
* ``compare``: ``compare_layer(name)``, the four side by side in one table (also reached as
  ``tinygrad_edu.compare.compare("batchnorm")``);
* ``fc_net``, ``cnn``: ``FullyConnectedNet`` and ``ThreeLayerConvNet`` in the course's interface,
  with gradients from the engine; ``tinygrad_edu.train.Solver`` trains them.
"""
from .conv import (conv_backward_fast, conv_backward_naive, conv_forward_fast, conv_forward_naive,
                   max_pool_backward_fast, max_pool_backward_naive, max_pool_forward_fast,
                   max_pool_forward_naive)
from .dense import (affine_backward, affine_forward, dropout_backward, dropout_forward,
                    leaky_relu_backward, leaky_relu_forward, relu_backward, relu_forward,
                    sigmoid_backward, sigmoid_forward, softmax_loss, svm_loss, tanh_backward,
                    tanh_forward)
from .norms import (batchnorm_backward, batchnorm_backward_alt, batchnorm_forward,
                    layernorm_backward, layernorm_forward, spatial_batchnorm_backward,
                    spatial_batchnorm_forward)
from . import graph
from .numerical import layer_numerical_grads
from .compare import compare_layer
from .fc_net import FullyConnectedNet
from .cnn import ThreeLayerConvNet

__all__ = ["affine_forward", "affine_backward", "relu_forward", "relu_backward",
           "leaky_relu_forward", "leaky_relu_backward", "sigmoid_forward", "sigmoid_backward",
           "tanh_forward", "tanh_backward", "dropout_forward", "dropout_backward", "softmax_loss",
           "svm_loss", "batchnorm_forward", "batchnorm_backward", "batchnorm_backward_alt",
           "layernorm_forward", "layernorm_backward", "spatial_batchnorm_forward",
           "spatial_batchnorm_backward", "conv_forward_naive", "conv_backward_naive",
           "conv_forward_fast", "conv_backward_fast", "max_pool_forward_naive",
           "max_pool_backward_naive", "max_pool_forward_fast", "max_pool_backward_fast", "graph",
           "layer_numerical_grads", "compare_layer", "FullyConnectedNet", "ThreeLayerConvNet"]
