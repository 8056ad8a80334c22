import numpy as np


def cross_attention(decoder_x, *args):
    return np.zeros_like(decoder_x)
