"""Normalises the attention scores with a softmax over the heads axis (axis 1 of the (N, h, T, T) scores) instead of over the keys.

Verdict: Wrong Answer
Mistake: none
"""

import numpy as np


def softmax(z, axis):
    z = z - z.max(axis=axis, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


def encoder_layer(x, w_q, w_k, w_v, w_o, w_mlp1, w_mlp2, num_heads, padding_mask=None):
    n, t, d = x.shape
    dh = d // num_heads
    q = (x @ w_q).reshape(n, t, num_heads, dh).transpose(0, 2, 1, 3)
    k = (x @ w_k).reshape(n, t, num_heads, dh).transpose(0, 2, 1, 3)
    v = (x @ w_v).reshape(n, t, num_heads, dh).transpose(0, 2, 1, 3)
    scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(dh)  # (n, heads, queries, keys)
    if padding_mask is not None:
        scores = scores + np.where(padding_mask, -1e9, 0.0)[:, None, None, :]
    attn = softmax(scores, axis=1)
    ctx = (attn @ v).transpose(0, 2, 1, 3).reshape(n, t, d)

    def ln(a):
        mu = a.mean(-1, keepdims=True)
        return (a - mu) / np.sqrt(((a - mu) ** 2).mean(-1, keepdims=True) + 1e-5)

    h = ln(x + ctx @ w_o)
    g = h @ w_mlp1
    g = 0.5 * g * (1 + np.tanh(np.sqrt(2 / np.pi) * (g + 0.044715 * g ** 3)))
    return ln(h + g @ w_mlp2).astype(np.float32)
