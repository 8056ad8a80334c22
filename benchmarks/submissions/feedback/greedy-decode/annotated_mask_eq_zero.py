"""Applies the encoder padding mask as masked_fill(mask == 0, -1e9), the keep-mask convention, so the decoder attends only to the padded encoder keys.

Verdict: Wrong Answer
Mistake: mask-inverted
"""

import math

import torch
import torch.nn.functional as F


def attention(query, key, value, mask=None):
    d_k = query.size(-1)
    scores = torch.matmul(query, key.transpose(-2, -1)) / math.sqrt(d_k)
    if mask is not None:
        scores = scores.masked_fill(mask == 0, -1e9)
    p_attn = scores.softmax(dim=-1)
    return torch.matmul(p_attn, value)


def mha(x_q, x_kv, w_q, w_k, w_v, w_o, h, mask=None):
    nb, d = x_q.size(0), x_q.size(-1)
    d_k = d // h
    q = (x_q @ w_q).view(nb, -1, h, d_k).transpose(1, 2)
    k = (x_kv @ w_k).view(nb, -1, h, d_k).transpose(1, 2)
    v = (x_kv @ w_v).view(nb, -1, h, d_k).transpose(1, 2)
    x = attention(q, k, v, mask)
    return x.transpose(1, 2).contiguous().view(nb, -1, d) @ w_o


def subsequent_mask(size):
    # 1 where the position may be attended (lower triangle)
    return torch.tril(torch.ones(1, 1, size, size, dtype=torch.uint8))


def layer_norm(x):
    return F.layer_norm(x, x.shape[-1:], eps=1e-5)


def gelu(x):
    return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * torch.pow(x, 3))))


def decoder_layer(x, memory, self_w, cross_w, w1, w2, h, src_mask, tgt_mask):
    x = layer_norm(x + mha(x, x, *self_w, h, tgt_mask))
    x = layer_norm(x + mha(x, memory, *cross_w, h, src_mask))
    return layer_norm(x + gelu(x @ w1) @ w2)


def positional_table(max_len, d):
    pe = torch.zeros(max_len, d)
    position = torch.arange(0, max_len).unsqueeze(1)
    div_term = torch.exp(torch.arange(0, d, 2) * -(math.log(10000.0) / d))
    pe[:, 0::2] = torch.sin(position * div_term)
    pe[:, 1::2] = torch.cos(position * div_term)
    return pe


@torch.no_grad()
def greedy_decode(encoder_out, embedding, self_w_q, self_w_k, self_w_v, self_w_o, cross_w_q, cross_w_k, cross_w_v,
                  cross_w_o, w_mlp1, w_mlp2, w_out, num_heads, bos_id, eos_id, max_len, encoder_padding_mask=None):
    T = torch.from_numpy
    memory, emb, w_out = T(encoder_out), T(embedding), T(w_out)
    self_w = [T(w) for w in (self_w_q, self_w_k, self_w_v, self_w_o)]
    cross_w = [T(w) for w in (cross_w_q, cross_w_k, cross_w_v, cross_w_o)]
    w1, w2 = T(w_mlp1), T(w_mlp2)
    src_mask = None
    if encoder_padding_mask is not None:
        src_mask = T(encoder_padding_mask).unsqueeze(1).unsqueeze(1)  # (N, 1, 1, S)
    n, d = memory.size(0), emb.size(1)
    pe = positional_table(max_len, d)
    ys = torch.full((n, 1), bos_id, dtype=torch.long)
    done = torch.zeros(n, dtype=torch.bool)
    for i in range(max_len):
        x = emb[ys] * math.sqrt(d) + pe[: ys.size(1)]
        out = decoder_layer(x, memory, self_w, cross_w, w1, w2, num_heads, src_mask, subsequent_mask(ys.size(1)))
        prob = out[:, -1] @ w_out
        next_word = torch.argmax(prob, dim=1)
        next_word = torch.where(done, torch.full_like(next_word, eos_id), next_word)
        done = done | (next_word == eos_id)
        ys = torch.cat([ys, next_word.unsqueeze(1)], dim=1)
    return ys[:, 1:]
