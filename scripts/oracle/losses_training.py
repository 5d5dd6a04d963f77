#!/usr/bin/python3
"""PyTorch reference of 5 training steps on tiny-bert for every loss of the engine, and the generator of
tests/fixtures/loss-training.json (issue #19: "training through the CLI with each loss must match a PyTorch run of
the same 5 steps to 1e-3").

The model, tokenisation, AdamW and the no-decay rule are scripts/oracle/variants.py's (float32, dropout off, HF
BertModel transcription); the losses are written here from sentence-transformers' arithmetic (the formulas of
tests/fixtures/losses-v2.json, and each is checked against that fixture's values in float64 before anything is
written). The run of every case: the same start (tests/fixtures/tiny-bert/model), batches of 4 in file order (the
engine's batch order 'sequential', the CLI's --no-shuffle; the batches repeat from the start when the records run
out), torch.optim.AdamW lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 0.01 except biases and LayerNorm
parameters (and SoftmaxLoss's classifier bias), a linear schedule with 1 warmup step (the first step runs at lr 0),
no gradient clipping. Each batch is embedded in one forward pass, texts in the engine's encoder order: anchors,
positives, then the negatives column after column (negative j of row i at j·B + i). Groups have exactly one
positive per row and use every negative, so the engine draws nothing.

SoftmaxLoss's classifier is the engine's initClassifier(classes, 96, seed 42) (mulberry32 reproduced below) and
trains with the encoder; GISTEmbed's guide is the frozen initial model.

  /usr/bin/python3 scripts/oracle/losses_training.py           # checks the losses, writes the fixture
  /usr/bin/python3 scripts/oracle/losses_training.py check     # checks the losses against losses-v2.json only
"""
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from variants import FIXTURES, Model, no_decay  # noqa: E402

MODEL_DIR = os.path.join(FIXTURES, 'tiny-bert', 'model')
OUT = os.path.join(FIXTURES, 'loss-training.json')
LR, WARMUP, STEPS, BATCH, WEIGHT_DECAY, SEED = 1e-3, 1, 5, 4, 0.01, 42

# ------------------------------------------------------------------------------------------------- the losses
# Every loss takes the batch's embeddings by role: a [B, D], p [B, D] or None, negs: a list of k columns [B, D]
# (negative j of every row), labels [B] or None, teacher [B, 1 + k] or None, guide (a, p, negs) or None,
# classifier (W [C, 3D], b [C]) or None.


def cos_mat(x, y):
    return F.normalize(x, p=2, dim=1) @ F.normalize(y, p=2, dim=1).T


def cos_rows(x, y):
    return (F.normalize(x, p=2, dim=1) * F.normalize(y, p=2, dim=1)).sum(1)


def ce(logits, target):
    return F.cross_entropy(logits, target)


def arange(B):
    return torch.arange(B)


def mnrl(r, scale=20.0):
    cands = torch.cat([r['p']] + r['negs'], 0)
    return ce(cos_mat(r['a'], cands) * scale, arange(r['a'].shape[0]))


def mnrl_symmetric(r, scale=20.0):
    back = ce(cos_mat(r['p'], r['a']) * scale, arange(r['a'].shape[0]))
    return (mnrl(r, scale) + back) / 2


def mnrl_gte(r, scale=20.0):
    a, p = r['a'], r['p']
    B = a.shape[0]
    docs = torch.cat([p] + r['negs'], 0)  # [B (1 + k), D]
    C = docs.shape[0]
    eye = torch.eye(B, dtype=torch.bool)
    own = torch.zeros(B, C, dtype=torch.bool)  # doc c belongs to row c mod B
    for c in range(C):
        own[c % B, c] = True
    qd = cos_mat(a, docs)
    qq = cos_mat(a, a).masked_fill(eye, -torch.inf)
    dq = cos_mat(p, a)
    dd = cos_mat(p, docs).masked_fill(own, -torch.inf)
    return ce(torch.cat([qd, qq, dq, dd], 1) * scale, arange(B))


def uniem_triplet(r, temperature=0.05):
    a = r['a']
    negs = torch.cat(r['negs'], 0)
    logits = torch.cat([cos_rows(a, r['p'])[:, None], cos_mat(a, negs)], 1) / temperature
    return ce(logits, torch.zeros(a.shape[0], dtype=torch.long))


