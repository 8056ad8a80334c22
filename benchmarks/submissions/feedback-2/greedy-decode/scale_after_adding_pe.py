"""The embedding and the positional encoding were added first and the sum multiplied by sqrt(d), so the positional encoding is scaled by sqrt(d) too.

Verdict: Wrong Answer
Mistake: positional-scaled
"""

import math

import numpy as np


def _ln(x):
    mu = x.mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(((x - mu) ** 2).mean(-1, keepdims=True) + 1e-5)


def _mha(xq, xkv, wq, wk, wv, wo, h, blocked):
    n, t, d = xq.shape
    s = xkv.shape[1]
    q = (xq @ wq).reshape(n, t, h, d // h).transpose(0, 2, 1, 3)
    k = (xkv @ wk).reshape(n, s, h, d // h).transpose(0, 2, 1, 3)
    v = (xkv @ wv).reshape(n, s, h, d // h).transpose(0, 2, 1, 3)
    sc = q @ k.transpose(0, 1, 3, 2) / math.sqrt(d // h)
    if blocked is not None:
        sc = np.where(blocked, -np.inf, sc)
    p = np.exp(sc - sc.max(-1, keepdims=True))
    p /= p.sum(-1, keepdims=True)
    return (p @ v).transpose(0, 2, 1, 3).reshape(n, t, d) @ wo


def _sinusoid(length, d):
    pos = np.arange(length)[:, None]
    div = np.exp(np.arange(0, d, 2) * (-math.log(10000.0) / d))
    pe = np.zeros((length, d))
    pe[:, 0::2] = np.sin(pos * div)
    pe[:, 1::2] = np.cos(pos * div)
    return pe


def greedy_decode(encoder_out, embedding, self_w_q, self_w_k, self_w_v, self_w_o, cross_w_q, cross_w_k, cross_w_v,
                  cross_w_o, w_mlp1, w_mlp2, w_out, num_heads, bos_id, eos_id, max_len, encoder_padding_mask=None):
    enc = encoder_out.astype(np.float64)
    n, d = enc.shape[0], embedding.shape[1]
    pe = _sinusoid(max_len, d)
    pad = None if encoder_padding_mask is None else encoder_padding_mask[:, None, None, :]
    ys = np.full((n, 1), bos_id, dtype=np.int64)
    finished = np.zeros(n, dtype=bool)
    for i in range(max_len):
        t = ys.shape[1]
        x = (embedding[ys] + pe[:t]) * math.sqrt(d)
        causal = np.triu(np.ones((t, t), dtype=bool), 1)
        h1 = _ln(x + _mha(x, x, self_w_q, self_w_k, self_w_v, self_w_o, num_heads, causal))
        h2 = _ln(h1 + _mha(h1, enc, cross_w_q, cross_w_k, cross_w_v, cross_w_o, num_heads, pad))
        f = h2 @ w_mlp1
        f = 0.5 * f * (1 + np.tanh(math.sqrt(2 / math.pi) * (f + 0.044715 * f ** 3)))
        out = _ln(h2 + f @ w_mlp2)
        next_word = np.argmax(out[:, -1] @ w_out, axis=-1)
        next_word[finished] = eos_id
        finished |= next_word == eos_id
        ys = np.concatenate([ys, next_word[:, None]], axis=1)
    return ys[:, 1:]
