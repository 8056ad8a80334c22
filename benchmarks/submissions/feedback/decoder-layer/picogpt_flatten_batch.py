"""Reuses 2-D picoGPT-style functions by flattening the batch into one long sequence, so sequences attend to each other (the causal mask spans the whole batch).

Verdict: Wrong Answer
Mistake: batch-mixing
"""

import numpy as np


def gelu(x):
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))


def softmax(x):
    exp_x = np.exp(x - np.max(x, axis=-1, keepdims=True))
    return exp_x / np.sum(exp_x, axis=-1, keepdims=True)


def layer_norm(x, eps=1e-5):
    mean = np.mean(x, axis=-1, keepdims=True)
    variance = np.var(x, axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(variance + eps)


def attention(q, k, v, mask):  # [n_q, d_k], [n_k, d_k], [n_k, d_v], [n_q, n_k] -> [n_q, d_v]
    return softmax(q @ k.T / np.sqrt(q.shape[-1]) + mask) @ v


def mha(x, kv, w_q, w_k, w_v, w_o, n_head, mask):  # x: [n_q, d], kv: [n_k, d]
    q, k, v = x @ w_q, kv @ w_k, kv @ w_v
    qs, ks, vs = (np.split(a, n_head, axis=-1) for a in (q, k, v))
    heads = [attention(qh, kh, vh, mask) for qh, kh, vh in zip(qs, ks, vs)]
    return np.hstack(heads) @ w_o


def decoder_layer(decoder_x, encoder_out, self_w_q, self_w_k, self_w_v, self_w_o, cross_w_q, cross_w_k, cross_w_v,
                  cross_w_o, w_mlp1, w_mlp2, num_heads, encoder_padding_mask=None):
    n, t_dec, d = decoder_x.shape
    t_enc = encoder_out.shape[1]
    x = decoder_x.reshape(n * t_dec, d)  # picoGPT works on [n_seq, n_embd]
    mem = encoder_out.reshape(n * t_enc, d)

    causal_mask = (1 - np.tri(x.shape[0], dtype=x.dtype)) * -1e10
    if encoder_padding_mask is None:
        cross_mask = np.zeros((1, n * t_enc), dtype=x.dtype)
    else:
        cross_mask = np.where(encoder_padding_mask.reshape(1, n * t_enc), -1e10, 0.0)

    x = layer_norm(x + mha(x, x, self_w_q, self_w_k, self_w_v, self_w_o, num_heads, causal_mask))
    x = layer_norm(x + mha(x, mem, cross_w_q, cross_w_k, cross_w_v, cross_w_o, num_heads, cross_mask))
    x = layer_norm(x + gelu(x @ w_mlp1) @ w_mlp2)
    return x.reshape(n, t_dec, d).astype(np.float32)
