"""Writes the block GPT-style, x + f(LN(x)) for each sublayer (pre-LN, no final LayerNorm), and uses ReLU in the feed-forward.

Verdict: Wrong Answer
Mistake: pre-ln+relu
"""

import math

import torch
import torch.nn.functional as F


def cross_attention_block(decoder_x, encoder_out, w_q, w_k, w_v, w_o, w_mlp1, w_mlp2, num_heads):
    x = torch.from_numpy(decoder_x)
    mem = torch.from_numpy(encoder_out)
    w_q, w_k, w_v, w_o, w_mlp1, w_mlp2 = map(torch.from_numpy, (w_q, w_k, w_v, w_o, w_mlp1, w_mlp2))
    B, T, C = x.shape
    S = mem.shape[1]
    nh = num_heads

    def ln(z):
        return F.layer_norm(z, (C,))

    def cross_attn(z):
        q = (z @ w_q).view(B, T, nh, C // nh).transpose(1, 2)
        k = (mem @ w_k).view(B, S, nh, C // nh).transpose(1, 2)
        v = (mem @ w_v).view(B, S, nh, C // nh).transpose(1, 2)
        att = F.softmax((q @ k.transpose(-2, -1)) / math.sqrt(C // nh), dim=-1)
        return (att @ v).transpose(1, 2).contiguous().view(B, T, C) @ w_o

    def mlp(z):
        return F.relu(z @ w_mlp1) @ w_mlp2

    x = x + cross_attn(ln(x))
    x = x + mlp(ln(x))
    return x
