"""Applies F.dropout(p=0.1) to the attention weights with its default training=True, so the layer is random from call to call.

Verdict: Wrong Answer
Mistake: nondeterministic
"""

import math

import torch
import torch.nn.functional as F

DROPOUT = 0.1


def _mha(x, w_q, w_k, w_v, w_o, h, key_padding_mask):
    n, t, d = x.shape
    dh = d // h
    q = (x @ w_q).reshape(n, t, h, dh).permute(0, 2, 1, 3)
    k = (x @ w_k).reshape(n, t, h, dh).permute(0, 2, 1, 3)
    v = (x @ w_v).reshape(n, t, h, dh).permute(0, 2, 1, 3)
    scores = torch.einsum("nhqd,nhkd->nhqk", q, k) / math.sqrt(dh)
    if key_padding_mask is not None:
        scores = scores.masked_fill(key_padding_mask[:, None, None, :], -1e9)
    p = F.dropout(torch.softmax(scores, dim=-1), p=DROPOUT)
    return torch.einsum("nhqk,nhkd->nhqd", p, v).permute(0, 2, 1, 3).reshape(n, t, d) @ w_o


def encoder_layer(x, w_q, w_k, w_v, w_o, w_mlp1, w_mlp2, num_heads, padding_mask=None):
    x = torch.as_tensor(x)
    ws = [torch.as_tensor(w) for w in (w_q, w_k, w_v, w_o)]
    w_mlp1, w_mlp2 = torch.as_tensor(w_mlp1), torch.as_tensor(w_mlp2)
    kpm = None if padding_mask is None else torch.as_tensor(padding_mask)
    d = x.shape[-1]
    h = F.layer_norm(x + _mha(x, *ws, num_heads, kpm), (d,))
    return F.layer_norm(h + F.gelu(h @ w_mlp1, approximate="tanh") @ w_mlp2, (d,))
