"""Looping over column pairs, the exponent used the pair counter i/d_model instead of 2i/d_model, and the cosine was written to the even column and the sine to the odd one.

Verdict: Wrong Answer
Mistake: exponent-i-over-d+sin-cos-swapped
"""

import math

import numpy as np


def positional_encoding(max_len, d_model):
    pe = np.zeros((max_len, d_model), dtype=np.float32)
    pos = np.arange(max_len, dtype=np.float64)
    for i in range(d_model // 2):
        freq = 1.0 / math.pow(10000.0, i / d_model)
        pe[:, 2 * i] = np.cos(pos * freq)
        pe[:, 2 * i + 1] = np.sin(pos * freq)
    return pe
