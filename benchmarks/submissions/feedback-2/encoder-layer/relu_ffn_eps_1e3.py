"""The feed-forward used ReLU instead of the tanh GELU, and both LayerNorms used eps = 1e-3 (the Keras LayerNormalization default) instead of 1e-5.

Verdict: Wrong Answer
Mistake: relu+layer-norm-eps
"""

import numpy as np


def encoder_layer(x, w_q, w_k, w_v, w_o, w_mlp1, w_mlp2, num_heads, padding_mask=None):
    eps = 1e-3
    N, T, D = x.shape
    H = num_heads
    dh = D // H
    x64 = x.astype(np.float64)

    def norm(z):
        mu = z.mean(axis=-1, keepdims=True)
        sigma2 = ((z - mu) ** 2).mean(axis=-1, keepdims=True)
        return (z - mu) / np.sqrt(sigma2 + eps)

    out = np.zeros((N, T, D))
    for n in range(N):
        xn = x64[n]
        heads = []
        for hh in range(H):
            cols = slice(hh * dh, (hh + 1) * dh)
            q, k, v = xn @ w_q[:, cols], xn @ w_k[:, cols], xn @ w_v[:, cols]
            s = q @ k.T / np.sqrt(dh)
            if padding_mask is not None:
                s[:, padding_mask[n]] = -np.inf
            s = np.exp(s - s.max(axis=1, keepdims=True))
            heads.append((s / s.sum(axis=1, keepdims=True)) @ v)
        h = norm(xn + np.concatenate(heads, axis=1) @ w_o)
        out[n] = norm(h + np.maximum(h @ w_mlp1, 0.0) @ w_mlp2)
    return out.astype(np.float32)
