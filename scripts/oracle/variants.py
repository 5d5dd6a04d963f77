#!/usr/bin/python3
"""Float32 PyTorch reference for BERT, RoBERTa / XLM-RoBERTa, MPNet and GPT-2 sentence embedders, and the
generator of tests/fixtures/variants/<name>/.

Forward passes transcribe Hugging Face modeling_{bert,roberta,mpnet,gpt2}.py (eager attention, dropout off);
pooling is sentence-transformers' Pooling (mean / cls / lasttoken / weightedmean); training is MNRL (scale 20,
cross-entropy over in-batch positives) with torch.optim.AdamW and the Hugging Face Trainer's no-decay rule
(names containing 'bias' and LayerNorm module parameters), a linear schedule with warmup (first step lr 0 when
warmup > 0) and torch.nn.utils.clip_grad_norm_ when max_grad_norm > 0. Token ids come from the folder's
tokenizer.json through @huggingface/tokenizers (scripts/oracle/tokenize.mjs); truncation keeps the special
tokens at both ends, as transformers' truncation=True does.

  /usr/bin/python3 scripts/oracle/variants.py check      # the reference against tests/fixtures/tiny-*/golden.json
  /usr/bin/python3 scripts/oracle/variants.py generate   # writes tests/fixtures/variants/
"""
import json
import math
import os
import shutil
import struct
import subprocess
import sys

import numpy as np
import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(ROOT, 'tests', 'fixtures')
VARIANTS = os.path.join(FIXTURES, 'variants')
torch.set_num_threads(1)
F32_MIN = torch.finfo(torch.float32).min

# ---------------------------------------------------------------------------------------------- safetensors

_DT = {'F32': np.float32, 'I64': np.int64, 'F16': np.float16, 'BF16': None, 'I32': np.int32, 'U8': np.uint8, 'BOOL': np.bool_}


