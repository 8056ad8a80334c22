"""Computes the brevity penalty before checking for empty candidates: 1 - r/c divides by zero when c = 0.

Verdict: Runtime Error
"""

import math
from collections import Counter


def corpus_bleu(candidates, references):
    c = sum(len(s) for s in candidates)
    r = sum(len(s) for s in references)
    bp = 1.0 if c > r else math.exp(1 - r / c)
    matches = [0] * 4
    totals = [0] * 4
    for cand, ref in zip(candidates, references):
        for n in range(1, 5):
            cand_counts = Counter(tuple(cand[i:i + n]) for i in range(len(cand) - n + 1))
            ref_counts = Counter(tuple(ref[i:i + n]) for i in range(len(ref) - n + 1))
            matches[n - 1] += sum((cand_counts & ref_counts).values())
            totals[n - 1] += sum(cand_counts.values())
    if min(matches) == 0:
        return 0.0
    return bp * math.exp(sum(math.log(m / t) for m, t in zip(matches, totals)) / 4)
