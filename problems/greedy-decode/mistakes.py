"""Trusted: the known mistakes, built by the shared `DecodeRecipe` (the manifest's `recipe`).

A recipe's decoding fields (`include_bos`, `hold_eos`, `read_last`, `scale_embedding`,
`scale_after_positional`, `positional`, `position_offset`) change the loop; any other
field is the decoder layer's own `Recipe` (e.g. `use_padding`), as in decoder-layer.
"""

from typing import Any

import numpy as np

from reference.decoding import DecodeRecipe, greedy_decode


def variant(params: dict[str, Any], inputs: dict[str, Any], dtype: str | None = None) -> np.ndarray:
    """The (N, max_len) tokens `params` decodes, in `dtype` when given (else the recipe's own arithmetic)."""
    return greedy_decode(**inputs, recipe=DecodeRecipe.from_fields({**params, "dtype": dtype} if dtype else params))


def check_params(params: dict[str, Any]) -> None:
    DecodeRecipe.from_fields(params)
