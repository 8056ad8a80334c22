"""Passes the mask straight to torch's scaled_dot_product_attention, which reads a bool attn_mask as True = ATTEND:
each query attends exactly the keys it must not (and a query whose keys are all allowed gets zeros).

Verdict: Wrong Answer
Mistake: mask-inverted
"""

import torch
import torch.nn.functional as F


def scaled_dot_product_attention(q, k, v, mask=None):
    q, k, v = torch.from_numpy(q), torch.from_numpy(k), torch.from_numpy(v)
    attn_mask = None if mask is None else torch.from_numpy(mask)
    return F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask)
