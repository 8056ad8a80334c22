"""The Q, K and V weights were fused into one (d, 3d) matrix, but its output was reshaped to (N, T, h, 3, d_head), so each head's q, k and v are carved out of the wrong columns.

Verdict: Wrong Answer
Mistake: qkv-split
"""

import numpy as np


def _layer_norm(x, eps=1e-5):
    mean = x.mean(axis=-1, keepdims=True)
    var = x.var(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps)


def _gelu(x):
    return 0.5 * x * (1.0 + np.tanh(np.sqrt(2.0 / np.pi) * (x + 0.044715 * np.power(x, 3))))


def encoder_layer(x, w_q, w_k, w_v, w_o, w_mlp1, w_mlp2, num_heads, padding_mask=None):
    N, T, d = x.shape
    hd = d // num_heads
    w_qkv = np.concatenate([w_q, w_k, w_v], axis=1)                      # (d, 3d)
    qkv = (x @ w_qkv).reshape(N, T, num_heads, 3, hd)
    q, k, v = (qkv[:, :, :, i].transpose(0, 2, 1, 3) for i in range(3))  # (N, h, T, hd)

    att = q @ k.transpose(0, 1, 3, 2) / np.sqrt(hd)
    if padding_mask is not None:
        att = np.where(padding_mask[:, None, None, :], -np.inf, att)
    att = np.exp(att - att.max(axis=-1, keepdims=True))
    att = att / att.sum(axis=-1, keepdims=True)
    y = (att @ v).transpose(0, 2, 1, 3).reshape(N, T, d) @ w_o

    h = _layer_norm(x + y)
    return _layer_norm(h + _gelu(h @ w_mlp1) @ w_mlp2)
