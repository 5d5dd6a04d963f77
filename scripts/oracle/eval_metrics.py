#!/usr/bin/python3
"""Reference values for src/engine/eval/binary.ts and classPair.ts: writes tests/fixtures/eval-metrics.json.

Binary pair metrics: sentence-transformers' BinaryClassificationEvaluator.find_best_acc_and_threshold and
find_best_f1_and_threshold (copied below from sentence_transformers/sentence_transformer/evaluation/
binary_classification.py, high_score_more_similar=True), sklearn's average_precision_score and
matthews_corrcoef(labels, scores >= f1_threshold), as the evaluator calls them. Macro-F1: sklearn's
f1_score(average='macro'); accuracy: accuracy_score. Needs numpy and scikit-learn (Debian: python3-sklearn).

  /usr/bin/python3 scripts/oracle/eval_metrics.py
"""
import json
import os
import warnings

import numpy as np
from sklearn.metrics import accuracy_score, average_precision_score, f1_score, matthews_corrcoef

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, 'tests', 'fixtures', 'eval-metrics.json')


def find_best_acc_and_threshold(scores, labels, high_score_more_similar: bool):
    assert len(scores) == len(labels)
    rows = list(zip(scores, labels))
    rows = sorted(rows, key=lambda x: x[0], reverse=high_score_more_similar)
    max_acc = 0
    best_threshold = -1
    positive_so_far = 0
    remaining_negatives = sum(labels == 0)
    for i in range(len(rows) - 1):
        score, label = rows[i]
        if label == 1:
            positive_so_far += 1
        else:
            remaining_negatives -= 1
        acc = (positive_so_far + remaining_negatives) / len(labels)
        if acc > max_acc:
            max_acc = acc
            best_threshold = (rows[i][0] + rows[i + 1][0]) / 2
    return max_acc, best_threshold


def find_best_f1_and_threshold(scores, labels, high_score_more_similar: bool):
    assert len(scores) == len(labels)
    scores = np.asarray(scores)
    labels = np.asarray(labels)
    rows = list(zip(scores, labels))
    rows = sorted(rows, key=lambda x: x[0], reverse=high_score_more_similar)
    best_f1 = best_precision = best_recall = 0
    threshold = 0
    nextract = 0
    ncorrect = 0
    total_num_duplicates = sum(labels)
    for i in range(len(rows) - 1):
        score, label = rows[i]
        nextract += 1
        if label == 1:
            ncorrect += 1
        if ncorrect > 0:
            precision = ncorrect / nextract
            recall = ncorrect / total_num_duplicates
            f1 = 2 * precision * recall / (precision + recall)
            if f1 > best_f1:
                best_f1 = f1
                best_precision = precision
                best_recall = recall
                threshold = (rows[i][0] + rows[i + 1][0]) / 2
    return best_f1, best_precision, best_recall, threshold


def binary_case(scores, labels):
    scores = np.asarray(scores, dtype=np.float64)
    labels = np.asarray(labels)
    acc, acc_threshold = find_best_acc_and_threshold(scores, labels, True)
    f1, precision, recall, f1_threshold = find_best_f1_and_threshold(scores, labels, True)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        ap = average_precision_score(labels, scores)
        mcc = matthews_corrcoef(labels, scores >= f1_threshold)
    return {
        'scores': scores.tolist(),
        'labels': labels.tolist(),
        'expected': {
            'accuracy': float(acc),
            'accuracy_threshold': float(acc_threshold),
            'f1': float(f1),
            'f1_threshold': float(f1_threshold),
            'precision': float(precision),
            'recall': float(recall),
            'ap': float(ap),
            'mcc': float(mcc),
        },
    }


def main():
    rng = np.random.default_rng(20261202)
    binary = []
    for n, decimals, p in [(2, 3, 0.5), (5, 1, 0.5), (8, 1, 0.4), (12, 1, 0.5), (20, 2, 0.3), (40, 1, 0.6), (200, 2, 0.5), (500, 6, 0.2)]:
        for _ in range(3):
            labels = (rng.random(n) < p).astype(int)
            # Positives score higher on average; rounding makes ties.
            scores = np.round(rng.normal(0.3, 0.25, n) + 0.3 * labels, decimals)
            binary.append(binary_case(scores, labels))
    binary.append(binary_case([0.9, 0.5, 0.5, 0.1], [1, 1, 1, 1]))
    binary.append(binary_case([0.9, 0.5, 0.5, 0.1], [0, 0, 0, 0]))
    binary.append(binary_case([0.5, 0.5, 0.5, 0.5], [1, 0, 1, 0]))
    binary.append(binary_case([0.2, -0.4, 0.7, 0.7, 0.1, 0.7], [0, 0, 1, 0, 1, 1]))

    macro = []
    for n, k in [(1, 3), (6, 3), (30, 3), (100, 5), (50, 2)]:
        labels = rng.integers(0, k, n)
        predicted = np.where(rng.random(n) < 0.6, labels, rng.integers(0, k, n))
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            macro.append({
                'predicted': predicted.tolist(),
                'labels': labels.tolist(),
                'expected': {
                    'accuracy': float(accuracy_score(labels, predicted)),
                    'f1_macro': float(f1_score(labels, predicted, average='macro')),
                },
            })
    # A class that is only predicted, never a label, and one that is only a label.
    macro.append({'predicted': [0, 0, 2, 2], 'labels': [0, 1, 1, 2],
                  'expected': {'accuracy': 0.5, 'f1_macro': float(f1_score([0, 1, 1, 2], [0, 0, 2, 2], average='macro'))}})

    with open(OUT, 'w') as f:
        json.dump({'binary': binary, 'macro_f1': macro}, f, indent=1)
        f.write('\n')
    print(f'wrote {OUT}: {len(binary)} binary cases, {len(macro)} macro-F1 cases')


if __name__ == '__main__':
    main()
