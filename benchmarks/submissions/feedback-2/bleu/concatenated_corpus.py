"""All candidates were joined into one long token list and all references into another before counting, so n-grams run across sentence boundaries and each candidate is clipped against the whole reference corpus instead of its own reference.

Verdict: Wrong Answer
Mistake: none
"""

import math
from collections import Counter


def corpus_bleu(candidates, references):
    hyp = [tok for sent in candidates for tok in sent]
    ref = [tok for sent in references for tok in sent]
    c, r = len(hyp), len(ref)
    if c == 0:
        return 0.0
    log_p = 0.0
    for n in range(1, 5):
        h_counts = Counter(tuple(hyp[i:i + n]) for i in range(c - n + 1))
        r_counts = Counter(tuple(ref[i:i + n]) for i in range(r - n + 1))
        matched = sum(min(k, r_counts[g]) for g, k in h_counts.items())
        total = sum(h_counts.values())
        if matched == 0:
            return 0.0
        log_p += math.log(matched / total) / 4
    bp = 1.0 if c > r else math.exp(1 - r / c)
    return bp * math.exp(log_p)
