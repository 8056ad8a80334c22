"""Uses i / d_model as the exponent, with i = 0, 1, 2, ... counting column pairs, instead of 2i / d_model.

Verdict: Wrong Answer
Mistake: exponent-i-over-d
"""

import numpy as np


def positional_encoding(max_len, d_model):
    pe = np.zeros((max_len, d_model), dtype=np.float32)
    pos = np.arange(max_len, dtype=np.float32)
    for i in range(d_model // 2):
        angle = pos / np.float32(10000 ** (i / d_model))
        pe[:, 2 * i] = np.sin(angle)
        pe[:, 2 * i + 1] = np.cos(angle)
    return pe
