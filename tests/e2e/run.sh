#!/usr/bin/env bash
# End-to-end tests of the web UI from a clean clone: installs Debian's chromium if it is
# missing, installs playwright-core (which never downloads a browser), builds the
# whosaid binary, seeds a temporary database with `whosaid ingest` on fixtures/, runs the
# tests with node's test runner and prints "N passed, N failed". Exits non-zero on failure.
#
#   tests/e2e/run.sh                       # release build (cargo build --release -p whosaid)
#   WHOSAID_E2E_PROFILE=dev tests/e2e/run.sh   # reuse/make a debug build instead
#   WHOSAID_BIN=/path/to/whosaid tests/e2e/run.sh   # use this binary, build nothing
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

if [ ! -x /usr/bin/chromium ]; then
  echo "== installing chromium"
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "== installing node"
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq nodejs npm >/dev/null
fi

echo "== npm ci"
(cd "$here" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)

if [ -z "${WHOSAID_BIN:-}" ]; then
  profile="${WHOSAID_E2E_PROFILE:-release}"
  target="${CARGO_TARGET_DIR:-$root/target}"
  echo "== cargo build --profile $profile -p whosaid"
  (cd "$root" && cargo build --profile "$profile" -p whosaid)
  if [ "$profile" = dev ]; then WHOSAID_BIN="$target/debug/whosaid"; else WHOSAID_BIN="$target/$profile/whosaid"; fi
fi
export WHOSAID_BIN

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export WHOSAID_E2E_DB="$work/e2e.db"
echo "== whosaid ingest fixtures"
"$WHOSAID_BIN" ingest "$here/fixtures/articles.jsonl" --db "$WHOSAID_E2E_DB"

echo "== node --test"
mkdir -p "$here/artifacts"
set +e
(cd "$here" && node --test --test-concurrency=1 \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$here/artifacts/results.tap" test/)
status=$?
set -e
passed="$(grep -E '^# pass [0-9]+' "$here/artifacts/results.tap" | awk '{print $3}' | tail -1)"
failed="$(grep -E '^# fail [0-9]+' "$here/artifacts/results.tap" | awk '{print $3}' | tail -1)"
passed="${passed:-0}"; failed="${failed:-0}"
if [ "$status" -ne 0 ] && [ "$failed" = 0 ]; then failed=1; fi
echo "screenshots: $here/artifacts/"
echo "$passed passed, $failed failed"
exit "$status"
