"""The cross-attention sublayer returns the concatenated heads without multiplying by cross_w_o (self-attention does use self_w_o).

Verdict: Wrong Answer
Mistake: no-output-projection
"""

import numpy as np


def layer_norm(x):
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + np.float32(1e-5))


def gelu(t):
    c = np.float32(np.sqrt(2.0 / np.pi))
    return np.float32(0.5) * t * (np.float32(1.0) + np.tanh(c * (t + np.float32(0.044715) * t**3)))


def heads_attention(xq, xkv, w_q, w_k, w_v, h, blocked):
    n, tq, d = xq.shape
    tk = xkv.shape[1]
    dh = d // h
    q = (xq @ w_q).reshape(n, tq, h, dh).transpose(0, 2, 1, 3)
    k = (xkv @ w_k).reshape(n, tk, h, dh).transpose(0, 2, 1, 3)
    v = (xkv @ w_v).reshape(n, tk, h, dh).transpose(0, 2, 1, 3)
    s = q @ k.transpose(0, 1, 3, 2) / np.float32(np.sqrt(dh))
    if blocked is not None:
        s = np.where(blocked, np.float32(-np.inf), s)
    s = np.exp(s - s.max(-1, keepdims=True))
    s = s / s.sum(-1, keepdims=True)
    return (s @ v).transpose(0, 2, 1, 3).reshape(n, tq, d)


def decoder_layer(decoder_x, encoder_out, self_w_q, self_w_k, self_w_v, self_w_o, cross_w_q, cross_w_k, cross_w_v,
                  cross_w_o, w_mlp1, w_mlp2, num_heads, encoder_padding_mask=None):
    y, enc = decoder_x, encoder_out
    t = y.shape[1]
    causal = np.triu(np.ones((t, t), dtype=bool), k=1)
    pad = None if encoder_padding_mask is None else encoder_padding_mask[:, None, None, :]

    sa = heads_attention(y, y, self_w_q, self_w_k, self_w_v, num_heads, causal) @ self_w_o
    h1 = layer_norm(y + sa)
    ca = heads_attention(h1, enc, cross_w_q, cross_w_k, cross_w_v, num_heads, pad)
    h2 = layer_norm(h1 + ca)
    return layer_norm(h2 + gelu(h2 @ w_mlp1) @ w_mlp2)
