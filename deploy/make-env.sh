#!/usr/bin/env bash
# Creates .env for docker compose from .env.example: every password and secret generated, the operator's
# and the web console's Ed25519 key pairs made in ./keys/ (private keys never leave this machine).
# Usage, from the repository root: deploy/make-env.sh [ENV_FILE] (default .env; refuses to overwrite it).
# The key pairs go into keys/ beside ENV_FILE, and ENV_FILE names them.
# Needs bash, python3 and openssl. Run as root, it also gives the console's private key to the image's
# user (uid 10001), who must read it inside the container; otherwise it says the command to run.
set -euo pipefail

env_file="${1:-.env}"
example="$(dirname "$0")/../.env.example"
keys="$(dirname "$env_file")/keys"
if [ -e "$env_file" ]; then
    echo "$env_file exists; remove it first to make a new one" >&2
    exit 1
fi

# NATS reads a password as a config value: a letter first, then letters and digits only.
nats_password() { python3 -c 'import secrets,string;a=string.ascii_letters;print(secrets.choice(a)+"".join(secrets.choice(a+string.digits) for _ in range(31)))'; }
secret() { python3 -c 'import secrets;print(secrets.token_urlsafe(48))'; }

mkdir -p "$keys"
for pair in issuer console; do
    if [ ! -e "$keys/$pair.key" ]; then
        openssl genpkey -algorithm ed25519 -out "$keys/$pair.key" 2>/dev/null
        chmod 0400 "$keys/$pair.key"
        openssl pkey -in "$keys/$pair.key" -pubout -out "$keys/$pair.pub"
    fi
done

umask 077
while IFS= read -r line; do
    case "$line" in
        POSTGRES_PASSWORD=|PEER_DB_*_PASSWORD=) echo "${line}$(nats_password)" ;;
        PEER_NATS_*_PASSWORD=) echo "${line}$(nats_password)" ;;
        PEER_SESSION_SECRET=) echo "${line}$(secret)" ;;
        PEER_ISSUER_PUBLIC_KEY_FILE=*) echo "PEER_ISSUER_PUBLIC_KEY_FILE=$keys/issuer.pub" ;;
        PEER_CONSOLE_PRIVATE_KEY_FILE=*) echo "PEER_CONSOLE_PRIVATE_KEY_FILE=$keys/console.key" ;;
        PEER_CONSOLE_PUBLIC_KEY_FILE=*) echo "PEER_CONSOLE_PUBLIC_KEY_FILE=$keys/console.pub" ;;
        *) echo "$line" ;;
    esac
done < "$example" > "$env_file"

if [ "$(id -u)" = 0 ]; then
    chown 10001 "$keys/console.key"
else
    echo "now give the console's key to the container's user: sudo chown 10001 $keys/console.key" >&2
fi
echo "wrote $env_file and the key pairs in $keys/" >&2
