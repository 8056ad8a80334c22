"""Splits the heads with a bare reshape to (N, h, T, d_head) instead of reshaping to (N, T, h, d_head) and moving the heads before time.

Verdict: Wrong Answer
Mistake: heads-without-transpose
"""

import numpy as np


def layer_norm(x):
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + np.float32(1e-5))


def gelu(t):
    c = np.float32(np.sqrt(2.0 / np.pi))
    return np.float32(0.5) * t * (np.float32(1.0) + np.tanh(c * (t + np.float32(0.044715) * t**3)))


def softmax(s):
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def split_heads(x, h):
    n, t, d = x.shape
    return x.reshape(n, h, t, d // h)  # (N, h, T, d_head)


def merge_heads(x):
    n, h, t, dh = x.shape
    return x.reshape(n, t, h * dh)  # (N, T, d)


def mha(xq, xkv, w_q, w_k, w_v, w_o, h, blocked=None):
    """blocked broadcasts to (N, h, T_q, T_k) and is True where a query may not see a key."""
    q, k, v = split_heads(xq @ w_q, h), split_heads(xkv @ w_k, h), split_heads(xkv @ w_v, h)
    scores = q @ k.transpose(0, 1, 3, 2) / np.float32(np.sqrt(q.shape[-1]))
    if blocked is not None:
        scores = np.where(blocked, -np.inf, scores)
    return merge_heads(softmax(scores) @ v) @ w_o


def sublayer(x, f):
    return layer_norm(x + f(x))


def decoder_layer(decoder_x, encoder_out, self_w_q, self_w_k, self_w_v, self_w_o, cross_w_q, cross_w_k, cross_w_v,
                  cross_w_o, w_mlp1, w_mlp2, num_heads, encoder_padding_mask=None):
    y, enc = np.asarray(decoder_x, np.float32), np.asarray(encoder_out, np.float32)
    self_w = [np.asarray(a, np.float32) for a in (self_w_q, self_w_k, self_w_v, self_w_o)]
    cross_w = [np.asarray(a, np.float32) for a in (cross_w_q, cross_w_k, cross_w_v, cross_w_o)]
    w_mlp1, w_mlp2 = np.asarray(w_mlp1, np.float32), np.asarray(w_mlp2, np.float32)
    t_dec = y.shape[1]
    causal = np.triu(np.ones((t_dec, t_dec), dtype=bool), k=1)  # (T_dec, T_dec): True above the diagonal
    padded = None if encoder_padding_mask is None else encoder_padding_mask[:, None, None, :]  # (N, 1, 1, T_enc)
    h1 = sublayer(y, lambda z: mha(z, z, *self_w, num_heads, causal))
    h2 = sublayer(h1, lambda z: mha(z, enc, *cross_w, num_heads, padded))
    return sublayer(h2, lambda z: gelu(z @ w_mlp1) @ w_mlp2)