def gist(r, temperature=0.01, margin=0.0):
    a, p = r['a'], r['p']
    ga, gp, gn = r['guide']
    B = a.shape[0]
    eye = torch.eye(B, dtype=torch.bool)
    with torch.no_grad():
        g_ap = cos_mat(ga, gp)
        thr = g_ap.diagonal().view(-1, 1) - margin
    blocks = [(cos_mat(a, p), g_ap, True), (cos_mat(a, a), cos_mat(ga, ga), False), (cos_mat(p, p), cos_mat(gp, gp), False)]
    if r['negs']:
        blocks.append((cos_mat(a, torch.cat(r['negs'], 0)), cos_mat(ga, torch.cat(gn, 0)), False))
    out = []
    for sim, gsim, positive in blocks:
        mask = gsim > thr
        if positive:
            mask = mask & ~eye
        out.append(sim.masked_fill(mask, -torch.inf))
    return ce(torch.cat(out, 1) / temperature, arange(B))


def gist_margins(r, margin=0.0):
    """The smallest |guide cosine − threshold| over the entries that are not always in or always out."""
    ga, gp, gn = r['guide']
    B = ga.shape[0]
    g_ap = cos_mat(ga, gp)
    thr = g_ap.diagonal().view(-1, 1) - margin
    off = ~torch.eye(B, dtype=torch.bool)
    gaps = [(g_ap - thr)[off], (cos_mat(ga, ga) - thr)[off], (cos_mat(gp, gp) - thr)[off]]
    if gn:
        gaps.append((cos_mat(ga, torch.cat(gn, 0)) - thr).reshape(-1))
    return float(torch.cat(gaps).abs().min())


def mega_batch_margin(r, positive_margin=0.8, negative_margin=0.3):
    s = cos_mat(r['a'], r['p'])
    B = s.shape[0]
    eye = torch.eye(B, dtype=s.dtype)
    pos = s.diagonal()
    hardest = (s - 2 * eye).max(1).values
    return (F.relu(positive_margin - pos) + F.relu(hardest - negative_margin)).mean()


def cosent_from_scores(scores, labels):
    diffs = scores[:, None] - scores[None, :]
    ordered = (labels[:, None] < labels[None, :]).to(scores.dtype)
    diffs = diffs - (1 - ordered) * 1e12
    return torch.logsumexp(torch.cat([torch.zeros(1, dtype=scores.dtype), diffs.view(-1)]), 0)


def cosent(r, scale=20.0):
    return cosent_from_scores(cos_rows(r['a'], r['p']) * scale, r['labels'])


def pairwise_angle_sim(x, y):
    if x.shape[1] % 2 == 1:
        x, y = F.pad(x, (0, 1)), F.pad(y, (0, 1))
    a, b = torch.chunk(x, 2, dim=1)
    c, d = torch.chunk(y, 2, dim=1)
    re = a * c + b * d
    im = b * c - a * d
    return ((re + im).sum(1) / (x.norm(dim=1) * y.norm(dim=1))).abs()


def angle(r, scale=20.0):
    return cosent_from_scores(pairwise_angle_sim(r['a'], r['p']) * scale, r['labels'])


def cosine(r):
    return F.mse_loss(cos_rows(r['a'], r['p']), r['labels'])


def contrastive(r, margin=0.5):
    d = 1 - cos_rows(r['a'], r['p'])
    y = r['labels']
    return (0.5 * (y * d.pow(2) + (1 - y) * F.relu(margin - d).pow(2))).mean()


def online_contrastive(r, margin=0.5):
    d = 1 - cos_rows(r['a'], r['p'])
    y = r['labels']
    negs, poss = d[y == 0], d[y == 1]
    negative_pairs = negs[negs < (poss.max() if len(poss) > 1 else negs.mean())]
    positive_pairs = poss[poss > (negs.min() if len(negs) > 1 else poss.mean())]
    return positive_pairs.pow(2).sum() + F.relu(margin - negative_pairs).pow(2).sum()


def online_contrastive_margins(r):
    """The smallest distance of a pair's d from the threshold that selects it."""
    with torch.no_grad():
        d = 1 - cos_rows(r['a'], r['p'])
        y = r['labels']
        negs, poss = d[y == 0], d[y == 1]
        tn = poss.max() if len(poss) > 1 else negs.mean()
        tp = negs.min() if len(negs) > 1 else poss.mean()
        gaps = torch.cat([(negs - tn).abs(), (poss - tp).abs()])
        return float(gaps[gaps > 0].min())  # the pair that is the threshold itself is never selected (strict)


