#!/usr/bin/env bash
# Build the stand-in base images (README.md here) that are missing, tagged with the public names
# deploy/ uses. Needs root (debootstrap) and a running docker daemon.
#   deploy/local-bases/build.sh            # only the missing tags
#   FORCE=1 deploy/local-bases/build.sh    # rebuild them all
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
docker="${DOCKER:-docker}"
root="clearstone-local/debian:bookworm"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

have() { [ -z "${FORCE:-}" ] && "$docker" image inspect "$1" >/dev/null 2>&1; }

if ! have "$root"; then
    rootfs="$(mktemp -d /var/tmp/clearstone-rootfs.XXXXXX)"
    trap 'rm -rf "$rootfs"' EXIT
    debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >/dev/null
    tar -C "$rootfs" -c . | "$docker" import - "$root" >/dev/null
    echo "built $root"
fi

# The build context: these files plus the CA certificates this machine trusts on top of
# Debian's (a TLS-inspecting proxy's, for instance), so that pip inside the image build can
# reach the package index the way the host does. Never committed: copied per build.
context="$(mktemp -d)"
trap 'rm -rf "$context" ${rootfs:+"$rootfs"}' EXIT
cp "$here"/*.Dockerfile "$here"/*-entrypoint.sh "$context"/
mkdir -p "$context/extra-ca"
cp /usr/local/share/ca-certificates/*.crt "$context/extra-ca/" 2>/dev/null || true

for pair in python:python:3.11-slim-bookworm postgres:postgres:15-bookworm \
            redis:redis:7-bookworm nginx:nginx:1.28-alpine; do
    file="${pair%%:*}"
    tag="${pair#*:}"
    if ! have "$tag"; then
        "$docker" build -q -f "$context/$file.Dockerfile" -t "$tag" "$context" >/dev/null
        echo "built $tag (stand-in, $file.Dockerfile)"
    fi
done
