"""Starter for `cross-attention`: fill in the body; see `judge show cross-attention`."""

import numpy as np  # noqa: F401 - NumPy, Torch and the standard library are available


def cross_attention_block(decoder_x, encoder_out, w_q, w_k, w_v, w_o, w_mlp1, w_mlp2, num_heads):
    """Post-LN cross-attention block: (N, T_dec, d), (N, T_enc, d) -> (N, T_dec, d).

    decoder_x (N, T_dec, d) and encoder_out (N, T_enc, d) are float32; every weight
    is (d, d); num_heads divides d. Return a float32 NumPy array (or a torch tensor)
    of shape (N, T_dec, d).
    """
    # 1. Q = decoder_x @ w_q, K = encoder_out @ w_k, V = encoder_out @ w_v
    # 2. split heads: (N, T, d) -> (N, T, h, d_head) -> (N, h, T, d_head), d_head = d // num_heads
    # 3. per head: softmax(Q K^T / sqrt(d_head)) over the encoder keys (last axis; no mask), then @ V
    # 4. merge heads back to (N, T_dec, d) and multiply by w_o
    # 5. x = LayerNorm(decoder_x + attention)        (eps 1e-5, biased variance, no gain or bias)
    # 6. out = LayerNorm(x + GELU(x @ w_mlp1) @ w_mlp2)  (GELU: the tanh approximation)
    ...
