#!/usr/bin/env bash
# A software WebGPU adapter for the tests: Mesa 25's lavapipe (Vulkan on the CPU) unpacked into
# /opt/mesa25, beside the system's own Mesa, which it does not replace. Debian 12's lavapipe (Mesa
# 22.3) is refused by Dawn ("shaderUniform*ArrayDynamicIndexing required"); bookworm-backports has
# one it accepts. With it, the WebGPU tests (ort-gpu-cache-runner.test.ts and the device sampler's)
# run instead of skipping; speed on it means nothing (shaders run on the CPU through LLVM).
# Needs root and Debian's mirrors. Prints the environment to export. Safe to run again.
set -euo pipefail
PREFIX=/opt/mesa25
ICD=$PREFIX/lvp.json
if [ ! -f "$ICD" ]; then
  export DEBIAN_FRONTEND=noninteractive
  src=/etc/apt/sources.list.d/pure-studio-backports.sources
  if ! grep -rqs bookworm-backports /etc/apt/sources.list /etc/apt/sources.list.d/; then
    printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' >"$src"
  fi
  apt-get update -qq
  # The loader, and Debian's own Mesa for the libraries the newer lavapipe links against (LLVM 15...).
  apt-get install -y -qq --no-install-recommends libvulkan1 mesa-vulkan-drivers >/dev/null
  work=$(mktemp -d)
  (cd "$work" && apt-get download -qq mesa-vulkan-drivers/bookworm-backports 2>/dev/null)
  dpkg-deb -x "$work"/mesa-vulkan-drivers_*.deb "$PREFIX"
  rm -rf "$work"
  sed "s#\"library_path\": \".*\"#\"library_path\": \"$PREFIX/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so\"#" \
    "$PREFIX"/usr/share/vulkan/icd.d/lvp_icd*.json >"$ICD"
fi
echo "export VK_ICD_FILENAMES=$ICD XDG_RUNTIME_DIR=\${XDG_RUNTIME_DIR:-/tmp}"
