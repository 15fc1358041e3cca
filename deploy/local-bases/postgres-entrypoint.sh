#!/bin/sh
# First start: initdb, then the role and database named by POSTGRES_USER/POSTGRES_DB with
# POSTGRES_PASSWORD (scram-sha-256 over the network). Every start: exec postgres.
set -eu
if [ "${1:-postgres}" = "postgres" ]; then
    shift || true
    if [ ! -s "$PGDATA/PG_VERSION" ]; then
        : "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is required}"
        user="${POSTGRES_USER:-postgres}"
        db="${POSTGRES_DB:-$user}"
        pwfile="$(mktemp)"
        printf '%s\n' "$POSTGRES_PASSWORD" > "$pwfile"
        initdb --username="$user" --pwfile="$pwfile" --auth-local=trust \
            --auth-host=scram-sha-256 --encoding=UTF8 >/dev/null
        rm -f "$pwfile"
        printf "host all all all scram-sha-256\n" >> "$PGDATA/pg_hba.conf"
        printf "listen_addresses = '*'\n" >> "$PGDATA/postgresql.conf"
        if [ "$db" != "postgres" ]; then
            pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
            createdb --username="$user" "$db"
            pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
        fi
    fi
    exec postgres "$@"
fi
exec "$@"
