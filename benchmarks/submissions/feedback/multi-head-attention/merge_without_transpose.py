"""Splits the heads properly with view + transpose but merges them back with a bare reshape, without transposing heads and time back.

Verdict: Wrong Answer
Mistake: heads-without-transpose
"""

import math

import torch
import torch.nn.functional as F


def multi_head_attention(query, key, value, w_q, b_q, w_k, b_k, w_v, b_v, w_o, b_o, num_heads, mask=None):
    t = torch.as_tensor
    B, Tq, D = query.shape
    Tk = key.shape[1]
    hd = D // num_heads
    q = F.linear(t(query), t(w_q).t(), t(b_q)).view(B, Tq, num_heads, hd).transpose(1, 2)
    k = F.linear(t(key), t(w_k).t(), t(b_k)).view(B, Tk, num_heads, hd).transpose(1, 2)
    v = F.linear(t(value), t(w_v).t(), t(b_v)).view(B, Tk, num_heads, hd).transpose(1, 2)
    att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(hd))
    if mask is not None:
        att = att.masked_fill(t(mask)[:, None, :, :], float("-inf"))
    att = F.softmax(att, dim=-1)
    y = att @ v  # (B, nh, Tq, hd)
    y = y.reshape(B, Tq, D)
    return F.linear(y, t(w_o).t(), t(b_o))
