"""A copy-paste slip makes the cross-attention's output projection use self_w_o instead of cross_w_o, so cross_w_o is never used.

Verdict: Wrong Answer
Mistake: none
"""

import math

import torch
import torch.nn.functional as F


def heads(x, h):
    b, t, d = x.shape
    return x.view(b, t, h, d // h).transpose(1, 2)


def merge(x):
    b, h, t, dh = x.shape
    return x.transpose(1, 2).reshape(b, t, h * dh)


def decoder_layer(decoder_x, encoder_out, self_w_q, self_w_k, self_w_v, self_w_o, cross_w_q, cross_w_k, cross_w_v,
                  cross_w_o, w_mlp1, w_mlp2, num_heads, encoder_padding_mask=None):
    tt = torch.from_numpy
    y, enc = tt(decoder_x), tt(encoder_out)
    d = y.shape[-1]
    keep = None
    if encoder_padding_mask is not None:
        keep = ~tt(encoder_padding_mask)[:, None, None, :]

    # masked self-attention
    q, k, v = heads(y @ tt(self_w_q), num_heads), heads(y @ tt(self_w_k), num_heads), heads(y @ tt(self_w_v), num_heads)
    a = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    h1 = F.layer_norm(y + merge(a) @ tt(self_w_o), (d,), eps=1e-5)

    # cross-attention over the encoder
    q = heads(h1 @ tt(cross_w_q), num_heads)
    k, v = heads(enc @ tt(cross_w_k), num_heads), heads(enc @ tt(cross_w_v), num_heads)
    c = F.scaled_dot_product_attention(q, k, v, attn_mask=keep)
    h2 = F.layer_norm(h1 + merge(c) @ tt(self_w_o), (d,), eps=1e-5)

    # feed-forward
    g = F.gelu(h2 @ tt(w_mlp1), approximate="tanh")
    return F.layer_norm(h2 + g @ tt(w_mlp2), (d,), eps=1e-5)
