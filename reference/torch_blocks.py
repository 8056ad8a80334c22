"""The Torch baseline: the same three blocks in float32 with `scaled_dot_product_attention`.

This is the speed reference, not the correctness reference. It runs on CUDA when
a GPU is present and on the CPU otherwise, with TF32 off so that its arithmetic
is the float32 the problems ask for. Arguments may be NumPy arrays or tensors;
the result is a tensor on the chosen device.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from reference.ops import LAYER_NORM_EPS


def default_device() -> torch.device:
    """CUDA when present, else CPU."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def disable_tf32() -> None:
    """Make float32 matmuls and convolutions really float32 on Ampere and later GPUs."""
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False


def as_tensor(a: Any, device: torch.device | None = None) -> torch.Tensor:
    """A float32 (or bool) tensor on `device`, without copying a tensor already there."""
    device = device or default_device()
    t = torch.as_tensor(a, device=device)
    return t if t.dtype == torch.bool else t.to(torch.float32)


def _layer_norm(x: torch.Tensor) -> torch.Tensor:
    return F.layer_norm(x, (x.shape[-1],), eps=LAYER_NORM_EPS)


def _gelu(x: torch.Tensor) -> torch.Tensor:
    return F.gelu(x, approximate="tanh")


def _mha(
    xq: torch.Tensor,
    xkv: torch.Tensor,
    w: tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor],
    num_heads: int,
    allowed: torch.Tensor | None = None,
    is_causal: bool = False,
) -> torch.Tensor:
    w_q, w_k, w_v, w_o = w
    n, t, d = xq.shape
    s = xkv.shape[1]
    q = (xq @ w_q).view(n, t, num_heads, d // num_heads).transpose(1, 2)  # (N, h, T, dh)
    k = (xkv @ w_k).view(n, s, num_heads, d // num_heads).transpose(1, 2)  # (N, h, S, dh)
    v = (xkv @ w_v).view(n, s, num_heads, d // num_heads).transpose(1, 2)  # (N, h, S, dh)
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=allowed, is_causal=is_causal)
    return out.transpose(1, 2).reshape(n, t, d) @ w_o  # (N, T, d)


def _allowed_keys(padding_mask: Any, device: torch.device) -> torch.Tensor | None:
    """(N, S) padding (True = padded) -> (N, 1, 1, S) with True where attention is allowed."""
    if padding_mask is None:
        return None
    return ~torch.as_tensor(padding_mask, device=device, dtype=torch.bool)[:, None, None, :]


@torch.inference_mode()
def cross_attention_block(
    decoder_x: Any,
    encoder_out: Any,
    w_q: Any,
    w_k: Any,
    w_v: Any,
    w_o: Any,
    w_mlp1: Any,
    w_mlp2: Any,
    num_heads: int,
) -> torch.Tensor:
    """Post-LN cross-attention block in float32."""
    dev = default_device()
    y, enc = as_tensor(decoder_x, dev), as_tensor(encoder_out, dev)
    w = (as_tensor(w_q, dev), as_tensor(w_k, dev), as_tensor(w_v, dev), as_tensor(w_o, dev))
    x = _layer_norm(y + _mha(y, enc, w, num_heads))
    return _layer_norm(x + _gelu(x @ as_tensor(w_mlp1, dev)) @ as_tensor(w_mlp2, dev))


@torch.inference_mode()
def encoder_layer(
    x: Any,
    w_q: Any,
    w_k: Any,
    w_v: Any,
    w_o: Any,
    w_mlp1: Any,
    w_mlp2: Any,
    num_heads: int,
    padding_mask: Any = None,
) -> torch.Tensor:
    """Post-LN encoder layer in float32."""
    dev = default_device()
    xt = as_tensor(x, dev)
    w = (as_tensor(w_q, dev), as_tensor(w_k, dev), as_tensor(w_v, dev), as_tensor(w_o, dev))
    h = _layer_norm(xt + _mha(xt, xt, w, num_heads, _allowed_keys(padding_mask, dev)))
    return _layer_norm(h + _gelu(h @ as_tensor(w_mlp1, dev)) @ as_tensor(w_mlp2, dev))


@torch.inference_mode()
def decoder_layer(
    decoder_x: Any,
    encoder_out: Any,
    self_w_q: Any,
    self_w_k: Any,
    self_w_v: Any,
    self_w_o: Any,
    cross_w_q: Any,
    cross_w_k: Any,
    cross_w_v: Any,
    cross_w_o: Any,
    w_mlp1: Any,
    w_mlp2: Any,
    num_heads: int,
    encoder_padding_mask: Any = None,
) -> torch.Tensor:
    """Post-LN decoder layer in float32."""
    dev = default_device()
    y, enc = as_tensor(decoder_x, dev), as_tensor(encoder_out, dev)
    self_w = tuple(as_tensor(a, dev) for a in (self_w_q, self_w_k, self_w_v, self_w_o))
    cross_w = tuple(as_tensor(a, dev) for a in (cross_w_q, cross_w_k, cross_w_v, cross_w_o))
    h1 = _layer_norm(y + _mha(y, y, self_w, num_heads, is_causal=True))  # type: ignore[arg-type]
    allowed = _allowed_keys(encoder_padding_mask, dev)
    h2 = _layer_norm(h1 + _mha(h1, enc, cross_w, num_heads, allowed))  # type: ignore[arg-type]
    return _layer_norm(h2 + _gelu(h2 @ as_tensor(w_mlp1, dev)) @ as_tensor(w_mlp2, dev))


disable_tf32()
