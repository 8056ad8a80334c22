"""Plain Python with collections.Counter: clipped counts per order, summed over the corpus.

Verdict: Accepted
"""

import math
from collections import Counter


def ngram_counts(tokens, n):
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def corpus_bleu(candidates, references):
    matches = [0] * 4
    totals = [0] * 4
    cand_len = ref_len = 0
    for cand, ref in zip(candidates, references):
        cand_len += len(cand)
        ref_len += len(ref)
        for n in range(1, 5):
            cand_counts = ngram_counts(cand, n)
            ref_counts = ngram_counts(ref, n)
            for gram, count in cand_counts.items():
                matches[n - 1] += min(count, ref_counts[gram])
            totals[n - 1] += sum(cand_counts.values())

    if cand_len == 0 or min(matches) == 0:
        return 0.0
    log_avg = sum(0.25 * math.log(m / t) for m, t in zip(matches, totals))
    if cand_len > ref_len:
        bp = 1.0
    else:
        bp = math.exp(1 - ref_len / cand_len)
    return bp * math.exp(log_avg)
