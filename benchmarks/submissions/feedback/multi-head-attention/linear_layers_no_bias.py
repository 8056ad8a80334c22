"""Loads the weights into nn.Linear(d, d, bias=False) layers and never uses b_q, b_k, b_v or b_o.

Verdict: Wrong Answer
Mistake: no-biases
"""

import torch
from torch import nn


class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, num_heads):
        super().__init__()
        self.h = num_heads
        self.d_k = d_model // num_heads
        self.W_q = nn.Linear(d_model, d_model, bias=False)
        self.W_k = nn.Linear(d_model, d_model, bias=False)
        self.W_v = nn.Linear(d_model, d_model, bias=False)
        self.W_o = nn.Linear(d_model, d_model, bias=False)

    def split(self, x):
        b, t, _ = x.size()
        return x.view(b, t, self.h, self.d_k).transpose(1, 2)

    def forward(self, q, k, v, mask=None):
        b, t_q, d = q.size()
        Q, K, V = self.split(self.W_q(q)), self.split(self.W_k(k)), self.split(self.W_v(v))
        scores = torch.matmul(Q, K.transpose(-2, -1)) / (self.d_k ** 0.5)
        if mask is not None:
            scores = scores.masked_fill(mask.unsqueeze(1), float("-inf"))
        attn = torch.softmax(scores, dim=-1)
        out = torch.matmul(attn, V).transpose(1, 2).contiguous().view(b, t_q, d)
        return self.W_o(out)


@torch.no_grad()
def multi_head_attention(query, key, value, w_q, b_q, w_k, b_k, w_v, b_v, w_o, b_o, num_heads, mask=None):
    d = w_q.shape[0]
    mha = MultiHeadAttention(d, num_heads)
    # nn.Linear stores (out, in) and computes x @ W.T
    mha.W_q.weight.copy_(torch.from_numpy(w_q).T)
    mha.W_k.weight.copy_(torch.from_numpy(w_k).T)
    mha.W_v.weight.copy_(torch.from_numpy(w_v).T)
    mha.W_o.weight.copy_(torch.from_numpy(w_o).T)
    m = None if mask is None else torch.from_numpy(mask)
    return mha(torch.from_numpy(query), torch.from_numpy(key), torch.from_numpy(value), m).numpy()
