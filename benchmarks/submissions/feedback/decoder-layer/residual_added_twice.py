"""Adds the residual twice in the feed-forward sublayer (x is already added to the FFN output, then added again before the LayerNorm).

Verdict: Wrong Answer
Mistake: none
"""

import math

import numpy as np


def layer_norm(x):
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + 1e-5)


def gelu(t):
    return 0.5 * t * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (t + 0.044715 * t**3)))


def mha(xq, xkv, w_q, w_k, w_v, w_o, h, blocked=None):
    n, tq, d = xq.shape
    tk = xkv.shape[1]
    dh = d // h
    q = (xq @ w_q).reshape(n, tq, h, dh).transpose(0, 2, 1, 3)
    k = (xkv @ w_k).reshape(n, tk, h, dh).transpose(0, 2, 1, 3)
    v = (xkv @ w_v).reshape(n, tk, h, dh).transpose(0, 2, 1, 3)
    s = q @ k.transpose(0, 1, 3, 2) / math.sqrt(dh)
    if blocked is not None:
        s = np.where(blocked, -np.inf, s)
    s = np.exp(s - s.max(axis=-1, keepdims=True))
    s /= s.sum(axis=-1, keepdims=True)
    return (s @ v).transpose(0, 2, 1, 3).reshape(n, tq, d) @ w_o


def feed_forward(x, w1, w2):
    return x + gelu(x @ w1) @ w2  # residual inside the block


def decoder_layer(decoder_x, encoder_out, self_w_q, self_w_k, self_w_v, self_w_o, cross_w_q, cross_w_k, cross_w_v,
                  cross_w_o, w_mlp1, w_mlp2, num_heads, encoder_padding_mask=None):
    y, enc = decoder_x, encoder_out
    t = y.shape[1]
    causal = np.triu(np.ones((t, t), dtype=bool), k=1)
    pad = None if encoder_padding_mask is None else encoder_padding_mask[:, None, None, :]
    h1 = layer_norm(y + mha(y, y, self_w_q, self_w_k, self_w_v, self_w_o, num_heads, causal))
    h2 = layer_norm(h1 + mha(h1, enc, cross_w_q, cross_w_k, cross_w_v, cross_w_o, num_heads, pad))
    return layer_norm(h2 + feed_forward(h2, w_mlp1, w_mlp2)).astype(np.float32)
