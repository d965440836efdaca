#!/usr/bin/env bash
# docker-entrypoint-initdb.d hook for the official postgres image: runs the
# same create-databases.sql as the embedded launcher, with the passwords of the
# service roles (the web console's included) from the environment. Mount
# create-databases.sql outside /docker-entrypoint-initdb.d (the entrypoint would
# run it without variables), by default at /etc/peer-support/create-databases.sql.
set -euo pipefail

sql_file="${PEER_DB_SQL_FILE:-/etc/peer-support/create-databases.sql}"

psql -v ON_ERROR_STOP=1 --no-psqlrc \
    --username "${POSTGRES_USER:-postgres}" --dbname postgres \
    -v referrals_password="${PEER_DB_REFERRALS_PASSWORD:?}" \
    -v matching_password="${PEER_DB_MATCHING_PASSWORD:?}" \
    -v sessions_password="${PEER_DB_SESSIONS_PASSWORD:?}" \
    -v outcomes_password="${PEER_DB_OUTCOMES_PASSWORD:?}" \
    -v groups_password="${PEER_DB_GROUPS_PASSWORD:?}" \
    -v console_password="${PEER_DB_CONSOLE_PASSWORD:?}" \
    -f "$sql_file"
