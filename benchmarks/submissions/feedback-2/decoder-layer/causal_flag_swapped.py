"""The causal flag went to the wrong call: self-attention runs without the causal mask while cross-attention gets one.

Verdict: Wrong Answer
Mistake: self-not-causal+causal-cross
"""

import math

import torch


def multi_head(xq, xkv, weights, n_heads, key_padding=None, causal=False):
    w_q, w_k, w_v, w_o = weights
    B, Tq, D = xq.shape
    Tk = xkv.shape[1]
    dh = D // n_heads
    q = (xq @ w_q).view(B, Tq, n_heads, dh).permute(0, 2, 1, 3)
    k = (xkv @ w_k).view(B, Tk, n_heads, dh).permute(0, 2, 1, 3)
    v = (xkv @ w_v).view(B, Tk, n_heads, dh).permute(0, 2, 1, 3)
    scores = q @ k.transpose(-1, -2) / math.sqrt(dh)
    if causal:
        future = torch.ones(Tq, Tk, dtype=torch.bool).triu(1)
        scores = scores.masked_fill(future, float("-inf"))
    if key_padding is not None:
        scores = scores.masked_fill(key_padding[:, None, None, :], float("-inf"))
    out = torch.softmax(scores, dim=-1) @ v
    return out.permute(0, 2, 1, 3).reshape(B, Tq, D) @ w_o


def ln(x):
    return torch.nn.functional.layer_norm(x, x.shape[-1:], eps=1e-5)


def decoder_layer(decoder_x, encoder_out, self_w_q, self_w_k, self_w_v, self_w_o, cross_w_q, cross_w_k, cross_w_v,
                  cross_w_o, w_mlp1, w_mlp2, num_heads, encoder_padding_mask=None):
    T = torch.from_numpy
    y, enc = T(decoder_x), T(encoder_out)
    self_w = [T(w) for w in (self_w_q, self_w_k, self_w_v, self_w_o)]
    cross_w = [T(w) for w in (cross_w_q, cross_w_k, cross_w_v, cross_w_o)]
    pad = None if encoder_padding_mask is None else T(encoder_padding_mask)

    h1 = ln(y + multi_head(y, y, self_w, num_heads))
    h2 = ln(h1 + multi_head(h1, enc, cross_w, num_heads, key_padding=pad, causal=True))
    hid = h2 @ T(w_mlp1)
    hid = 0.5 * hid * (1 + torch.tanh(math.sqrt(2 / math.pi) * (hid + 0.044715 * hid ** 3)))
    return ln(h2 + hid @ T(w_mlp2))
