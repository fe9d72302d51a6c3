#!/usr/bin/env bash
# Checks the ecosystem glue with the tools its users run: the Prometheus rules (promtool check + unit tests), the
# PrometheusRule that carries them, the Kubernetes manifests (kubernetes-validate, offline schemas), the systemd unit
# (systemd-analyze verify, where available) and the /metrics of a running controller (promtool check metrics).
# Needs a built .build/debug/tidemark and scripts/bootstrap.sh --test.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$PWD/.build/debug/tidemark"
work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
step() { printf '\n== %s\n' "$*"; }

step "promtool: alerting and recording rules, and their unit tests"
promtool check rules examples/prometheus/tidemark-rules.yaml
(cd examples/prometheus && promtool test rules tidemark-rules.test.yaml)

step "the PrometheusRule carries exactly examples/prometheus/tidemark-rules.yaml"
python3 - <<'PY'
import sys, yaml
rules = yaml.safe_load(open("examples/prometheus/tidemark-rules.yaml"))
kinds = {d["kind"]: d for d in yaml.safe_load_all(open("examples/kubernetes/tidemark-monitoring.yaml"))}
if kinds["PrometheusRule"]["spec"] != rules:
    sys.exit("examples/kubernetes/tidemark-monitoring.yaml: the PrometheusRule's spec differs from "
             "examples/prometheus/tidemark-rules.yaml; copy the groups over")
print("same groups")
PY

step "kubernetes-validate --strict (Kubernetes' own kinds; the operator's CRDs are checked above)"
kubernetes-validate --strict --quiet examples/kubernetes/*.yaml

if command -v systemd-analyze >/dev/null; then
  step "systemd-analyze verify examples/systemd/tidemark.service (ExecStart pointed at the built binary)"
  sed "s|/usr/local/bin/tidemark|$bin|" examples/systemd/tidemark.service > "$work/tidemark.service"
  systemd-analyze verify "$work/tidemark.service"
  echo "verified"
else
  step "systemd-analyze not available: unit not verified"
fi

step "promtool check metrics on the /metrics of a running controller"
export TIDEMARK_USER=tidemark@example.com TIDEMARK_PASSWORD=tm-emulator-pw-5b7e
"$bin" emulator --port 8789 --fixture examples/emulator-fixture.json --seed-drives 3 --seed-vms 3 \
  --user "$TIDEMARK_USER" --password "$TIDEMARK_PASSWORD" >"$work/emulator.log" 2>&1 &
pids+=($!)
listen_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin" run --path policies --state "sqlite:$work/state.sqlite" --listen "127.0.0.1:$listen_port" --interval 2s \
  >"$work/run.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 150); do
  curl -fs "http://127.0.0.1:$listen_port/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fsS "http://127.0.0.1:$listen_port/readyz" || { cat "$work/run.log" >&2; exit 1; }
curl -fsS "http://127.0.0.1:$listen_port/metrics" > "$work/metrics.txt"
promtool check metrics < "$work/metrics.txt"
missing=$(grep '^# TYPE' "$work/metrics.txt" | awk '{print $3}' | while read -r name; do
  grep -q "^# HELP $name " "$work/metrics.txt" || echo "$name"
done)
[ -z "$missing" ] || { echo "metrics without # HELP: $missing" >&2; exit 1; }
echo "$(grep -c '^# HELP' "$work/metrics.txt") metric families, each with # HELP; promtool finds no problem"
