"""Computes the LayerNorm variance with ddof=1 (dividing by d - 1, the unbiased estimate) instead of dividing by d.

Verdict: Wrong Answer
Mistake: layer-norm-unbiased
"""

import math

import numpy as np


def _layer_norm(z, eps=1e-5):
    mean = z.mean(axis=-1, keepdims=True)
    var = z.var(axis=-1, ddof=1, keepdims=True)  # sample variance
    return (z - mean) / np.sqrt(var + eps)


def _gelu(z):
    return 0.5 * z * (1 + np.tanh(math.sqrt(2 / math.pi) * (z + 0.044715 * z**3)))


def encoder_layer(x, w_q, w_k, w_v, w_o, w_mlp1, w_mlp2, num_heads, padding_mask=None):
    x = np.asarray(x, dtype=np.float64)
    n, t, d = x.shape
    d_head = d // num_heads
    q, k, v = (np.einsum("ntd,de->nte", x, w).reshape(n, t, num_heads, d_head) for w in (w_q, w_k, w_v))
    logits = np.einsum("nqhe,nkhe->nhqk", q, k) / math.sqrt(d_head)
    if padding_mask is not None:
        logits = np.where(padding_mask[:, None, None, :], -1e9, logits)
    logits -= logits.max(axis=-1, keepdims=True)
    probs = np.exp(logits)
    probs /= probs.sum(axis=-1, keepdims=True)
    ctx = np.einsum("nhqk,nkhe->nqhe", probs, v).reshape(n, t, d)
    h = _layer_norm(x + ctx @ w_o)
    return _layer_norm(h + _gelu(h @ w_mlp1) @ w_mlp2)
