"""Uses math.log(1000.0) in the div_term, so the frequencies have base 1000 instead of 10000.

Verdict: Wrong Answer
Mistake: base-1000
"""

import math

import torch


def positional_encoding(max_len, d_model):
    position = torch.arange(0, max_len, dtype=torch.float).unsqueeze(1)
    div_term = torch.exp(torch.arange(0, d_model, 2).float() * (-math.log(1000.0) / d_model))
    pe = torch.zeros(max_len, d_model)
    pe[:, 0::2] = torch.sin(position * div_term)
    pe[:, 1::2] = torch.cos(position * div_term)
    return pe
