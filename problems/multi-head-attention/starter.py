"""Starter for `multi-head-attention`: fill in the body; see `judge show multi-head-attention`."""

import numpy as np  # noqa: F401 - NumPy, Torch and the standard library are available


def multi_head_attention(query, key, value, w_q, b_q, w_k, b_k, w_v, b_v, w_o, b_o, num_heads, mask=None):
    """Multi-head attention: (N, T_q, d), (N, T_k, d), (N, T_k, d) -> (N, T_q, d).

    query, key and value are float32; every w_* is (d, d) and every b_* is (d,),
    used as x @ w + b; num_heads divides d. mask is None or a bool (N, T_q, T_k)
    array, True where a query may NOT attend a key; every query keeps at least one
    key. Return a float32 NumPy array (or a torch tensor) of shape (N, T_q, d).
    """
    # 1. Q = query @ w_q + b_q, K = key @ w_k + b_k, V = value @ w_v + b_v
    # 2. split heads: (N, T, d) -> (N, T, h, d_head) -> (N, h, T, d_head), d_head = d // num_heads
    # 3. per head: scores = Q K^T / sqrt(d_head); where mask is True (the same for every head), -inf
    # 4. softmax over the keys (last axis, subtracting the row maximum), then @ V
    # 5. merge heads back to (N, T_q, d) and return merged @ w_o + b_o
    ...
