"""Loops over positions 1..max_len and stores position p in row p - 1, so the angles are computed from positions starting at 1.

Verdict: Wrong Answer
Mistake: positions-from-one
"""

import math

import numpy as np


def positional_encoding(max_len, d_model):
    pe = np.zeros((max_len, d_model), dtype=np.float32)
    div = np.exp(np.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
    for p in range(1, max_len + 1):
        pe[p - 1, 0::2] = np.sin(p * div)
        pe[p - 1, 1::2] = np.cos(p * div)
    return pe
