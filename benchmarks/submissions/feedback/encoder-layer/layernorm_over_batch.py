"""Computes the LayerNorm mean and variance over the batch and feature axes together, so each sequence is normalised with statistics from the others.

Verdict: Wrong Answer
Mistake: batch-mixing
"""

import numpy as np


def layer_norm(x, eps=1e-5):
    mean = x.mean(axis=(0, 2), keepdims=True)
    var = x.var(axis=(0, 2), keepdims=True)
    return (x - mean) / np.sqrt(var + eps)


def gelu(t):
    return 0.5 * t * (1.0 + np.tanh(np.sqrt(2.0 / np.pi) * (t + 0.044715 * t**3)))


def split_heads(x, h):
    n, t, d = x.shape
    return x.reshape(n, t, h, d // h).transpose(0, 2, 1, 3)


def merge_heads(x):
    n, h, t, dh = x.shape
    return x.transpose(0, 2, 1, 3).reshape(n, t, h * dh)


def encoder_layer(x, w_q, w_k, w_v, w_o, w_mlp1, w_mlp2, num_heads, padding_mask=None):
    q = split_heads(x @ w_q, num_heads)
    k = split_heads(x @ w_k, num_heads)
    v = split_heads(x @ w_v, num_heads)
    s = q @ k.transpose(0, 1, 3, 2) / np.sqrt(q.shape[-1])
    if padding_mask is not None:
        s[np.broadcast_to(padding_mask[:, None, None, :], s.shape)] = -np.inf
    s = np.exp(s - s.max(-1, keepdims=True))
    s = s / s.sum(-1, keepdims=True)
    h = layer_norm(x + merge_heads(s @ v) @ w_o)
    return layer_norm(h + gelu(h @ w_mlp1) @ w_mlp2).astype(np.float32)
