"""The softmax was taken with dim=2, which on the 4-D scores is the query axis, so each key's weights sum to 1 over the queries instead of each query's over the keys.

Verdict: Wrong Answer
Mistake: softmax-over-queries
"""

import math

import torch
import torch.nn.functional as F


def scaled_dot_product_attention(q, k, v, mask=None):
    query, key, value = torch.from_numpy(q), torch.from_numpy(k), torch.from_numpy(v)
    d_k = query.size(-1)
    scores = torch.matmul(query, key.transpose(-2, -1)) / math.sqrt(d_k)
    if mask is not None:
        scores = scores.masked_fill(torch.from_numpy(mask), -1e9)
    p_attn = F.softmax(scores, dim=2)
    return torch.matmul(p_attn, value)
