"""Torch's scaled_dot_product_attention, whose bool attn_mask is True where attention is ALLOWED: so ~mask.

Verdict: Accepted
"""

import torch
import torch.nn.functional as F


def scaled_dot_product_attention(q, k, v, mask=None):
    q, k, v = (torch.from_numpy(a) for a in (q, k, v))
    allowed = None if mask is None else ~torch.from_numpy(mask)
    return F.scaled_dot_product_attention(q, k, v, attn_mask=allowed)
