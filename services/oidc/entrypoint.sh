#!/bin/bash
# Install the generated configuration with a fresh signing key, then run the
# portal (llng-fastcgi-server) and nginx; the container ends when either does.
set -euo pipefail

: "${LLNG_PUBLIC_URL:?LLNG_PUBLIC_URL (the portal as a browser reaches it) must be set}"
: "${LLNG_INTERNAL_URL:?LLNG_INTERNAL_URL (the portal inside the compose network) must be set}"
config="${LLNG_CONFIG_FILE:-/config/lemonldap-ng.json}"
if ! jq -e 'type == "object"' "$config" >/dev/null 2>&1; then
    echo "oidc: $config is missing or is not a JSON object" >&2
    exit 2
fi

public="${LLNG_PUBLIC_URL%/}"
internal="${LLNG_INTERNAL_URL%/}"
internal_host="${internal#*://}"
internal_host="${internal_host%%[:/]*}"
sed -e "s|@PUBLIC_URL@|$public|g" -e "s|@INTERNAL_URL@|$internal|g" \
    -e "s|@INTERNAL_HOST@|$internal_host|g" \
    /etc/lemonldap-ng/scicatlive-nginx.conf > /etc/nginx/sites-enabled/portal.conf

# The ID tokens' signing key lives as long as the container.
key="$(openssl genrsa 2048 2>/dev/null)"
public_key="$(printf '%s\n' "$key" | openssl rsa -pubout 2>/dev/null)"
key_id="$(printf '%s' "$public_key" | sha256sum | cut -c1-16)"
jq --arg key "$key" --arg pub "$public_key" --arg kid "$key_id" --arg now "$(date +%s)" \
   '. + {oidcServicePrivateKeySig: $key, oidcServicePublicKeySig: $pub,
         oidcServiceKeyIdSig: $kid, cfgDate: $now}' \
   "$config" > /var/lib/lemonldap-ng/conf/lmConf-1.json
chown www-data:www-data /var/lib/lemonldap-ng/conf/lmConf-1.json
chmod 0600 /var/lib/lemonldap-ng/conf/lmConf-1.json

llng-fastcgi-server --foreground --user www-data --group www-data \
    --proc "${LLNG_PROCESSES:-2}" --socket /run/llng-fastcgi-server/llng-fastcgi.sock \
    --pid /run/llng-fastcgi-server/llng-fastcgi.pid &
nginx -g 'daemon off;' &
wait -n
status=$?
echo "oidc: a server process ended (status $status); stopping" >&2
exit "$status"
