"""Stacks (cos, sin) instead of (sin, cos) when interleaving, and numbers the positions from 1.

Verdict: Wrong Answer
Mistake: sin-cos-swapped+positions-from-one
"""

import torch


def positional_encoding(max_len, d_model):
    pos = torch.arange(1, max_len + 1, dtype=torch.float64)[:, None]
    omega = torch.pow(10000.0, -torch.arange(0, d_model, 2, dtype=torch.float64) / d_model)
    theta = pos * omega
    pe = torch.stack([torch.cos(theta), torch.sin(theta)], dim=2).view(max_len, d_model)
    return pe.to(torch.float32)
