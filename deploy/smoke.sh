#!/usr/bin/env bash
# The deploy smoke test (`make deploy-smoke`): the compose stack run for real.
#
#   1. base images: the public ones if present, else local stand-ins (deploy/local-bases/);
#   2. build the API image (deploy/Dockerfile), bring the stack up (migrate, api-1, api-2, lb,
#      PostgreSQL, Redis) and load the demo stones;
#   3. through nginx: /healthz, /readyz, a certificate lookup, its attestation, and a forged
#      X-Forwarded-For that must not count;
#   4. a rolling upgrade (deploy/rolling-upgrade.sh, both APIs recreated one at a time) while a
#      bounded load runs: fails on any non-2xx answer;
#   5. a PostgreSQL restart under the same load: 503s while it is down are expected, anything
#      else (502, 500, a hang) fails, and the service must recover by itself;
#   6. tear everything down (containers, network, volume; images stay as the build cache).
#
# Needs root (a container engine; debootstrap for the stand-ins). Not part of CI: it takes
# minutes. It starts dockerd if none runs, and stops it again at the end. Everything runs under
# its own compose project (clearstone-smoke) with throwaway secrets in a temporary directory;
# the load goes to 127.0.0.1 only. Its last run is summarised in docs/operations.md.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
port="${SMOKE_PORT:-18080}"
certificate="DEMO-BW-2023"
work="$(mktemp -d /tmp/clearstone-smoke.XXXXXX)"
project="clearstone-smoke"
docker="${DOCKER:-docker}"
started_dockerd=""
load_pid=""
summary="$work/summary.txt"

log() { printf '%s smoke: %s\n' "$(date -u +%H:%M:%S)" "$*"; }
fail() { log "FAILED: $*"; exit 1; }

# --- the container engine -------------------------------------------------------------------
if ! "$docker" info >/dev/null 2>&1; then
    command -v dockerd >/dev/null || fail "no docker daemon and no dockerd to start"
    log "starting dockerd"
    dockerd >"$work/dockerd.log" 2>&1 &
    started_dockerd=$!
    for _ in $(seq 60); do "$docker" info >/dev/null 2>&1 && break; sleep 1; done
    "$docker" info >/dev/null 2>&1 || fail "dockerd did not start (see $work/dockerd.log)"
fi
if command -v docker-compose >/dev/null; then
    compose_bin=(docker-compose)
elif [ -x "$root/.venv/bin/docker-compose" ]; then
    compose_bin=("$root/.venv/bin/docker-compose")
else
    compose_bin=("$docker" compose)
fi

# --- throwaway configuration: secrets owned by the image's user, and an override ------------
password="$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32)"
mkdir -p "$work/secrets"
printf 'POSTGRES_PASSWORD=%s\nCLEARSTONE_PORT=%s\n' "$password" "$port" > "$work/env"
cat > "$work/override.yaml" <<YAML
# Smoke only: throwaway secrets, and a public rate limit the load from one address stays under.
x-smoke-env: &smoke-env
  CLEARSTONE_RATE_LIMIT_PUBLIC: "1000000"
services:
  api-1: {environment: *smoke-env}
  api-2: {environment: *smoke-env}
secrets:
  signing_keys: {file: $work/secrets/signing_keys}
  client_secret_pepper: {file: $work/secrets/client_secret_pepper}
YAML
compose=("${compose_bin[@]}" -p "$project" --env-file "$work/env"
         -f deploy/compose.yaml -f "$work/override.yaml")

cleanup() {
    status=$?
    [ -n "$load_pid" ] && kill "$load_pid" 2>/dev/null || true
    if [ "$status" -ne 0 ]; then
        log "logs of the failed run:"
        "${compose[@]}" logs --no-color --tail 40 2>&1 | tail -120 || true
    fi
    log "tearing down"
    "${compose[@]}" --profile workers down -v --remove-orphans >/dev/null 2>&1 || true
    if [ -n "$started_dockerd" ]; then
        kill "$started_dockerd" 2>/dev/null || true
        wait "$started_dockerd" 2>/dev/null || true
    fi
    [ -f "$summary" ] && cat "$summary"
    rm -rf "$work"
    exit "$status"
}
trap cleanup EXIT

since() { echo $(( $(date +%s) - $1 )); }
t0=$(date +%s)

# --- 1. bases, 2. build and up ----------------------------------------------------------------
DOCKER="$docker" deploy/local-bases/build.sh
t=$(date +%s)
"${compose[@]}" build --quiet api-1
build_seconds=$(since "$t")
log "image built in ${build_seconds}s"

"$docker" run --rm clearstone-api:0.1.0 clearstone-api generate-signing-key > "$work/secrets/signing_keys"
"$docker" run --rm clearstone-api:0.1.0 clearstone-api generate-pepper > "$work/secrets/client_secret_pepper"
chown 10001:10001 "$work/secrets/"*
chmod 0400 "$work/secrets/"*
chmod 0755 "$work" "$work/secrets"

