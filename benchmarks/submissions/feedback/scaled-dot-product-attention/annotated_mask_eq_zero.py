"""Fills the scores where mask == 0 with -1e9, the keep-mask convention, so the keys the query may attend are the ones blocked.

Verdict: Wrong Answer
Mistake: mask-inverted
"""

import math

import torch
import torch.nn.functional as F


def scaled_dot_product_attention(q, k, v, mask=None):
    query, key, value = torch.tensor(q), torch.tensor(k), torch.tensor(v)
    d_k = query.size(-1)
    scores = torch.matmul(query, key.transpose(-2, -1)) / math.sqrt(d_k)
    if mask is not None:
        mask = torch.tensor(mask)
        scores = scores.masked_fill(mask == 0, -1e9)
    p_attn = F.softmax(scores, dim=-1)
    return torch.matmul(p_attn, value)
