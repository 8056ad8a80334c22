"""Divides by sqrt(d_head) after the softmax instead of before it, so each query's weights sum to 1/sqrt(d_head).

Verdict: Wrong Answer
Mistake: none
"""

import math

import torch


def cross_attention_block(decoder_x, encoder_out, w_q, w_k, w_v, w_o, w_mlp1, w_mlp2, num_heads):
    y = torch.from_numpy(decoder_x).double()
    enc = torch.from_numpy(encoder_out).double()
    w_q, w_k, w_v, w_o, w_mlp1, w_mlp2 = (torch.from_numpy(w).double()
                                         for w in (w_q, w_k, w_v, w_o, w_mlp1, w_mlp2))
    n, t, d = y.shape
    s = enc.shape[1]
    dh = d // num_heads

    q = (y @ w_q).reshape(n, t, num_heads, dh).permute(0, 2, 1, 3)
    k = (enc @ w_k).reshape(n, s, num_heads, dh).permute(0, 2, 1, 3)
    v = (enc @ w_v).reshape(n, s, num_heads, dh).permute(0, 2, 1, 3)

    probs = torch.softmax(q @ k.transpose(-1, -2), dim=-1) / math.sqrt(dh)
    ctx = (probs @ v).permute(0, 2, 1, 3).reshape(n, t, d)

    def norm(a):
        return (a - a.mean(-1, keepdim=True)) / torch.sqrt(a.var(-1, unbiased=False, keepdim=True) + 1e-5)

    x = norm(y + ctx @ w_o)
    hid = x @ w_mlp1
    hid = 0.5 * hid * (1 + torch.tanh(math.sqrt(2 / math.pi) * (hid + 0.044715 * hid**3)))
    return norm(x + hid @ w_mlp2).float().numpy()
