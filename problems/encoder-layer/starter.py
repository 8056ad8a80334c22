"""Starter for `encoder-layer`: fill in the body; see `judge show encoder-layer`."""

import numpy as np  # noqa: F401 - NumPy, Torch and the standard library are available


def encoder_layer(x, w_q, w_k, w_v, w_o, w_mlp1, w_mlp2, num_heads, padding_mask=None):
    """Post-LN encoder layer: (N, T, d) -> (N, T, d).

    x (N, T, d) is float32; w_q, w_k, w_v, w_o are (d, d), w_mlp1 is (d, d_ff) and
    w_mlp2 is (d_ff, d); num_heads divides d. padding_mask is None or a bool (N, T)
    array, True where a key is padding that no query may attend to. Return a float32
    NumPy array (or a torch tensor) of shape (N, T, d).
    """
    # 1. Q = x @ w_q, K = x @ w_k, V = x @ w_v
    # 2. split heads: (N, T, d) -> (N, T, h, d_head) -> (N, h, T, d_head), d_head = d // num_heads
    # 3. scores = Q K^T / sqrt(d_head); where padding_mask[n, j] is True, key j scores -inf for every query
    #    (no causal mask: the encoder attends in both directions)
    # 4. softmax over the keys (last axis), @ V, merge heads to (N, T, d), @ w_o
    # 5. h = LayerNorm(x + attention)                  (eps 1e-5, biased variance, no gain or bias)
    # 6. out = LayerNorm(h + GELU(h @ w_mlp1) @ w_mlp2)  (GELU: the tanh approximation)
    ...
