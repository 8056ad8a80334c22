"""The n-gram orders were taken from range(1, MAX_ORDER) with MAX_ORDER = 4, so only unigrams to trigrams enter the geometric mean (an equal-weight mean over three orders).

Verdict: Wrong Answer
Mistake: orders-one-to-three
"""

import math
from collections import Counter

MAX_ORDER = 4


def count_ngrams(seq, n):
    return Counter(tuple(seq[i:i + n]) for i in range(len(seq) - n + 1))


def corpus_bleu(candidates, references):
    orders = range(1, MAX_ORDER)
    matches = {n: 0 for n in orders}
    possible = {n: 0 for n in orders}
    c = r = 0
    for cand, ref in zip(candidates, references):
        c += len(cand)
        r += len(ref)
        for n in orders:
            cc, rc = count_ngrams(cand, n), count_ngrams(ref, n)
            matches[n] += sum(min(k, rc[g]) for g, k in cc.items())
            possible[n] += max(len(cand) - n + 1, 0)
    if c == 0 or any(matches[n] == 0 for n in orders):
        return 0.0
    log_precisions = [math.log(matches[n] / possible[n]) for n in orders]
    geo_mean = math.exp(sum(log_precisions) / len(log_precisions))
    bp = math.exp(1 - r / c) if c <= r else 1.0
    return geo_mean * bp
