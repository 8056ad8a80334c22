"""Attention dropout was copied in with F.dropout, whose training flag defaults to True, so the weights are randomly dropped on every call.

Verdict: Wrong Answer
Mistake: nondeterministic
"""

import math

import torch
import torch.nn.functional as F

ATTN_PDROP = 0.1


def scaled_dot_product_attention(q, k, v, mask=None):
    q, k, v = torch.as_tensor(q), torch.as_tensor(k), torch.as_tensor(v)
    att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
    if mask is not None:
        att = att.masked_fill(torch.as_tensor(mask), float("-inf"))
    att = F.softmax(att, dim=-1)
    att = F.dropout(att, p=ATTN_PDROP)
    y = att @ v
    return y.numpy()
