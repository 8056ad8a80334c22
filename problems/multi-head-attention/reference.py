"""Trusted: the exact answer (NumPy float64), the same arithmetic in float32, and the FLOP count."""

from typing import Any

import numpy as np

from reference import flops as count
from reference import ops  # ops.attention, looked up at each call
from reference.ops import merge_heads, split_heads

__all__ = ["flops", "in_float32", "reference"]


def _mha(query: Any, key: Any, value: Any, w_q: Any, b_q: Any, w_k: Any, b_k: Any, w_v: Any, b_v: Any, w_o: Any,
         b_o: Any, num_heads: int, mask: Any, dtype: type) -> Any:
    """Multi-head attention with biases, every step in `dtype`: (N, T_q, d), (N, T_k, d) -> (N, T_q, d)."""
    def c(a: Any) -> Any:
        return np.asarray(a, dtype)

    q = split_heads(c(query) @ c(w_q) + c(b_q), num_heads)  # (N, h, T_q, d_head)
    k = split_heads(c(key) @ c(w_k) + c(b_k), num_heads)  # (N, h, T_k, d_head)
    v = split_heads(c(value) @ c(w_v) + c(b_v), num_heads)  # (N, h, T_k, d_head)
    blocked = None if mask is None else np.asarray(mask, dtype=bool)[:, None]  # (N, 1, T_q, T_k): every head
    return merge_heads(ops.attention(q, k, v, blocked)) @ c(w_o) + c(b_o)  # (N, T_q, d)


def reference(query: Any, key: Any, value: Any, w_q: Any, b_q: Any, w_k: Any, b_k: Any, w_v: Any, b_v: Any,
              w_o: Any, b_o: Any, num_heads: int, mask: Any = None) -> Any:
    return _mha(query, key, value, w_q, b_q, w_k, b_k, w_v, b_v, w_o, b_o, num_heads, mask, np.float64)


def in_float32(query: Any, key: Any, value: Any, w_q: Any, b_q: Any, w_k: Any, b_k: Any, w_v: Any, b_v: Any,
               w_o: Any, b_o: Any, num_heads: int, mask: Any = None) -> Any:
    return _mha(query, key, value, w_q, b_q, w_k, b_k, w_v, b_v, w_o, b_o, num_heads, mask, np.float32)


def flops(dims: dict[str, int]) -> int:
    return count.attention(dims["N"], dims["T_q"], dims["T_k"], dims["d"])  # the biases' adds are not counted
