#!/usr/bin/env bash
# Prepares a fresh machine and runs the main job: system packages the tests need (MariaDB for the
# service, mariadb-backup for the restore drill, shellcheck for instance user data), npm packages,
# then a synth of every stack (local state unless TERRAFORM_STATE_BUCKET is set).
set -euo pipefail
cd "$(dirname "$0")/../.."

missing=()
command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ] || missing+=(mariadb-server)
# The restore drill takes and restores a base backup; Debian packages the tool on its own.
command -v mariadb-backup >/dev/null 2>&1 || missing+=(mariadb-backup)
command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing ${missing[*]} from Debian"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: the tests need ${missing[*]}; install them (Debian/Ubuntu: sudo apt-get install ${missing[*]}) and run again" >&2
    exit 1
  fi
fi

npm ci
CHECKPOINT_DISABLE=1 NX_DAEMON=false npx nx run-many -t synth
