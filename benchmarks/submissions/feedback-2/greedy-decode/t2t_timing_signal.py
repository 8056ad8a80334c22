"""The positional encoding was built like tensor2tensor's timing signal, all the sines in the first d/2 columns and all the cosines in the last d/2, instead of interleaving sin and cos column by column.

Verdict: Wrong Answer
Mistake: none
"""

import math

import numpy as np


def timing_signal(length, channels, max_timescale=1.0e4):
    position = np.arange(length, dtype=np.float64)
    inv_timescales = np.exp(-np.arange(0, channels, 2) / channels * math.log(max_timescale))
    scaled_time = position[:, None] * inv_timescales[None, :]
    return np.concatenate([np.sin(scaled_time), np.cos(scaled_time)], axis=1)


def norm(x):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + 1e-5)


def attend(xq, xkv, wq, wk, wv, wo, heads, blocked=None):
    n, tq, d = xq.shape
    tk, dh = xkv.shape[1], d // heads
    q = (xq @ wq).reshape(n, tq, heads, dh).transpose(0, 2, 1, 3)
    k = (xkv @ wk).reshape(n, tk, heads, dh).transpose(0, 2, 1, 3)
    v = (xkv @ wv).reshape(n, tk, heads, dh).transpose(0, 2, 1, 3)
    s = q @ k.transpose(0, 1, 3, 2) / math.sqrt(dh)
    if blocked is not None:
        s = np.where(blocked, -np.inf, s)
    s = np.exp(s - s.max(-1, keepdims=True))
    s = s / s.sum(-1, keepdims=True)
    return (s @ v).transpose(0, 2, 1, 3).reshape(n, tq, d) @ wo


def greedy_decode(encoder_out, embedding, self_w_q, self_w_k, self_w_v, self_w_o, cross_w_q, cross_w_k, cross_w_v,
                  cross_w_o, w_mlp1, w_mlp2, w_out, num_heads, bos_id, eos_id, max_len, encoder_padding_mask=None):
    n, d = encoder_out.shape[0], embedding.shape[1]
    signal = timing_signal(max_len, d)
    blocked_enc = None if encoder_padding_mask is None else encoder_padding_mask[:, None, None, :]
    seq = np.full((n, 1), bos_id, dtype=np.int64)
    ended = np.zeros(n, dtype=bool)
    for _ in range(max_len):
        t = seq.shape[1]
        x = embedding[seq] * math.sqrt(d) + signal[:t]
        look_ahead = np.triu(np.ones((t, t), dtype=bool), 1)
        x = norm(x + attend(x, x, self_w_q, self_w_k, self_w_v, self_w_o, num_heads, look_ahead))
        x = norm(x + attend(x, encoder_out, cross_w_q, cross_w_k, cross_w_v, cross_w_o, num_heads, blocked_enc))
        g = x @ w_mlp1
        g = 0.5 * g * (1 + np.tanh(math.sqrt(2 / math.pi) * (g + 0.044715 * g ** 3)))
        x = norm(x + g @ w_mlp2)
        nxt = np.argmax(x[:, -1] @ w_out, axis=-1)
        nxt = np.where(ended, eos_id, nxt)
        ended = ended | (nxt == eos_id)
        seq = np.concatenate([seq, nxt[:, None]], axis=1)
    return seq[:, 1:]
