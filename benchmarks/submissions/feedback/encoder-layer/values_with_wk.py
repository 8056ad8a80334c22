"""Computes the values with w_k (v = x @ w_k), so w_v is never used.

Verdict: Wrong Answer
Mistake: shared-weights
"""

import math

import torch


def encoder_layer(x, w_q, w_k, w_v, w_o, w_mlp1, w_mlp2, num_heads, padding_mask=None):
    X = torch.tensor(x, dtype=torch.float64)
    Wq, Wk, Wv, Wo, W1, W2 = (torch.tensor(w, dtype=torch.float64) for w in (w_q, w_k, w_v, w_o, w_mlp1, w_mlp2))
    N, T, D = X.shape
    H = num_heads
    Dh = D // H

    Q = (X @ Wq).reshape(N, T, H, Dh).transpose(1, 2)
    K = (X @ Wk).reshape(N, T, H, Dh).transpose(1, 2)
    V = (X @ Wk).reshape(N, T, H, Dh).transpose(1, 2)

    S = Q @ K.transpose(-2, -1) / math.sqrt(Dh)
    if padding_mask is not None:
        M = torch.tensor(padding_mask, dtype=torch.bool)[:, None, None, :]
        S = S.masked_fill(M, float("-inf"))
    A = torch.softmax(S, dim=-1)
    Z = (A @ V).transpose(1, 2).reshape(N, T, D) @ Wo

    def LN(t):
        mu = t.mean(-1, keepdim=True)
        var = t.var(-1, keepdim=True, unbiased=False)
        return (t - mu) / torch.sqrt(var + 1e-5)

    H1 = LN(X + Z)
    F1 = H1 @ W1
    F1 = 0.5 * F1 * (1 + torch.tanh(math.sqrt(2 / math.pi) * (F1 + 0.044715 * F1**3)))
    return LN(H1 + F1 @ W2).to(torch.float32).numpy()
