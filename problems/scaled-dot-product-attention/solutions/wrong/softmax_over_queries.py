"""Takes the softmax over dim=2, the query axis of the (N, H, T_q, T_k) scores, instead of the keys (dim=-1).

Verdict: Wrong Answer
Mistake: softmax-over-queries
"""

import math

import torch


def scaled_dot_product_attention(q, k, v, mask=None):
    q, k, v = torch.as_tensor(q), torch.as_tensor(k), torch.as_tensor(v)
    scores = q @ k.transpose(2, 3) / math.sqrt(q.shape[3])
    if mask is not None:
        scores = scores.masked_fill(torch.as_tensor(mask), float("-inf"))
    weights = torch.softmax(scores, dim=2)
    return (weights @ v).numpy()
