"""Runs the loop max_len - 1 times and returns ys with its start symbol, so the output starts with BOS and misses the last token.

Verdict: Wrong Answer
Mistake: bos-in-output
"""

import math

import torch
import torch.nn.functional as F


def _split(x, h):
    b, t, d = x.shape
    return x.view(b, t, h, d // h).transpose(1, 2)


def _attn(x_q, x_kv, ws, h, keep=None, causal=False):
    w_q, w_k, w_v, w_o = ws
    q, k, v = _split(x_q @ w_q, h), _split(x_kv @ w_k, h), _split(x_kv @ w_v, h)
    o = F.scaled_dot_product_attention(q, k, v, attn_mask=keep, is_causal=causal)
    b, _, t, _ = o.shape
    return o.transpose(1, 2).reshape(b, t, -1) @ w_o


@torch.inference_mode()
def greedy_decode(encoder_out, embedding, self_w_q, self_w_k, self_w_v, self_w_o, cross_w_q, cross_w_k, cross_w_v,
                  cross_w_o, w_mlp1, w_mlp2, w_out, num_heads, bos_id, eos_id, max_len, encoder_padding_mask=None):
    memory = torch.as_tensor(encoder_out)
    E = torch.as_tensor(embedding)
    sw = [torch.as_tensor(w) for w in (self_w_q, self_w_k, self_w_v, self_w_o)]
    cw = [torch.as_tensor(w) for w in (cross_w_q, cross_w_k, cross_w_v, cross_w_o)]
    W1, W2, Wout = torch.as_tensor(w_mlp1), torch.as_tensor(w_mlp2), torch.as_tensor(w_out)
    keep = None
    if encoder_padding_mask is not None:
        keep = ~torch.as_tensor(encoder_padding_mask)[:, None, None, :]
    B, d = memory.shape[0], E.shape[1]
    pos = torch.arange(max_len + 1, dtype=torch.float32)[:, None]
    inv = 1.0 / 10000.0 ** (torch.arange(0, d, 2, dtype=torch.float32) / d)
    pe = torch.zeros(max_len + 1, d)
    pe[:, 0::2] = torch.sin(pos * inv)
    pe[:, 1::2] = torch.cos(pos * inv)
    ln = lambda z: F.layer_norm(z, (d,))  # noqa: E731

    ys = torch.full((B, 1), bos_id, dtype=torch.long)
    for i in range(max_len - 1):
        x = E[ys] * math.sqrt(d) + pe[: ys.size(1)]
        x = ln(x + _attn(x, x, sw, num_heads, causal=True))
        x = ln(x + _attn(x, memory, cw, num_heads, keep=keep))
        x = ln(x + F.gelu(x @ W1, approximate="tanh") @ W2)
        next_word = (x[:, -1] @ Wout).argmax(dim=-1)
        next_word[ys[:, -1] == eos_id] = eos_id
        ys = torch.cat([ys, next_word[:, None]], dim=1)
    return ys
