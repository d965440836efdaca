#!/usr/bin/env bash
# What compose relies on from the official postgres image's entrypoint: on an empty data folder, initdb
# with POSTGRES_USER / POSTGRES_PASSWORD / POSTGRES_INITDB_ARGS, then every /docker-entrypoint-initdb.d
# script (*.sh sourced or run, *.sql through psql) against a server on its socket only; then the server,
# listening on every interface with password authentication, as the postgres user.
set -euo pipefail

if [ "$(id -u)" = 0 ]; then
    chown -R postgres:postgres "$PGDATA" /var/run/postgresql
    exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

export POSTGRES_USER="${POSTGRES_USER:-postgres}"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    : "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is required}"
    pwfile="$(mktemp)"
    printf '%s\n' "$POSTGRES_PASSWORD" > "$pwfile"
    # shellcheck disable=SC2086  # POSTGRES_INITDB_ARGS is a list of options, as in the official image
    initdb --username="$POSTGRES_USER" --pwfile="$pwfile" --encoding=UTF8 --locale=C.UTF-8 \
        ${POSTGRES_INITDB_ARGS:-} >/dev/null
    rm -f "$pwfile"
    echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
    {
        echo "listen_addresses = '*'"
        echo "unix_socket_directories = '/var/run/postgresql'"
    } >> "$PGDATA/postgresql.conf"

    pg_ctl --silent --wait --options "-c listen_addresses=''" start
    export PGPASSWORD="$POSTGRES_PASSWORD" PGUSER="$POSTGRES_USER"
    for script in /docker-entrypoint-initdb.d/*; do
        case "$script" in
            *.sh) if [ -x "$script" ]; then "$script"; else . "$script"; fi ;;
            *.sql) psql -v ON_ERROR_STOP=1 --no-psqlrc --dbname postgres -f "$script" ;;
            *) ;;
        esac
    done
    unset PGPASSWORD PGUSER
    pg_ctl --silent --wait --mode fast stop
fi

if [ "${1:-}" = postgres ]; then
    shift
    exec postgres "$@"
fi
exec "$@"
