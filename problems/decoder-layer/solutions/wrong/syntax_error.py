"""A syntax error: an unclosed bracket.

Verdict: Compilation Error
"""

import numpy as np


def decoder_layer(decoder_x, encoder_out, self_w_q, self_w_k, self_w_v, self_w_o, cross_w_q, cross_w_k, cross_w_v,
                  cross_w_o, w_mlp1, w_mlp2, num_heads, encoder_padding_mask=None):
    return np.zeros((1, 2, 3)
