"""Calls scores.masked_fill(...) without assigning the result, so the scores are never actually masked.

Verdict: Wrong Answer
Mistake: mask-ignored
"""

import math

import torch


def scaled_dot_product_attention(q, k, v, mask=None):
    q = torch.from_numpy(q)
    k = torch.from_numpy(k)
    v = torch.from_numpy(v)
    scores = q @ k.transpose(2, 3)
    scores = scores / math.sqrt(q.shape[-1])
    if mask is not None:
        # hide the keys the query may not look at
        scores.masked_fill(torch.from_numpy(mask), float("-inf"))
    attn = scores.softmax(dim=-1)
    out = attn @ v
    return out.numpy()
