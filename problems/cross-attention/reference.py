"""Trusted: the exact answer (NumPy float64), the same arithmetic in float32, and the FLOP count."""

from typing import Any

from reference import flops as count
from reference.blocks import cross_attention_block as reference
from reference.variants import Recipe
from reference.variants import cross_attention_block as built

__all__ = ["flops", "in_float32", "reference"]


def in_float32(**inputs: Any) -> Any:
    return built(**inputs, recipe=Recipe(dtype="float32"))


def flops(dims: dict[str, int]) -> int:
    n, t_dec, t_enc, d = dims["N"], dims["T_dec"], dims["T_enc"], dims["d"]
    return count.attention(n, t_dec, t_enc, d) + count.feed_forward(n, t_dec, d, d)
