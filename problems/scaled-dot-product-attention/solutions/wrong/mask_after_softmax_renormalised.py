"""Zeroes the blocked weights after the softmax and renormalises. Right in exact arithmetic, but on large scores
where a blocked key dominates, every kept weight underflows to 0 in float32 and 0/0 makes the output NaN.

Verdict: Wrong Answer
Mistake: mask-after-softmax-renormalised
"""

import math

import torch


def scaled_dot_product_attention(q, k, v, mask=None):
    q, k, v = torch.as_tensor(q), torch.as_tensor(k), torch.as_tensor(v)
    weights = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1]), dim=-1)
    if mask is not None:
        weights = weights.masked_fill(torch.as_tensor(mask), 0.0)
        weights = weights / weights.sum(dim=-1, keepdim=True)  # make the kept weights sum to 1 again
    return (weights @ v).numpy()
