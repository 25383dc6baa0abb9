# shellcheck shell=bash
# A private, throw-away PostgreSQL cluster for tests and benchmarks (sourced by test.sh and bench/api.sh):
# trust auth, loopback only, unix socket in a temp dir, the first free port from a random start. postgres refuses
# to run as root, so as root it runs as the postgres user. start_postgres sets pg_port; stop_postgres removes it all.
# fsync is off unless PG_FSYNC=on (tests need no durability; the benchmark turns it on to compare fairly with SQLite).

pg_dir=""

start_postgres() {
  pg_bin=$(dirname "$(compgen -G '/usr/lib/postgresql/*/bin/postgres' | sort -V | tail -1)")
  pg_dir=$(mktemp -d /tmp/imago-pg.XXXXXX)
  chmod 700 "$pg_dir"
  pg_as=()
  if [ "$(id -u)" = 0 ]; then
    chown postgres: "$pg_dir"
    pg_as=(runuser -u postgres --)
  fi
  "${pg_as[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -U imago --auth=trust -E UTF8 >"$pg_dir/initdb.log" 2>&1 ||
    { cat "$pg_dir/initdb.log"; return 1; }
  local port try
  port=$((20000 + RANDOM % 20000))
  for try in 1 2 3 4 5 6 7 8 9 10; do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null &&
       "${pg_as[@]}" "$pg_bin/pg_ctl" start -w -t 60 -D "$pg_dir/data" -l "$pg_dir/server.log" \
         -o "-p $port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=${PG_FSYNC:-off} -c max_connections=200" >/dev/null; then
      pg_port=$port
      return 0
    fi
    port=$((port + 1 + RANDOM % 100))
  done
  cat "$pg_dir/server.log" 2>/dev/null
  return 1
}

stop_postgres() {
  if [ -n "$pg_dir" ]; then
    "${pg_as[@]}" "$pg_bin/pg_ctl" stop -D "$pg_dir/data" -m immediate >/dev/null 2>&1 || true
    rm -rf "$pg_dir"
    pg_dir=""
  fi
}
