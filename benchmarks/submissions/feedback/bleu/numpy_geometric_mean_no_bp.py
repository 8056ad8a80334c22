"""Returns the geometric mean of the four clipped precisions and never applies the brevity penalty.

Verdict: Wrong Answer
Mistake: no-brevity-penalty
"""

from collections import Counter

import numpy as np


def corpus_bleu(candidates, references):
    max_n = 4
    numerators = np.zeros(max_n, dtype=np.float64)
    denominators = np.zeros(max_n, dtype=np.float64)
    for cand, ref in zip(candidates, references):
        for n in range(1, max_n + 1):
            c_counts = Counter(zip(*[cand[i:] for i in range(n)]))
            r_counts = Counter(zip(*[ref[i:] for i in range(n)]))
            clipped = c_counts & r_counts
            numerators[n - 1] += sum(clipped.values())
            denominators[n - 1] += max(len(cand) - n + 1, 0)
    if np.any(numerators == 0):
        return 0.0
    precisions = numerators / denominators
    return float(np.exp(np.sum(np.log(precisions)) / max_n))
