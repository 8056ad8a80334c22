"""Treats padding_mask as the mask of valid positions in a d2l-style masked softmax (so real keys get -1e6), and uses a ReLU feed-forward.

Verdict: Wrong Answer
Mistake: mask-inverted+relu
"""

import math

import torch
from torch import nn


def masked_softmax(X, valid):
    """Softmax over the last axis, keeping only positions where `valid` is True."""
    if valid is None:
        return nn.functional.softmax(X, dim=-1)
    X = X.masked_fill(~valid, -1e6)
    return nn.functional.softmax(X, dim=-1)


def transpose_qkv(X, num_heads):
    X = X.reshape(X.shape[0], X.shape[1], num_heads, -1)
    X = X.permute(0, 2, 1, 3)
    return X.reshape(-1, X.shape[2], X.shape[3])


def transpose_output(X, num_heads):
    X = X.reshape(-1, num_heads, X.shape[1], X.shape[2])
    X = X.permute(0, 2, 1, 3)
    return X.reshape(X.shape[0], X.shape[1], -1)


def encoder_layer(x, w_q, w_k, w_v, w_o, w_mlp1, w_mlp2, num_heads, padding_mask=None):
    X = torch.from_numpy(x)
    W_q, W_k, W_v, W_o, W_1, W_2 = (torch.from_numpy(w) for w in (w_q, w_k, w_v, w_o, w_mlp1, w_mlp2))
    d = X.shape[-1]

    queries = transpose_qkv(X @ W_q, num_heads)  # (N*h, T, d_head)
    keys = transpose_qkv(X @ W_k, num_heads)
    values = transpose_qkv(X @ W_v, num_heads)
    valid = None
    if padding_mask is not None:
        valid = torch.from_numpy(padding_mask).repeat_interleave(num_heads, dim=0)[:, None, :]  # (N*h, 1, T)
    scores = torch.bmm(queries, keys.transpose(1, 2)) / math.sqrt(queries.shape[-1])
    attention_weights = masked_softmax(scores, valid)
    output = transpose_output(torch.bmm(attention_weights, values), num_heads) @ W_o

    ln = nn.LayerNorm(d, elementwise_affine=False)
    Y = ln(X + output)
    return ln(Y + torch.relu(Y @ W_1) @ W_2).detach().numpy()
