"""Starter for `decoder-layer`: fill in the body; see `judge show decoder-layer`."""

import numpy as np


def decoder_layer(decoder_x, encoder_out, self_w_q, self_w_k, self_w_v, self_w_o, cross_w_q, cross_w_k, cross_w_v,
                  cross_w_o, w_mlp1, w_mlp2, num_heads, encoder_padding_mask=None):
    """Post-LN decoder layer: (N, T_dec, d), (N, T_enc, d) -> (N, T_dec, d).

    1. h1 = LayerNorm(y + causal self-attention(y))   # position i sees 0..i
    2. h2 = LayerNorm(h1 + cross-attention(h1, encoder_out))   # padded encoder keys hidden
    3. out = LayerNorm(h2 + GELU(h2 @ w_mlp1) @ w_mlp2)
    """
    return np.zeros_like(decoder_x)  # replace with your layer
