"""Counts every candidate n-gram that occurs in the reference, without clipping to the reference's count.

Verdict: Wrong Answer
Mistake: no-clipping
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
            ref_counts = ngram_counts(ref, n)
            matches[n - 1] += sum(count for gram, count in cand_counts.items() if gram in ref_counts)
            totals[n - 1] += sum(cand_counts.values())
    if c == 0 or min(matches) == 0:
        return 0.0
    bp = 1.0 if c > r else math.exp(1 - r / c)
    return bp * math.exp(sum(math.log(m / t) for m, t in zip(matches, totals)) / 4)
