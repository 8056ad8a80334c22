"""Concatenates all the sines, then all the cosines, instead of interleaving them column by column.

Verdict: Wrong Answer
Mistake: sines-then-cosines
"""

import math

import torch


def positional_encoding(max_len, d_model):
    position = torch.arange(max_len, dtype=torch.float32).unsqueeze(1)
    div_term = torch.exp(torch.arange(0, d_model, 2, dtype=torch.float32) * (-math.log(10000.0) / d_model))
    angles = position * div_term
    return torch.cat([torch.sin(angles), torch.cos(angles)], dim=1)
