"""LayerNorm was written like the Annotated Transformer's, (x - mean) / (x.std(-1) + eps), which uses torch's unbiased standard deviation and adds eps to the std rather than to the biased variance under the root.

Verdict: Wrong Answer
Mistake: layer-norm-unbiased
"""

import math

import torch
import torch.nn as nn


class LayerNorm(nn.Module):
    def __init__(self, eps=1e-5):
        super().__init__()
        self.eps = eps

    def forward(self, x):
        mean = x.mean(-1, keepdim=True)
        std = x.std(-1, keepdim=True)
        return (x - mean) / (std + self.eps)


def attention(query, key, value):
    d_k = query.size(-1)
    scores = torch.matmul(query, key.transpose(-2, -1)) / math.sqrt(d_k)
    p_attn = scores.softmax(dim=-1)
    return torch.matmul(p_attn, value)


@torch.no_grad()
def cross_attention_block(decoder_x, encoder_out, w_q, w_k, w_v, w_o, w_mlp1, w_mlp2, num_heads):
    x, memory = torch.from_numpy(decoder_x), torch.from_numpy(encoder_out)
    w_q, w_k, w_v, w_o, w_mlp1, w_mlp2 = map(torch.from_numpy, (w_q, w_k, w_v, w_o, w_mlp1, w_mlp2))
    nbatches, d_model = x.size(0), x.size(-1)
    d_k = d_model // num_heads
    norm = LayerNorm()

    query = (x @ w_q).view(nbatches, -1, num_heads, d_k).transpose(1, 2)
    key = (memory @ w_k).view(nbatches, -1, num_heads, d_k).transpose(1, 2)
    value = (memory @ w_v).view(nbatches, -1, num_heads, d_k).transpose(1, 2)
    attn = attention(query, key, value).transpose(1, 2).contiguous().view(nbatches, -1, d_model)
    x = norm(x + attn @ w_o)

    hidden = x @ w_mlp1
    hidden = 0.5 * hidden * (1 + torch.tanh(math.sqrt(2 / math.pi) * (hidden + 0.044715 * torch.pow(hidden, 3))))
    return norm(x + hidden @ w_mlp2)
