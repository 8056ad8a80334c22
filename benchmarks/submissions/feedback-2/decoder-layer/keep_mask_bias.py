"""The encoder padding mask was turned into an additive bias as if True meant "keep" (0 where True, -1e9 elsewhere), so cross-attention looks only at the padded encoder positions.

Verdict: Wrong Answer
Mistake: mask-inverted
"""

import numpy as np


def _ln(x):
    m = x.mean(axis=-1, keepdims=True)
    v = x.var(axis=-1, keepdims=True)
    return (x - m) / np.sqrt(v + 1e-5)


def _attn(xq, xkv, wq, wk, wv, wo, h, bias):
    n, tq, d = xq.shape
    tk = xkv.shape[1]
    dh = d // h
    q = (xq @ wq).reshape(n, tq, h, dh).transpose(0, 2, 1, 3)
    k = (xkv @ wk).reshape(n, tk, h, dh).transpose(0, 2, 1, 3)
    v = (xkv @ wv).reshape(n, tk, h, dh).transpose(0, 2, 1, 3)
    s = np.einsum("nhqe,nhke->nhqk", q, k) / np.sqrt(dh) + bias
    s = s - s.max(axis=-1, keepdims=True)
    p = np.exp(s)
    p = p / p.sum(axis=-1, keepdims=True)
    return np.einsum("nhqk,nhke->nqhe", p, v).reshape(n, tq, d) @ wo


def decoder_layer(decoder_x, encoder_out, self_w_q, self_w_k, self_w_v, self_w_o, cross_w_q, cross_w_k, cross_w_v,
                  cross_w_o, w_mlp1, w_mlp2, num_heads, encoder_padding_mask=None):
    y = decoder_x.astype(np.float64)
    enc = encoder_out.astype(np.float64)
    t_dec = y.shape[1]
    causal_bias = np.triu(np.full((t_dec, t_dec), -1e9), k=1)
    if encoder_padding_mask is None:
        pad_bias = 0.0
    else:
        pad_bias = np.where(encoder_padding_mask, 0.0, -1e9)[:, None, None, :]
    h1 = _ln(y + _attn(y, y, self_w_q, self_w_k, self_w_v, self_w_o, num_heads, causal_bias))
    h2 = _ln(h1 + _attn(h1, enc, cross_w_q, cross_w_k, cross_w_v, cross_w_o, num_heads, pad_bias))
    ff = h2 @ w_mlp1
    ff = 0.5 * ff * (1 + np.tanh(np.sqrt(2 / np.pi) * (ff + 0.044715 * ff ** 3)))
    return _ln(h2 + ff @ w_mlp2).astype(np.float32)
