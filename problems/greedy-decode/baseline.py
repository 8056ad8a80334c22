"""Trusted: the Torch float32 baseline that submissions are timed against.

The algorithm as stated: every step embeds the whole prefix and reruns the
float32 decoder layer of `reference.torch_blocks` on it (no key/value cache).
"""

import math
from typing import Any

import torch

from reference.positional import sinusoidal_encoding
from reference.torch_blocks import as_tensor, decoder_layer, default_device

__all__ = ["baseline"]


@torch.inference_mode()
def baseline(encoder_out: Any, embedding: Any, self_w_q: Any, self_w_k: Any, self_w_v: Any, self_w_o: Any,
             cross_w_q: Any, cross_w_k: Any, cross_w_v: Any, cross_w_o: Any, w_mlp1: Any, w_mlp2: Any, w_out: Any,
             num_heads: int, bos_id: int, eos_id: int, max_len: int,
             encoder_padding_mask: Any = None) -> torch.Tensor:
    """(N, max_len) int64 tokens on the baseline's device."""
    dev = default_device()
    enc, table, out = as_tensor(encoder_out, dev), as_tensor(embedding, dev), as_tensor(w_out, dev)
    sq, sk, sv, so, cq, ck, cv, co, w1, w2 = (as_tensor(w, dev) for w in (
        self_w_q, self_w_k, self_w_v, self_w_o, cross_w_q, cross_w_k, cross_w_v, cross_w_o, w_mlp1, w_mlp2))
    padding = None if encoder_padding_mask is None else torch.as_tensor(encoder_padding_mask, device=dev)
    n, d = enc.shape[0], table.shape[1]
    pe = as_tensor(sinusoidal_encoding(max_len, d), dev)  # (max_len, d), float32
    tokens = torch.full((n, 1), bos_id, dtype=torch.int64, device=dev)  # (N, 1): BOS
    finished = torch.zeros(n, dtype=torch.bool, device=dev)
    for step in range(max_len):
        y = table[tokens] * math.sqrt(d) + pe[: step + 1]  # (N, step + 1, d)
        h = decoder_layer(y, enc, sq, sk, sv, so, cq, ck, cv, co, w1, w2, num_heads, padding)  # (N, step + 1, d)
        chosen = (h[:, -1] @ out).argmax(dim=-1)  # (N,): the first maximum on a tie
        chosen = torch.where(finished, eos_id, chosen)
        finished |= chosen == eos_id
        tokens = torch.cat([tokens, chosen[:, None]], dim=1)  # (N, step + 2)
    return tokens[:, 1:]
