#!/usr/bin/env python3
"""The PyTorch reference step of `npm run bench` (target `torch`) and of bench/gpu/run.sh.

The same training step as the engine's bench (bench/measure.ts): a BERT of the bench's shape with random
weights (uniform in +-0.0346, biases 0, LayerNorm weights 1), random token ids ([CLS] ids>=999 [SEP], all-ones
mask, fresh each step, as bench/model.ts's fake tokenizer), one forward over the 2*batch rows (anchors, then
positives), dropout, mean pooling + L2 normalisation, MNRL (cross-entropy over 20 * the cosine-similarity
matrix of anchors vs positives), clip_grad_norm_(1), AdamW (lr 2e-5, weight decay 0.01 except biases and
LayerNorm, betas 0.9/0.999, eps 1e-8), then loss.item() and the norm read back. Plain torch, no transformers:
the BERT is BertModel's post-LN layout (embeddings + LayerNorm, self-attention, exact-GELU FFN).

Prints one JSON line per thread count on stdout (progress lines '@@bench-step {...}' on stderr). Exit code 3
with a one-line message on stderr when torch cannot be imported, 2 on bad arguments.
"""
import argparse
import json
import math
import resource
import sys
import time

PROGRESS_PREFIX = '@@bench-step '
SHAPES = {
    'minilm': dict(hidden=384, layers=6, heads=12, intermediate=1536, vocab=30522, positions=512),
    'tiny': dict(hidden=32, layers=2, heads=2, intermediate=64, vocab=1000, positions=128),
}
FIRST_ORDINARY_ID, CLS_ID, SEP_ID = 999, 101, 102


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--shape', choices=[*SHAPES, 'custom'], default='minilm')
    for k in SHAPES['minilm']:
        p.add_argument(f'--{k}', type=int, default=None)
    p.add_argument('--batch', type=int, default=32)
    p.add_argument('--seq', type=int, default=64)
    p.add_argument('--steps', type=int, default=10)
    p.add_argument('--warmup', type=int, default=2)
    p.add_argument('--dropout', type=float, default=0.1)
    p.add_argument('--lr', type=float, default=2e-5)
    p.add_argument('--weight-decay', type=float, default=0.01)
    p.add_argument('--budget', type=float, default=0, help='stop measuring after S seconds (>= 1 step); 0 = none')
    p.add_argument('--threads', default='all', help="comma list of intra-op thread counts, 'all' = every core")
    p.add_argument('--device', choices=['cpu', 'cuda'], default='cpu')
    p.add_argument('--seed', type=int, default=1)
    a = p.parse_args(argv)
    shape = dict(SHAPES['tiny' if a.shape == 'tiny' else 'minilm'])
    for k in shape:
        if getattr(a, k) is not None:
            shape[k] = getattr(a, k)
    if min([a.batch, a.seq, a.steps, *shape.values()]) < 1 or a.warmup < 0:
        p.error('sizes, --batch, --seq and --steps must be >= 1, --warmup >= 0')
    if shape['hidden'] % shape['heads']:
        p.error(f"--heads {shape['heads']} must divide --hidden {shape['hidden']}")
    if a.seq > shape['positions']:
        p.error(f"--seq {a.seq} exceeds the shape's {shape['positions']} positions")
    if not 0 <= a.dropout < 1:
        p.error('--dropout needs a rate in [0, 1)')
    a.shape_dims = shape
    return a


def thread_counts(spec, cores):
    """'all' -> [cores]; '2,1' -> [2, 1]; 'all,1' -> [cores, 1]."""
    out = []
    for part in spec.split(','):
        part = part.strip()
        n = cores if part == 'all' else int(part) if part.isdigit() else 0
        if n < 1:
            raise ValueError(f"--threads takes 'all' or whole numbers >= 1, got '{part}'")
        out.append(n)
    return out


