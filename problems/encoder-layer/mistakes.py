"""Trusted: the known mistakes, built by the shared `Recipe` of the three blocks (the manifest's `recipe`)."""

from typing import Any

from reference.variants import Recipe
from reference.variants import encoder_layer as built


def variant(params: dict[str, Any], inputs: dict[str, Any], dtype: str | None = None) -> Any:
    """The block as `params` builds it, in `dtype` when given (else the recipe's own arithmetic)."""
    return built(**inputs, recipe=Recipe.from_fields({**params, "dtype": dtype} if dtype else params))


def check_params(params: dict[str, Any]) -> None:
    Recipe.from_fields(params)