def triplet(r, margin=5.0):
    a, p, n = r['a'], r['p'], r['negs'][0]
    return F.relu(F.pairwise_distance(a, p, p=2) - F.pairwise_distance(a, n, p=2) + margin).mean()


def softmax_loss(r):
    u, v = r['a'], r['p']
    W, b = r['classifier']
    logits = torch.cat([u, v, (u - v).abs()], 1) @ W.T + b
    return ce(logits, r['labels'].long())


def euclidean(x):
    dot = x @ x.T
    sq = torch.diag(dot)
    d2 = sq.unsqueeze(0) - 2.0 * dot + sq.unsqueeze(1)
    d2 = torch.where(d2 < 0, torch.zeros_like(d2), d2)
    mask = d2.eq(0).to(x.dtype)
    return (1.0 - mask) * torch.sqrt(d2 + mask * 1e-16)


def label_masks(labels):
    B = labels.shape[0]
    same = labels[:, None] == labels[None, :]
    eye = torch.eye(B, dtype=torch.bool)
    return same & ~eye, ~same  # anchor-positive, anchor-negative


def hardest(x, labels):
    d = euclidean(x)
    ap, an = label_masks(labels)
    hp = (ap.to(d.dtype) * d).max(1, keepdim=True).values
    mx = d.max(1, keepdim=True).values
    hn = (d + mx * (1.0 - an.to(d.dtype))).min(1, keepdim=True).values
    return hp, hn


def batch_hard_triplet(r, margin=5.0):
    hp, hn = hardest(r['a'], r['labels'])
    return F.relu(hp - hn + margin).mean()


def batch_hard_soft_margin_triplet(r):
    hp, hn = hardest(r['a'], r['labels'])
    return torch.log1p(torch.exp(hp - hn)).mean()


def batch_all_triplet(r, margin=5.0):
    d = euclidean(r['a'])
    ap, an = label_masks(r['labels'])
    valid = (ap[:, :, None] & an[:, None, :]).to(d.dtype)
    t = valid * (d[:, :, None] - d[:, None, :] + margin)
    t = torch.where(t < 0, torch.zeros_like(t), t)
    n = int((t > 1e-16).sum())
    return t.sum() / (n + 1e-16)


def batch_semi_hard_triplet(r, margin=5.0):
    """BatchSemiHardTripletLoss.batch_semi_hard_triplet_loss, as upstream writes it (tiles and transposes)."""
    labels = r['labels'][:, None]
    d = euclidean(r['a'])
    B = labels.shape[0]
    adjacency = labels == labels.t()
    adjacency_not = ~adjacency
    tile = d.repeat(B, 1)
    mask = adjacency_not.repeat(B, 1) & (tile > torch.reshape(d.t(), [-1, 1]))
    mask_final = torch.reshape(torch.sum(mask, 1, keepdim=True) > 0.0, [B, B]).t()

    def masked_minimum(data, m):
        mx = data.max(1, keepdim=True).values
        return ((data - mx) * m).min(1, keepdim=True).values + mx

    def masked_maximum(data, m):
        mn = data.min(1, keepdim=True).values
        return ((data - mn) * m).max(1, keepdim=True).values + mn

    outside = torch.reshape(masked_minimum(tile, mask.to(d.dtype)), [B, B]).t()
    inside = masked_maximum(d, adjacency_not.to(d.dtype)).repeat(1, B)
    semi = torch.where(mask_final, outside, inside)
    loss_mat = d - semi + margin
    pos = adjacency.to(d.dtype) - torch.eye(B, dtype=d.dtype)
    return torch.sum(torch.max(loss_mat * pos, torch.tensor([0.0], dtype=d.dtype))) / torch.sum(pos)


def margin_mse(r):
    q, p = r['a'], r['p']
    pos = (q * p).sum(1)
    student = torch.stack([pos - (q * n).sum(1) for n in r['negs']], 1)  # [B, k]
    if r['teacher'] is not None:
        t = r['teacher']
        teacher = t[:, :1] - t[:, 1:]
    else:
        teacher = r['labels'][:, None]
    return F.mse_loss(student, teacher)


