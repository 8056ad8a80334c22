"""Exact matmul FLOP counts of the shared building blocks (2*m*n*k per matmul; elementwise work excluded).

With N batch, T lengths, d width and d_ff the feed-forward width: a projection
of (N*T, d) by (d, d) costs 2*N*T*d*d; the scores Q K^T over all heads cost
2*N*T_q*T_k*d (the heads' d_head sum to d), and so does weights @ V. A problem's
`reference.py` adds these up in its `flops(dims)`.
"""

from __future__ import annotations


def attention(n: int, t_q: int, t_k: int, d: int) -> int:
    """Multi-head attention with Q, K, V and output projections of (d, d)."""
    projections = 2 * n * t_q * d * d * 2 + 2 * n * t_k * d * d * 2  # Q and output; K and V
    return projections + 2 * (2 * n * t_q * t_k * d)  # scores and weights @ V


def feed_forward(n: int, t: int, d: int, d_ff: int) -> int:
    return 2 * (2 * n * t * d * d_ff)
