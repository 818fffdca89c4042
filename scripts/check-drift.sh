#!/usr/bin/env bash
# Fails when lib/db/schema.ts and the committed migrations in drizzle/ disagree.
# (`drizzle-kit check` only validates the migration files; it does not see an ungenerated change.)
set -euo pipefail
cd "$(dirname "$0")/.."
npx drizzle-kit generate --name drift-check >/dev/null
if [ -n "$(git status --porcelain -- drizzle)" ]; then
  echo "Schema drift: lib/db/schema.ts has changes with no migration. Run 'npm run db:generate' and commit drizzle/." >&2
  git status --porcelain -- drizzle >&2
  exit 1
fi
echo "schema and migrations agree"
