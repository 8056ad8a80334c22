"""The minus sign in div_term = exp(2i * -ln(10000) / d_model) was lost, so the angles are pos * 10000^(2i/d_model) and grow across the columns instead of shrinking.

Verdict: Wrong Answer
Mistake: frequencies-inverted
"""

import math

import torch


def positional_encoding(max_len, d_model):
    pe = torch.zeros(max_len, d_model)
    position = torch.arange(0, max_len, dtype=torch.float).unsqueeze(1)
    div_term = torch.exp(torch.arange(0, d_model, 2).float() * (math.log(10000.0) / d_model))
    pe[:, 0::2] = torch.sin(position * div_term)
    pe[:, 1::2] = torch.cos(position * div_term)
    return pe
