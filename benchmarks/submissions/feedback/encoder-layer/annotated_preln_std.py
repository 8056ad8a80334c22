"""Follows the Annotated Transformer: pre-LN sublayers x + f(LN(x)) with a final LayerNorm, and a LayerNorm that divides by torch's unbiased std plus eps.

Verdict: Wrong Answer
Mistake: pre-ln+layer-norm-unbiased
"""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class LayerNorm(nn.Module):
    "Construct a layernorm module (no learned gain/bias here)."

    def __init__(self, eps=1e-5):
        super().__init__()
        self.eps = eps

    def forward(self, x):
        mean = x.mean(-1, keepdim=True)
        std = x.std(-1, keepdim=True)
        return (x - mean) / (std + self.eps)


class SublayerConnection(nn.Module):
    """A residual connection followed by a layer norm."""

    def __init__(self):
        super().__init__()
        self.norm = LayerNorm()

    def forward(self, x, sublayer):
        return x + sublayer(self.norm(x))


def attention(query, key, value, mask=None):
    d_k = query.size(-1)
    scores = torch.matmul(query, key.transpose(-2, -1)) / math.sqrt(d_k)
    if mask is not None:
        scores = scores.masked_fill(mask == 0, -1e9)
    p_attn = scores.softmax(dim=-1)
    return torch.matmul(p_attn, value)


def encoder_layer(x, w_q, w_k, w_v, w_o, w_mlp1, w_mlp2, num_heads, padding_mask=None):
    x = torch.from_numpy(x)
    w_q, w_k, w_v, w_o, w_mlp1, w_mlp2 = (torch.from_numpy(w) for w in (w_q, w_k, w_v, w_o, w_mlp1, w_mlp2))
    nbatches, _, d_model = x.shape
    d_k = d_model // num_heads
    # the course marks padding with True; Annotated-style masks mark the keys to keep
    mask = None if padding_mask is None else (~torch.from_numpy(padding_mask)).unsqueeze(1).unsqueeze(1)

    def self_attn(z):
        q, k, v = [(z @ w).view(nbatches, -1, num_heads, d_k).transpose(1, 2) for w in (w_q, w_k, w_v)]
        out = attention(q, k, v, mask=mask)
        return out.transpose(1, 2).contiguous().view(nbatches, -1, d_model) @ w_o

    def feed_forward(z):
        return F.gelu(z @ w_mlp1, approximate="tanh") @ w_mlp2

    sub1, sub2, final = SublayerConnection(), SublayerConnection(), LayerNorm()
    x = sub1(x, self_attn)
    x = sub2(x, feed_forward)
    return final(x)
