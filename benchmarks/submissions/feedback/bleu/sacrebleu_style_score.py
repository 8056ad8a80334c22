"""Reports the score on sacrebleu's 0-100 scale (100 * bp * exp(...)) instead of as a fraction.

Verdict: Wrong Answer
Mistake: percentage
"""

import math
from collections import Counter


def extract_ngrams(tokens, max_order=4):
    grams = Counter()
    for n in range(1, max_order + 1):
        for i in range(len(tokens) - n + 1):
            grams[tuple(tokens[i:i + n])] += 1
    return grams


def corpus_bleu(candidates, references):
    correct = [0] * 4
    total = [0] * 4
    sys_len = ref_len = 0
    for hyp, ref in zip(candidates, references):
        sys_len += len(hyp)
        ref_len += len(ref)
        hyp_grams = extract_ngrams(hyp)
        ref_grams = extract_ngrams(ref)
        for gram, count in hyp_grams.items():
            n = len(gram)
            correct[n - 1] += min(count, ref_grams.get(gram, 0))
            total[n - 1] += count
    if sys_len == 0 or min(correct) == 0:
        return 0.0
    precisions = [100.0 * correct[n] / total[n] for n in range(4)]
    bp = 1.0 if sys_len > ref_len else math.exp(1 - ref_len / sys_len)
    score = bp * math.exp(sum(math.log(p / 100.0) for p in precisions) / 4)
    return 100.0 * score
