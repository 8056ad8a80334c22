"""Starter for `decoder-layer`: fill in the body; see `judge show decoder-layer`."""

import numpy as np  # noqa: F401 - NumPy, Torch and the standard library are available


def decoder_layer(decoder_x, encoder_out, self_w_q, self_w_k, self_w_v, self_w_o, cross_w_q, cross_w_k, cross_w_v,
                  cross_w_o, w_mlp1, w_mlp2, num_heads, encoder_padding_mask=None):
    """Post-LN decoder layer: (N, T_dec, d), (N, T_enc, d) -> (N, T_dec, d).

    decoder_x (N, T_dec, d) and encoder_out (N, T_enc, d) are float32; the eight
    attention weights are (d, d), w_mlp1 is (d, d_ff) and w_mlp2 is (d_ff, d);
    num_heads divides d. encoder_padding_mask is None or a bool (N, T_enc) array,
    True where an encoder key is padding. Return a float32 NumPy array (or a torch
    tensor) of shape (N, T_dec, d).
    """
    # MHA(xq, xkv): project with the w_q / w_k / w_v of that sublayer, split heads
    # (N, T, d) -> (N, T, h, d_head) -> (N, h, T, d_head), softmax(Q K^T / sqrt(d_head))
    # over the keys with blocked scores set to -inf, @ V, merge heads, @ w_o.
    # 1. h1 = LayerNorm(decoder_x + self-MHA(decoder_x, decoder_x))  causal: position i sees 0..i
    # 2. h2 = LayerNorm(h1 + cross-MHA(h1, encoder_out))  no causal mask; padded encoder keys -inf
    # 3. out = LayerNorm(h2 + GELU(h2 @ w_mlp1) @ w_mlp2)  (GELU: the tanh approximation)
    # LayerNorm: over the last axis, eps 1e-5, biased variance, no gain or bias.
    ...
