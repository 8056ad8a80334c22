"""The weights were packed into one fused in-projection for nn.MultiheadAttention, but the third block was filled from w_k and b_k, so the values use the key projection's weight and bias.

Verdict: Wrong Answer
Mistake: shared-weights
"""

import torch


@torch.no_grad()
def multi_head_attention(query, key, value, w_q, b_q, w_k, b_k, w_v, b_v, w_o, b_o, num_heads, mask=None):
    d = w_q.shape[0]
    mha = torch.nn.MultiheadAttention(d, num_heads, batch_first=True)
    weights = {"q": (w_q, b_q), "k": (w_k, b_k), "v": (w_k, b_k)}
    mha.in_proj_weight.copy_(torch.cat([torch.as_tensor(weights[name][0]).T for name in "qkv"]))
    mha.in_proj_bias.copy_(torch.cat([torch.as_tensor(weights[name][1]) for name in "qkv"]))
    mha.out_proj.weight.copy_(torch.as_tensor(w_o).T)
    mha.out_proj.bias.copy_(torch.as_tensor(b_o))
    attn_mask = None
    if mask is not None:
        attn_mask = torch.as_tensor(mask).repeat_interleave(num_heads, dim=0)
    out, _ = mha(torch.as_tensor(query), torch.as_tensor(key), torch.as_tensor(value),
                 attn_mask=attn_mask, need_weights=False)
    return out
