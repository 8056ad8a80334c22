"""The keys and values are projected from the decoder input instead of encoder_out, so the block is really self-attention.

Verdict: Wrong Answer
Mistake: kv-from-decoder
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


def attention(q, k, v):  # [n_q, d_k], [n_k, d_k], [n_k, d_v] -> [n_q, d_v]
    return softmax(q @ k.T / np.sqrt(q.shape[-1])) @ v


def mha(x, kv, w_q, w_k, w_v, w_o, n_head):  # x: [n_q, d], kv: [n_k, d]
    q = x @ w_q
    k = x @ w_k
    v = x @ w_v
    q_heads = np.split(q, n_head, axis=-1)
    k_heads = np.split(k, n_head, axis=-1)
    v_heads = np.split(v, n_head, axis=-1)
    out_heads = [attention(qh, kh, vh) for qh, kh, vh in zip(q_heads, k_heads, v_heads)]
    return np.hstack(out_heads) @ w_o


def ffn(x, w_mlp1, w_mlp2):
    return gelu(x @ w_mlp1) @ w_mlp2


def cross_attention_block(decoder_x, encoder_out, w_q, w_k, w_v, w_o, w_mlp1, w_mlp2, num_heads):
    outputs = []
    for y, enc in zip(decoder_x, encoder_out):
        x = layer_norm(y + mha(y, enc, w_q, w_k, w_v, w_o, num_heads))
        x = layer_norm(x + ffn(x, w_mlp1, w_mlp2))
        outputs.append(x)
    return np.stack(outputs).astype(np.float32)