def distill_kl(r, temperature=1.0):
    q = r['a']
    s = torch.stack([(q * c).sum(1) for c in [r['p']] + r['negs']], 1)
    sl = F.log_softmax(s / temperature, 1)
    tl = F.log_softmax(r['teacher'] / temperature, 1)
    return F.kl_div(sl, tl, reduction='batchmean', log_target=True) * temperature ** 2


def matryoshka(inner, dims):
    def f(r, **kw):
        total = 0
        for d in dims:
            cut = lambda x: F.normalize(x[:, :d], p=2, dim=1)  # noqa: E731
            total = total + inner({**r, 'a': cut(r['a']), 'p': r['p'] if r['p'] is None else cut(r['p']), 'negs': [cut(n) for n in r['negs']]}, **kw)
        return total
    return f


LOSS_FNS = {
    'mnrl': mnrl, 'mnrl-symmetric': mnrl_symmetric, 'mnrl-gte': mnrl_gte, 'uniem-triplet': uniem_triplet, 'gist': gist,
    'mega-batch-margin': mega_batch_margin, 'cosent': cosent, 'angle': angle, 'cosine': cosine, 'contrastive': contrastive,
    'online-contrastive': online_contrastive, 'triplet': triplet, 'softmax': softmax_loss, 'batch-all-triplet': batch_all_triplet,
    'batch-hard-triplet': batch_hard_triplet, 'batch-semi-hard-triplet': batch_semi_hard_triplet,
    'batch-hard-soft-margin-triplet': batch_hard_soft_margin_triplet, 'margin-mse': margin_mse, 'distill-kl': distill_kl,
}

# ----------------------------------------------------------------------------- check against losses-v2.json

V2_CASES = {  # losses-v2 case → (loss function, keyword arguments)
    'softmax_nli': (softmax_loss, {}),
    'online_contrastive_margin0.5': (online_contrastive, {}),
    'online_contrastive_margin0.5_one_positive': (online_contrastive, {}),
    'online_contrastive_margin0.5_one_negative': (online_contrastive, {}),
    'contrastive_margin0.5': (contrastive, {}),
    'batch_hard_triplet_margin5': (batch_hard_triplet, {}),
    'batch_all_triplet_margin5': (batch_all_triplet, {}),
    'batch_semi_hard_triplet_margin5': (batch_semi_hard_triplet, {}),
    'batch_hard_soft_margin_triplet': (batch_hard_soft_margin_triplet, {}),
    'mega_batch_margin': (mega_batch_margin, {}),
    'mnrl_3neg_scale20': (mnrl, {'scale': 20.0}),
    'mnrl_3neg_scale50': (mnrl, {'scale': 50.0}),
    'mnrl_symmetric_3neg_scale20': (mnrl_symmetric, {}),
    'mnrl_gte_3neg_scale20': (mnrl_gte, {}),
    'mnrl_pairs_duplicate_positive_scale20': (mnrl, {}),
    'mnrl_symmetric_pairs_duplicate_positive_scale20': (mnrl_symmetric, {}),
    'cosent_scale20': (cosent, {}),
    'angle_scale20': (angle, {}),
    'angle_scale20_odd_dim7': (angle, {}),
    'matryoshka_mnrl_scale20_dims8_4_2': (matryoshka(mnrl, [8, 4, 2]), {}),
    'matryoshka_cosent_scale20_dims8_4_2': (matryoshka(cosent, [8, 4, 2]), {}),
    'gist_pairs_t0.01': (gist, {}),
    'gist_triplets_t0.01': (gist, {}),
    'gist_pairs_duplicate_positive_t0.01': (gist, {}),
    'margin_mse_1neg': (margin_mse, {}),
    'margin_mse_2neg': (margin_mse, {}),
    'distill_kl_div_T1': (distill_kl, {'temperature': 1.0}),
    'distill_kl_div_T2': (distill_kl, {'temperature': 2.0}),
}


