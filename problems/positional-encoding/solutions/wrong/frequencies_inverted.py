"""Drops the minus sign in div_term = exp(arange(0, d, 2) * -ln(10000) / d): the angles are pos * 10000^(2i/d).

Verdict: Wrong Answer
Mistake: frequencies-inverted
"""

import math

import torch


def positional_encoding(max_len, d_model):
    pe = torch.zeros(max_len, d_model)
    position = torch.arange(0, max_len).unsqueeze(1)
    div_term = torch.exp(torch.arange(0, d_model, 2) * (math.log(10000.0) / d_model))
    pe[:, 0::2] = torch.sin(position * div_term)
    pe[:, 1::2] = torch.cos(position * div_term)
    return pe
