"""Builds the frequencies from torch.arange(d_model // 2) / d_model, i.e. exponent i/d with i the pair index, not 2i/d.

Verdict: Wrong Answer
Mistake: exponent-i-over-d
"""

import torch


def positional_encoding(max_len, d_model):
    i = torch.arange(d_model // 2, dtype=torch.float32)
    inv_freq = 10000.0 ** (-i / d_model)
    position = torch.arange(max_len, dtype=torch.float32)
    angles = torch.outer(position, inv_freq)
    pe = torch.zeros(max_len, d_model)
    pe[:, 0::2] = angles.sin()
    pe[:, 1::2] = angles.cos()
    return pe
