"""Applies the cross-attention sublayer first and the causal self-attention second, swapping the order of the first two sublayers.

Verdict: Wrong Answer
Mistake: sublayer-order
"""

import math

import numpy as np


def _norm(a):
    c = a - a.mean(axis=-1, keepdims=True)
    return c / np.sqrt((c**2).mean(axis=-1, keepdims=True) + 1e-5)


def _mha(xq, xkv, wq, wk, wv, wo, h, blocked=None):
    n, t, d = xq.shape
    s = xkv.shape[1]
    e = d // h
    q = np.einsum("ntd,df->ntf", xq, wq).reshape(n, t, h, e)
    k = np.einsum("nsd,df->nsf", xkv, wk).reshape(n, s, h, e)
    v = np.einsum("nsd,df->nsf", xkv, wv).reshape(n, s, h, e)
    logits = np.einsum("nthe,nshe->nhts", q, k) / math.sqrt(e)
    if blocked is not None:
        logits = np.where(blocked, -np.inf, logits)
    logits = logits - logits.max(axis=-1, keepdims=True)
    w = np.exp(logits)
    w = w / w.sum(axis=-1, keepdims=True)
    return np.einsum("nhts,nshe->nthe", w, v).reshape(n, t, d) @ wo


def decoder_layer(decoder_x, encoder_out, self_w_q, self_w_k, self_w_v, self_w_o, cross_w_q, cross_w_k, cross_w_v,
                  cross_w_o, w_mlp1, w_mlp2, num_heads, encoder_padding_mask=None):
    y = decoder_x.astype(np.float64)
    enc = encoder_out.astype(np.float64)
    T = y.shape[1]
    look_ahead = np.arange(T)[None, :] > np.arange(T)[:, None]
    enc_pad = None if encoder_padding_mask is None else encoder_padding_mask[:, None, None, :]

    # attend to the source sentence, then to the target prefix
    h1 = _norm(y + _mha(y, enc, cross_w_q, cross_w_k, cross_w_v, cross_w_o, num_heads, enc_pad))
    h2 = _norm(h1 + _mha(h1, h1, self_w_q, self_w_k, self_w_v, self_w_o, num_heads, look_ahead))
    u = h2 @ w_mlp1
    u = 0.5 * u * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (u + 0.044715 * u**3)))
    return _norm(h2 + u @ w_mlp2).astype(np.float32)
