"""Concatenates w_q, w_k, w_v into one (d, 3d) weight and then reshapes the projection to (N, T, h, 3, d_head) instead of (N, T, 3, h, d_head).

Verdict: Wrong Answer
Mistake: qkv-split
"""

import numpy as np


def layer_norm(x, eps=1e-5):
    mu = x.mean(-1, keepdims=True)
    var = x.var(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps)


def gelu(x):
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))


def softmax(x):
    x = x - x.max(-1, keepdims=True)
    e = np.exp(x)
    return e / e.sum(-1, keepdims=True)


def encoder_layer(x, w_q, w_k, w_v, w_o, w_mlp1, w_mlp2, num_heads, padding_mask=None):
    N, T, d = x.shape
    dh = d // num_heads
    w_qkv = np.concatenate([w_q, w_k, w_v], axis=1)  # (d, 3d)
    qkv = (x @ w_qkv).reshape(N, T, num_heads, 3, dh)
    qkv = qkv.transpose(3, 0, 2, 1, 4)  # (3, N, h, T, dh)
    q, k, v = qkv[0], qkv[1], qkv[2]

    scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(dh)
    if padding_mask is not None:
        scores = np.where(padding_mask[:, None, None, :], -np.inf, scores)
    out = softmax(scores) @ v
    out = out.transpose(0, 2, 1, 3).reshape(N, T, d) @ w_o

    h = layer_norm(x + out)
    return layer_norm(h + gelu(h @ w_mlp1) @ w_mlp2).astype(np.float32)
