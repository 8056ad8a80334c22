"""Writes the brevity penalty as exp(1 - c/r) instead of exp(1 - r/c).

Verdict: Wrong Answer
Mistake: brevity-penalty-inverted
"""

import math
from collections import Counter


def ngram_counts(tokens, n):
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def corpus_bleu(candidates, references):
    matches = [0] * 4
    totals = [0] * 4
    c = sum(len(s) for s in candidates)
    r = sum(len(s) for s in references)
    for cand, ref in zip(candidates, references):
        for n in range(1, 5):
            cand_counts = ngram_counts(cand, n)
            matches[n - 1] += sum((cand_counts & ngram_counts(ref, n)).values())
            totals[n - 1] += sum(cand_counts.values())
    if c == 0 or min(matches) == 0:
        return 0.0
    bp = math.exp(1 - c / r) if c < r else 1.0
    return bp * math.exp(sum(math.log(m / t) for m, t in zip(matches, totals)) / 4)
