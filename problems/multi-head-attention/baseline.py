"""Trusted: the Torch float32 baseline that submissions are timed against."""

from typing import Any

import torch
import torch.nn.functional as F

from reference.torch_blocks import as_tensor, default_device  # importing it turns TF32 off

__all__ = ["baseline"]


@torch.inference_mode()
def baseline(query: Any, key: Any, value: Any, w_q: Any, b_q: Any, w_k: Any, b_k: Any, w_v: Any, b_v: Any,
             w_o: Any, b_o: Any, num_heads: int, mask: Any = None) -> torch.Tensor:
    """Biased projections, scaled_dot_product_attention per head (its bool mask is True = attend), out projection."""
    dev = default_device()
    xq, xk, xv = as_tensor(query, dev), as_tensor(key, dev), as_tensor(value, dev)
    n, t_q, d = xq.shape
    t_k = xk.shape[1]
    dh = d // num_heads
    q = torch.addmm(as_tensor(b_q, dev), xq.reshape(-1, d), as_tensor(w_q, dev)).view(n, t_q, num_heads, dh)
    k = torch.addmm(as_tensor(b_k, dev), xk.reshape(-1, d), as_tensor(w_k, dev)).view(n, t_k, num_heads, dh)
    v = torch.addmm(as_tensor(b_v, dev), xv.reshape(-1, d), as_tensor(w_v, dev)).view(n, t_k, num_heads, dh)
    allowed = None if mask is None else ~torch.as_tensor(mask, device=dev, dtype=torch.bool)[:, None]
    heads = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2),
                                           attn_mask=allowed)  # (N, h, T_q, d_head)
    merged = heads.transpose(1, 2).reshape(n * t_q, d)
    return torch.addmm(as_tensor(b_o, dev), merged, as_tensor(w_o, dev)).view(n, t_q, d)
