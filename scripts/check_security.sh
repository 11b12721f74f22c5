#!/usr/bin/env bash
# schemathesis against a real `dailypapers serve` with the demo set: every API operation, checked
# for server errors and for answers that break the published schema. Deterministic (fixed seed).
# Then the pages and forms the schema leaves out: tests/web/test_form_fuzz.py sends out-of-range
# and malformed values to every one of them as a signed-in moderator (also part of `make test`).
# SECURITY_TESTS=1 adds the other security tests (accounts, proxy headers, subscriptions).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
data=$(mktemp -d)
port=${PORT:-8791}
trap 'kill "$server" 2>/dev/null || true; rm -rf "$data"' EXIT
export DAILYPAPERS_DATA_DIR="$data" DAILYPAPERS_SEARCH_WORKER=false DAILYPAPERS_SCHEDULER=false
"$BIN/dailypapers" demo >/dev/null
"$BIN/dailypapers" serve --port "$port" >"$data/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/openapi.json" >/dev/null && break
  sleep 0.2
done
# a reader with an API token, so the bearer-token operations (library, follows, For you) are
# exercised past their 401
token=$("$BIN/python" - <<'PY'
from dailypapers.config import Settings
from dailypapers.db.engine import make_engine, make_sessionmaker
from dailypapers.community.services import issue_api_token, sign_up
sessions = make_sessionmaker(make_engine(Settings()))
with sessions() as session:
    user = sign_up(session, "fuzzer", "fuzzer@example.org", "a long fuzzing password 7")
    print(issue_api_token(user))
    session.commit()
PY
)
"$BIN/schemathesis" run "http://127.0.0.1:$port/openapi.json" \
  --checks not_a_server_error,response_schema_conformance \
  --header "Authorization: Bearer $token" \
  --max-examples 60 --seed 20261127 --no-color
more=()
if [ "${SECURITY_TESTS:-0}" = 1 ]; then
  more=(tests/web/test_security.py tests/web/test_proxy_headers.py tests/digest/test_account_link.py)
fi
DAILYPAPERS_TEST_BACKENDS=sqlite "$BIN/python" -m pytest -q -p no:randomly \
  tests/web/test_form_fuzz.py "${more[@]}"
