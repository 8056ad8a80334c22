"""A call request: a case's inputs as the harness expects them. Shared by the grader and the timing."""

from __future__ import annotations

from typing import Any

import numpy as np


def call_request(inputs: dict[str, Any], outputs: int = 1) -> tuple[dict[str, Any], list[np.ndarray]]:
    """Inputs as a call request: arrays travel as .npy frames, the rest in the header.

    `outputs` is how many values the entry point returns (a tuple when several).
    """
    slots: list[dict[str, Any]] = []
    arrays: list[np.ndarray] = []
    for value in inputs.values():
        if isinstance(value, np.ndarray):
            slots.append({"kind": "array"})
            arrays.append(value)
        elif value is None:
            slots.append({"kind": "none"})
        elif isinstance(value, float):
            slots.append({"kind": "float", "value": value})
        elif isinstance(value, list):  # token lists: lists of lists of ints
            slots.append({"kind": "lists", "value": [[int(t) for t in row] for row in value]})
        else:
            slots.append({"kind": "int", "value": int(value)})
    return {"op": "call", "args": slots, "outputs": outputs}, arrays
