"""The brevity penalty was taken as exp(1 - ratio) with ratio = c / r (candidate over reference length), i.e. exp(1 - c/r), which rewards short output instead of penalising it.

Verdict: Wrong Answer
Mistake: brevity-penalty-inverted
"""

import math
from collections import Counter


def corpus_bleu(candidates, references):
    correct = Counter()
    total = Counter()
    sys_len = sum(len(c) for c in candidates)
    ref_len = sum(len(r) for r in references)
    for cand, ref in zip(candidates, references):
        for n in range(1, 5):
            cand_ngrams = Counter(tuple(cand[i:i + n]) for i in range(len(cand) - n + 1))
            ref_ngrams = Counter(tuple(ref[i:i + n]) for i in range(len(ref) - n + 1))
            correct[n] += sum((cand_ngrams & ref_ngrams).values())
            total[n] += sum(cand_ngrams.values())

    if sys_len == 0 or any(correct[n] == 0 for n in range(1, 5)):
        return 0.0
    precisions = [correct[n] / total[n] for n in range(1, 5)]
    ratio = sys_len / ref_len
    bp = 1.0 if ratio > 1.0 else math.exp(1.0 - ratio)
    return bp * math.exp(sum(math.log(p) for p in precisions) / 4)
