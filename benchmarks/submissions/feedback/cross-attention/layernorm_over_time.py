"""Takes the LayerNorm mean and variance over the time axis (axis=1) instead of over the features.

Verdict: Wrong Answer
Mistake: none
"""

import numpy as np


def layernorm(x, eps=1e-5):
    # x: (batch, time, features)
    mu = x.mean(axis=1, keepdims=True)
    sigma2 = x.var(axis=1, keepdims=True)
    return (x - mu) / np.sqrt(sigma2 + eps)


def gelu(x):
    return 0.5 * x * (1.0 + np.tanh(np.sqrt(2.0 / np.pi) * (x + 0.044715 * np.power(x, 3))))


def multihead_cross(y, enc, w_q, w_k, w_v, w_o, h):
    n, t, d = y.shape
    s = enc.shape[1]
    dh = d // h
    out = np.zeros((n, t, d), dtype=np.float32)
    q_all, k_all, v_all = y @ w_q, enc @ w_k, enc @ w_v
    for i in range(h):
        sl = slice(i * dh, (i + 1) * dh)
        sc = q_all[..., sl] @ k_all[..., sl].transpose(0, 2, 1) / np.sqrt(dh)
        sc = np.exp(sc - sc.max(axis=-1, keepdims=True))
        sc = sc / sc.sum(axis=-1, keepdims=True)
        out[..., sl] = sc @ v_all[..., sl]
    return out @ w_o


def cross_attention_block(decoder_x, encoder_out, w_q, w_k, w_v, w_o, w_mlp1, w_mlp2, num_heads):
    x = layernorm(decoder_x + multihead_cross(decoder_x, encoder_out, w_q, w_k, w_v, w_o, num_heads))
    return layernorm(x + gelu(x @ w_mlp1) @ w_mlp2)
