"""NumPy in float64 with einsum; masks applied with np.where before a stable softmax.

Verdict: Accepted
"""

import math

import numpy as np


def _norm(a):
    centred = a - a.mean(axis=-1, keepdims=True)
    return centred / np.sqrt((centred**2).mean(axis=-1, keepdims=True) + 1e-5)


def _attend(xq, xkv, w_q, w_k, w_v, w_o, h, blocked):
    n, t, d = xq.shape
    s, dh = xkv.shape[1], d // h
    q = np.einsum("ntd,de->nte", xq, w_q).reshape(n, t, h, dh)
    k = np.einsum("nsd,de->nse", xkv, w_k).reshape(n, s, h, dh)
    v = np.einsum("nsd,de->nse", xkv, w_v).reshape(n, s, h, dh)
    scores = np.einsum("nqhe,nkhe->nhqk", q, k) / math.sqrt(dh)
    if blocked is not None:
        scores = np.where(blocked, -np.inf, scores)
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    weights /= weights.sum(axis=-1, keepdims=True)
    return np.einsum("nhqk,nkhe->nqhe", weights, v).reshape(n, t, d) @ w_o


def decoder_layer(decoder_x, encoder_out, self_w_q, self_w_k, self_w_v, self_w_o, cross_w_q, cross_w_k, cross_w_v,
                  cross_w_o, w_mlp1, w_mlp2, num_heads, encoder_padding_mask=None):
    y, enc = np.asarray(decoder_x, np.float64), np.asarray(encoder_out, np.float64)
    t_dec = y.shape[1]
    causal = np.arange(t_dec)[None, :] > np.arange(t_dec)[:, None]
    padded = None if encoder_padding_mask is None else encoder_padding_mask[:, None, None, :]
    h1 = _norm(y + _attend(y, y, self_w_q, self_w_k, self_w_v, self_w_o, num_heads, causal))
    h2 = _norm(h1 + _attend(h1, enc, cross_w_q, cross_w_k, cross_w_v, cross_w_o, num_heads, padded))
    hidden = h2 @ w_mlp1
    hidden = 0.5 * hidden * (1 + np.tanh(math.sqrt(2 / math.pi) * (hidden + 0.044715 * hidden**3)))
    return _norm(h2 + hidden @ w_mlp2)
