"""NumPy: n-grams as sliding windows packed into int64 keys, counted with np.unique, clipped via intersect1d.

Verdict: Accepted
"""

import numpy as np


def windows(tokens, n, base):
    a = np.asarray(tokens, dtype=np.int64)
    if len(a) < n:
        return np.zeros(0, dtype=np.int64)
    grams = np.lib.stride_tricks.sliding_window_view(a, n)  # (len - n + 1, n)
    return grams @ (base ** np.arange(n, dtype=np.int64))  # one int64 key per n-gram


def corpus_bleu(candidates, references):
    base = 1 + max((max(s) for s in list(candidates) + list(references) if len(s)), default=0)
    matches = np.zeros(4, dtype=np.int64)
    totals = np.zeros(4, dtype=np.int64)
    for cand, ref in zip(candidates, references):
        for n in range(1, 5):
            c_keys, c_counts = np.unique(windows(cand, n, base), return_counts=True)
            r_keys, r_counts = np.unique(windows(ref, n, base), return_counts=True)
            _, ci, ri = np.intersect1d(c_keys, r_keys, assume_unique=True, return_indices=True)
            matches[n - 1] += np.minimum(c_counts[ci], r_counts[ri]).sum()
            totals[n - 1] += c_counts.sum()
    c = sum(len(s) for s in candidates)
    r = sum(len(s) for s in references)
    if c == 0 or matches.min() == 0:
        return 0.0
    precisions = matches / totals  # float64
    bp = 1.0 if c > r else np.exp(1.0 - r / c)
    return float(bp * np.exp(np.log(precisions).mean()))
