"""The exponent was written (2 * i) // d_model with integer division, which is 0 for every pair, so all columns use the frequency 1 instead of 10000^(-2i/d_model).

Verdict: Wrong Answer
Mistake: none
"""

import numpy as np


def positional_encoding(max_len, d_model):
    pe = np.zeros((max_len, d_model), dtype=np.float32)
    position = np.arange(max_len, dtype=np.float32)
    for i in range(0, d_model // 2):
        denominator = 10000 ** ((2 * i) // d_model)
        pe[:, 2 * i] = np.sin(position / denominator)
        pe[:, 2 * i + 1] = np.cos(position / denominator)
    return pe
