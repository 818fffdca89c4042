#!/usr/bin/env bash
# Lints the committed openapi.json (regenerate it with `npm run openapi`) with Spectral
# (.spectral.yaml: spectral:oas + OWASP) and Redocly (redocly.yaml: recommended). Either one
# reporting an error fails; warnings are printed by Redocly only (Spectral shows errors only).
set -euo pipefail
cd "$(dirname "$0")/.."
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true SCARF_ANALYTICS=false
npx --no-install spectral lint openapi.json --ruleset .spectral.yaml --fail-severity error --display-only-failures
npx --no-install redocly lint openapi.json --config redocly.yaml --format stylish
