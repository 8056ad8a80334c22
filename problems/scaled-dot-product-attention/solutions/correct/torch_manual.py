"""Torch in float32 written out by hand: masked_fill with the most negative float32, then torch.softmax.

Verdict: Accepted
"""

import math

import torch


def scaled_dot_product_attention(q, k, v, mask=None):
    q, k, v = torch.as_tensor(q), torch.as_tensor(k), torch.as_tensor(v)
    scores = torch.matmul(q, k.transpose(-2, -1)) / math.sqrt(k.size(-1))
    if mask is not None:
        scores = scores.masked_fill(torch.as_tensor(mask), torch.finfo(scores.dtype).min)
    weights = torch.softmax(scores, dim=-1)
    return torch.matmul(weights, v).numpy()
