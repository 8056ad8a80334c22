"""Uses nn.Softmax(dim=2), which normalises over the queries, and also never divides the scores by sqrt(d_k).

Verdict: Wrong Answer
Mistake: no-scale+softmax-over-queries
"""

import torch
from torch import nn


class Attention(nn.Module):
    def __init__(self):
        super().__init__()
        self.softmax = nn.Softmax(dim=2)

    def forward(self, q, k, v, mask=None):
        scores = torch.matmul(q, k.permute(0, 1, 3, 2))
        if mask is not None:
            scores = scores.masked_fill(mask, -1e9)
        return torch.matmul(self.softmax(scores), v)


def scaled_dot_product_attention(q, k, v, mask=None):
    with torch.no_grad():
        m = None if mask is None else torch.from_numpy(mask)
        out = Attention()(torch.from_numpy(q), torch.from_numpy(k), torch.from_numpy(v), m)
    return out.numpy()
