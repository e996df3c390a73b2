#!/usr/bin/env bash
# Prepares a fresh machine for EdgeOps builds and tests, idempotently and quietly when already done:
# Debian packages (Docker engine, registry, qemu, busybox-static), a running dockerd, qemu binfmt handlers,
# and npm dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { echo "[setup] $*"; }
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

need_pkgs=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
for p in docker.io docker-registry busybox-static qemu-user-static binfmt-support apache2-utils openssl; do
  have_pkg "$p" || need_pkgs+=("$p")
done
if [ "${#need_pkgs[@]}" -gt 0 ]; then
  log "installing Debian packages: ${need_pkgs[*]}"
  $SUDO apt-get update -qq || log "apt-get update reported errors; trying to install anyway"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
fi
# armhf busybox-static lets tests build a real arm32v7 image with RUN steps under qemu.
if ! [ -x /usr/lib/edgeops/armhf/busybox ]; then
  if ! dpkg --print-foreign-architectures | grep -qx armhf; then $SUDO dpkg --add-architecture armhf; $SUDO apt-get update -qq || true; fi
  tmp=$(mktemp -d)
  if (cd "$tmp" && apt-get download -qq busybox-static:armhf >/dev/null 2>&1); then
    dpkg-deb -x "$tmp"/busybox-static_*_armhf.deb "$tmp/x"
    $SUDO mkdir -p /usr/lib/edgeops/armhf
    $SUDO cp "$tmp/x/bin/busybox" /usr/lib/edgeops/armhf/busybox
    log "armhf busybox-static ready"
  else
    log "armhf busybox-static not available; arm32v7 RUN test will be skipped"
  fi
  rm -rf "$tmp"
fi

# qemu binfmt handlers for cross-arch builds (needs binfmt_misc mounted).
if [ ! -e /proc/sys/fs/binfmt_misc/register ]; then
  $SUDO mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc 2>/dev/null || log "cannot mount binfmt_misc (cross-arch RUN steps unavailable)"
fi
if [ -e /proc/sys/fs/binfmt_misc/register ] && [ ! -e /proc/sys/fs/binfmt_misc/qemu-arm ]; then
  $SUDO update-binfmts --enable >/dev/null 2>&1 || true
  [ -e /proc/sys/fs/binfmt_misc/qemu-arm ] || $SUDO update-binfmts --import >/dev/null 2>&1 || true
fi

# Docker engine: start one in the background when none answers.
docker_ok() { timeout 10 docker info >/dev/null 2>&1; }
if ! docker_ok; then
  log "starting dockerd (vfs storage, no iptables)"
  $SUDO mkdir -p /var/log
  $SUDO bash -c 'nohup dockerd --storage-driver=vfs --iptables=false >/var/log/edgeops-dockerd.log 2>&1 &'
  for _ in $(seq 1 60); do docker_ok && break; sleep 1; done
  docker_ok || { log "dockerd did not come up; see /var/log/edgeops-dockerd.log"; tail -20 /var/log/edgeops-dockerd.log || true; exit 1; }
fi

# npm dependencies from the lock file, only when missing or stale.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm dependencies"
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi
log "ready"
