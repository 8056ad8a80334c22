"""Takes math.log of every precision without checking for zero: a ValueError (or a ZeroDivisionError when an order has no n-grams).

Verdict: Runtime Error
"""

import math
from collections import Counter


def corpus_bleu(candidates, references):
    c = sum(len(s) for s in candidates)
    r = sum(len(s) for s in references)
    if c == 0:
        return 0.0
    log_sum = 0.0
    for n in range(1, 5):
        matched = total = 0
        for cand, ref in zip(candidates, references):
            cand_counts = Counter(tuple(cand[i:i + n]) for i in range(len(cand) - n + 1))
            ref_counts = Counter(tuple(ref[i:i + n]) for i in range(len(ref) - n + 1))
            matched += sum(min(k, ref_counts[g]) for g, k in cand_counts.items())
            total += sum(cand_counts.values())
        log_sum += 0.25 * math.log(matched / total)
    bp = 1.0 if c > r else math.exp(1 - r / c)
    return bp * math.exp(log_sum)
