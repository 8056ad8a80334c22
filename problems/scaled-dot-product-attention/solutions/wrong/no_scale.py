"""Forgets to divide the scores by sqrt(d_k).

Verdict: Wrong Answer
Mistake: no-scale
"""

import torch


def scaled_dot_product_attention(q, k, v, mask=None):
    q, k, v = torch.as_tensor(q), torch.as_tensor(k), torch.as_tensor(v)
    scores = q @ k.transpose(-2, -1)
    if mask is not None:
        scores = scores.masked_fill(torch.as_tensor(mask), float("-inf"))
    return torch.softmax(scores, dim=-1) @ v
