#!/bin/sh
# As the official image does: with no configuration file, turn protected mode off so that other
# containers on the network can connect (the compose network is the boundary here).
set -eu
if [ "${1:-}" = "redis-server" ]; then
    shift
    exec redis-server "$@" --protected-mode no
fi
exec "$@"
