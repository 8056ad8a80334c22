"""Torch in float32 with scaled_dot_product_attention and layer_norm; returns a tensor.

Verdict: Accepted
"""

import torch
import torch.nn.functional as F


def cross_attention_block(decoder_x, encoder_out, w_q, w_k, w_v, w_o, w_mlp1, w_mlp2, num_heads):
    y, enc = torch.from_numpy(decoder_x), torch.from_numpy(encoder_out)
    w_q, w_k, w_v, w_o, w_mlp1, w_mlp2 = (torch.from_numpy(w) for w in (w_q, w_k, w_v, w_o, w_mlp1, w_mlp2))
    n, t, d = y.shape
    s = enc.shape[1]
    q = (y @ w_q).view(n, t, num_heads, -1).transpose(1, 2)
    k = (enc @ w_k).view(n, s, num_heads, -1).transpose(1, 2)
    v = (enc @ w_v).view(n, s, num_heads, -1).transpose(1, 2)
    attended = F.scaled_dot_product_attention(q, k, v).transpose(1, 2).reshape(n, t, d) @ w_o
    x = F.layer_norm(y + attended, (d,), eps=1e-5)
    return F.layer_norm(x + F.gelu(x @ w_mlp1, approximate="tanh") @ w_mlp2, (d,), eps=1e-5)
