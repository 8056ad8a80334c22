"""Squeezes the mask down to mask[0, 0] and applies batch row 0's mask to every batch row.

Verdict: Wrong Answer
Mistake: batch-mixing
"""

import math

import torch


def scaled_dot_product_attention(q, k, v, mask=None):
    q, k, v = torch.from_numpy(q), torch.from_numpy(k), torch.from_numpy(v)
    scores = q @ k.transpose(-1, -2) * (1.0 / math.sqrt(q.shape[-1]))
    if mask is not None:
        m = torch.from_numpy(mask)[0, 0]  # (T_q, T_k)
        scores = scores.masked_fill(m, float("-inf"))
    return torch.softmax(scores, dim=-1) @ v
