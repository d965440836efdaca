#!/usr/bin/env bash
# The compose stage of CI, runnable alone (as root, from the repository root, after `uv sync`):
#   deploy/compose-ci.sh
# A real Docker engine (installed with apt and started if missing; stopped again if this script started
# it), stand-in base images (deploy/standins/build.sh; Docker Hub cannot be reached from CI), the whole
# deployment built and started from a freshly generated .env, every health check awaited, the smoke test
# through the published ports only (deploy/compose_smoke.py), and `docker-compose down -v` at the end.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
project=peer-support-ci
export COMPOSE_PROJECT_NAME="$project"
# The machine may run its own NATS on 4222: publish the deployment's elsewhere.
export PEER_NATS_PORT="${PEER_NATS_PORT:-14222}"
stage_start=$SECONDS
say() { echo "compose stage: $* [$((SECONDS - stage_start)) s]"; }

if ! command -v dockerd >/dev/null || ! command -v docker-compose >/dev/null || ! command -v debootstrap >/dev/null; then
    say "installing docker.io, docker-compose and debootstrap with apt"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io docker-compose debootstrap >/dev/null
fi
started_engine=""
work="$(mktemp -d)"
compose=(docker-compose --env-file "$work/.env" -p "$project")
cleanup() {
    if [ -e "$work/.env" ]; then
        "${compose[@]}" down -v --remove-orphans >/dev/null 2>&1 || true
        say "docker-compose down -v: containers, network and volumes removed"
    fi
    if [ -n "$started_engine" ]; then
        kill "$started_engine" 2>/dev/null || true
        wait "$started_engine" 2>/dev/null || true
        say "stopped the Docker engine this stage started"
    fi
    rm -rf "$work"
}
trap cleanup EXIT
if ! docker info >/dev/null 2>&1; then
    dockerd >"$work/dockerd.log" 2>&1 &
    started_engine=$!
    for _ in $(seq 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
    docker info >/dev/null 2>&1 || { cat "$work/dockerd.log"; exit 1; }
    say "started the Docker engine ($(docker info --format '{{.ServerVersion}}, {{.Driver}}'))"
fi

eval "$(deploy/standins/build.sh)"
say "base images: $PEER_PYTHON_IMAGE, $PEER_NATS_IMAGE, $PEER_POSTGRES_IMAGE"
deploy/make-env.sh "$work/.env" 2>/dev/null
if ! "${compose[@]}" build >"$work/build.log" 2>&1; then
    tail -50 "$work/build.log" >&2
    exit 1
fi
say "built the images: $(docker images --filter "reference=${project}_*" --format '{{.Repository}}' | sort | tr '\n' ' ')"
"${compose[@]}" up -d >"$work/up.log" 2>&1 || { cat "$work/up.log" >&2; exit 1; }
deadline=$((SECONDS + 180))
while :; do
    unhealthy="$(docker ps -a --filter "label=com.docker.compose.project=$project" \
        --format '{{.Names}} {{.Status}}' | grep -v '(healthy)' || true)"
    [ -z "$unhealthy" ] && break
    if [ $SECONDS -gt $deadline ]; then
        echo "not healthy: $unhealthy" >&2
        "${compose[@]}" logs --tail 30 >&2
        exit 1
    fi
    sleep 1
done
say "every container healthy: $(docker ps --filter "label=com.docker.compose.project=$project" \
    --format '{{.Label "com.docker.compose.service"}}' | sort | tr '\n' ' ')"
.venv/bin/python deploy/compose_smoke.py --env "$work/.env" --keys "$work/keys" --project "$project"
say "smoke test passed"
