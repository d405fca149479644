#!/usr/bin/env bash
# bench:pure at PURE's real 7B shape on a GPU machine that has no Node.js and no node_modules.
# Two steps (docs/gpu.md):
#   scripts/gpu-bench.sh pack        here: builds .cache/gpu-kit (~40 MB): node (xz), the bench
#                                    bundled into one file, onnxruntime-node's Linux x64 binaries
#                                    (the library xz'd) and the Vulkan loader for WebGPU.
#   scripts/gpu-bench.sh run [--dry] there, with .cache/gpu-kit carried: unpacks what is missing,
#                                    picks the best provider that loads a tiny benchmark model
#                                    (in PURE's order: webgpu keeps the KV cache on the card, then
#                                    cuda), runs bench:pure at the 7b shape with it and prints the
#                                    numbers (and the peak GPU memory from nvidia-smi); then, while
#                                    time is left, the host-cache design on the same card, int4
#                                    weights and the sampling graph for comparison; last, both
#                                    Real-ESRGAN engines at 512x512 and 2000x1500 on the card and
#                                    the CPU. --dry: tiny shapes, for trying the script anywhere.
# Every model it builds is a benchmark model (random weights, not PURE).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
KIT=$ROOT/.cache/gpu-kit
ORT_SUB=bin/napi-v6/linux/x64 # onnxruntime-node's Linux x64 binaries, inside its package

pack() {
  rm -rf "$KIT" && mkdir -p "$KIT/node_modules"
  npx esbuild bench/pure-model.bench.ts --bundle --platform=node --format=esm --target=node20 \
    --external:onnxruntime-node --outfile="$KIT/bench.mjs" --log-level=warning
  # What the app's 'auto' and 'gpu' would pick there: checks the card probe on a real nvidia-smi.
  npx esbuild src-main/cli/providers.ts --bundle --platform=node --format=esm --target=node20 \
    --external:onnxruntime-node --outfile="$KIT/providers.mjs" --log-level=warning
  # Where sampling on the card pays: the sampling graph's ms per token there against the host's.
  npx esbuild scripts/probe-webgpu-sampler.ts --bundle --platform=node --format=esm --target=node20 \
    --external:onnxruntime-node --outfile="$KIT/probe-sampler.mjs" --log-level=warning
  # Whether the card's fp16 MatMul accumulates in fp16 (it does on lavapipe): decides fp16 vs int4 there.
  npx esbuild scripts/probe-webgpu-accumulation.ts --bundle --platform=node --format=esm --target=node20 \
    --external:onnxruntime-node --outfile="$KIT/probe-accumulation.mjs" --log-level=warning
  # Real-ESRGAN on the card vs its CPU (issue 15): x4fast's real model (4.8 MB) and the .param
  # graphs, from which the kit builds x4plus as a benchmark model (its 67 MB do not fit the kit).
  npx esbuild bench/realesrgan-gpu.bench.ts --bundle --platform=node --format=esm --target=node20 \
    --external:onnxruntime-node --external:sharp --outfile="$KIT/realesrgan.mjs" --log-level=warning
  npx tsx bench/write-ncnn-params.ts "$KIT"
  local x4fast=${PURE_STUDIO_HOME:-$HOME/.local/share/pure-studio}/models/realesrgan-x4fast/model.onnx
  if [ -f "$x4fast" ]; then cp "$x4fast" "$KIT/realesrgan-x4fast.onnx"; fi
  xz -6 -T0 -c "$(command -v node)" > "$KIT/node.xz"
  # onnxruntime-node without its other platforms' binaries; the 46 MB library goes xz'd.
  mkdir -p "$KIT/node_modules/onnxruntime-node/$ORT_SUB"
  cp -r node_modules/onnxruntime-node/package.json node_modules/onnxruntime-node/dist "$KIT/node_modules/onnxruntime-node/"
  cp "node_modules/onnxruntime-node/$ORT_SUB/onnxruntime_binding.node" "$KIT/node_modules/onnxruntime-node/$ORT_SUB/"
  xz -6 -T0 -c "node_modules/onnxruntime-node/$ORT_SUB/libonnxruntime.so.1" > "$KIT/libonnxruntime.so.1.xz"
  cp -r node_modules/onnxruntime-common "$KIT/node_modules/"
  # WebGPU (Dawn) reaches the GPU through Vulkan: carry the loader in case the machine lacks it.
  local vk
  vk=$(ldconfig -p | awk '/libvulkan\.so\.1 .*x86-64/ {print $NF}' | head -1 || true)
  if [ -n "$vk" ]; then cp -L "$vk" "$KIT/libvulkan.so.1"; else echo "gpu-bench: no libvulkan.so.1 here (apt-get install libvulkan1); WebGPU will need the machine's own"; fi
  # NVIDIA's Vulkan driver (libGLX_nvidia) loads through glvnd: carry its dispatch libraries too.
  mkdir -p "$KIT/glvnd"
  local l path
  for l in libGLdispatch.so.0 libGLX.so.0 libEGL.so.1 libOpenGL.so.0; do
    path=$(ldconfig -p | awk -v l="$l" '$1 == l && /x86-64/ {print $NF}' | head -1 || true)
    if [ -n "$path" ]; then cp -L "$path" "$KIT/glvnd/$l"; fi
  done
  du -sh "$KIT"
}

