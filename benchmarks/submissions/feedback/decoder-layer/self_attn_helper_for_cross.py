"""Reuses a self-attention helper for the cross-attention, so keys and values come from the decoder stream h1 rather than encoder_out, and the encoder padding mask is never applied.

Verdict: Wrong Answer
Mistake: kv-from-decoder
"""

import numpy as np


def layer_norm(x, eps=1e-5):
    mu = x.mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(x.var(-1, keepdims=True) + eps)


def gelu(x):
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))


def self_attention(x, w_q, w_k, w_v, w_o, num_heads, causal):
    n, t, d = x.shape
    dh = d // num_heads
    q = (x @ w_q).reshape(n, t, num_heads, dh).transpose(0, 2, 1, 3)
    k = (x @ w_k).reshape(n, t, num_heads, dh).transpose(0, 2, 1, 3)
    v = (x @ w_v).reshape(n, t, num_heads, dh).transpose(0, 2, 1, 3)
    scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(dh)
    if causal:
        scores = scores + np.triu(np.full((t, t), -1e9), k=1)
    scores = scores - scores.max(-1, keepdims=True)
    p = np.exp(scores)
    p /= p.sum(-1, keepdims=True)
    return (p @ v).transpose(0, 2, 1, 3).reshape(n, t, d) @ w_o


def decoder_layer(decoder_x, encoder_out, self_w_q, self_w_k, self_w_v, self_w_o, cross_w_q, cross_w_k, cross_w_v,
                  cross_w_o, w_mlp1, w_mlp2, num_heads, encoder_padding_mask=None):
    y = decoder_x
    h1 = layer_norm(y + self_attention(y, self_w_q, self_w_k, self_w_v, self_w_o, num_heads, causal=True))
    h2 = layer_norm(h1 + self_attention(h1, cross_w_q, cross_w_k, cross_w_v, cross_w_o, num_heads, causal=False))
    return layer_norm(h2 + gelu(h2 @ w_mlp1) @ w_mlp2).astype(np.float32)
