"""Builds a pre-LN decoder layer (x + f(LN(x)) for all three sublayers, then one final LayerNorm) and uses nn.GELU() with its default exact erf form.

Verdict: Wrong Answer
Mistake: pre-ln+gelu-erf
"""

import math

import torch
from torch import nn


class MHA(nn.Module):
    def __init__(self, w_q, w_k, w_v, w_o, n_head):
        super().__init__()
        self.w_q, self.w_k, self.w_v, self.w_o = w_q, w_k, w_v, w_o
        self.n_head = n_head

    def forward(self, x, mem, mask=None):
        B, T, C = x.shape
        S = mem.shape[1]
        hs = C // self.n_head
        q = (x @ self.w_q).view(B, T, self.n_head, hs).transpose(1, 2)
        k = (mem @ self.w_k).view(B, S, self.n_head, hs).transpose(1, 2)
        v = (mem @ self.w_v).view(B, S, self.n_head, hs).transpose(1, 2)
        att = q @ k.transpose(-2, -1) / math.sqrt(hs)
        if mask is not None:
            att = att.masked_fill(mask, float("-inf"))
        y = att.softmax(dim=-1) @ v
        return y.transpose(1, 2).contiguous().view(B, T, C) @ self.w_o


class DecoderBlock(nn.Module):
    def __init__(self, self_w, cross_w, w_mlp1, w_mlp2, n_head):
        super().__init__()
        d = w_mlp1.shape[0]
        self.ln_1 = nn.LayerNorm(d, elementwise_affine=False)
        self.ln_2 = nn.LayerNorm(d, elementwise_affine=False)
        self.ln_3 = nn.LayerNorm(d, elementwise_affine=False)
        self.ln_f = nn.LayerNorm(d, elementwise_affine=False)
        self.self_attn = MHA(*self_w, n_head)
        self.cross_attn = MHA(*cross_w, n_head)
        self.act = nn.GELU()
        self.w_mlp1, self.w_mlp2 = w_mlp1, w_mlp2

    def forward(self, x, mem, pad=None):
        T = x.shape[1]
        causal = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)
        h = self.ln_1(x)
        x = x + self.self_attn(h, h, causal)
        x = x + self.cross_attn(self.ln_2(x), mem, pad)
        x = x + self.act(self.ln_3(x) @ self.w_mlp1) @ self.w_mlp2
        return self.ln_f(x)


def decoder_layer(decoder_x, encoder_out, self_w_q, self_w_k, self_w_v, self_w_o, cross_w_q, cross_w_k, cross_w_v,
                  cross_w_o, w_mlp1, w_mlp2, num_heads, encoder_padding_mask=None):
    t = torch.from_numpy
    block = DecoderBlock([t(w) for w in (self_w_q, self_w_k, self_w_v, self_w_o)],
                         [t(w) for w in (cross_w_q, cross_w_k, cross_w_v, cross_w_o)],
                         t(w_mlp1), t(w_mlp2), num_heads)
    pad = None if encoder_padding_mask is None else t(encoder_padding_mask)[:, None, None, :]
    with torch.no_grad():
        return block(t(decoder_x), t(encoder_out), pad).numpy()
