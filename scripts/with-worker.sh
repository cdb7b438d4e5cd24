#!/usr/bin/env bash
# Run a command with a Celery worker beside it, on the broker in CELERY_BROKER_URL.
# The worker is stopped when the command ends, whatever its result.
set -euo pipefail
: "${CELERY_BROKER_URL:?set CELERY_BROKER_URL to a Redis URL}"
here="$(cd "$(dirname "$0")/.." && pwd)"
# The project keeps no task results (nothing reads them); the worker tests do, so they ask for a
# result backend, for the worker and the tests alike.
export CELERY_RESULT_BACKEND="${CELERY_RESULT_BACKEND:-$CELERY_BROKER_URL}"
log="${WORKER_LOG:-$here/test-artifacts/celery-worker.log}"
mkdir -p "$(dirname "$log")"
# The tests' database is created by pytest; the worker reads and writes it through
# WORKER_DATABASE_URL (it connects per task, so the database need not exist yet).
# An empty DATABASE_URL would stop the settings loading: without one, the worker uses SQLite.
worker_database="${WORKER_DATABASE_URL:-${DATABASE_URL:-}}"
${worker_database:+env DATABASE_URL="$worker_database"} \
    "$here/.venv/bin/celery" -A curriculum worker --loglevel=info --concurrency=2 \
    --hostname "ci-worker@%h" >"$log" 2>&1 &
worker=$!
trap 'kill "$worker" 2>/dev/null; wait "$worker" 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
    if "$here/.venv/bin/celery" -A curriculum inspect ping --timeout 1 >/dev/null 2>&1; then
        break
    fi
    if ! kill -0 "$worker" 2>/dev/null; then
        echo "The Celery worker did not start:" >&2; cat "$log" >&2; exit 1
    fi
    sleep 1
done
echo "Celery worker is up (log: $log)"
"$@"
