"""The padding mask was used Annotated-Transformer style with masked_fill(mask == 0, -1e9), which treats True as keep, so the real keys are hidden and the padded ones attended.

Verdict: Wrong Answer
Mistake: mask-inverted
"""

import math

import torch


def attention(query, key, value, mask=None):
    d_k = query.size(-1)
    scores = torch.matmul(query, key.transpose(-2, -1)) / math.sqrt(d_k)
    if mask is not None:
        scores = scores.masked_fill(mask == 0, -1e9)
    p_attn = scores.softmax(dim=-1)
    return torch.matmul(p_attn, value)


def layer_norm(x, eps=1e-5):
    mean = x.mean(-1, keepdim=True)
    var = ((x - mean) ** 2).mean(-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps)


def encoder_layer(x, w_q, w_k, w_v, w_o, w_mlp1, w_mlp2, num_heads, padding_mask=None):
    x = torch.as_tensor(x)
    w_q, w_k, w_v, w_o, w_mlp1, w_mlp2 = (torch.as_tensor(w) for w in (w_q, w_k, w_v, w_o, w_mlp1, w_mlp2))
    nbatches, T, d_model = x.shape
    d_k = d_model // num_heads
    mask = None
    if padding_mask is not None:
        mask = torch.as_tensor(padding_mask).unsqueeze(1).unsqueeze(1)  # (N, 1, 1, T)

    query, key, value = [
        (x @ w).view(nbatches, -1, num_heads, d_k).transpose(1, 2) for w in (w_q, w_k, w_v)
    ]
    attended = attention(query, key, value, mask=mask)
    attended = attended.transpose(1, 2).contiguous().view(nbatches, -1, d_model) @ w_o
    h = layer_norm(x + attended)
    hidden = h @ w_mlp1
    hidden = 0.5 * hidden * (1 + torch.tanh(math.sqrt(2 / math.pi) * (hidden + 0.044715 * hidden**3)))
    return layer_norm(h + hidden @ w_mlp2).numpy()
