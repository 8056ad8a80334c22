"""Calls F.layer_norm with eps=1e-4 instead of 1e-5, which changes the output on near-constant rows.

Verdict: Wrong Answer
Mistake: layer-norm-eps
"""

import torch
import torch.nn.functional as F

LN_EPS = 1e-4


def _split_heads(t, n_heads):
    b, s, d = t.shape
    return t.view(b, s, n_heads, d // n_heads).permute(0, 2, 1, 3)


def cross_attention_block(decoder_x, encoder_out, w_q, w_k, w_v, w_o, w_mlp1, w_mlp2, num_heads):
    y = torch.from_numpy(decoder_x)
    enc = torch.from_numpy(encoder_out)
    W = {name: torch.from_numpy(w) for name, w in
         zip(["q", "k", "v", "o", "fc1", "fc2"], [w_q, w_k, w_v, w_o, w_mlp1, w_mlp2])}
    b, t, d = y.shape

    q = _split_heads(F.linear(y, W["q"].T), num_heads)
    k = _split_heads(F.linear(enc, W["k"].T), num_heads)
    v = _split_heads(F.linear(enc, W["v"].T), num_heads)
    ctx = F.scaled_dot_product_attention(q, k, v)
    ctx = ctx.permute(0, 2, 1, 3).reshape(b, t, d)

    x = F.layer_norm(y + F.linear(ctx, W["o"].T), (d,), eps=LN_EPS)
    ff = F.linear(F.gelu(F.linear(x, W["fc1"].T), approximate="tanh"), W["fc2"].T)
    return F.layer_norm(x + ff, (d,), eps=LN_EPS)
