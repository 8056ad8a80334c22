"""Starter for `scaled-dot-product-attention`: fill in the body; see `judge show scaled-dot-product-attention`."""

import numpy as np  # noqa: F401 - NumPy, Torch and the standard library are available


def scaled_dot_product_attention(q, k, v, mask=None):
    """softmax(q kᵀ / sqrt(d_k)) v: (N, H, T_q, d_k), (N, H, T_k, d_k), (N, H, T_k, d_v) -> (N, H, T_q, d_v).

    q, k and v are float32. mask is None or a bool (N, 1, T_q, T_k) array, True
    where a query may NOT attend a key (it broadcasts over the heads); every query
    keeps at least one key. Return a float32 NumPy array (or a torch tensor) of
    shape (N, H, T_q, d_v).
    """
    # 1. scores = q @ kᵀ / sqrt(d_k)                      (N, H, T_q, T_k); d_k is q's last dim
    # 2. where mask is True, set the score to -inf         (before the softmax)
    # 3. softmax over the keys (the last axis), subtracting each row's maximum first
    # 4. return weights @ v                                (N, H, T_q, d_v)
    ...
