"""Returns BLEU as a percentage (0..100), the way sacrebleu prints it, instead of a fraction.

Verdict: Wrong Answer
Mistake: percentage
"""

import math
from collections import Counter


def corpus_bleu(candidates, references):
    matches = [0] * 4
    totals = [0] * 4
    c = r = 0
    for cand, ref in zip(candidates, references):
        c += len(cand)
        r += len(ref)
        for n in range(1, 5):
            cand_counts = Counter(tuple(cand[i:i + n]) for i in range(len(cand) - n + 1))
            ref_counts = Counter(tuple(ref[i:i + n]) for i in range(len(ref) - n + 1))
            matches[n - 1] += sum(min(k, ref_counts[g]) for g, k in cand_counts.items())
            totals[n - 1] += max(0, len(cand) - n + 1)
    if c == 0 or 0 in matches:
        return 0.0
    bp = 1.0 if c > r else math.exp(1 - r / c)
    bleu = bp * math.exp(sum(math.log(m / t) for m, t in zip(matches, totals)) / 4)
    return 100 * bleu
