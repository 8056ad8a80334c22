"""Exact matmul FLOP counts of the three blocks (2*m*n*k per matmul; elementwise work excluded).

With N batch, T/T_dec/T_enc lengths, d width and d_ff the feed-forward width:
a projection of (N*T, d) by (d, d) costs 2*N*T*d*d; the scores Q K^T over all
heads cost 2*N*T_q*T_k*d (the heads' d_head sum to d), and so does weights @ V.
"""

from __future__ import annotations


def _attention(n: int, t_q: int, t_k: int, d: int) -> int:
    projections = 2 * n * t_q * d * d * 2 + 2 * n * t_k * d * d * 2  # Q and output; K and V
    return projections + 2 * (2 * n * t_q * t_k * d)  # scores and weights @ V


def _feed_forward(n: int, t: int, d: int, d_ff: int) -> int:
    return 2 * (2 * n * t * d * d_ff)


def cross_attention_block(dims: dict[str, int]) -> int:
    n, t_dec, t_enc, d = dims["N"], dims["T_dec"], dims["T_enc"], dims["d"]
    return _attention(n, t_dec, t_enc, d) + _feed_forward(n, t_dec, d, d)


def encoder_layer(dims: dict[str, int]) -> int:
    n, t, d, d_ff = dims["N"], dims["T"], dims["d"], dims["d_ff"]
    return _attention(n, t, t, d) + _feed_forward(n, t, d, d_ff)


def decoder_layer(dims: dict[str, int]) -> int:
    n, t_dec, t_enc, d, d_ff = dims["N"], dims["T_dec"], dims["T_enc"], dims["d"], dims["d_ff"]
    return _attention(n, t_dec, t_dec, d) + _attention(n, t_dec, t_enc, d) + _feed_forward(n, t_dec, d, d_ff)
