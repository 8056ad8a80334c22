"""Takes the softmax of all scores and then multiplies the weights by the keep mask, so the kept weights no longer sum to 1.

Verdict: Wrong Answer
Mistake: mask-after-softmax
"""

import math

import torch
import torch.nn.functional as F


def scaled_dot_product_attention(q, k, v, mask=None):
    q, k, v = torch.as_tensor(q), torch.as_tensor(k), torch.as_tensor(v)
    attn = F.softmax(torch.bmm(q.flatten(0, 1), k.flatten(0, 1).transpose(1, 2)) / math.sqrt(q.size(-1)), dim=-1)
    attn = attn.view(q.size(0), q.size(1), q.size(2), k.size(2))
    if mask is not None:
        keep = (~torch.as_tensor(mask)).to(attn.dtype)
        attn = attn * keep
    return (attn @ v).numpy()
