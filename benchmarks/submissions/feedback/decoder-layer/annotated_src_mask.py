"""Uses encoder_padding_mask as an Annotated-Transformer src_mask with masked_fill(mask == 0, -1e9), so the real encoder keys are hidden and the padded ones attended.

Verdict: Wrong Answer
Mistake: mask-inverted
"""

import math

import torch


def subsequent_mask(size):
    "Mask out subsequent positions."
    attn_shape = (1, size, size)
    subsequent = torch.triu(torch.ones(attn_shape), diagonal=1).type(torch.uint8)
    return subsequent == 0


def attention(query, key, value, mask=None):
    d_k = query.size(-1)
    scores = torch.matmul(query, key.transpose(-2, -1)) / math.sqrt(d_k)
    if mask is not None:
        scores = scores.masked_fill(mask == 0, -1e9)
    p_attn = scores.softmax(dim=-1)
    return torch.matmul(p_attn, value)


def multi_headed(query, key, value, weights, h, mask=None):
    w_q, w_k, w_v, w_o = weights
    nbatches, _, d_model = query.shape
    d_k = d_model // h
    if mask is not None:
        mask = mask.unsqueeze(1)  # same mask applied to all heads
    q, k, v = [(x @ w).view(nbatches, -1, h, d_k).transpose(1, 2)
               for w, x in zip((w_q, w_k, w_v), (query, key, value))]
    x = attention(q, k, v, mask=mask)
    x = x.transpose(1, 2).contiguous().view(nbatches, -1, h * d_k)
    return x @ w_o


def norm(x, eps=1e-5):
    mean = x.mean(-1, keepdim=True)
    var = x.var(-1, unbiased=False, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps)


def decoder_layer(decoder_x, encoder_out, self_w_q, self_w_k, self_w_v, self_w_o, cross_w_q, cross_w_k, cross_w_v,
                  cross_w_o, w_mlp1, w_mlp2, num_heads, encoder_padding_mask=None):
    x = torch.from_numpy(decoder_x)
    memory = torch.from_numpy(encoder_out)
    self_w = [torch.from_numpy(w) for w in (self_w_q, self_w_k, self_w_v, self_w_o)]
    src_w = [torch.from_numpy(w) for w in (cross_w_q, cross_w_k, cross_w_v, cross_w_o)]
    w1, w2 = torch.from_numpy(w_mlp1), torch.from_numpy(w_mlp2)

    tgt_mask = subsequent_mask(x.size(1))
    src_mask = None if encoder_padding_mask is None else torch.from_numpy(encoder_padding_mask).unsqueeze(-2)

    x = norm(x + multi_headed(x, x, x, self_w, num_heads, tgt_mask))
    x = norm(x + multi_headed(x, memory, memory, src_w, num_heads, src_mask))
    hidden = x @ w1
    hidden = 0.5 * hidden * (1 + torch.tanh(math.sqrt(2 / math.pi) * (hidden + 0.044715 * torch.pow(hidden, 3))))
    return norm(x + hidden @ w2).numpy()
