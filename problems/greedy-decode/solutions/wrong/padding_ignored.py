"""Never uses encoder_padding_mask: cross-attention attends to the padded encoder positions too.

Verdict: Wrong Answer
Mistake: padding-ignored
"""

import math

import torch
import torch.nn.functional as F


def _heads(x, h):
    n, t, d = x.shape
    return x.view(n, t, h, d // h).transpose(1, 2)  # (N, h, T, d_head)


def _merge(x):
    n, h, t, dh = x.shape
    return x.transpose(1, 2).reshape(n, t, h * dh)


@torch.no_grad()
def greedy_decode(encoder_out, embedding, self_w_q, self_w_k, self_w_v, self_w_o, cross_w_q, cross_w_k, cross_w_v,
                  cross_w_o, w_mlp1, w_mlp2, w_out, num_heads, bos_id, eos_id, max_len, encoder_padding_mask=None):
    t = lambda a: torch.as_tensor(a, dtype=torch.float32)  # noqa: E731
    enc, emb, w_out = t(encoder_out), t(embedding), t(w_out)
    sq, sk, sv, so = t(self_w_q), t(self_w_k), t(self_w_v), t(self_w_o)
    cq, co, w1, w2 = t(cross_w_q), t(cross_w_o), t(w_mlp1), t(w_mlp2)
    n, d, h = enc.shape[0], emb.shape[1], num_heads
    norm = lambda x: F.layer_norm(x, (d,), eps=1e-5)  # noqa: E731

    cross_k, cross_v = _heads(enc @ t(cross_w_k), h), _heads(enc @ t(cross_w_v), h)  # once for all steps

    pos = torch.arange(max_len, dtype=torch.float32)[:, None]
    div = torch.exp(torch.arange(0, d, 2, dtype=torch.float32) * (-math.log(10000.0) / d))
    pe = torch.zeros(max_len, d)
    pe[:, 0::2] = torch.sin(pos * div)
    pe[:, 1::2] = torch.cos(pos * div)

    cache_k = torch.empty(n, h, 0, d // h)
    cache_v = torch.empty(n, h, 0, d // h)
    token = torch.full((n,), bos_id, dtype=torch.long)
    finished = torch.zeros(n, dtype=torch.bool)
    out = torch.empty(n, max_len, dtype=torch.long)
    for step in range(max_len):
        y = (emb[token] * math.sqrt(d) + pe[step])[:, None, :]  # (N, 1, d): the newest position only
        cache_k = torch.cat([cache_k, _heads(y @ sk, h)], dim=2)
        cache_v = torch.cat([cache_v, _heads(y @ sv, h)], dim=2)
        a = F.scaled_dot_product_attention(_heads(y @ sq, h), cache_k, cache_v)  # sees positions 0..step
        h1 = norm(y + _merge(a) @ so)
        c = F.scaled_dot_product_attention(_heads(h1 @ cq, h), cross_k, cross_v)
        h2 = norm(h1 + _merge(c) @ co)
        h3 = norm(h2 + F.gelu(h2 @ w1, approximate="tanh") @ w2)
        token = (h3[:, 0] @ w_out).argmax(dim=-1)
        token = token.masked_fill(finished, eos_id)
        finished |= token == eos_id
        out[:, step] = token
    return out
