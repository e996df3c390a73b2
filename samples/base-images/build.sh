#!/usr/bin/env bash
# Builds the sample's base images locally, because nothing can be pulled from public registries here:
#   edgeops-samples/node:20        — the host's node binary + the shared libraries ldd lists + busybox (sh)
#   edgeops-samples/busybox:amd64  — busybox-static FROM scratch
#   edgeops-samples/busybox:arm32v7 — armhf busybox-static FROM scratch (RUN steps need qemu binfmt)
# With public registries, pass official bases instead (BASE_IMAGE build arg), e.g. node:20-alpine.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
force=false
[ "${1:-}" = "--force" ] && force=true

exists() { docker image inspect "$1" >/dev/null 2>&1; }
ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT

if $force || ! exists edgeops-samples/node:20; then
  node_bin=$(readlink -f "$(command -v node)")
  mkdir -p "$ctx/node/rootfs/usr/local/bin" "$ctx/node/rootfs/bin" "$ctx/node/rootfs/tmp" "$ctx/node/rootfs/app"
  cp "$node_bin" "$ctx/node/rootfs/usr/local/bin/node"
  # Copy every library the dynamic loader resolves, at its real path (symlinks resolved).
  ldd "$node_bin" | awk '/=>/ {print $3} /^\t\/lib/ {print $1}' | while read -r lib; do
    [ -e "$lib" ] || continue
    mkdir -p "$ctx/node/rootfs$(dirname "$lib")"
    cp -L "$lib" "$ctx/node/rootfs$lib"
  done
  cp /bin/busybox "$ctx/node/rootfs/bin/busybox"
  for t in sh ls cat echo sleep env; do ln -s busybox "$ctx/node/rootfs/bin/$t"; done
  cat > "$ctx/node/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY rootfs/ /
ENV PATH=/usr/local/bin:/bin
WORKDIR /app
CMD ["node", "--version"]
DOCKERFILE
  DOCKER_BUILDKIT=0 docker build -q -t edgeops-samples/node:20 "$ctx/node" >/dev/null
  echo "built edgeops-samples/node:20 ($(docker run --rm edgeops-samples/node:20))"
fi

busybox_image() { # tag busybox-binary platform
  if $force || ! exists "$1"; then
    [ -x "$2" ] || { echo "missing $2 (run scripts/setup.sh)" >&2; return 1; }
    mkdir -p "$ctx/$3"
    cp "$2" "$ctx/$3/busybox"
    printf 'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\nCMD ["/bin/sh"]\n' > "$ctx/$3/Dockerfile"
    DOCKER_BUILDKIT=0 docker build -q --platform "$3" -t "$1" "$ctx/$3" >/dev/null
    echo "built $1"
  fi
}
busybox_image edgeops-samples/busybox:amd64 /bin/busybox linux/amd64
if [ -e /proc/sys/fs/binfmt_misc/qemu-arm ]; then
  busybox_image edgeops-samples/busybox:arm32v7 /usr/lib/edgeops/armhf/busybox linux/arm/v7
else
  echo "qemu-arm binfmt handler not registered: skipping edgeops-samples/busybox:arm32v7 (run scripts/setup.sh)" >&2
fi
