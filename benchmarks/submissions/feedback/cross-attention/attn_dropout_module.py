"""Builds an nn.Dropout(0.1) on the attention weights and never calls .eval(), so dropout stays on and the output is random.

Verdict: Wrong Answer
Mistake: nondeterministic
"""

import math

import torch
from torch import nn


class CrossAttentionBlock(nn.Module):
    def __init__(self, w_q, w_k, w_v, w_o, w_mlp1, w_mlp2, n_head, dropout=0.1):
        super().__init__()
        self.w_q, self.w_k, self.w_v, self.w_o = w_q, w_k, w_v, w_o
        self.w_mlp1, self.w_mlp2 = w_mlp1, w_mlp2
        self.n_head = n_head
        self.attn_dropout = nn.Dropout(dropout)
        self.ln_1 = nn.LayerNorm(w_q.shape[0], elementwise_affine=False)
        self.ln_2 = nn.LayerNorm(w_q.shape[0], elementwise_affine=False)

    def attn(self, x, mem):
        B, T, C = x.size()
        S = mem.size(1)
        q = (x @ self.w_q).view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        k = (mem @ self.w_k).view(B, S, self.n_head, C // self.n_head).transpose(1, 2)
        v = (mem @ self.w_v).view(B, S, self.n_head, C // self.n_head).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        att = torch.softmax(att, dim=-1)
        att = self.attn_dropout(att)
        y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
        return y @ self.w_o

    def forward(self, x, mem):
        x = self.ln_1(x + self.attn(x, mem))
        h = x @ self.w_mlp1
        h = 0.5 * h * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (h + 0.044715 * h.pow(3))))
        return self.ln_2(x + h @ self.w_mlp2)


def cross_attention_block(decoder_x, encoder_out, w_q, w_k, w_v, w_o, w_mlp1, w_mlp2, num_heads):
    ws = [torch.from_numpy(w) for w in (w_q, w_k, w_v, w_o, w_mlp1, w_mlp2)]
    block = CrossAttentionBlock(*ws, num_heads)
    with torch.no_grad():
        out = block(torch.from_numpy(decoder_x), torch.from_numpy(encoder_out))
    return out.numpy()
