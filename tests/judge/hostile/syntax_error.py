import numpy as np


def cross_attention_block(decoder_x, encoder_out, w_q, w_k, w_v, w_o, w_mlp1, w_mlp2, num_heads)
    return np.zeros_like(decoder_x)
