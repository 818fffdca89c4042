#!/usr/bin/env bash
# Usage: scripts/with-node.sh MAJOR COMMAND [ARG...]
#
# Runs COMMAND with Node.js MAJOR first on PATH, so that it and everything it spawns by name
# (npm's scripts, next build, vitest's workers, tsx, Playwright's web server) run on that Node.
# When the `node` on PATH already is that major, it runs COMMAND as is. Otherwise it fetches the
# Node binary from the npm registry's `node` package into npx's cache (~/.npm/_npx; a second
# run only checks the registry for a newer patch) and puts its directory first on PATH. npm
# itself stays the installed one and runs on the new Node.
#
# One node_modules serves every Node major: its native addons (@next/swc, sharp, lightningcss,
# rolldown) are all Node-API, whose ABI does not change between majors.
set -euo pipefail

major=${1:?usage: scripts/with-node.sh MAJOR COMMAND [ARG...]}
shift
[ "$#" -gt 0 ] || { echo "usage: scripts/with-node.sh MAJOR COMMAND [ARG...]" >&2; exit 2; }
case "$major" in *[!0-9]* | "") echo "with-node: MAJOR must be a number, got '$major'" >&2; exit 2 ;; esac

current_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || true; }

if [ "$(current_major)" != "$major" ]; then
  # Outside the project, so that npx cannot mistake anything in it for the package.
  node_path=$(cd / && npx --yes --package="node@$major" -- node -p process.execPath) || {
    echo "with-node: could not fetch Node $major from the npm registry (npx --package=node@$major)" >&2
    exit 1
  }
  PATH="$(dirname "$node_path"):$PATH"
  export PATH
  hash -r
  if [ "$(current_major)" != "$major" ]; then
    echo "with-node: $node_path is not Node $major" >&2
    exit 1
  fi
fi

echo "with-node: $(command -v node) $(node --version), npm $(npm --version)" >&2
exec "$@"
