"""Trusted: the known mistakes of corpus BLEU, built by `reference.bleu.BleuRecipe` (the manifest's `recipe`)."""

from __future__ import annotations

from typing import Any

from reference.bleu import BleuRecipe, variant_bleu


def variant(params: dict[str, Any], inputs: dict[str, Any], dtype: str | None = None) -> float:
    """BLEU as `params` builds it, in `dtype` when given (else float64)."""
    recipe = BleuRecipe.from_fields({**params, "dtype": dtype} if dtype else params)
    return variant_bleu(inputs["candidates"], inputs["references"], recipe)


def check_params(params: dict[str, Any]) -> None:
    BleuRecipe.from_fields(params)
