"""Leaves out the brevity penalty: returns the geometric mean of the precisions alone.

Verdict: Wrong Answer
Mistake: no-brevity-penalty
"""

import math
from collections import Counter


def ngram_counts(tokens, n):
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def corpus_bleu(candidates, references):
    matches = [0] * 4
    totals = [0] * 4
    for cand, ref in zip(candidates, references):
        for n in range(1, 5):
            cand_counts = ngram_counts(cand, n)
            matches[n - 1] += sum((cand_counts & ngram_counts(ref, n)).values())
            totals[n - 1] += sum(cand_counts.values())
    if min(matches) == 0:
        return 0.0
    return math.exp(sum(0.25 * math.log(m / t) for m, t in zip(matches, totals)))