def v2_roles(inputs):
    t = lambda k: torch.tensor(inputs[k], dtype=torch.float64) if k in inputs else None  # noqa: E731
    a = t('anchor') if 'anchor' in inputs else t('sentence1') if 'sentence1' in inputs else t('embeddings') if 'embeddings' in inputs else t('query')
    p = t('positive') if 'positive' in inputs else t('sentence2')
    negs = [t(k) for k in sorted(k for k in inputs if k.startswith('negative_') and not k.endswith('_guide'))]
    if 'negative' in inputs:
        negs = [t('negative')]
    label = t('label')
    teacher = label if label is not None and label.dim() == 2 else None
    labels = label if label is not None and label.dim() == 1 else None
    guide = (t('anchor_guide'), t('positive_guide'), [t('negative_guide')] if 'negative_guide' in inputs else []) if 'anchor_guide' in inputs else None
    classifier = (t('classifier_weight'), t('classifier_bias')) if 'classifier_weight' in inputs else None
    return {'a': a, 'p': p, 'negs': negs, 'labels': labels, 'teacher': teacher, 'guide': guide, 'classifier': classifier}


def check_v2():
    cases = json.load(open(os.path.join(FIXTURES, 'losses-v2.json')))['cases']
    worst = 0.0
    for name, (fn, kw) in V2_CASES.items():
        got = float(fn(v2_roles(cases[name]['inputs']), **kw))
        rel = abs(got - cases[name]['value']) / max(abs(cases[name]['value']), 1e-12)
        worst = max(worst, rel)
        assert rel < 1e-9, f'{name}: {got} vs {cases[name]["value"]}'
    missing = set(cases) - set(V2_CASES)
    print(f'losses-v2: {len(V2_CASES)} cases, worst relative error {worst:.2e}; not covered: {sorted(missing)}', flush=True)
    return worst


# ------------------------------------------------------------------------------------------ engine pieces

M32 = 0xFFFFFFFF


def mulberry32(seed):
    """src/engine/data/random.ts's mulberry32, in unsigned 32-bit arithmetic."""
    state = [seed & M32]

    def imul(x, y):
        return (x * y) & M32

    def rng():
        state[0] = (state[0] + 0x6D2B79F5) & M32
        t = state[0]
        t = imul(t ^ (t >> 15), t | 1)
        t = (t ^ ((t + imul(t ^ (t >> 7), t | 61)) & M32)) & M32
        return ((t ^ (t >> 14)) & M32) / 4294967296.0
    return rng


def init_classifier(classes, dim, seed):
    """src/engine/losses/softmax.ts's initClassifier: U(−1/√(3·dim), 1/√(3·dim)), weight row-major, then bias."""
    fan_in = 3 * dim
    bound = 1 / math.sqrt(fan_in)
    rng = mulberry32(seed)
    w = np.array([(2 * rng() - 1) * bound for _ in range(classes * fan_in)], dtype=np.float32).reshape(classes, fan_in)
    b = np.array([(2 * rng() - 1) * bound for _ in range(classes)], dtype=np.float32)
    return torch.tensor(w), torch.tensor(b)


