#!/usr/bin/env bash
# Upgrade the compose stack (deploy/compose.yaml) to the image now tagged clearstone-api:0.1.0,
# one API container at a time, without an outage:
#
#   1. migrate once (expand-only migrations: the old code keeps working on the new schema);
#   2. for each API container in turn: recreate it (SIGTERM: it refuses new connections at once,
#      nginx sends them to the other one, its requests in flight finish within 25 s), wait until
#      the new container is healthy and ready, then give nginx's resolver time to see its new
#      address before touching the next one;
#   3. the workers, if the `workers` profile runs, last.
#
#   deploy/rolling-upgrade.sh                    # after `docker compose build` (or a pull)
#   COMPOSE="docker compose -p clearstone-smoke -f deploy/compose.yaml -f override.yaml" \
#       FORCE_RECREATE=1 deploy/rolling-upgrade.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
read -r -a compose <<< "${COMPOSE:-docker compose -f $here/compose.yaml}"
apis=(${APIS:-api-1 api-2})
settle="${SETTLE_SECONDS:-4}"  # > nginx's resolver valid=2s
recreate=()
[ -n "${FORCE_RECREATE:-}" ] && recreate=(--force-recreate)

log() { printf '%s rolling-upgrade: %s\n' "$(date -u +%H:%M:%S)" "$*"; }

ready() {  # the container answers /readyz 200 (database reachable, schema at its head)
    "${compose[@]}" exec -T "$1" python -c \
        "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=2)" \
        >/dev/null 2>&1
}

log "migrating"
"${compose[@]}" run --rm migrate

for api in "${apis[@]}"; do
    log "replacing $api"
    "${compose[@]}" up -d --no-deps --wait --wait-timeout 120 "${recreate[@]}" "$api"
    for _ in $(seq 60); do
        ready "$api" && break
        sleep 1
    done
    ready "$api" || { log "$api is not ready; stopping here (the other APIs still serve)"; exit 1; }
    sleep "$settle"
    log "$api serves the new release"
done

if [ -n "$("${compose[@]}" ps -q worker 2>/dev/null)" ]; then
    log "replacing the workers"
    "${compose[@]}" up -d --no-deps "${recreate[@]}" worker
fi
log "done"
