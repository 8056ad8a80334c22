"""The layer was written like a GPT-2 block, normalising before each sublayer (x + attn(ln(x)), x + mlp(ln(x))) and then applying a final LayerNorm, which is pre-LN instead of post-LN.

Verdict: Wrong Answer
Mistake: pre-ln
"""

import math

import torch
import torch.nn.functional as F


@torch.no_grad()
def encoder_layer(x, w_q, w_k, w_v, w_o, w_mlp1, w_mlp2, num_heads, padding_mask=None):
    x = torch.from_numpy(x)
    w_q, w_k, w_v, w_o, w_mlp1, w_mlp2 = (torch.from_numpy(w) for w in (w_q, w_k, w_v, w_o, w_mlp1, w_mlp2))
    B, T, C = x.size()
    ln = lambda t: F.layer_norm(t, (C,), eps=1e-5)  # noqa: E731

    def attn(t):
        q = (t @ w_q).view(B, T, num_heads, C // num_heads).transpose(1, 2)
        k = (t @ w_k).view(B, T, num_heads, C // num_heads).transpose(1, 2)
        v = (t @ w_v).view(B, T, num_heads, C // num_heads).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        if padding_mask is not None:
            att = att.masked_fill(torch.from_numpy(padding_mask)[:, None, None, :], float("-inf"))
        att = F.softmax(att, dim=-1)
        return (att @ v).transpose(1, 2).contiguous().view(B, T, C) @ w_o

    def mlp(t):
        return F.gelu(t @ w_mlp1, approximate="tanh") @ w_mlp2

    x = x + attn(ln(x))
    x = x + mlp(ln(x))
    return ln(x)
