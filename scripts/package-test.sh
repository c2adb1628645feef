#!/bin/sh
# `npm run test:package`: the package as a user gets it. Packs it, installs the tarball into a fresh
# app in a private temporary folder (dependencies from the npm cache, else the registry), and there:
# plain-node ESM and CommonJS use against a real database, a strict TypeScript compile against the
# shipped declarations, the server mounted under a prefix in the app's Hono app with the typed client
# against it, and the CLI's main commands against a served instance. As root, also the embedded
# PostgreSQL from that private folder, kept across a restart.
#
# DATABASE_URL: a PostgreSQL server where it may create and drop databases (required).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
PATH="$(sh "$root/scripts/ensure-node.sh"):$PATH"
export PATH
: "${DATABASE_URL:?set DATABASE_URL to a PostgreSQL server the test may create databases on}"
server_url=$DATABASE_URL

# mktemp -d makes it 0700: as root, out of reach of PostgreSQL's own user, as a clone under /root is.
work=$(mktemp -d)
serve_pid=''
database=''
cleanup() {
  status=$?
  if [ -n "$serve_pid" ]; then kill "$serve_pid" 2>/dev/null || true; fi
  if [ -n "$database" ]; then
    (cd "$root" && node -e "$db_js" drop "$server_url" "$database") || true
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT INT TERM
step() { printf '\n--- package: %s\n' "$*"; }
fail() {
  echo "package test failed: $*" >&2
  exit 1
}

# Creates or drops a database with the repository's pg (the app itself only has what it installs).
db_js='
const pg = require("pg");
const [action, url, name] = process.argv.slice(1);
const client = new pg.Client({ connectionString: url });
client.connect()
  .then(() => client.query(action === "create" ? `CREATE DATABASE ${name} TEMPLATE template0` : `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))
  .then(() => client.end(), (error) => { console.error(error.message); process.exit(1); });
'
database="package_test_$$"
(cd "$root" && node -e "$db_js" create "$server_url" "$database")
app_db=$(node -e 'const u = new URL(process.argv[1]); u.pathname = "/" + process.argv[2]; console.log(u.href)' "$server_url" "$database")

step 'npm pack'
started=$(date +%s)
tarball=$(cd "$root" && npm pack --silent --pack-destination "$work" | tail -n 1)
tar -tzf "$work/$tarball" >"$work/files.txt"
echo "$tarball: $(wc -c <"$work/$tarball") bytes, $(wc -l <"$work/files.txt") files"
if grep -Ev '^package/(dist/|package\.json$|README\.md$|LICENSE$|CHANGELOG\.md$|\.env\.example$)' "$work/files.txt"; then
  fail 'the tarball carries files beyond dist/ and the package documents (listed above)'
fi
if grep -E '\.ts$' "$work/files.txt" | grep -v '\.d\.ts$'; then fail 'the tarball carries TypeScript sources'; fi

step 'install into a fresh app'
app="$work/app"
mkdir "$app"
cp "$root"/test/package/esm.mjs "$root"/test/package/cjs.cjs "$root"/test/package/check.ts \
  "$root"/test/package/tsconfig.json "$app/"
printf '{ "name": "package-test-app", "private": true, "type": "module" }\n' >"$app/package.json"
# The tarball, plus what the app itself uses: hono and its Node adapter, TypeScript and Node's types
# for the compile check. The versions match this repository's lockfile.
version_of() { node -p "require('$root/node_modules/$1/package.json').version"; }
(cd "$app" && npm install --no-audit --no-fund --prefer-offline --loglevel=error \
  "$work/$tarball" "hono@$(version_of hono)" "@hono/node-server@$(version_of @hono/node-server)" \
  "typescript@$(version_of typescript)" "@types/node@$(version_of @types/node)")

step 'plain node, ESM: library, server mounted under a prefix, typed client'
(cd "$app" && DATABASE_URL=$app_db node esm.mjs)

step 'plain node, CommonJS: require() of every entry, library'
(cd "$app" && DATABASE_URL=$app_db node cjs.cjs)

step 'strict TypeScript compile (nodenext, skipLibCheck false) against the shipped declarations'
(cd "$app" && node node_modules/typescript/bin/tsc -p tsconfig.json)
echo 'tsc: no errors'

# The CLI from the app's node_modules/.bin, as `npx pg-cron-scheduler` runs it.
cli() { (cd "$app" && node_modules/.bin/pg-cron-scheduler "$@"); }
port=$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')

step 'CLI: migrate, serve, jobs, runs, preview'
cli --help >/dev/null
cli jobs create --help >/dev/null
DATABASE_URL=$app_db cli migrate
(cd "$app" && DATABASE_URL=$app_db PORT=$port LOG_LEVEL=warn LOG_DIR="$app/logs" \
  exec node --max-semi-space-size=1 --no-maglev node_modules/pg-cron-scheduler/dist/cli/index.js serve) &
serve_pid=$!
export PG_CRON_SCHEDULER_URL="http://127.0.0.1:$port"
wait_ready() {
  tries=0
  until node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' \
    "$PG_CRON_SCHEDULER_URL/health/ready"; do
    tries=$((tries + 1))
    [ "$tries" -lt 120 ] || fail 'the server did not become ready'
    sleep 0.5
  done
}
wait_ready
cli jobs create nightly '0 30 2 * * *' --tz Europe/Berlin --fields '{"to":"ops@example.com"}'
cli jobs list
cli jobs get nightly --json >/dev/null
cli jobs update nightly --cron '@hourly' >/dev/null
cli jobs pause nightly
cli jobs resume nightly
cli jobs run nightly >/dev/null
cli runs nightly
cli preview '*/15 9-17 * * 1-5' --tz America/New_York --count 3
code=0
cli jobs get no-such-job 2>/dev/null || code=$?
[ "$code" -eq 3 ] || fail "jobs get of a missing job exited $code, not 3"
code=0
cli jobs create nightly '@daily' 2>/dev/null || code=$?
[ "$code" -eq 4 ] || fail "creating a taken name exited $code, not 4"
cli jobs delete nightly
kill -TERM "$serve_pid"
code=0
wait "$serve_pid" || code=$?
serve_pid=''
[ "$code" -eq 0 ] || fail "serve exited $code after SIGTERM, not 0"

if [ "$(id -u)" = 0 ]; then
  step 'as root: the embedded PostgreSQL from a private folder, kept across a restart'
  data="$app/.data/postgres"
  serve_embedded() {
    (cd "$app" && env -u DATABASE_URL DATA_DIR="$data" PORT=$port LOG_LEVEL=info LOG_DIR="$app/logs" \
      node node_modules/pg-cron-scheduler/dist/cli/index.js serve >>"$work/embedded.log" 2>&1) &
    serve_pid=$!
    wait_ready
  }
  serve_embedded
  grep -q 'embedded PostgreSQL placed where its OS user can reach it' "$work/embedded.log" ||
    fail 'no log line says where the embedded PostgreSQL was placed'
  cli jobs create kept '@daily' >/dev/null
  kill -TERM "$serve_pid"
  wait "$serve_pid" || fail 'serve did not stop cleanly'
  serve_embedded
  cli jobs get kept >/dev/null || fail 'the job did not survive a restart of the embedded PostgreSQL'
  kill -TERM "$serve_pid"
  wait "$serve_pid" || fail 'serve did not stop cleanly'
  serve_pid=''
  placed=$(readlink "$data")
  echo "data was placed in $placed"
  rm -rf "$placed"
fi

step "ok in $(($(date +%s) - started)) s"
