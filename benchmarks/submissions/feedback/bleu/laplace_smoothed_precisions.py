"""Uses add-one smoothed precisions (m + 1) / (t + 1) for every order, so a corpus without any 4-gram match still scores above 0.

Verdict: Wrong Answer
Mistake: add-one-smoothing
"""

import math
from collections import Counter


def corpus_bleu(candidates, references):
    c = sum(len(x) for x in candidates)
    r = sum(len(x) for x in references)
    if c == 0:
        return 0.0
    log_sum = 0.0
    for n in range(1, 5):
        m = t = 0
        for cand, ref in zip(candidates, references):
            cc = Counter(tuple(cand[i:i + n]) for i in range(len(cand) - n + 1))
            rc = Counter(tuple(ref[i:i + n]) for i in range(len(ref) - n + 1))
            m += sum((cc & rc).values())
            t += sum(cc.values())
        log_sum += math.log((m + 1) / (t + 1))
    bp = math.exp(1 - r / c) if c <= r else 1.0
    return bp * math.exp(log_sum / 4)
