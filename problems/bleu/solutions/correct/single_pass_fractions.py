"""One pass per sentence collects every order's n-grams at once; exact fractions until the final root.

Verdict: Accepted
"""

import math
from collections import Counter
from fractions import Fraction


def all_ngrams(tokens, max_n=4):
    counts = Counter()
    for i in range(len(tokens)):
        for n in range(1, max_n + 1):
            if i + n <= len(tokens):
                counts[tuple(tokens[i:i + n])] += 1
    return counts


def corpus_bleu(candidates, references):
    matches = [0, 0, 0, 0]
    totals = [0, 0, 0, 0]
    c = r = 0
    for cand, ref in zip(candidates, references):
        c += len(cand)
        r += len(ref)
        ref_counts = all_ngrams(ref)
        for gram, k in all_ngrams(cand).items():
            matches[len(gram) - 1] += min(k, ref_counts[gram])
            totals[len(gram) - 1] += k
    if c == 0 or 0 in matches:
        return 0.0
    product = Fraction(1)
    for m, t in zip(matches, totals):
        product *= Fraction(m, t)
    score = float(product) ** 0.25
    if c <= r:
        score *= math.exp(1 - r / c)
    return score