t=$(date +%s)
"${compose[@]}" up -d --wait --wait-timeout 300
up_seconds=$(since "$t")
log "stack healthy in ${up_seconds}s"
"${compose[@]}" run --rm --no-deps api-1 clearstone-api load-demo

# --- 3. through nginx ---------------------------------------------------------------------------
base="http://127.0.0.1:$port"
expect() {  # expect STATUS PATH [curl args...]
    want="$1"; path="$2"; shift 2
    got="$(curl -sS -o "$work/body" -w '%{http_code}' "$@" "$base$path")"
    [ "$got" = "$want" ] || fail "GET $path answered $got, not $want: $(head -c 300 "$work/body")"
}
expect 200 /healthz
expect 200 /readyz
expect 200 "/v1/certificates/$certificate"
grep -q '"evidence_level"' "$work/body" || fail "the lookup did not return a stone: $(head -c 300 "$work/body")"
expect 200 "/v1/certificates/$certificate/attestation"
[ "$(tr -cd '.' < "$work/body" | wc -c)" -eq 2 ] || fail "the attestation is not a compact JWS"
expect 404 /metrics
log "healthz, readyz, lookup, attestation through nginx: ok"

# A forged X-Forwarded-For is replaced by nginx; and another container than the load balancer
# cannot set one at all (FORWARDED_ALLOW_IPS is the load balancer's address only).
expect 200 /healthz -H "X-Forwarded-For: 203.0.113.99"
"${compose[@]}" exec -T api-2 python -c "import urllib.request as u; u.urlopen(u.Request(
    'http://api-1:8000/healthz', headers={'X-Forwarded-For': '203.0.113.98'}), timeout=5)"
sleep 1
"${compose[@]}" logs --no-color api-1 api-2 | grep -q '"client": "203.0.113.9[89]"' \
    && fail "a forged X-Forwarded-For reached the access log"
log "forged X-Forwarded-For from a client and from another container: ignored"

# --- 4. rolling upgrade under load ----------------------------------------------------------------
run_load() {  # run_load NAME: start the bounded load in the background
    rm -f "$work/stop"
    python3 deploy/smoke_load.py --port "$port" --certificate "$certificate" \
        --stop "$work/stop" > "$work/$1.json" &
    load_pid=$!
    sleep 3
}
stop_load() {
    touch "$work/stop"
    wait "$load_pid"
    load_pid=""
}
figure() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$@"; }

run_load upgrade
t=$(date +%s)
COMPOSE="${compose[*]}" FORCE_RECREATE=1 deploy/rolling-upgrade.sh
upgrade_seconds=$(since "$t")
sleep 3
stop_load
cat "$work/upgrade.json"
upgrade_requests=$(figure "$work/upgrade.json" requests)
upgrade_bad=$(figure "$work/upgrade.json" non_2xx)
[ "$upgrade_requests" -gt 0 ] || fail "the load sent nothing"
[ "$upgrade_bad" -eq 0 ] || fail "$upgrade_bad of $upgrade_requests requests were not 2xx during the rolling upgrade"
log "rolling upgrade: $upgrade_requests requests in ${upgrade_seconds}s, 0 non-2xx"

# --- 5. PostgreSQL restart under load ---------------------------------------------------------
run_load postgres
t=$(date +%s)
"${compose[@]}" restart postgres
for _ in $(seq 60); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/readyz")" = 200 ] && break
    sleep 1
done
recovery_seconds=$(since "$t")
expect 200 /readyz
sleep 3
stop_load
cat "$work/postgres.json"
restart_requests=$(figure "$work/postgres.json" requests)
restart_bad=$(python3 -c "
import json, sys
statuses = json.load(open(sys.argv[1]))['statuses']
print(sum(n for s, n in statuses.items() if not (s.startswith('2') or s == '503')))
" "$work/postgres.json")
restart_503=$(python3 -c "
import json, sys; print(json.load(open(sys.argv[1]))['statuses'].get('503', 0))
" "$work/postgres.json")
[ "$restart_bad" -eq 0 ] || fail "$restart_bad answers other than 2xx/503 around the PostgreSQL restart"
expect 200 "/v1/certificates/$certificate"
log "PostgreSQL restart: $restart_requests requests, $restart_503 x 503 while it was down, ready again after ${recovery_seconds}s"

cat > "$summary" <<TEXT
deploy smoke passed $(date -u +%Y-%m-%dT%H:%MZ) in $(since "$t0")s
  image build ${build_seconds}s; stack healthy ${up_seconds}s
  healthz, readyz, certificate lookup, attestation through nginx: 200
  rolling upgrade (api-1 then api-2) under load: $upgrade_requests requests in ${upgrade_seconds}s, $upgrade_bad non-2xx
  PostgreSQL restart under load: $restart_requests requests, $restart_503 x 503, 0 other non-2xx, /readyz 200 after ${recovery_seconds}s
TEXT
