"""A finished flag is kept only to stop the loop once every row has produced EOS; it is never used to force EOS on rows that already finished, so those rows keep decoding other tokens.

Verdict: Wrong Answer
Mistake: eos-not-held
"""

import math

import torch
import torch.nn.functional as F


def _attn(xq, xkv, w, h, keep=None, causal=False):
    wq, wk, wv, wo = w
    B, T, C = xq.shape
    S = xkv.shape[1]
    q = (xq @ wq).view(B, T, h, C // h).transpose(1, 2)
    k = (xkv @ wk).view(B, S, h, C // h).transpose(1, 2)
    v = (xkv @ wv).view(B, S, h, C // h).transpose(1, 2)
    y = F.scaled_dot_product_attention(q, k, v, attn_mask=keep, is_causal=causal)
    return y.transpose(1, 2).reshape(B, T, C) @ wo


@torch.no_grad()
def greedy_decode(encoder_out, embedding, self_w_q, self_w_k, self_w_v, self_w_o, cross_w_q, cross_w_k, cross_w_v,
                  cross_w_o, w_mlp1, w_mlp2, w_out, num_heads, bos_id, eos_id, max_len, encoder_padding_mask=None):
    T = torch.from_numpy
    memory, emb, w_out = T(encoder_out), T(embedding), T(w_out)
    sw = [T(a) for a in (self_w_q, self_w_k, self_w_v, self_w_o)]
    cw = [T(a) for a in (cross_w_q, cross_w_k, cross_w_v, cross_w_o)]
    w1, w2 = T(w_mlp1), T(w_mlp2)
    B, d = memory.shape[0], emb.shape[1]
    keep = None if encoder_padding_mask is None else ~T(encoder_padding_mask)[:, None, None, :]

    position = torch.arange(max_len).unsqueeze(1)
    div_term = torch.exp(torch.arange(0, d, 2) * (-math.log(10000.0) / d))
    pe = torch.zeros(max_len, d)
    pe[:, 0::2] = torch.sin(position * div_term)
    pe[:, 1::2] = torch.cos(position * div_term)

    ys = torch.full((B, 1), bos_id, dtype=torch.long)
    result = torch.full((B, max_len), eos_id, dtype=torch.long)
    finished = torch.zeros(B, dtype=torch.bool)
    for step in range(max_len):
        x = emb[ys] * math.sqrt(d) + pe[: ys.size(1)]
        h1 = F.layer_norm(x + _attn(x, x, sw, num_heads, causal=True), (d,), eps=1e-5)
        h2 = F.layer_norm(h1 + _attn(h1, memory, cw, num_heads, keep=keep), (d,), eps=1e-5)
        h3 = F.layer_norm(h2 + F.gelu(h2 @ w1, approximate="tanh") @ w2, (d,), eps=1e-5)
        next_word = (h3[:, -1] @ w_out).argmax(dim=-1)
        finished |= next_word == eos_id
        result[:, step] = next_word
        ys = torch.cat([ys, next_word.unsqueeze(1)], dim=1)
        if finished.all():
            break
    return result
