"""Right counts, but the precisions, logs and exps in float32: off by about 1e-7, far beyond float64 rounding.

Verdict: Wrong Answer
Mistake: none
"""

from collections import Counter

import numpy as np


def corpus_bleu(candidates, references):
    matches = np.zeros(4, dtype=np.float32)
    totals = np.zeros(4, dtype=np.float32)
    for cand, ref in zip(candidates, references):
        for n in range(1, 5):
            cand_counts = Counter(tuple(cand[i:i + n]) for i in range(len(cand) - n + 1))
            ref_counts = Counter(tuple(ref[i:i + n]) for i in range(len(ref) - n + 1))
            matches[n - 1] += sum(min(k, ref_counts[g]) for g, k in cand_counts.items())
            totals[n - 1] += sum(cand_counts.values())
    c = np.float32(sum(len(s) for s in candidates))
    r = np.float32(sum(len(s) for s in references))
    if c == 0 or matches.min() == 0:
        return np.float32(0.0)
    bp = np.float32(1.0) if c > r else np.exp(np.float32(1.0) - r / c)
    return bp * np.exp(np.log(matches / totals).mean())
