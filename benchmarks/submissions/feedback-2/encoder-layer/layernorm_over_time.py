"""The LayerNorm helper takes its mean and variance over axis 1, the sequence axis, instead of the last (feature) axis, so each feature is normalised across positions.

Verdict: Wrong Answer
Mistake: none
"""

import numpy as np


def layer_norm(x, eps=1e-5):
    mean = x.mean(axis=1, keepdims=True)
    var = x.var(axis=1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps)


def gelu(x):
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))


def softmax(x, axis=-1):
    x = x - x.max(axis=axis, keepdims=True)
    e = np.exp(x)
    return e / e.sum(axis=axis, keepdims=True)


def encoder_layer(x, w_q, w_k, w_v, w_o, w_mlp1, w_mlp2, num_heads, padding_mask=None):
    n, t, d = x.shape
    dh = d // num_heads
    split = lambda a: a.reshape(n, t, num_heads, dh).transpose(0, 2, 1, 3)  # noqa: E731
    q, k, v = split(x @ w_q), split(x @ w_k), split(x @ w_v)
    scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(dh)
    if padding_mask is not None:
        scores = np.where(padding_mask[:, None, None, :], -np.inf, scores)
    ctx = (softmax(scores) @ v).transpose(0, 2, 1, 3).reshape(n, t, d)
    h = layer_norm(x + ctx @ w_o)
    return layer_norm(h + gelu(h @ w_mlp1) @ w_mlp2).astype(np.float32)
