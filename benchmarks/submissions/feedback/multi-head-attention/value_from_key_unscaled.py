"""Projects the values from `key` (as if self-attention) and never divides the scores by sqrt(d_head).

Verdict: Wrong Answer
Mistake: key-as-value+no-scale
"""

import torch


def multi_head_attention(query, key, value, w_q, b_q, w_k, b_k, w_v, b_v, w_o, b_o, num_heads, mask=None):
    x_q = torch.from_numpy(query).double()
    x_kv = torch.from_numpy(key).double()
    W = {name: torch.from_numpy(a).double() for name, a in
         dict(w_q=w_q, b_q=b_q, w_k=w_k, b_k=b_k, w_v=w_v, b_v=b_v, w_o=w_o, b_o=b_o).items()}
    n, tq, d = x_q.shape
    tk = x_kv.shape[1]
    q = torch.addmm(W["b_q"], x_q.reshape(-1, d), W["w_q"]).reshape(n, tq, num_heads, -1).permute(0, 2, 1, 3)
    k = torch.addmm(W["b_k"], x_kv.reshape(-1, d), W["w_k"]).reshape(n, tk, num_heads, -1).permute(0, 2, 1, 3)
    v = torch.addmm(W["b_v"], x_kv.reshape(-1, d), W["w_v"]).reshape(n, tk, num_heads, -1).permute(0, 2, 1, 3)
    energy = torch.einsum("nhqd,nhkd->nhqk", q, k)
    if mask is not None:
        energy = energy.masked_fill(torch.from_numpy(mask).unsqueeze(1), -1e20)
    attention = torch.softmax(energy, dim=3)
    out = torch.einsum("nhqk,nhkd->nqhd", attention, v).reshape(n, tq, d)
    return (out @ W["w_o"] + W["b_o"]).float().numpy()
