"""Torch in float32, attention written out by hand: masked_fill with -inf, softmax over the keys; returns .numpy().

Verdict: Accepted
"""

import math

import torch


def encoder_layer(x, w_q, w_k, w_v, w_o, w_mlp1, w_mlp2, num_heads, padding_mask=None):
    x = torch.from_numpy(x).float()
    w_q, w_k, w_v, w_o, w_mlp1, w_mlp2 = (torch.from_numpy(w).float() for w in (w_q, w_k, w_v, w_o, w_mlp1, w_mlp2))
    n, t, d = x.shape
    dh = d // num_heads

    def heads(a):  # (N, T, d) -> (N, h, T, d_head)
        return a.reshape(n, t, num_heads, dh).permute(0, 2, 1, 3)

    def norm(a):
        mean = a.mean(-1, keepdim=True)
        return (a - mean) / torch.sqrt(a.var(-1, unbiased=False, keepdim=True) + 1e-5)

    scores = heads(x @ w_q) @ heads(x @ w_k).transpose(-1, -2) / math.sqrt(dh)  # (N, h, T, T)
    if padding_mask is not None:
        padded = torch.from_numpy(padding_mask)[:, None, None, :]  # (N, 1, 1, T): padded keys
        scores = scores.masked_fill(padded, float("-inf"))
    attended = (torch.softmax(scores, dim=-1) @ heads(x @ w_v)).permute(0, 2, 1, 3).reshape(n, t, d)
    h = norm(x + attended @ w_o)
    hidden = h @ w_mlp1
    hidden = 0.5 * hidden * (1 + torch.tanh(math.sqrt(2 / math.pi) * (hidden + 0.044715 * hidden**3)))
    return norm(h + hidden @ w_mlp2).numpy()
