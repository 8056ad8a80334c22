"""Torch in float32, attention written out by hand: masked_fill with -inf, softmax over the keys; returns .numpy().

Verdict: Accepted
"""

import math

import torch


def _norm(a):
    mean = a.mean(-1, keepdim=True)
    return (a - mean) / torch.sqrt(a.var(-1, unbiased=False, keepdim=True) + 1e-5)


def _attention(xq, xkv, w_q, w_k, w_v, w_o, num_heads, blocked):
    """blocked: a bool tensor broadcasting to (N, h, T_q, T_k), True where a query may not see a key."""
    n, t, d = xq.shape
    s, dh = xkv.shape[1], d // num_heads
    q = (xq @ w_q).reshape(n, t, num_heads, dh).permute(0, 2, 1, 3)  # (N, h, T_q, d_head)
    k = (xkv @ w_k).reshape(n, s, num_heads, dh).permute(0, 2, 1, 3)  # (N, h, T_k, d_head)
    v = (xkv @ w_v).reshape(n, s, num_heads, dh).permute(0, 2, 1, 3)
    scores = (q @ k.transpose(-1, -2) / math.sqrt(dh)).masked_fill(blocked, float("-inf"))
    return (torch.softmax(scores, dim=-1) @ v).permute(0, 2, 1, 3).reshape(n, t, d) @ w_o


def decoder_layer(decoder_x, encoder_out, self_w_q, self_w_k, self_w_v, self_w_o, cross_w_q, cross_w_k, cross_w_v,
                  cross_w_o, w_mlp1, w_mlp2, num_heads, encoder_padding_mask=None):
    y, enc = torch.from_numpy(decoder_x).float(), torch.from_numpy(encoder_out).float()
    self_w = [torch.from_numpy(a).float() for a in (self_w_q, self_w_k, self_w_v, self_w_o)]
    cross_w = [torch.from_numpy(a).float() for a in (cross_w_q, cross_w_k, cross_w_v, cross_w_o)]
    t_dec, t_enc = y.shape[1], enc.shape[1]
    future = torch.ones(t_dec, t_dec, dtype=torch.bool).triu(1)  # (T_dec, T_dec): key j > query i
    if encoder_padding_mask is None:
        padded = torch.zeros(1, 1, 1, t_enc, dtype=torch.bool)
    else:
        padded = torch.from_numpy(encoder_padding_mask)[:, None, None, :]  # (N, 1, 1, T_enc)
    h1 = _norm(y + _attention(y, y, *self_w, num_heads, future))
    h2 = _norm(h1 + _attention(h1, enc, *cross_w, num_heads, padded))
    hidden = h2 @ torch.from_numpy(w_mlp1).float()
    hidden = 0.5 * hidden * (1 + torch.tanh(math.sqrt(2 / math.pi) * (hidden + 0.044715 * hidden**3)))
    return _norm(h2 + hidden @ torch.from_numpy(w_mlp2).float()).numpy()
