"""Torch in float32 with a power for the frequencies; interleaves sin and cos by stacking on a last axis.

Verdict: Accepted
"""

import torch


def positional_encoding(max_len, d_model):
    pos = torch.arange(max_len, dtype=torch.float32).unsqueeze(1)  # (L, 1)
    freq = 1.0 / torch.pow(10000.0, torch.arange(0, d_model, 2, dtype=torch.float32) / d_model)  # (d/2,)
    angles = pos * freq  # (L, d/2)
    # stack to (L, d/2, 2): [..., 0] = sin, [..., 1] = cos; flattening puts them in columns 2i and 2i+1
    return torch.stack((torch.sin(angles), torch.cos(angles)), dim=-1).reshape(max_len, d_model)
