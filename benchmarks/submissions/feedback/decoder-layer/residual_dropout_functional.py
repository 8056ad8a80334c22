"""Calls F.dropout(p=0.1) on each sublayer output before the residual sum, forgetting that F.dropout defaults to training=True, so outputs are random.

Verdict: Wrong Answer
Mistake: nondeterministic
"""

import math

import torch
import torch.nn.functional as F

P_DROP = 0.1


def mha(xq, xkv, w_q, w_k, w_v, w_o, n_head, mask=None, is_causal=False):
    B, Tq, C = xq.shape
    Tk = xkv.shape[1]
    q = (xq @ w_q).view(B, Tq, n_head, -1).transpose(1, 2)
    k = (xkv @ w_k).view(B, Tk, n_head, -1).transpose(1, 2)
    v = (xkv @ w_v).view(B, Tk, n_head, -1).transpose(1, 2)
    y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, is_causal=is_causal)
    return y.transpose(1, 2).reshape(B, Tq, C) @ w_o


def decoder_layer(decoder_x, encoder_out, self_w_q, self_w_k, self_w_v, self_w_o, cross_w_q, cross_w_k, cross_w_v,
                  cross_w_o, w_mlp1, w_mlp2, num_heads, encoder_padding_mask=None):
    y = torch.from_numpy(decoder_x)
    enc = torch.from_numpy(encoder_out)
    sw = [torch.from_numpy(w) for w in (self_w_q, self_w_k, self_w_v, self_w_o)]
    cw = [torch.from_numpy(w) for w in (cross_w_q, cross_w_k, cross_w_v, cross_w_o)]
    fc1, fc2 = torch.from_numpy(w_mlp1), torch.from_numpy(w_mlp2)
    C = y.shape[-1]
    keep = None
    if encoder_padding_mask is not None:
        keep = ~torch.from_numpy(encoder_padding_mask)[:, None, None, :]

    x = F.layer_norm(y + F.dropout(mha(y, y, *sw, num_heads, is_causal=True), P_DROP), (C,))
    x = F.layer_norm(x + F.dropout(mha(x, enc, *cw, num_heads, mask=keep), P_DROP), (C,))
    ff = F.gelu(x @ fc1, approximate="tanh") @ fc2
    x = F.layer_norm(x + F.dropout(ff, P_DROP), (C,))
    return x
