"""Smooths the precisions of orders 2..4 with add-one, (m + 1) / (t + 1), so no order is ever zero.

Verdict: Wrong Answer
Mistake: add-one-smoothing
"""

import math
from collections import Counter


def ngram_counts(tokens, n):
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def corpus_bleu(candidates, references):
    matches = [0] * 4
    totals = [0] * 4
    c = r = 0
    for cand, ref in zip(candidates, references):
        c += len(cand)
        r += len(ref)
        for n in range(1, 5):
            cand_counts = ngram_counts(cand, n)
            matches[n - 1] += sum((cand_counts & ngram_counts(ref, n)).values())
            totals[n - 1] += sum(cand_counts.values())
    if c == 0 or matches[0] == 0:
        return 0.0
    precisions = [matches[0] / totals[0]]
    for n in range(1, 4):
        precisions.append((matches[n] + 1) / (totals[n] + 1))  # avoid log(0) on short outputs
    bp = 1.0 if c > r else math.exp(1 - r / c)
    return bp * math.exp(sum(math.log(p) for p in precisions) / 4)
