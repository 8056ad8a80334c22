"""A syntax error: an unclosed bracket.

Verdict: Compilation Error
"""

import numpy as np


def encoder_layer(x, w_q, w_k, w_v, w_o, w_mlp1, w_mlp2, num_heads, padding_mask=None):
    return np.zeros((1, 2, 3)
