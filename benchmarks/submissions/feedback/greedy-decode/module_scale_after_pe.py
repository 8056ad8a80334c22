"""Adds the positional encoding to the embedding rows and only then multiplies by sqrt(d_model), so the PE is scaled too.

Verdict: Wrong Answer
Mistake: positional-scaled
"""

import math

import torch
from torch import nn


class PositionalEncoding(nn.Module):
    def __init__(self, d_model, max_len=5000):
        super().__init__()
        pe = torch.zeros(max_len, d_model)
        position = torch.arange(0, max_len).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, d_model, 2) * -(math.log(10000.0) / d_model))
        pe[:, 0::2] = torch.sin(position * div_term)
        pe[:, 1::2] = torch.cos(position * div_term)
        self.register_buffer("pe", pe.unsqueeze(0))

    def forward(self, x):
        return x + self.pe[:, : x.size(1)]


class Embeddings(nn.Module):
    def __init__(self, weight):
        super().__init__()
        self.lut = nn.Embedding.from_pretrained(weight)
        self.d_model = weight.shape[1]
        self.pos = PositionalEncoding(self.d_model)

    def forward(self, tokens):
        return self.pos(self.lut(tokens)) * math.sqrt(self.d_model)


class Attention(nn.Module):
    def __init__(self, w_q, w_k, w_v, w_o, h):
        super().__init__()
        self.w = [w_q, w_k, w_v, w_o]
        self.h = h

    def forward(self, x, mem, blocked=None):
        w_q, w_k, w_v, w_o = self.w
        b, t, d = x.shape
        s = mem.shape[1]
        dk = d // self.h
        q = (x @ w_q).view(b, t, self.h, dk).transpose(1, 2)
        k = (mem @ w_k).view(b, s, self.h, dk).transpose(1, 2)
        v = (mem @ w_v).view(b, s, self.h, dk).transpose(1, 2)
        scores = q @ k.transpose(-2, -1) / math.sqrt(dk)
        if blocked is not None:
            scores = scores.masked_fill(blocked, float("-inf"))
        out = torch.softmax(scores, dim=-1) @ v
        return out.transpose(1, 2).contiguous().view(b, t, d) @ w_o


class DecoderLayer(nn.Module):
    def __init__(self, self_w, cross_w, w1, w2, h):
        super().__init__()
        self.self_attn = Attention(*self_w, h)
        self.src_attn = Attention(*cross_w, h)
        self.w1, self.w2 = w1, w2
        self.norm = nn.LayerNorm(w1.shape[0], elementwise_affine=False)
        self.act = nn.GELU(approximate="tanh")

    def forward(self, x, memory, src_blocked):
        t = x.shape[1]
        causal = torch.triu(torch.ones(t, t, dtype=torch.bool), diagonal=1)
        x = self.norm(x + self.self_attn(x, x, causal))
        x = self.norm(x + self.src_attn(x, memory, src_blocked))
        return self.norm(x + self.act(x @ self.w1) @ self.w2)


@torch.no_grad()
def greedy_decode(encoder_out, embedding, self_w_q, self_w_k, self_w_v, self_w_o, cross_w_q, cross_w_k, cross_w_v,
                  cross_w_o, w_mlp1, w_mlp2, w_out, num_heads, bos_id, eos_id, max_len, encoder_padding_mask=None):
    t = torch.from_numpy
    embed = Embeddings(t(embedding))
    layer = DecoderLayer([t(a) for a in (self_w_q, self_w_k, self_w_v, self_w_o)],
                         [t(a) for a in (cross_w_q, cross_w_k, cross_w_v, cross_w_o)],
                         t(w_mlp1), t(w_mlp2), num_heads)
    memory, proj = t(encoder_out), t(w_out)
    src_blocked = None
    if encoder_padding_mask is not None:
        src_blocked = t(encoder_padding_mask)[:, None, None, :]
    n = memory.shape[0]
    ys = torch.full((n, 1), bos_id, dtype=torch.long)
    for _ in range(max_len):
        out = layer(embed(ys), memory, src_blocked)
        nxt = torch.argmax(out[:, -1] @ proj, dim=-1)
        ended = (ys[:, 1:] == eos_id).any(dim=1)
        nxt = torch.where(ended, torch.tensor(eos_id), nxt)
        ys = torch.cat([ys, nxt.unsqueeze(-1)], dim=1)
    return ys[:, 1:]
