"""Concatenates the heads and adds them straight to the residual, never multiplying by the output projection w_o.

Verdict: Wrong Answer
Mistake: no-output-projection
"""

import numpy as np


def cross_attention_block(decoder_x, encoder_out, w_q, w_k, w_v, w_o, w_mlp1, w_mlp2, num_heads):
    y = decoder_x.astype(np.float64)
    enc = encoder_out.astype(np.float64)
    N, T, D = y.shape
    S = enc.shape[1]
    H = num_heads
    E = D // H

    q = np.einsum("ntd,de->nte", y, w_q).reshape(N, T, H, E)
    k = np.einsum("nsd,de->nse", enc, w_k).reshape(N, S, H, E)
    v = np.einsum("nsd,de->nse", enc, w_v).reshape(N, S, H, E)

    logits = np.einsum("nthe,nshe->nhts", q, k) / np.sqrt(E)
    logits = logits - logits.max(-1, keepdims=True)
    p = np.exp(logits)
    p = p / p.sum(-1, keepdims=True)
    ctx = np.einsum("nhts,nshe->nthe", p, v).reshape(N, T, D)

    def ln(a, eps=1e-5):
        mu = a.mean(-1, keepdims=True)
        var = ((a - mu) ** 2).mean(-1, keepdims=True)
        return (a - mu) / np.sqrt(var + eps)

    x = ln(y + ctx)
    u = x @ w_mlp1
    g = 0.5 * u * (1.0 + np.tanh(0.7978845608028654 * (u + 0.044715 * u ** 3)))
    return ln(x + g @ w_mlp2).astype(np.float32)
