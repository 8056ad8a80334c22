"""Ignores num_heads and runs one attention head over the full model width, scaling by sqrt(d).

Verdict: Wrong Answer
Mistake: single-head
"""

import math

import torch


def layer_norm(x, eps=1e-5):
    mean = x.mean(dim=-1, keepdim=True)
    var = ((x - mean) ** 2).mean(dim=-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps)


def gelu(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3))))


def cross_attention_block(decoder_x, encoder_out, w_q, w_k, w_v, w_o, w_mlp1, w_mlp2, num_heads):
    y = torch.tensor(decoder_x)
    memory = torch.tensor(encoder_out)
    w_q, w_k, w_v, w_o = map(torch.tensor, (w_q, w_k, w_v, w_o))
    w_mlp1, w_mlp2 = torch.tensor(w_mlp1), torch.tensor(w_mlp2)
    d_model = y.shape[-1]

    # queries from the decoder, keys and values from the encoder
    Q = y @ w_q
    K = memory @ w_k
    V = memory @ w_v
    scores = torch.bmm(Q, K.transpose(1, 2)) / math.sqrt(d_model)
    attn = torch.softmax(scores, dim=-1)
    context = torch.bmm(attn, V) @ w_o

    x = layer_norm(y + context)
    out = layer_norm(x + gelu(x @ w_mlp1) @ w_mlp2)
    return out.numpy()
