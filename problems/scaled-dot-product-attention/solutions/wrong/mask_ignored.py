"""Builds the masked scores, then takes the softmax of the unmasked ones: the mask is never applied.

Verdict: Wrong Answer
Mistake: mask-ignored
"""

import numpy as np


def softmax(s):
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def scaled_dot_product_attention(q, k, v, mask=None):
    d_k = q.shape[-1]
    scores = q @ np.swapaxes(k, -1, -2) / np.float32(np.sqrt(d_k))
    if mask is not None:
        masked_scores = np.where(mask, -np.inf, scores)  # noqa: F841 - computed, then never used
    weights = softmax(scores)
    return weights @ v
