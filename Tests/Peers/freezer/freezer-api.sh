#!/usr/bin/env bash
# The real OpenStack Freezer API (freezer-api 19.0.0 from PyPI) as a loopback test peer: SQLite, no Keystone (a
# test-only filter injects project "testproject"). Adapted from ../shared/peers/freezer/start.sh.
#
#   freezer-api.sh install          create the virtualenv (FREEZER_VENV, default ~/.cache/tidemark/freezer-venv)
#   freezer-api.sh start DIR PORT   configure a fresh database in DIR, start on 127.0.0.1:PORT in the background,
#                                   print the base URL once it answers; the pid is in DIR/freezer-api.pid
#   freezer-api.sh stop DIR         stop the server started in DIR
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${FREEZER_VENV:-$HOME/.cache/tidemark/freezer-venv}"

install() {
  "$venv/bin/python" -c 'import freezer_api' >/dev/null 2>&1 && return 0
  echo "freezer-api.sh: installing freezer-api==19.0.0 into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check --upgrade pip
  "$venv/bin/pip" install -q --disable-pip-version-check -c "$here/requirements-lock.txt" 'freezer-api==19.0.0'
}

start() {
  local dir="$1" port="$2"
  install
  mkdir -p "$dir"
  cat > "$dir/freezer_noauth.py" <<'PY'
"""Test-only stand-in for keystonemiddleware.auth_token: marks every request authenticated as testuser."""


def filter_factory(global_conf, **local_conf):
    def _filter(app):
        def call(environ, start_response):
            environ['HTTP_X_IDENTITY_STATUS'] = 'Confirmed'
            project = environ.get('HTTP_X_PROJECT_ID') or 'testproject'
            environ['HTTP_X_PROJECT_ID'] = project
            environ.setdefault('HTTP_X_TENANT_ID', project)
            environ.setdefault('HTTP_X_USER_ID', 'testuser')
            environ.setdefault('HTTP_X_ROLES', 'member,reader')
            environ.setdefault('HTTP_X_AUTH_TOKEN', 'noauth-token')
            environ.setdefault('HTTP_X_USER_DOMAIN_ID', 'default')
            environ.setdefault('HTTP_X_PROJECT_DOMAIN_ID', 'default')
            return app(environ, start_response)
        return call
    return _filter
PY
  cat > "$dir/paste.ini" <<INI
[app:api_versions]
paste.app_factory = freezer_api.api.versions:api_versions
[app:appv2]
paste.app_factory = freezer_api.service:freezer_appv2_factory
[filter:noauth]
paste.filter_factory = freezer_noauth:filter_factory
[app:healthcheck]
paste.app_factory = oslo_middleware:Healthcheck.app_factory
backends = disable_by_file
disable_by_file_path = $dir/healthcheck_disable
[filter:context]
paste.filter_factory = freezer_api.api.common.middleware:ContextMiddleware.factory
[filter:versionsNegotiator]
paste.filter_factory = freezer_api.api.versions:VersionNegotiator.factory
[filter:http_proxy_to_wsgi]
paste.filter_factory = oslo_middleware:HTTPProxyToWSGI.factory
[composite:main]
use = egg:Paste#urlmap
/healthcheck = healthcheck
/ = api
[pipeline:api]
pipeline = http_proxy_to_wsgi versionsNegotiator noauth context backupapp
[composite:backupapp]
paste.composite_factory = freezer_api.service:root_app_factory
/: api_versions
/v2: appv2
INI
  cat > "$dir/freezer-api.conf" <<CONF
[DEFAULT]
debug = false
log_file = $dir/freezer-api.log
[paste_deploy]
config_file = $dir/paste.ini
[database]
connection = sqlite:///$dir/freezer.db
[centralized_scheduler]
enabled = false
CONF
  "$venv/bin/freezer-manage" --config-file "$dir/freezer-api.conf" db sync >>"$dir/manage.log" 2>&1
  "$venv/bin/freezer-manage" --config-file "$dir/freezer-api.conf" db show 2>>"$dir/manage.log" | grep -q '"jobs"' \
    || { echo "freezer-api.sh: db sync failed, see $dir/manage.log" >&2; exit 1; }
  cd "$dir"
  # The server keeps no descriptor of its parent's: a test runner's process reaper waits on those.
  (
    for fd in $(ls "/proc/$BASHPID/fd"); do [ "$fd" -gt 2 ] && eval "exec $fd>&-" 2>/dev/null; done
    PYTHONPATH="$dir" exec setsid "$venv/bin/freezer-api" --config-file "$dir/freezer-api.conf" \
      --bind-host 127.0.0.1 --bind-port "$port" </dev/null >>"$dir/stdout.log" 2>&1
  ) &
  echo $! > "$dir/freezer-api.pid"
  for _ in $(seq 1 150); do
    if python3 -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$port/healthcheck', timeout=1)" 2>/dev/null; then
      echo "http://127.0.0.1:$port"
      return 0
    fi
    kill -0 "$(cat "$dir/freezer-api.pid")" 2>/dev/null || { echo "freezer-api.sh: server exited; see $dir/stdout.log" >&2; tail -5 "$dir/stdout.log" >&2; exit 1; }
    sleep 0.2
  done
  echo "freezer-api.sh: no answer on port $port within 30 s" >&2
  exit 1
}

stop() {
  local pidfile="$1/freezer-api.pid"
  if [ -f "$pidfile" ]; then
    local pid; pid="$(cat "$pidfile")"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

case "${1:-}" in
  install) install ;;
  start) start "$2" "$3" ;;
  stop) stop "$2" ;;
  *) echo "usage: freezer-api.sh install | start DIR PORT | stop DIR" >&2; exit 2 ;;
esac
