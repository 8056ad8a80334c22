"""Torch in float32: scaled_dot_product_attention with a boolean keep-mask, F.layer_norm, tanh GELU.

Verdict: Accepted
"""

import torch
import torch.nn.functional as F


def encoder_layer(x, w_q, w_k, w_v, w_o, w_mlp1, w_mlp2, num_heads, padding_mask=None):
    x = torch.from_numpy(x)
    w_q, w_k, w_v, w_o, w_mlp1, w_mlp2 = (torch.from_numpy(w) for w in (w_q, w_k, w_v, w_o, w_mlp1, w_mlp2))
    n, t, d = x.shape
    keep = None if padding_mask is None else ~torch.from_numpy(padding_mask)[:, None, None, :]

    def heads(a):
        return a.view(n, t, num_heads, d // num_heads).transpose(1, 2)

    attended = F.scaled_dot_product_attention(heads(x @ w_q), heads(x @ w_k), heads(x @ w_v), attn_mask=keep)
    h = F.layer_norm(x + attended.transpose(1, 2).reshape(n, t, d) @ w_o, (d,), eps=1e-5)
    return F.layer_norm(h + F.gelu(h @ w_mlp1, approximate="tanh") @ w_mlp2, (d,), eps=1e-5)
