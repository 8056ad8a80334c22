"""Trusted: the Torch float32 baseline that submissions are timed against."""

from typing import Any

import torch
import torch.nn.functional as F

from reference.torch_blocks import as_tensor, default_device  # importing it turns TF32 off

__all__ = ["baseline"]


@torch.inference_mode()
def baseline(q: Any, k: Any, v: Any, mask: Any = None) -> torch.Tensor:
    """torch's scaled_dot_product_attention in float32; its bool attn_mask is True where attention is allowed."""
    dev = default_device()
    allowed = None if mask is None else ~torch.as_tensor(mask, device=dev, dtype=torch.bool)  # (N, 1, T_q, T_k)
    return F.scaled_dot_product_attention(as_tensor(q, dev), as_tensor(k, dev), as_tensor(v, dev), attn_mask=allowed)
