"""Uses the sigmoid approximation of GELU, t * sigmoid(1.702 t), instead of the tanh approximation.

Verdict: Wrong Answer
Mistake: none
"""

import math

import torch
import torch.nn.functional as F


def quick_gelu(t):
    return t * torch.sigmoid(1.702 * t)


def encoder_layer(x, w_q, w_k, w_v, w_o, w_mlp1, w_mlp2, num_heads, padding_mask=None):
    x = torch.from_numpy(x)
    w_q, w_k, w_v, w_o, w_mlp1, w_mlp2 = map(torch.from_numpy, (w_q, w_k, w_v, w_o, w_mlp1, w_mlp2))
    n, t, d = x.shape
    hd = d // num_heads

    def heads(a):
        return a.unflatten(-1, (num_heads, hd)).transpose(1, 2)

    q, k, v = heads(x @ w_q), heads(x @ w_k), heads(x @ w_v)
    scores = q @ k.transpose(-2, -1) / math.sqrt(hd)
    if padding_mask is not None:
        scores = scores.masked_fill(torch.from_numpy(padding_mask)[:, None, None, :], float("-inf"))
    out = (scores.softmax(-1) @ v).transpose(1, 2).flatten(2) @ w_o
    h = F.layer_norm(x + out, (d,))
    return F.layer_norm(h + quick_gelu(h @ w_mlp1) @ w_mlp2, (d,))
