"""Loops over range(1, 4): only the 1-, 2- and 3-gram precisions enter the geometric mean.

Verdict: Wrong Answer
Mistake: orders-one-to-three
"""

import math
from collections import Counter


def corpus_bleu(candidates, references):
    log_precisions = []
    for n in range(1, 4):
        matched = total = 0
        for cand, ref in zip(candidates, references):
            cand_counts = Counter(tuple(cand[i:i + n]) for i in range(len(cand) - n + 1))
            ref_counts = Counter(tuple(ref[i:i + n]) for i in range(len(ref) - n + 1))
            matched += sum(min(k, ref_counts[g]) for g, k in cand_counts.items())
            total += sum(cand_counts.values())
        if matched == 0:
            return 0.0
        log_precisions.append(math.log(matched / total))
    c = sum(len(s) for s in candidates)
    r = sum(len(s) for s in references)
    bp = 1.0 if c > r else math.exp(1 - r / c)
    return bp * math.exp(sum(log_precisions) / len(log_precisions))
