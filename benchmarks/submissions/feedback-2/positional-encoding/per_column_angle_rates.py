"""Each column j got its own angle rate 1/10000^(j/d_model), so the cosine of each pair runs at a different frequency from its sine instead of sharing 10000^(-2i/d_model).

Verdict: Wrong Answer
Mistake: exponent-column-index
"""

import numpy as np


def get_angles(pos, i, d_model):
    angle_rates = 1 / np.power(10000, i / np.float32(d_model))
    return pos * angle_rates


def positional_encoding(max_len, d_model):
    angle_rads = get_angles(np.arange(max_len)[:, np.newaxis], np.arange(d_model)[np.newaxis, :], d_model)
    # apply sin to even indices in the array; 2i
    angle_rads[:, 0::2] = np.sin(angle_rads[:, 0::2])
    # apply cos to odd indices in the array; 2i+1
    angle_rads[:, 1::2] = np.cos(angle_rads[:, 1::2])
    return angle_rads.astype(np.float32)
