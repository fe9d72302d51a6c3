#!/usr/bin/env bash
# Checks the ecosystem glue with the tools its users run (the policy JSON Schema is checked by make test:
# SchemaDifferentialTests and SchemaCommandTests): the Prometheus rules (promtool check + unit tests), the
# PrometheusRule that carries them, the Kubernetes manifests (kubernetes-validate, offline schemas), the systemd unit
# (systemd-analyze verify, where available), the CI pipelines (check-jsonschema's vendored GitHub and GitLab
# schemas, and their shell steps run here against the emulator), and the /metrics of a running controller
# (promtool check metrics).
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

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 1 100); do (echo > "/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }
fail() { echo "check-ecosystem: $*" >&2; exit 1; }

step "check-jsonschema: the pipelines against GitHub's and GitLab's schemas"
check-jsonschema --builtin-schema vendor.github-workflows examples/github-actions/tidemark.yml
check-jsonschema --builtin-schema vendor.gitlab-ci examples/gitlab-ci/.gitlab-ci.yml

step "the pipelines' shell steps (examples/ci/tidemark-ci.sh) against the emulator"
export TIDEMARK_USER=tidemark@example.com TIDEMARK_PASSWORD=tm-emulator-pw-5b7e
"$bin" emulator --port 8789 --fixture examples/emulator-fixture.json --seed-drives 3 --seed-vms 3 \
  --user "$TIDEMARK_USER" --password "$TIDEMARK_PASSWORD" >"$work/emulator.log" 2>&1 &
pids+=($!)
wait_port 8789 || fail "the emulator did not start (is port 8789 in use?)"
stub_port=$(free_port)
python3 scripts/comment-api-stub.py "$stub_port" &
pids+=($!)
wait_port "$stub_port" || fail "the comment API stub did not start"
ci="$PWD/examples/ci/tidemark-ci.sh"
mkdir -p "$work/repo" && cp -r policies "$work/repo/"
(
  cd "$work/repo"
  export TIDEMARK="$bin"
  "$ci" review first >/dev/null 2>&1 || fail "review of the seed policies failed"
  head -1 first/plan.md | grep -qx '<!-- tidemark-plan -->' || fail "plan.md does not start with the comment marker"
  grep -q '^\*\*Plan: 11 to create, 0 to update, 0 to adopt, 3 to bind' first/plan.md || fail "plan.md lacks the summary"
  test -s first/plan.json || fail "no saved plan"
  "$ci" review second >/dev/null 2>&1 || fail "the second review failed"
  export GITHUB_API_URL="http://127.0.0.1:$stub_port" GITHUB_REPOSITORY=acme/backups PR_NUMBER=7 GITHUB_TOKEN=ci-check
  "$ci" comment-github first/plan.md | grep -qx 'posted the plan comment' || fail "no GitHub comment posted"
  "$ci" comment-github second/plan.md | grep -q '^updated the plan comment 1$' || fail "the GitHub comment was not updated"
  export CI_API_V4_URL="http://127.0.0.1:$stub_port" CI_PROJECT_ID=42 CI_MERGE_REQUEST_IID=7 GITLAB_TOKEN=ci-check
  "$ci" comment-gitlab second/plan.md | grep -q '^updated the plan note 1$' || fail "the GitLab note was not updated"
  state=$(curl -fsS "http://127.0.0.1:$stub_port/_state")
  python3 -c 'import json, sys; s = json.loads(sys.argv[1]); sys.exit(not (len(s["comments"]) == 1 and s["create"] == 1 and s["update"] == 2))' "$state" ||
    fail "expected one comment, created once and updated twice: $state"
  "$ci" apply first/plan.json >/dev/null 2>&1 || fail "applying the saved plan failed"
  if "$ci" apply second/plan.json > stale.out 2>&1; then fail "a plan made before another apply was applied"; fi
  grep -q 'stale' stale.out || fail "the stale plan was refused without saying so: $(cat stale.out)"
  "$ci" review third >/dev/null 2>&1 || fail "review after apply failed"
  grep -q 'No changes' third/plan.md || fail "the plan after apply is not empty"
  printf 'apiVersion: tidemark.io/v1\nkind: Scheduler\nmetadata: {name: broken}\nspec: {target: local}\n' > policies/broken.yaml
  if GITHUB_ACTIONS=true "$ci" review fourth > annotations.out 2>&1; then fail "review passed broken policies"; fi
  grep -q '^::error file=policies/broken.yaml,line=4,' annotations.out || fail "no annotation for the broken file: $(cat annotations.out)"
)
echo "review, comment (GitHub and GitLab, one comment updated), apply, stale refusal and annotations work"

step "promtool check metrics on the /metrics of a running controller"
listen_port=$(free_port)
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