def read_safetensors(path):
    with open(path, 'rb') as f:
        n = struct.unpack('<Q', f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for k, v in header.items():
        if k == '__metadata__':
            continue
        a, b = v['data_offsets']
        out[k] = np.frombuffer(data[a:b], dtype=_DT[v['dtype']]).reshape(v['shape']).copy()
    return out


def write_safetensors(path, tensors):
    """tensors: list of (name, np.ndarray float32 / int64), written in that order."""
    header, blobs, off = {}, [], 0
    for name, arr in tensors:
        arr = np.ascontiguousarray(arr)
        dtype = {np.dtype('float32'): 'F32', np.dtype('int64'): 'I64'}[arr.dtype]
        raw = arr.astype(arr.dtype.newbyteorder('<')).tobytes()
        header[name] = {'dtype': dtype, 'shape': list(arr.shape), 'data_offsets': [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    header['__metadata__'] = {'format': 'pt'}
    h = json.dumps(header, separators=(',', ':')).encode()
    h += b' ' * ((8 - len(h) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


# ------------------------------------------------------------------------------------------------- folders

FAMILY = {'bert': 'bert', 'roberta': 'roberta', 'xlm-roberta': 'roberta', 'camembert': 'roberta', 'mpnet': 'mpnet', 'gpt2': 'gpt2'}
PREFIXES = {'bert': ['bert.'], 'roberta': ['roberta.'], 'mpnet': ['mpnet.'], 'gpt2': ['transformer.']}


def base_tensor_names(family, cfg):
    """The base model's parameter names (what the engine trains), in Hugging Face's order."""
    if family == 'gpt2':
        names = ['wte.weight', 'wpe.weight']
        for i in range(cfg['n_layer']):
            for s in ['ln_1.weight', 'ln_1.bias', 'attn.c_attn.weight', 'attn.c_attn.bias', 'attn.c_proj.weight', 'attn.c_proj.bias',
                      'ln_2.weight', 'ln_2.bias', 'mlp.c_fc.weight', 'mlp.c_fc.bias', 'mlp.c_proj.weight', 'mlp.c_proj.bias']:
                names.append(f'h.{i}.{s}')
        return names + ['ln_f.weight', 'ln_f.bias']
    names = ['embeddings.word_embeddings.weight', 'embeddings.position_embeddings.weight']
    if family != 'mpnet':
        names.append('embeddings.token_type_embeddings.weight')
    names += ['embeddings.LayerNorm.weight', 'embeddings.LayerNorm.bias']
    if family == 'mpnet':
        names.append('encoder.relative_attention_bias.weight')
        att = ['attention.attn.q', 'attention.attn.k', 'attention.attn.v', 'attention.attn.o', 'attention.LayerNorm']
    else:
        att = ['attention.self.query', 'attention.self.key', 'attention.self.value', 'attention.output.dense', 'attention.output.LayerNorm']
    for i in range(cfg['num_hidden_layers']):
        for s in att + ['intermediate.dense', 'output.dense', 'output.LayerNorm']:
            names += [f'encoder.layer.{i}.{s}.weight', f'encoder.layer.{i}.{s}.bias']
    return names


def load_params(model_dir):
    cfg = json.load(open(os.path.join(model_dir, 'config.json')))
    family = FAMILY[cfg['model_type']]
    raw = read_safetensors(os.path.join(model_dir, 'model.safetensors'))
    names = base_tensor_names(family, cfg)
    prefix = ''
    if names[0] not in raw:
        prefix = next(p for p in PREFIXES[family] if p + names[0] in raw)
    params = {n: torch.tensor(raw[prefix + n], dtype=torch.float32) for n in names}
    return cfg, family, params


def read_pooling(model_dir):
    path = os.path.join(model_dir, '1_Pooling', 'config.json')
    if not os.path.exists(path):
        return 'mean'
    p = json.load(open(path))
    for key, mode in [('pooling_mode_cls_token', 'cls'), ('pooling_mode_mean_tokens', 'mean'), ('pooling_mode_max_tokens', 'max'),
                      ('pooling_mode_weightedmean_tokens', 'weightedmean'), ('pooling_mode_lasttoken', 'lasttoken')]:
        if p.get(key):
            return mode
    raise ValueError(path)


def read_max_len(model_dir):
    path = os.path.join(model_dir, 'sentence_bert_config.json')
    return json.load(open(path))['max_seq_length'] if os.path.exists(path) else 128


# ------------------------------------------------------------------------------------------------ tokenize

def tokenize_raw(model_dir, texts, names=()):
    r = subprocess.run(['node', os.path.join(ROOT, 'scripts', 'oracle', 'tokenize.mjs'), model_dir, *names],
                       input=json.dumps(texts), capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(r.stdout)


class Tok:
    def __init__(self, model_dir):
        self.dir = model_dir
        tc = json.load(open(os.path.join(model_dir, 'tokenizer_config.json')))
        sm = json.load(open(os.path.join(model_dir, 'special_tokens_map.json'))) if os.path.exists(os.path.join(model_dir, 'special_tokens_map.json')) else {}
        pad = tc.get('pad_token') or sm.get('pad_token') or tc.get('eos_token') or sm.get('eos_token')
        pad = pad['content'] if isinstance(pad, dict) else pad
        self.pad_id = tokenize_raw(model_dir, [], [pad])['vocab'][pad]

    def encode(self, texts, max_len):
        r = tokenize_raw(self.dir, texts)
        out, before = [], []
        for full, bare in zip(r['full'], r['bare']):
            pre = next(i for i in range(len(full) + 1) if full[i:i + len(bare)] == bare) if bare else len(full)
            suf = len(full) - pre - len(bare)
            before.append(len(full))
            if len(full) > max_len:
                full = full[:pre] + bare[:max_len - pre - suf] + full[len(full) - suf:]
            out.append(full)
        return out, before

    def batch(self, ids):
        L = max(len(x) for x in ids)
        input_ids = torch.tensor([x + [self.pad_id] * (L - len(x)) for x in ids], dtype=torch.long)
        mask = torch.tensor([[1] * len(x) + [0] * (L - len(x)) for x in ids], dtype=torch.long)
        return input_ids, mask


# ------------------------------------------------------------------------------------------------- forward

def layer_norm(x, p, name, eps):
    return F.layer_norm(x, (x.shape[-1],), p[name + '.weight'], p[name + '.bias'], eps)


def linear(x, p, name):  # nn.Linear: weight [out, in]
    return F.linear(x, p[name + '.weight'], p[name + '.bias'])


def conv1d(x, p, name):  # GPT-2 Conv1D: weight [in, out]
    return torch.addmm(p[name + '.bias'], x.reshape(-1, x.shape[-1]), p[name + '.weight']).reshape(*x.shape[:-1], -1)


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


def split_heads(x, nh):
    B, T, H = x.shape
    return x.view(B, T, nh, H // nh).permute(0, 2, 1, 3)


def merge_heads(x):
    B, nh, T, d = x.shape
    return x.permute(0, 2, 1, 3).reshape(B, T, nh * d)


def roberta_position_ids(input_ids, padding_idx):
    m = input_ids.ne(padding_idx).int()
    return (torch.cumsum(m, dim=1).type_as(m) * m).long() + padding_idx


def relative_position_bucket(relative_position, num_buckets=32, max_distance=128):
    ret = 0
    n = -relative_position
    num_buckets //= 2
    ret += (n < 0).to(torch.long) * num_buckets
    n = torch.abs(n)
    max_exact = num_buckets // 2
    is_small = n < max_exact
    val_if_large = max_exact + (torch.log(n.float() / max_exact) / math.log(max_distance / max_exact) * (num_buckets - max_exact)).to(torch.long)
    val_if_large = torch.min(val_if_large, torch.full_like(val_if_large, num_buckets - 1))
    ret += torch.where(is_small, n, val_if_large)
    return ret


def encoder_forward(cfg, family, p, input_ids, mask):
    """BERT / RoBERTa / MPNet last hidden state [B, T, H]."""
    B, T = input_ids.shape
    eps = cfg.get('layer_norm_eps', 1e-12)
    nh = cfg['num_attention_heads']
    H = cfg['hidden_size']
    d = H // nh
    if family == 'bert':
        pos = torch.arange(T).unsqueeze(0).expand(B, T)
    elif family == 'roberta':
        pos = roberta_position_ids(input_ids, cfg['pad_token_id'])
    else:  # mpnet: padding_idx is always 1
        pos = roberta_position_ids(input_ids, 1)
    x = p['embeddings.word_embeddings.weight'][input_ids] + p['embeddings.position_embeddings.weight'][pos]
    if family != 'mpnet':
        x = x + p['embeddings.token_type_embeddings.weight'][torch.zeros_like(input_ids)]
    x = layer_norm(x, p, 'embeddings.LayerNorm', eps)
    ext = (1.0 - mask[:, None, None, :].to(torch.float32)) * F32_MIN
    if family == 'mpnet':
        ctx = torch.arange(T, dtype=torch.long)[:, None]
        mem = torch.arange(T, dtype=torch.long)[None, :]
        bucket = relative_position_bucket(mem - ctx, num_buckets=cfg.get('relative_attention_num_buckets', 32))
        pos_bias = p['encoder.relative_attention_bias.weight'][bucket].permute(2, 0, 1).unsqueeze(0)  # [1, nh, T, T]
    for i in range(cfg['num_hidden_layers']):
        pre = f'encoder.layer.{i}.'
        if family == 'mpnet':
            q, k, v = (split_heads(linear(x, p, pre + 'attention.attn.' + n), nh) for n in 'qkv')
            s = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(d)
            s = s + pos_bias + ext
            c = merge_heads(torch.matmul(F.softmax(s, dim=-1), v))
            a = layer_norm(linear(c, p, pre + 'attention.attn.o') + x, p, pre + 'attention.LayerNorm', eps)
        else:
            q, k, v = (split_heads(linear(x, p, pre + 'attention.self.' + n), nh) for n in ['query', 'key', 'value'])
            s = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(d) + ext
            c = merge_heads(torch.matmul(F.softmax(s, dim=-1), v))
            a = layer_norm(linear(c, p, pre + 'attention.output.dense') + x, p, pre + 'attention.output.LayerNorm', eps)
        h = F.gelu(linear(a, p, pre + 'intermediate.dense'))
        x = layer_norm(linear(h, p, pre + 'output.dense') + a, p, pre + 'output.LayerNorm', eps)
    return x


def gpt2_forward(cfg, p, input_ids, mask):
    B, T = input_ids.shape
    eps = cfg.get('layer_norm_epsilon', 1e-5)
    nh = cfg['n_head']
    H = cfg['n_embd']
    d = H // nh
    x = p['wte.weight'][input_ids] + p['wpe.weight'][torch.arange(T)].unsqueeze(0)
    causal = torch.tril(torch.ones(T, T, dtype=torch.bool)).view(1, 1, T, T)
    ext = (1.0 - mask[:, None, None, :].to(torch.float32)) * F32_MIN
    for i in range(cfg['n_layer']):
        pre = f'h.{i}.'
        a = layer_norm(x, p, pre + 'ln_1', eps)
        q, k, v = conv1d(a, p, pre + 'attn.c_attn').split(H, dim=2)
        q, k, v = split_heads(q, nh), split_heads(k, nh), split_heads(v, nh)
        w = torch.matmul(q, k.transpose(-1, -2))
        if cfg.get('scale_attn_weights', True):
            w = w / torch.full([], v.size(-1) ** 0.5, dtype=w.dtype)
        w = torch.where(causal, w, torch.full([], F32_MIN, dtype=w.dtype))
        w = w + ext
        c = merge_heads(torch.matmul(F.softmax(w, dim=-1), v))
        x = x + conv1d(c, p, pre + 'attn.c_proj')
        m = layer_norm(x, p, pre + 'ln_2', eps)
        x = x + conv1d(gelu_new(conv1d(m, p, pre + 'mlp.c_fc')), p, pre + 'mlp.c_proj')
    return layer_norm(x, p, 'ln_f', eps)


def forward(cfg, family, p, input_ids, mask):
    return gpt2_forward(cfg, p, input_ids, mask) if family == 'gpt2' else encoder_forward(cfg, family, p, input_ids, mask)


def pool(h, mask, mode):
    m = mask.unsqueeze(-1).to(h.dtype)
    if mode == 'mean':
        return (h * m).sum(1) / torch.clamp(m.sum(1), min=1e-9)
    if mode == 'cls':
        return h[:, 0]
    if mode == 'max':
        return torch.where(m > 0, h, torch.full_like(h, -1e9)).max(1).values
    if mode == 'weightedmean':
        w = torch.arange(1, h.shape[1] + 1, dtype=h.dtype).view(1, -1, 1) * m
        return (h * w).sum(1) / torch.clamp(w.sum(1), min=1e-9)
    if mode == 'lasttoken':
        T = mask.shape[1]
        values, idx = mask.flip(1).max(1)
        idx = torch.where(values == 0, T - 1, idx)
        last = T - idx - 1
        return h[torch.arange(h.shape[0]), last]
    raise ValueError(mode)


class Model:
    def __init__(self, model_dir):
        self.dir = model_dir
        self.cfg, self.family, self.params = load_params(model_dir)
        self.pooling = read_pooling(model_dir)
        self.max_len = read_max_len(model_dir)
        self.tok = Tok(model_dir)

    def embed_ids(self, ids, params=None):
        input_ids, mask = self.tok.batch(ids)
        h = forward(self.cfg, self.family, params or self.params, input_ids, mask)
        return pool(h, mask, self.pooling)

    def embed(self, texts, params=None):
        ids, _ = self.tok.encode(texts, self.max_len)
        return self.embed_ids(ids, params)


def mnrl(a, b, scale=20.0):
    s = F.normalize(a, p=2, dim=1) @ F.normalize(b, p=2, dim=1).T * scale
    return F.cross_entropy(s, torch.arange(a.shape[0]))


def no_decay(family, name):
    if 'bias' in name:
        return True
    if family == 'gpt2':
        return name.split('.')[-2] in ('ln_1', 'ln_2', 'ln_f')
    return 'LayerNorm' in name


def train(model, batches, lr, warmup, steps, max_grad_norm=0.0, strategy='full', weight_decay=0.01):
    """batches: list of [[anchor, positive], ...]; returns the run's record and the trained params."""
    params = {k: v.clone().requires_grad_(strategy == 'full' or 'bias' in k) for k, v in model.params.items()}
    trainable = [k for k, v in params.items() if v.requires_grad]
    groups = [{'params': [params[k] for k in trainable if not no_decay(model.family, k)], 'weight_decay': weight_decay},
              {'params': [params[k] for k in trainable if no_decay(model.family, k)], 'weight_decay': 0.0}]
    opt = torch.optim.AdamW(groups, lr=lr, betas=(0.9, 0.999), eps=1e-8)

    def lam(step):
        if step < warmup:
            return float(step) / float(max(1, warmup))
        return max(0.0, float(steps - step) / float(max(1, steps - warmup)))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, lam)
    losses, lrs, norms = [], [], []
    for step in range(steps):
        batch = batches[step]
        lrs.append(opt.param_groups[0]['lr'])
        opt.zero_grad()
        loss = mnrl(model.embed([x[0] for x in batch], params), model.embed([x[1] for x in batch], params))
        loss.backward()
        grads = [params[k].grad for k in trainable]
        norms.append(float(torch.norm(torch.stack([torch.norm(g, 2) for g in grads]), 2)))
        if max_grad_norm and max_grad_norm > 0:
            torch.nn.utils.clip_grad_norm_([params[k] for k in trainable], max_grad_norm)
        opt.step()
        sched.step()
        losses.append(float(loss))
    return {'loss_per_step': losses, 'lr_per_step': lrs, 'grad_norm_before_clip_per_step': norms, 'trainable_params': trainable,
            'no_weight_decay_params': [k for k in trainable if no_decay(model.family, k)]}, {k: v.detach() for k, v in params.items()}


# --------------------------------------------------------------------------------------------------- check

def max_abs(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.size == b.size:
        a, b = a.reshape(-1), b.reshape(-1)
    return float(np.max(np.abs(a - b)))


def check():
    worst = {}
    for name in ['tiny-bert', 'tiny-roberta', 'tiny-xlm-roberta', 'tiny-mpnet', 'tiny-gpt2']:
        d = os.path.join(FIXTURES, name, 'model')
        g = json.load(open(os.path.join(FIXTURES, name, 'golden.json')))
        m = Model(d)
        m.pooling = {'last_weighted': 'weightedmean'}.get(g.get('pooling', 'mean'), g.get('pooling', 'mean'))
        m.max_len = g['tokenize'].get('max_seq_length', 128)
        T = g['tokenize']
        ids, _ = m.tok.encode(T['texts'], m.max_len)
        input_ids, mask = m.tok.batch(ids)
        r = {'ids_equal': input_ids.tolist() == T['input_ids'] and mask.tolist() == T['attention_mask']}
        gi, gm = torch.tensor(T['input_ids']), torch.tensor(T['attention_mask'])
        with torch.no_grad():
            h = forward(m.cfg, m.family, m.params, gi, gm)
            r['last_hidden_first_row'] = max_abs(h[0].reshape(-1)[:len(g['forward']['last_hidden_state_first_row'])], g['forward']['last_hidden_state_first_row']) \
                if len(g['forward']['last_hidden_state_first_row']) <= h[0].numel() else None
            r['pooled'] = max_abs(pool(h, gm, m.pooling), g['forward']['pooled'])
            for key, mode in [('pooled_mean', 'mean'), ('pooled_cls', 'cls'), ('pooled_last_weighted', 'weightedmean'), ('pooled_lasttoken', 'lasttoken'), ('pooled_max', 'max')]:
                if key in g['forward']:
                    r[key] = max_abs(pool(h, gm, mode), g['forward'][key])
        # one MNRL backward pass
        G = g['gradients_mnrl']
        params = {k: v.clone().requires_grad_(True) for k, v in m.params.items()}
        loss = mnrl(m.embed([p[0] for p in G['pairs']], params), m.embed([p[1] for p in G['pairs']], params))
        loss.backward()
        r['mnrl_loss_rel'] = abs(float(loss) - G['loss']) / abs(G['loss'])
        ge = 0.0
        for k, v in G['grads'].items():
            if ':row_of_first_token_of_' in k:
                gid = G.get('guitar_token_id', tokenize_raw(d, ['guitar'])['bare'][0][0])
                ge = max(ge, max_abs(params[k.split(':')[0]].grad[gid], v))
            else:
                ge = max(ge, max_abs(params[k].grad, v))
        r['grads'] = ge
        norm = float(torch.norm(torch.stack([torch.norm(v.grad) for v in params.values() if v.grad is not None])))
        r['grad_norm_rel'] = abs(norm - G['global_grad_norm']) / G['global_grad_norm']
        for key, strategy in [('train_adamw', 'full'), ('train_bitfit', 'bitfit')]:
            if key not in g:
                continue
            A = g[key]
            rec, trained = train(m, A['batches'], A['optimizer']['lr'] if 'optimizer' in A else 2e-3, 1, len(A['batches']), 0.0, strategy)
            r[key + '.loss_per_step'] = max_abs(rec['loss_per_step'], A['loss_per_step'])
            r[key + '.lr_per_step'] = max_abs(rec['lr_per_step'], A['lr_per_step'])
            with torch.no_grad():
                r[key + '.pooled_after'] = max_abs(m.embed(T['texts'], trained), A['pooled_after_on_tokenize_texts'])
            for k in A:
                if k.endswith('_after') and k != 'pooled_after_on_tokenize_texts':
                    r[key + '.' + k] = max_abs(trained[k[:-len('_after')]], A[k])
            if 'no_weight_decay_params' in A.get('optimizer', {}):
                r[key + '.no_decay_list_equal'] = sorted(rec['no_weight_decay_params']) == sorted(A['optimizer']['no_weight_decay_params']) if strategy == 'full' else None
            if 'trainable_params' in A:
                r[key + '.trainable_equal'] = sorted(rec['trainable_params']) == sorted(A['trainable_params'])
        worst[name] = r
        print(name, json.dumps(r, indent=1), flush=True)
    return worst


# ------------------------------------------------------------------------------------------------ generate

TEXTS = [
    'A man is playing a guitar.',
    'Someone plays the guitar!',
    'Café owners ÉLECTED a new board',
    'a',
    'The quick brown fox jumps over the lazy dog while zebras and xylophones unexpectedly harmonize.',
    'Every morning the old fisherman walks down to the harbour, checks the ropes of his small blue boat, talks with the other men about the weather and the price of fish, and then rows out past the lighthouse while the town is still asleep.',
]

PAIRS = [
    ['A man is playing a guitar.', 'Someone plays the guitar!'],
    ['A woman is slicing an onion.', 'Someone cuts vegetables in the kitchen.'],
    ['The cat sleeps on the sofa.', 'A kitten naps on the couch.'],
    ['Children play football in the park after school every single day of the week, rain or shine, until their parents call them home for dinner.', 'Kids kick a ball on the grass.'],
    ['The train to the city leaves at eight.', 'A railway departure is scheduled for the morning.'],
    ['He reads a book by the fire.', 'A man enjoys a novel next to the fireplace.'],
    ['Two dogs run along the beach.', 'A pair of puppies races by the sea.'],
    ['The market sells fresh bread and cheese.', 'Bakers and cheesemakers have stalls in the square.'],
    ['She paints the old fence white.', 'The wooden fence gets a new coat of paint.'],
    ['Rain falls softly on the roof.', 'It is drizzling outside tonight.'],
    ['The orchestra tunes its instruments before the concert begins and the audience slowly settles into the red velvet seats of the old theatre.', 'Musicians get ready to perform.'],
    ['A boy rides his bicycle to school.', 'A child cycles down the street.'],
    ['The chef tastes the soup.', 'A cook checks the flavour of a broth.'],
    ['Snow covers the mountain village.', 'The alpine houses are white with snow.'],
    ['A farmer feeds the chickens.', 'Hens are given grain in the yard.'],
    ['The students listen to the teacher.', 'A class pays attention to a lesson.'],
    ['An old clock ticks in the hall.', 'The grandfather clock keeps time.'],
    ['The river flows under the bridge.', 'Water runs beneath the stone arch.'],
    ['A girl waters the flowers.', 'Plants in the garden get a drink.'],
    ['Fishermen mend their nets on the pier.', 'Nets are repaired by the harbour.'],
]


def st_files(out, hidden, pooling, max_seq_length):
    json.dump([{'idx': 0, 'name': '0', 'path': '', 'type': 'sentence_transformers.models.Transformer'},
               {'idx': 1, 'name': '1', 'path': '1_Pooling', 'type': 'sentence_transformers.models.Pooling'}],
              open(os.path.join(out, 'modules.json'), 'w'), indent=2)
    json.dump({'max_seq_length': max_seq_length, 'do_lower_case': False}, open(os.path.join(out, 'sentence_bert_config.json'), 'w'), indent=2)
    os.makedirs(os.path.join(out, '1_Pooling'), exist_ok=True)
    json.dump({'word_embedding_dimension': hidden, 'pooling_mode_cls_token': pooling == 'cls', 'pooling_mode_mean_tokens': pooling == 'mean',
               'pooling_mode_max_tokens': False, 'pooling_mode_mean_sqrt_len_tokens': False,
               'pooling_mode_weightedmean_tokens': pooling == 'weightedmean', 'pooling_mode_lasttoken': pooling == 'lasttoken', 'include_prompt': True},
              open(os.path.join(out, '1_Pooling', 'config.json'), 'w'), indent=2)


def random_params(family, cfg, rng, std=0.05):
    """Random float32 weights: matrices N(0, std), biases N(0, 0.02), LayerNorm weight 1 + N(0, 0.1)."""
    shapes = {}
    if family == 'gpt2':
        H, V, P, L = cfg['n_embd'], cfg['vocab_size'], cfg['n_positions'], cfg['n_layer']
        I = cfg.get('n_inner') or 4 * H
        shapes['wte.weight'] = [V, H]
        shapes['wpe.weight'] = [P, H]
        for i in range(L):
            for n, s in [('ln_1.weight', [H]), ('ln_1.bias', [H]), ('attn.c_attn.weight', [H, 3 * H]), ('attn.c_attn.bias', [3 * H]),
                         ('attn.c_proj.weight', [H, H]), ('attn.c_proj.bias', [H]), ('ln_2.weight', [H]), ('ln_2.bias', [H]),
                         ('mlp.c_fc.weight', [H, I]), ('mlp.c_fc.bias', [I]), ('mlp.c_proj.weight', [I, H]), ('mlp.c_proj.bias', [H])]:
                shapes[f'h.{i}.{n}'] = s
        shapes['ln_f.weight'] = [H]
        shapes['ln_f.bias'] = [H]
    else:
        H, V, P, L, I = cfg['hidden_size'], cfg['vocab_size'], cfg['max_position_embeddings'], cfg['num_hidden_layers'], cfg['intermediate_size']
        for n in base_tensor_names(family, cfg):
            if n == 'embeddings.word_embeddings.weight':
                s = [V, H]
            elif n == 'embeddings.position_embeddings.weight':
                s = [P, H]
            elif n == 'embeddings.token_type_embeddings.weight':
                s = [cfg['type_vocab_size'], H]
            elif n == 'encoder.relative_attention_bias.weight':
                s = [cfg.get('relative_attention_num_buckets', 32), cfg['num_attention_heads']]
            elif 'intermediate.dense' in n:
                s = [I, H] if n.endswith('weight') else [I]
            elif 'output.dense' in n and 'attention' not in n:
                s = [H, I] if n.endswith('weight') else [H]
            elif n.endswith('weight') and 'LayerNorm' not in n:
                s = [H, H]
            else:
                s = [H]
            shapes[n] = s
    out = {}
    for n, s in shapes.items():
        if no_decay(family, n) and n.endswith('weight') and 'relative_attention_bias' not in n:  # LayerNorm weight
            a = 1.0 + 0.1 * rng.standard_normal(s)
        elif n.endswith('bias') or 'relative_attention_bias' in n:
            a = (0.3 if 'relative_attention_bias' in n else 0.02) * rng.standard_normal(s)
        else:
            a = std * rng.standard_normal(s)
        out[n] = a.astype(np.float32)
    return out


def swap_tokenizer_ids(src, out, a, b):
    """Copies a tokenizer folder with tokens a and b exchanging ids (tokenizer.json vocab, added tokens, post-processor; vocab.json)."""
    tj = json.load(open(os.path.join(src, 'tokenizer.json')))
    va, vb = tj['model']['vocab'][a], tj['model']['vocab'][b]
    tj['model']['vocab'][a], tj['model']['vocab'][b] = vb, va
    tj['model']['vocab'] = dict(sorted(tj['model']['vocab'].items(), key=lambda kv: kv[1]))
    for t in tj['added_tokens']:
        if t['content'] == a:
            t['id'] = vb
        elif t['content'] == b:
            t['id'] = va
    tj['added_tokens'].sort(key=lambda t: t['id'])
    pp = tj.get('post_processor') or {}
    for key in ('cls', 'sep'):
        if key in pp:
            tok = pp[key][0]
            pp[key][1] = tj['model']['vocab'][tok]
    json.dump(tj, open(os.path.join(out, 'tokenizer.json'), 'w'), ensure_ascii=False, indent=2)
    if os.path.exists(os.path.join(src, 'vocab.json')):
        json.dump(tj['model']['vocab'], open(os.path.join(out, 'vocab.json'), 'w'), ensure_ascii=False)
    return va, vb


TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'vocab.json', 'merges.txt', 'vocab.txt']

# Each variant: source tokenizer, config.json overrides, checkpoint layout, head, and a training run.
SPECS = {
    'roberta-prefixed-pad0': dict(
        source='tiny-roberta', seed=11, pooling='mean', max_seq_length=39,
        config=dict(hidden_size=48, num_attention_heads=3, num_hidden_layers=2, intermediate_size=96, max_position_embeddings=40,
                    pad_token_id=0, bos_token_id=1),
        swap=('<s>', '<pad>'), prefix='roberta.', extra='roberta-mlm',
        train=dict(batch_size=3, steps=4, lr=1e-3, warmup=1, max_grad_norm=0.0, strategy='full'),
        about='RobertaForMaskedLM checkpoint (roberta. prefix, lm_head.*, int64 roberta.embeddings.position_ids buffer); pad_token_id 0 '
              '(tokenizer <s>/<pad> ids swapped, so <pad>=0, <s>=1): positions start at 1 and 40 positions hold 39 tokens'),
    'xlm-roberta-3layers-8heads': dict(
        source='tiny-xlm-roberta', seed=12, pooling='cls', std=0.3, max_seq_length=48,
        config=dict(hidden_size=24, num_attention_heads=8, num_hidden_layers=3, intermediate_size=64, max_position_embeddings=130),
        prefix='', extra='pooler',
        train=dict(batch_size=4, steps=5, lr=2e-3, warmup=2, max_grad_norm=0.0, strategy='full'),
        about='XLMRobertaModel, 3 layers, 8 heads of 3, CLS pooling, pooler tensors present, max_seq_length 48'),
    'mpnet-prefixed-short-positions': dict(
        source='tiny-mpnet', seed=13, pooling='mean', max_seq_length=20,
        config=dict(hidden_size=16, num_attention_heads=4, num_hidden_layers=2, intermediate_size=48, max_position_embeddings=22),
        prefix='mpnet.', extra='mpnet-mlm',
        train=dict(batch_size=3, steps=4, lr=2e-3, warmup=1, max_grad_norm=0.0, strategy='full'),
        about='MPNetForMaskedLM checkpoint (mpnet. prefix, lm_head.* without the tied decoder weight); hidden 16, 4 heads; 22 positions hold 20 tokens (padding_idx 1), max_seq_length 20'),
    'gpt2-prefixed-buffers-weightedmean': dict(
        source='tiny-gpt2', seed=14, pooling='weightedmean', max_seq_length=32,
        config=dict(n_embd=48, n_head=6, n_layer=2, n_inner=96, n_positions=64, n_ctx=64),
        prefix='transformer.', extra='gpt2-lm',
        train=dict(batch_size=4, steps=4, lr=1e-3, warmup=1, max_grad_norm=0.0, strategy='full'),
        about='GPT2LMHeadModel checkpoint (transformer. prefix, lm_head.weight, h.N.attn.bias [1,1,64,64] and h.N.attn.masked_bias buffers); '
              '6 heads of 8, n_inner 96, weightedmean pooling, max_seq_length 32'),
    'gpt2-bitfit-clip': dict(
        source='tiny-gpt2', seed=15, pooling='lasttoken', max_seq_length=40,
        config=dict(n_embd=32, n_head=2, n_layer=3, n_inner=None, n_positions=128, n_ctx=128),
        prefix='', extra=None,
        train=dict(batch_size=4, steps=5, lr=1e-2, warmup=0, max_grad_norm=0.5, strategy='bitfit'),
        about='GPT2Model, 3 layers, 2 heads, lasttoken pooling; BitFit (every parameter whose name contains bias) with max_grad_norm 0.5'),
    'bert-6heads-clip': dict(
        source='tiny-bert', seed=16, pooling='mean', max_seq_length=40,
        config=dict(hidden_size=12, num_attention_heads=6, num_hidden_layers=2, intermediate_size=36, max_position_embeddings=64),
        prefix='', extra=None,
        train=dict(batch_size=4, steps=5, lr=2e-3, warmup=1, max_grad_norm=0.5, strategy='full'),
        about='BertModel, 6 heads of 2, hidden 12, max_seq_length 40, max_grad_norm 0.5'),
}


def extra_tensors(kind, cfg, rng):
    if kind is None:
        return []
    if kind == 'pooler':
        H = cfg['hidden_size']
        return [('pooler.dense.weight', (0.05 * rng.standard_normal([H, H])).astype(np.float32)), ('pooler.dense.bias', np.zeros([H], np.float32))]
    if kind in ('roberta-mlm', 'mpnet-mlm'):  # mpnet-mlm: the decoder weight tied to the word embeddings, left out as safetensors does
        H, V = cfg['hidden_size'], cfg['vocab_size']
        t = [('lm_head.bias', np.zeros([V], np.float32)),
             ('lm_head.dense.weight', (0.05 * rng.standard_normal([H, H])).astype(np.float32)), ('lm_head.dense.bias', np.zeros([H], np.float32)),
             ('lm_head.layer_norm.weight', np.ones([H], np.float32)), ('lm_head.layer_norm.bias', np.zeros([H], np.float32)),
             ('lm_head.decoder.weight', None), ('lm_head.decoder.bias', np.zeros([V], np.float32))]
        return t if kind == 'roberta-mlm' else [x for x in t if x[0] != 'lm_head.decoder.weight']
    if kind == 'gpt2-lm':
        return [('lm_head.weight', None)]
    raise ValueError(kind)


def make_variant(name, spec):
    out = os.path.join(VARIANTS, name, 'model')
    if os.path.exists(os.path.join(VARIANTS, name)):
        shutil.rmtree(os.path.join(VARIANTS, name))
    os.makedirs(out)
    src = os.path.join(FIXTURES, spec['source'], 'model')
    for f in TOKENIZER_FILES:
        if os.path.exists(os.path.join(src, f)) and not (f == 'vocab.txt' and spec['source'] == 'tiny-bert'):  # tokenizer.json suffices
            shutil.copyfile(os.path.join(src, f), os.path.join(out, f))
    if spec.get('swap'):
        swap_tokenizer_ids(src, out, *spec['swap'])
    cfg = json.load(open(os.path.join(src, 'config.json')))
    cfg.update(spec['config'])
    if cfg['model_type'] == 'bert':  # tiny-bert's config has no architectures-related leftovers to drop
        pass
    family = FAMILY[cfg['model_type']]
    if spec['prefix']:
        cfg['architectures'] = [{'roberta': 'RobertaForMaskedLM', 'mpnet': 'MPNetForMaskedLM', 'gpt2': 'GPT2LMHeadModel', 'bert': 'BertForMaskedLM'}[family]]
        if cfg['model_type'] == 'xlm-roberta':
            cfg['architectures'] = ['XLMRobertaForMaskedLM']
    json.dump(cfg, open(os.path.join(out, 'config.json'), 'w'), indent=2)
    H = cfg.get('hidden_size') or cfg['n_embd']
    st_files(out, H, spec['pooling'], spec['max_seq_length'])

    rng = np.random.default_rng(spec['seed'])
    base = random_params(family, cfg, rng, spec.get('std', 0.05))
    tensors = [(spec['prefix'] + n, a) for n, a in base.items()]
    word = base['wte.weight'] if family == 'gpt2' else base['embeddings.word_embeddings.weight']
    for n, a in extra_tensors(spec['extra'], cfg, rng):
        tensors.append((n, word.copy() if a is None else a))
    if spec['extra'] == 'roberta-mlm':
        tensors.append((spec['prefix'] + 'embeddings.position_ids', np.arange(cfg['max_position_embeddings'], dtype=np.int64).reshape(1, -1)))
    if spec['extra'] == 'gpt2-lm':
        P = cfg['n_positions']
        for i in range(cfg['n_layer']):
            tensors.append((f'{spec["prefix"]}h.{i}.attn.bias', np.tril(np.ones([P, P], np.float32)).reshape(1, 1, P, P)))
            tensors.append((f'{spec["prefix"]}h.{i}.attn.masked_bias', np.array(-1e4, dtype=np.float32)))
    write_safetensors(os.path.join(out, 'model.safetensors'), tensors)

    m = Model(out)
    assert m.pooling == spec['pooling'] and m.max_len == spec['max_seq_length']
    ids, before = m.tok.encode(TEXTS, m.max_len)
    input_ids, mask = m.tok.batch(ids)
    with torch.no_grad():
        pooled = m.embed_ids(ids)
    tr = spec['train']
    B, S = tr['batch_size'], tr['steps']
    pairs = PAIRS[:B * S]
    batches = [pairs[i * B:(i + 1) * B] for i in range(S)]
    with open(os.path.join(VARIANTS, name, 'pairs.jsonl'), 'w') as f:
        for a, p in pairs:
            f.write(json.dumps({'text': a, 'text_pos': p}, ensure_ascii=False) + '\n')
    with open(os.path.join(VARIANTS, name, 'texts.txt'), 'w') as f:
        f.write('\n'.join(TEXTS) + '\n')
    rec, trained = train(m, batches, tr['lr'], tr['warmup'], S, tr['max_grad_norm'], tr['strategy'])
    with torch.no_grad():
        after = m.embed(TEXTS, trained)
    frozen_change = max((float((trained[k] - m.params[k]).abs().max()) for k in m.params if k not in rec['trainable_params']), default=0.0)
    pair_lengths = m.tok.encode([t for p in pairs for t in p], 10 ** 6)[1]
    golden = {
        'about': f'PyTorch reference (scripts/oracle/variants.py, float32, dropout off) of {name}: ' + spec['about'],
        'model_type': cfg['model_type'], 'pooling': spec['pooling'], 'max_seq_length': spec['max_seq_length'],
        'weight_prefix': spec['prefix'], 'pad_token_id': m.tok.pad_id,
        'embed': {
            'texts': TEXTS, 'input_ids': input_ids.tolist(), 'attention_mask': mask.tolist(), 'lengths_before_truncation': before,
            'position_ids': (roberta_position_ids(input_ids, cfg['pad_token_id'] if family == 'roberta' else 1).tolist() if family in ('roberta', 'mpnet') else None),
            'pooled': pooled.tolist(),
        },
        'train': {
            'args': tr, 'loss': 'mnrl', 'scale': 20, 'weight_decay': 0.01,
            'batches': batches, 'pair_lengths_before_truncation': pair_lengths,
            **rec,
            'frozen_params_max_abs_change': frozen_change,
            'pooled_after': after.tolist(),
        },
    }
    json.dump(golden, open(os.path.join(VARIANTS, name, 'golden.json'), 'w'), ensure_ascii=False)
    print(name, 'lengths', before, 'losses', [round(x, 4) for x in rec['loss_per_step']], 'norms', [round(x, 3) for x in rec['grad_norm_before_clip_per_step']],
          'lr', rec['lr_per_step'], 'frozen', frozen_change, flush=True)


def generate(names=None):
    os.makedirs(VARIANTS, exist_ok=True)
    for name, spec in SPECS.items():
        if names and name not in names:
            continue
        make_variant(name, spec)


if __name__ == '__main__':
    cmd = sys.argv[1] if len(sys.argv) > 1 else 'check'
    if cmd == 'check':
        check()
    elif cmd == 'generate':
        generate(sys.argv[2:])
    else:
        raise SystemExit(__doc__)
