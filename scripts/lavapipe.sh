#!/usr/bin/env bash
# Install Mesa's lavapipe (a CPU Vulkan driver) into .cache/lavapipe, without root and without
# touching the system, so that the WebGPU engine can be tested on Dawn's *Vulkan* backend —
# the backend an NVIDIA/AMD GPU uses on Linux — on a machine with no GPU
# (test/gpu-vulkan.test.ts). The software adapter of the other GPU tests goes through Dawn's
# OpenGL ES backend instead, a different shader compiler path.
#
# Why bookworm-backports: Debian 12's own lavapipe (Mesa 22.3) lacks
# shaderUniform*ArrayDynamicIndexing, which Dawn requires ("Vulkan
# shaderUniform*ArrayDynamicIndexing required"); Mesa 25.0 from bookworm-backports has it. Its
# newer libdrm comes along; its other dependencies (LLVM 15, libxcb, …) are the system's.
#
# Idempotent: prints the folder and exits at once when it is already there. Needs Debian's
# package mirror (CI has it). Usage: scripts/lavapipe.sh [DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-.cache/lavapipe}"
if [ -f "$dir/icd.json" ]; then echo "$dir"; exit 0; fi
work="$(mktemp -d)"
# Nothing partial stays behind: the download folder always goes, and $dir.tmp unless renamed.
trap 'rm -rf "$work" "$dir.tmp"' EXIT
mkdir -p "$work/sources" "$work/lists/partial" "$work/debs"
cat >"$work/sources/backports.sources" <<'EOF'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
apt_opts=(-qq -oDir::Etc::SourceList=/dev/null "-oDir::Etc::SourceParts=$work/sources" "-oDir::State::Lists=$work/lists" -oAPT::Sandbox::User=root)
apt-get "${apt_opts[@]}" update
(cd "$work/debs" && apt-get "${apt_opts[@]}" download mesa-vulkan-drivers/bookworm-backports libdrm2/bookworm-backports libdrm-amdgpu1/bookworm-backports libvulkan1)
mkdir -p "$work/root"
for f in "$work"/debs/*.deb; do dpkg -x "$f" "$work/root"; done
rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
cp -a "$work/root/usr/lib/x86_64-linux-gnu/." "$dir.tmp/lib/"
abs="$(cd "$dir.tmp" && pwd)"
# The ICD manifest names the driver by absolute path; the final folder is $dir, not $dir.tmp.
final="$(dirname "$abs")/$(basename "$dir")"
cat >"$dir.tmp/icd.json" <<EOF
{ "file_format_version": "1.0.0", "ICD": { "library_path": "$final/lib/libvulkan_lvp.so", "api_version": "1.3.0" } }
EOF
rm -rf "$dir" && mv "$dir.tmp" "$dir"
echo "$dir"