def build(torch, dims, dropout):
    nn, F = torch.nn, torch.nn.functional
    H, L, heads, I, V, P = (dims[k] for k in ('hidden', 'layers', 'heads', 'intermediate', 'vocab', 'positions'))

    class Layer(nn.Module):
        def __init__(self):
            super().__init__()
            self.query, self.key, self.value, self.attn_out = (nn.Linear(H, H) for _ in range(4))
            self.attn_norm = nn.LayerNorm(H, eps=1e-12)
            self.intermediate, self.output = nn.Linear(H, I), nn.Linear(I, H)
            self.out_norm = nn.LayerNorm(H, eps=1e-12)

        def forward(self, x, additive_mask):
            b, s, _ = x.shape
            split = lambda t: t.view(b, s, heads, H // heads).transpose(1, 2)
            q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
            scores = q @ k.transpose(-1, -2) / math.sqrt(H // heads) + additive_mask
            probs = F.dropout(scores.softmax(-1), dropout, self.training)
            ctx = (probs @ v).transpose(1, 2).reshape(b, s, H)
            x = self.attn_norm(x + F.dropout(self.attn_out(ctx), dropout, self.training))
            h = self.output(F.gelu(self.intermediate(x)))
            return self.out_norm(x + F.dropout(h, dropout, self.training))

    class Bert(nn.Module):
        def __init__(self):
            super().__init__()
            self.word, self.position, self.token_type = nn.Embedding(V, H), nn.Embedding(P, H), nn.Embedding(2, H)
            self.emb_norm = nn.LayerNorm(H, eps=1e-12)
            self.layers = nn.ModuleList(Layer() for _ in range(L))

        def forward(self, ids, mask):
            pos = torch.arange(ids.shape[1], device=ids.device)
            x = self.word(ids) + self.position(pos)[None] + self.token_type(torch.zeros_like(ids))
            x = F.dropout(self.emb_norm(x), dropout, self.training)
            additive = (1.0 - mask[:, None, None, :].to(x.dtype)) * torch.finfo(x.dtype).min
            for layer in self.layers:
                x = layer(x, additive)
            m = mask[..., None].to(x.dtype)
            pooled = (x * m).sum(1) / m.sum(1).clamp(min=1e-9)
            return F.normalize(pooled, dim=-1)

    model = Bert()
    half = 0.02 * math.sqrt(3)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if 'norm' in name and name.endswith('weight'):
                p.fill_(1)
            elif p.dim() == 2:
                p.uniform_(-half, half)
            else:
                p.zero_()
    return model


def random_ids(torch, rows, seq, vocab, gen):
    low = FIRST_ORDINARY_ID if vocab > FIRST_ORDINARY_ID + 1 else 0
    ids = torch.randint(low, vocab, (rows, seq), generator=gen)
    if vocab > SEP_ID and seq >= 2:
        ids[:, 0], ids[:, -1] = CLS_ID, SEP_ID
    return ids


def blas_library():
    """The BLAS this process mapped (after a matmul): Debian's reference libblas is ~30x slower than OpenBLAS."""
    try:
        with open('/proc/self/maps') as f:
            paths = {line.split()[-1] for line in f if 'blas' in line.lower() and '/' in line}
    except OSError:
        return None
    return ', '.join(sorted(paths)) or None


def run(torch, a, threads):
    torch.set_num_threads(threads)
    torch.manual_seed(a.seed)
    device = torch.device(a.device)
    dims = a.shape_dims
    model = build(torch, dims, a.dropout).to(device).train()
    decay = [p for n, p in model.named_parameters() if not (n.endswith('bias') or 'norm' in n)]
    no_decay = [p for n, p in model.named_parameters() if n.endswith('bias') or 'norm' in n]
    opt = torch.optim.AdamW([{'params': decay, 'weight_decay': a.weight_decay}, {'params': no_decay, 'weight_decay': 0.0}],
                            lr=a.lr, betas=(0.9, 0.999), eps=1e-8)
    gen = torch.Generator().manual_seed(a.seed + 1)
    labels = torch.arange(a.batch, device=device)
    mask = torch.ones(2 * a.batch, a.seq, dtype=torch.long, device=device)

    def step():
        ids = random_ids(torch, 2 * a.batch, a.seq, dims['vocab'], gen).to(device)
        emb = model(ids, mask)
        scores = emb[:a.batch] @ emb[a.batch:].T * 20.0
        loss = torch.nn.functional.cross_entropy(scores, labels)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        value = loss.item()
        norm.item()
        return value

    def timed():
        t0 = time.perf_counter()
        value = step()
        if a.device == 'cuda':
            torch.cuda.synchronize()
        return (time.perf_counter() - t0) * 1000, value

    progress = lambda phase, i, of, ms: print(PROGRESS_PREFIX + json.dumps(
        {'phase': phase, 'index': i, 'of': of, 'ms': ms, 'numTensors': 0}), file=sys.stderr, flush=True)
    warm = []
    for i in range(a.warmup):
        ms, _ = timed()
        warm.append(ms)
        progress('warmup', i + 1, a.warmup, ms)
    if a.device == 'cuda':
        torch.cuda.reset_peak_memory_stats()
    times, loss, started, budget_hit = [], float('nan'), time.perf_counter(), False
    for i in range(a.steps):
        ms, loss = timed()
        times.append(ms)
        progress('measured', i + 1, a.steps, ms)
        if a.budget > 0 and i + 1 < a.steps and time.perf_counter() - started > a.budget:
            budget_hit = True
            break
    ms = sorted(times)[len(times) // 2] if len(times) % 2 else sum(sorted(times)[len(times) // 2 - 1:len(times) // 2 + 1]) / 2
    n_params = sum(p.numel() for p in model.parameters())
    blas = blas_library()
    if a.device == 'cpu' and blas and '/blas/libblas' in blas:
        print(f'warning: torch runs on the reference BLAS ({blas}), far slower than OpenBLAS: apt-get install libopenblas0-pthread',
              file=sys.stderr, flush=True)
    return {
        'kind': 'train', 'backend': f'torch-{a.device}', 'torch_version': torch.__version__, 'threads': threads,
        'device_name': torch.cuda.get_device_name(0) if a.device == 'cuda' else None,
        'shape': {'name': a.shape, 'family': 'bert', 'hidden': dims['hidden'], 'layers': dims['layers'], 'heads': dims['heads'],
                  'intermediate': dims['intermediate'], 'vocab': dims['vocab'], 'maxPositions': dims['positions']},
        'batch': a.batch, 'seq_len': a.seq, 'mini_batch': 0, 'dropout': a.dropout, 'warmup': a.warmup, 'steps': len(times),
        'ms_per_step': ms, 'ms_per_step_min': min(times), 'ms_per_step_max': max(times),
        'pairs_per_s': a.batch / (ms / 1000), 'tokens_per_s': 2 * a.batch * a.seq / (ms / 1000),
        'warmup_ms': warm, 'final_loss': loss, 'budget_hit': budget_hit, 'parameters': n_params,
        'blas': blas,
        'peak_rss_bytes': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        'peak_gpu_bytes': torch.cuda.max_memory_allocated() if a.device == 'cuda' else None,
    }


def main(argv):
    a = parse_args(argv)
    try:
        import torch
    except ImportError as e:
        print(f'torch is not available to {sys.executable} ({e}); on Debian: apt-get install python3-torch', file=sys.stderr)
        return 3
    if a.device == 'cuda' and not torch.cuda.is_available():
        print(f'torch {torch.__version__} sees no CUDA device (built with CUDA {torch.version.cuda})', file=sys.stderr)
        return 4
    import os
    try:
        counts = thread_counts(a.threads, len(os.sched_getaffinity(0)))
    except ValueError as e:
        print(e, file=sys.stderr)
        return 2
    for n in counts:
        print(json.dumps(run(torch, a, n)), flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
