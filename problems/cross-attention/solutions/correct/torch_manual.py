"""Torch in float32, attention written out by hand with softmax over the last axis.

Verdict: Accepted
"""

import math

import torch


def cross_attention_block(decoder_x, encoder_out, w_q, w_k, w_v, w_o, w_mlp1, w_mlp2, num_heads):
    y, enc = torch.as_tensor(decoder_x), torch.as_tensor(encoder_out)
    ws = [torch.as_tensor(w) for w in (w_q, w_k, w_v, w_o, w_mlp1, w_mlp2)]
    n, t, d = y.shape
    dh = d // num_heads

    def heads(x):
        return x.reshape(x.shape[0], x.shape[1], num_heads, dh).permute(0, 2, 1, 3)

    q, k, v = heads(y @ ws[0]), heads(enc @ ws[1]), heads(enc @ ws[2])
    weights = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(dh), dim=-1)
    attended = (weights @ v).permute(0, 2, 1, 3).reshape(n, t, d) @ ws[3]

    def norm(a):
        mean = a.mean(-1, keepdim=True)
        return (a - mean) / torch.sqrt(a.var(-1, unbiased=False, keepdim=True) + 1e-5)

    x = norm(y + attended)
    hidden = x @ ws[4]
    hidden = 0.5 * hidden * (1 + torch.tanh(math.sqrt(2 / math.pi) * (hidden + 0.044715 * hidden**3)))
    return norm(x + hidden @ ws[5]).numpy()