unpack() {
  # What is unpacked is removed on exit: the kit must stay small enough to carry (64 MiB).
  trap 'rm -rf "$KIT/bin" "$KIT/lib" "$KIT/node_modules/onnxruntime-node/$ORT_SUB/libonnxruntime.so.1"' EXIT
  if ! command -v node >/dev/null; then
    mkdir -p "$KIT/bin"
    [ -x "$KIT/bin/node" ] || xz -dc "$KIT/node.xz" > "$KIT/bin/node"
    chmod +x "$KIT/bin/node"
    export PATH=$KIT/bin:$PATH
  fi
  local lib=$KIT/node_modules/onnxruntime-node/$ORT_SUB/libonnxruntime.so.1
  [ -f "$lib" ] || xz -dc "$KIT/libonnxruntime.so.1.xz" > "$lib"
  mkdir -p "$KIT/lib"
  local libs
  libs=$(ldconfig -p || true)
  if ! grep -q 'libvulkan\.so\.1 ' <<<"$libs" && [ -f "$KIT/libvulkan.so.1" ]; then
    cp "$KIT/libvulkan.so.1" "$KIT/lib/"
  fi
  local l
  for l in "$KIT"/glvnd/*; do
    [ -e "$l" ] || continue
    grep -q "$(basename "$l") " <<<"$libs" || cp "$l" "$KIT/lib/"
  done
  # Containers with the driver mounted under /usr/local/nvidia keep its Vulkan manifest there.
  local icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
  if [ -f "$icd" ] && ! ls /usr/share/vulkan/icd.d/*nvidia* /etc/vulkan/icd.d/*nvidia* >/dev/null 2>&1 && [ -z "${VK_DRIVER_FILES:-}${VK_ICD_FILENAMES:-}" ]; then
    export VK_DRIVER_FILES=$icd
  fi
  export LD_LIBRARY_PATH=$KIT/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  export PURE_BENCH_ROOT=$ROOT
}

bench() { node "$KIT/bench.mjs" "$@"; }

# One extra bench run after the main one: what it is, the name of its JSON (copied to $OUT), bench's flags.
extra() {
  local label=$1 name=$2
  shift 2
  echo "$label"
  bench "$@" --prefill-chunk 512 --threads "$(nproc)" --json >"$KIT/result-$name.json" || echo "gpu-bench: the $name run failed ($?)"
  if [ -s "$KIT/result-$name.json" ] && [ -n "${OUT:-}" ]; then cp "$KIT/result-$name.json" "$OUT/gpu-bench-result-$name.json"; fi
}

run() {
  local dry=${1:-}
  unpack
  echo "node $(node --version); $(nproc) cores; $(free -g | awk '/Mem:/ {print $7}') GB RAM available; disk: $(df -h --output=avail "$ROOT" | tail -1)"
  local free_gb=""
  if command -v nvidia-smi >/dev/null; then
    nvidia-smi --query-gpu=name,memory.total,memory.free,driver_version --format=csv
    free_gb=$(nvidia-smi --query-gpu=memory.free --format=csv,noheader,nounits | head -1 | awk '{printf "%.1f", $1 / 1000}')
  fi
  node "$KIT/providers.mjs" || echo "gpu-bench: the provider probe failed"
  # The best provider is the first that runs a tiny benchmark model end to end, in the order PURE
  # prefers them (resolve-providers.ts): webgpu keeps the KV cache on the card; cuda cannot from
  # Node (no IO binding), so its cache crosses PCIe every step.
  local provider=cpu p
  local start=$SECONDS
  for p in webgpu cuda; do
    if bench --shape tiny --provider "$p" --dtype fp16 --contexts 32 --steps 2 --threads 4 >"$KIT/probe-$p.log" 2>&1; then provider=$p; break; fi
    echo "provider $p: not usable here: $(grep -m1 'bench:pure' "$KIT/probe-$p.log" || tail -1 "$KIT/probe-$p.log")"
  done
  echo "provider: $provider"
  local shape=7b dtype=fp16 contexts=4096,8192 steps=8
  if [ "$dry" = "--dry" ]; then shape=tiny; contexts=256,512; fi
  if [ "$provider" = cpu ] && [ "$dry" != "--dry" ]; then
    # 7B on 16 CPU cores: seconds per step and minutes per prefill; measure the small shape instead.
    echo "no GPU provider worked: measuring the small shape on the CPU instead of 7b"
    shape=small dtype=fp32 contexts=1024,2048
  fi
  local mem_log=$KIT/gpu-mem.log mon=""
  if command -v nvidia-smi >/dev/null; then
    nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -lms 500 >"$mem_log" &
    mon=$!
  fi
  local status=0
  bench --shape "$shape" --dtype "$dtype" --provider "$provider" --contexts "$contexts" --steps "$steps" \
    --prefill-chunk 512 --threads "$(nproc)" ${free_gb:+--device-free-gb "$free_gb"} --json >"$KIT/result.json" || status=$?
  if [ -n "$mon" ]; then
    kill "$mon" 2>/dev/null || true
    echo "peak GPU memory used: $(sort -n "$mem_log" | tail -1) MiB (nvidia-smi, whole device)"
  fi
  if [ "$status" -eq 0 ]; then
    cat "$KIT/result.json"
    if [ -n "${OUT:-}" ]; then cp "$KIT/result.json" "$OUT/gpu-bench-result.json"; fi
  fi
  # Extras while the time limit allows, cheapest first (each has its own deadline in seconds since
  # the start; the main run above comes first whatever the time).
  local elapsed
  # 0. fp16 vs int4 products on the card: a few seconds.
  if [ "$provider" = webgpu ]; then timeout 60 node "$KIT/probe-accumulation.mjs" || echo "gpu-bench: the accumulation probe failed ($?)"; fi
  # 1. Sampling on the card (PURE_STUDIO_SAMPLE_ON_DEVICE) against the host sampler: ~30 s.
  elapsed=$((SECONDS - start))
  if [ "$provider" = webgpu ] && [ "$elapsed" -lt "${GPU_BENCH_SAMPLER_BEFORE_S:-420}" ]; then
    echo "sampling graph on $provider vs the host sampler:"
    timeout 90 node "$KIT/probe-sampler.mjs" 20 || echo "gpu-bench: the sampler probe failed or ran out of time ($?)"
  fi
  # 1b. The two-level device cache (packages do not carry it yet): the same shape at 4096.
  elapsed=$((SECONDS - start))
  if [ "$status" -eq 0 ] && [ "$provider" = webgpu ] && [ "$elapsed" -lt "${GPU_BENCH_SPLIT_BEFORE_S:-360}" ]; then
    extra "the two-level (split) device cache on $provider:" split --shape "$shape" --dtype "$dtype" --provider "$provider" --cache split --contexts "${contexts%%,*}" --steps 4
  fi
  # 2. int4 weights (what 12-16 GB cards run), one context.
  elapsed=$((SECONDS - start))
  if [ "$status" -eq 0 ] && [ "$provider" != cpu ] && [ "$dry" != "--dry" ] && [ "$elapsed" -lt "${GPU_BENCH_INT4_BEFORE_S:-330}" ]; then
    extra "int4 weights on $provider:" int4 --shape "$shape" --dtype int4 --provider "$provider" --contexts "${contexts%%,*}" --steps 4
  fi
  # 3. The design the device cache replaces, on the same card: the static cache in host memory,
  #    uploaded whole at every step. One context, few steps.
  elapsed=$((SECONDS - start))
  if [ "$status" -eq 0 ] && [ "$provider" = webgpu ] && [ "$elapsed" -lt "${GPU_BENCH_COMPARE_BEFORE_S:-300}" ]; then
    extra "for comparison, the host static cache on $provider (uploaded every step):" static --shape "$shape" --dtype "$dtype" --provider "$provider" --cache static --contexts "${contexts%%,*}" --steps 4
  fi
  # 4. Real-ESRGAN, both engines at 512x512 and 2000x1500: s per input megapixel on the card and
  #    on this machine's CPU (x4plus as a benchmark model of its real graph).
  local providers=$provider
  if [ "$provider" != cpu ]; then providers=$provider,cpu; fi
  echo "Real-ESRGAN on $providers:"
  timeout "${GPU_BENCH_REALESRGAN_S:-300}" node "$KIT/realesrgan.mjs" --kit "$KIT" --providers "$providers" $dry || echo "gpu-bench: the Real-ESRGAN run failed or ran out of time ($?)"
  return "$status"
}

case "${1:-}" in
  pack) pack ;;
  run) run "${2:-}" ;;
  *) echo "usage: scripts/gpu-bench.sh pack | run [--dry]" >&2; exit 2 ;;
esac