def text_batch(record_type, rows):
    """src/engine/train/batches.ts textBatch: the texts by role, labels and teacher scores."""
    B = len(rows)
    out = {'anchor': [], 'positive': None, 'negatives': [], 'labels': None, 'teacher': None, 'k': 0}
    if record_type == 'pair':
        out.update(anchor=[r['text'] for r in rows], positive=[r['text_pos'] for r in rows])
    elif record_type == 'triplet':
        out.update(anchor=[r['text'] for r in rows], positive=[r['text_pos'] for r in rows], negatives=[r['text_neg'] for r in rows], k=1)
    elif record_type in ('scored_pair', 'class_pair'):
        out.update(anchor=[r['sentence1'] for r in rows], positive=[r['sentence2'] for r in rows], labels=[r['label'] for r in rows])
    elif record_type == 'labelled_text':
        out.update(anchor=[r['text'] for r in rows], labels=[r['label'] for r in rows])
    elif record_type == 'group':
        k = len(rows[0]['text_neg'])
        assert all(len(r['text_pos']) == 1 and len(r['text_neg']) == k for r in rows)
        out.update(anchor=[r['text'] for r in rows], positive=[r['text_pos'][0] for r in rows],
                   negatives=[rows[n % B]['text_neg'][n // B] for n in range(k * B)], k=k)
        if all('pos_scores' in r for r in rows):
            out['teacher'] = [[r['pos_scores'][0]] + r['neg_scores'] for r in rows]
    else:
        raise ValueError(record_type)
    return out


def roles_from(emb, tb):
    B = len(tb['anchor'])
    P = B if tb['positive'] else 0
    k = tb['k']
    return {
        'a': emb[:B], 'p': emb[B:B + P] if P else None,
        'negs': [emb[B + P + j * B:B + P + (j + 1) * B] for j in range(k)],
        'labels': torch.tensor(tb['labels'], dtype=torch.float32) if tb['labels'] is not None else None,
        'teacher': torch.tensor(tb['teacher'], dtype=torch.float32) if tb['teacher'] is not None else None,
    }


def batch_texts(tb):
    return tb['anchor'] + (tb['positive'] or []) + tb['negatives']


# -------------------------------------------------------------------------------------------------- datasets

PAIRS = [
    ('A man plays the guitar.', 'A man is playing a guitar.'),
    ('A woman is slicing an onion.', 'Someone cuts an onion.'),
    ('Two dogs run in a field.', 'Dogs are running on grass.'),
    ('A plane is taking off.', 'An airplane departs.'),
    ('The cat is on the bed.', 'A cat sleeps on a bed.'),
    ('A child reads a book.', 'A boy is reading a book.'),
    ('A girl rides a bike in the park.', 'A child rides a bicycle.'),
    ('A horse runs on the beach.', 'A horse is running by the sea.'),
    ('The sun is over the city.', 'Sun shines on the city.'),
    ('A bird sings in the tree.', 'A small bird is in a tree.'),
    ('A man drives a red car.', 'Someone drives a car on the street.'),
    ('Rain falls on the house.', 'It is raining on the house.'),
]
NEGATIVES = [
    'A woman eats a pizza.', 'A boat is on the river.', 'A man swims in the sea.', 'A train is in the city.',
    'A dog walks in the snow.', 'A girl plays the piano.', 'A blue car is on the street.', 'The kitchen has bread and water.',
    'A boy jumps with a ball.', 'A big tree in the park.', 'A child sings a song.', 'The house is green.',
]
SCORED = [0.95, 0.8, 0.7, 0.9, 0.6, 0.85]  # the true pairs' scores; mismatched pairs get low ones
LOW = [0.1, 0.3, 0.0, 0.2, 0.15, 0.05]
TOPICS = [  # labelled texts: 0 animals, 1 vehicles, 2 food; batches of 4 in this order: [0 0 1 1] [2 2 0 1] [1 2 0 2]
    ('A dog runs in the park.', 0), ('A cat is on the bed.', 0), ('A red car on the street.', 1), ('A plane is taking off.', 1),
    ('A woman eats a pizza.', 2), ('Bread and water in the kitchen.', 2), ('A bird sings in a tree.', 0), ('A boat on the river.', 1),
    ('A train in the city.', 1), ('A green apple.', 2), ('A horse is on the beach.', 0), ('Someone cuts an onion.', 2),
]
EVAL_TEXTS = ['A man is playing a guitar.', 'Someone cuts an onion.', 'A dog runs on the beach.', 'The cat sleeps.']


def pairs():
    return {'type': 'pair', 'records': [{'text': a, 'text_pos': p} for a, p in PAIRS]}


def triplets():
    return {'type': 'triplet', 'records': [{'text': a, 'text_pos': p, 'text_neg': NEGATIVES[i]} for i, (a, p) in enumerate(PAIRS)]}


def groups(teacher):
    out = []
    for i, (a, p) in enumerate(PAIRS):
        r = {'text': a, 'text_pos': [p], 'text_neg': [NEGATIVES[i], NEGATIVES[(i + 5) % 12]]}
        if teacher:
            r['pos_scores'] = [round(0.9 - 0.03 * i, 4)]
            r['neg_scores'] = [round(0.4 - 0.02 * i, 4), round(0.1 + 0.025 * i, 4)]
        out.append(r)
    return {'type': 'group', 'records': out}


def scored(binary):
    out = []
    for i, (a, p) in enumerate(PAIRS):
        if i % 2 == 0:
            out.append({'sentence1': a, 'sentence2': p, 'label': 1.0 if binary else SCORED[i // 2]})
        else:
            out.append({'sentence1': a, 'sentence2': NEGATIVES[i], 'label': 0.0 if binary else LOW[i // 2]})
    if binary:  # batches with 3 positives / 1 negative and 1 positive / 3 negatives too
        out[1], out[4] = {**out[4]}, {**out[1]}
        out[9], out[10] = {**out[10]}, {**out[9]}
    return {'type': 'scored_pair', 'records': out}


def class_pairs():
    classes = ['entailment', 'neutral', 'contradiction']
    out = []
    for i, (a, p) in enumerate(PAIRS):
        c = i % 3
        other = NEGATIVES[i] if c == 2 else PAIRS[(i + 1) % 12][1]
        out.append({'sentence1': a, 'sentence2': p if c == 0 else other, 'label': c})
    return {'type': 'class_pair', 'records': out, 'classes': classes}


def labelled():
    return {'type': 'labelled_text', 'records': [{'text': t, 'label': c} for t, c in TOPICS], 'classes': ['animal', 'vehicle', 'food']}


CASES = [  # name, loss, dataset, loss params (the engine's defaults, written out), Matryoshka dims
    ('mnrl', 'mnrl', pairs(), {'scale': 20}, None),
    ('mnrl_group', 'mnrl', groups(False), {'scale': 20}, None),
    ('mnrl-symmetric', 'mnrl-symmetric', pairs(), {'scale': 20}, None),
    ('mnrl-symmetric_triplet', 'mnrl-symmetric', triplets(), {'scale': 20}, None),
    ('mnrl-gte', 'mnrl-gte', groups(False), {'scale': 20}, None),
    ('uniem-triplet', 'uniem-triplet', triplets(), {'temperature': 0.05}, None),
    ('gist', 'gist', pairs(), {'temperature': 0.01, 'margin': 0}, None),
    ('gist_triplet', 'gist', triplets(), {'temperature': 0.01, 'margin': 0}, None),
    ('mega-batch-margin', 'mega-batch-margin', pairs(), {'positiveMargin': 0.8, 'negativeMargin': 0.3}, None),
    ('cosent', 'cosent', scored(False), {'scale': 20}, None),
    ('angle', 'angle', scored(False), {'scale': 20}, None),
    ('cosine', 'cosine', scored(False), {}, None),
    ('contrastive', 'contrastive', scored(True), {'margin': 0.5}, None),
    ('online-contrastive', 'online-contrastive', scored(True), {'margin': 0.5}, None),
    ('triplet', 'triplet', triplets(), {'margin': 5}, None),
    ('softmax', 'softmax', class_pairs(), {}, None),
    ('batch-all-triplet', 'batch-all-triplet', labelled(), {'margin': 5}, None),
    ('batch-hard-triplet', 'batch-hard-triplet', labelled(), {'margin': 5}, None),
    ('batch-semi-hard-triplet', 'batch-semi-hard-triplet', labelled(), {'margin': 5}, None),
    ('batch-hard-soft-margin-triplet', 'batch-hard-soft-margin-triplet', labelled(), {}, None),
    ('margin-mse', 'margin-mse', groups(True), {}, None),
    ('distill-kl', 'distill-kl', groups(True), {'temperature': 1}, None),
    ('matryoshka_mnrl_96_48', 'mnrl', pairs(), {'scale': 20}, [96, 48]),
]

# Losses on Euclidean distances between embeddings: invariant to adding one vector to every embedding, which is what
# the last LayerNorm's bias does (mean pooling of γ·x̂ + β adds β to every embedding). Its gradient is therefore
# rounding noise (~1e-7, mathematically 0), above AdamW's eps, so each side moves β by up to ~lr per step in a
# direction the noise picks: the embeddings after training agree only up to a common translation (up to
# 2·Σ lr ≈ 5e-3 here). The test compares them centred over eval_texts for these losses.
TRANSLATION_INVARIANT = {'triplet', 'batch-all-triplet', 'batch-hard-triplet', 'batch-semi-hard-triplet', 'batch-hard-soft-margin-triplet'}

PY_KW = {'scale': 'scale', 'temperature': 'temperature', 'margin': 'margin', 'positiveMargin': 'positive_margin', 'negativeMargin': 'negative_margin'}

# ------------------------------------------------------------------------------------------------- training


def run_case(model, name, loss, data, params, dims):
    fn = LOSS_FNS[loss]
    kw = {PY_KW[k]: float(v) for k, v in params.items()}
    if dims:
        fn = matryoshka(fn, dims)
    p = {k: v.clone().requires_grad_(True) for k, v in model.params.items()}
    decay = [p[k] for k in p if not no_decay(model.family, k)]
    keep = [p[k] for k in p if no_decay(model.family, k)]
    classifier = None
    if loss == 'softmax':
        W, b = init_classifier(len(data['classes']), model.cfg['hidden_size'], SEED)
        classifier = (W.clone().requires_grad_(True), b.clone().requires_grad_(True))
        decay.append(classifier[0])
        keep.append(classifier[1])
    opt = torch.optim.AdamW([{'params': decay, 'weight_decay': WEIGHT_DECAY}, {'params': keep, 'weight_decay': 0.0}], lr=LR, betas=(0.9, 0.999), eps=1e-8)
    lam = lambda s: float(s) / max(1, WARMUP) if s < WARMUP else max(0.0, float(STEPS - s) / float(max(1, STEPS - WARMUP)))  # noqa: E731
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lam)
    records = data['records']
    nb = len(records) // BATCH
    losses, lrs, decisions = [], [], []
    for step in range(STEPS):
        rows = records[(step % nb) * BATCH:(step % nb + 1) * BATCH]
        tb = text_batch(data['type'], rows)
        texts = batch_texts(tb)
        lrs.append(opt.param_groups[0]['lr'])
        opt.zero_grad()
        r = roles_from(model.embed(texts, p), tb)
        r['classifier'] = classifier
        r['guide'] = None
        if loss == 'gist':
            with torch.no_grad():
                g = roles_from(model.embed(texts), tb)
            r['guide'] = (g['a'], g['p'], g['negs'])
            decisions.append(gist_margins(r))
        if loss == 'online-contrastive':
            decisions.append(online_contrastive_margins(r))
        value = fn(r, **kw)
        value.backward()
        opt.step()
        sched.step()
        losses.append(float(value))
    with torch.no_grad():
        after = model.embed(EVAL_TEXTS, p)
    case = {
        'name': name, 'loss': loss, 'loss_params': params, 'matryoshka_dims': dims, 'dataset': data,
        'translation_invariant': loss in TRANSLATION_INVARIANT,
        'loss_per_step': losses, 'lr_per_step': lrs, 'pooled_after': after.tolist(),
    }
    if decisions:
        case['smallest_decision_gap_per_step'] = decisions
    print(f'{name:32s} losses {[round(x, 5) for x in losses]}' + (f' gaps {[f"{d:.1e}" for d in decisions]}' if decisions else ''), flush=True)
    return case


def main():
    worst = check_v2()
    if len(sys.argv) > 1 and sys.argv[1] == 'check':
        return
    model = Model(MODEL_DIR)
    assert model.pooling == 'mean'
    with torch.no_grad():
        before = model.embed(EVAL_TEXTS)
    cases = [run_case(model, *c) for c in CASES]
    fixture = {
        'about': 'PyTorch reference (scripts/oracle/losses_training.py, float32, dropout off) of 5 optimiser steps on tiny-bert per loss, '
                 'from the same start: batches of 4 in file order (repeating), AdamW lr 1e-3 betas (0.9, 0.999) eps 1e-8, weight decay 0.01 '
                 '(not biases, LayerNorm, the classifier bias), linear schedule with 1 warmup step (step 1 at lr 0), no clipping. '
                 'loss_per_step: the loss of each step before its update; pooled_after: mean-pooled embeddings of eval_texts after the 5 steps. '
                 'SoftmaxLoss: the classifier is initClassifier(classes, 96, seed 42); GIST: the guide is the frozen initial model. '
                 'translation_invariant: a loss on Euclidean distances, blind to a common shift of all embeddings (the last LayerNorm bias, '
                 'whose gradient is rounding noise that AdamW amplifies): compare its pooled_after up to a common translation. '
                 'smallest_decision_gap_per_step (gist, online-contrastive): how close any mask decision came to flipping.',
        'model': 'tests/fixtures/tiny-bert/model',
        'run': {'learning_rate': LR, 'warmup_steps': WARMUP, 'steps': STEPS, 'batch_size': BATCH, 'weight_decay': WEIGHT_DECAY, 'seed': SEED,
                'max_grad_norm': 0, 'dropout': 0, 'schedule': 'linear', 'batch_order': 'sequential'},
        'losses_v2_worst_relative_error': worst,
        'eval_texts': EVAL_TEXTS,
        'pooled_before': before.tolist(),
        'cases': cases,
    }
    with open(OUT, 'w') as f:
        json.dump(fixture, f, ensure_ascii=False)
        f.write('\n')
    print('wrote', OUT)


if __name__ == '__main__':
    main()
