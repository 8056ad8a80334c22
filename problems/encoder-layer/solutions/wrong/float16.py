"""Computes the whole layer in float16.

Verdict: Wrong Answer
Mistake: float16
"""

import numpy as np


def layer_norm(x):
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + np.float16(1e-5))


def gelu(t):
    c = np.float16(np.sqrt(2.0 / np.pi))
    return np.float16(0.5) * t * (np.float16(1.0) + np.tanh(c * (t + np.float16(0.044715) * t**3)))


def softmax(s):
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def split_heads(x, h):
    n, t, d = x.shape
    return x.reshape(n, t, h, d // h).transpose(0, 2, 1, 3)  # (N, h, T, d_head)


def merge_heads(x):
    n, h, t, dh = x.shape
    return x.transpose(0, 2, 1, 3).reshape(n, t, h * dh)  # (N, T, d)


def mha(xq, xkv, w_q, w_k, w_v, w_o, h, blocked=None):
    """blocked broadcasts to (N, h, T_q, T_k) and is True where a query may not see a key."""
    q, k, v = split_heads(xq @ w_q, h), split_heads(xkv @ w_k, h), split_heads(xkv @ w_v, h)
    scores = q @ k.transpose(0, 1, 3, 2) / np.float16(np.sqrt(q.shape[-1]))
    if blocked is not None:
        scores = np.where(blocked, -np.inf, scores)
    return merge_heads(softmax(scores) @ v) @ w_o


def sublayer(x, f):
    return layer_norm(x + f(x))


def encoder_layer(x, w_q, w_k, w_v, w_o, w_mlp1, w_mlp2, num_heads, padding_mask=None):
    x, w_q, w_k, w_v, w_o, w_mlp1, w_mlp2 = (np.asarray(a, np.float16) for a in (x, w_q, w_k, w_v, w_o, w_mlp1, w_mlp2))
    blocked = None if padding_mask is None else padding_mask[:, None, None, :]  # (N, 1, 1, T): padded keys
    h = sublayer(x, lambda z: mha(z, z, w_q, w_k, w_v, w_o, num_heads, blocked))
    return sublayer(h, lambda z: gelu(z @ w_mlp1) @ w_mlp2)
