"""Multiplies the position by 10000^(2i/d) instead of dividing by it, so the angles grow with the column.

Verdict: Wrong Answer
Mistake: frequencies-inverted
"""

import numpy as np


def positional_encoding(max_len, d_model):
    pos = np.arange(max_len)[:, None].astype(np.float64)
    two_i = np.arange(0, d_model, 2)[None, :]
    angle = pos * np.power(10000.0, two_i / d_model)
    pe = np.zeros((max_len, d_model))
    pe[:, 0::2] = np.sin(angle)
    pe[:, 1::2] = np.cos(angle)
    return pe.astype(np.float32)
