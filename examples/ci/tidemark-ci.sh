#!/usr/bin/env bash
# The shell steps of tidemark's CI pipelines (examples/github-actions, examples/gitlab-ci), one script for both.
#
#   tidemark-ci.sh review OUT          validate (annotations with --format github on GitHub) and plan: writes
#                                      OUT/plan.md (the pull-request comment) and OUT/plan.json (the saved plan);
#                                      exit 0 when the plan is good (with or without changes), 1 on any error.
#   tidemark-ci.sh comment-github MD   create or update the pull request's one tidemark comment (GitHub REST API)
#   tidemark-ci.sh comment-gitlab MD   create or update the merge request's one tidemark note (GitLab REST API)
#   tidemark-ci.sh fetch-gitlab-plan OUT  on the default branch: download the plan saved by the merge request
#                                      that brought this commit (GitLab REST API) into OUT/plan.json
#   tidemark-ci.sh apply PLAN          apply a saved plan with --auto-approve; refused (exit 1) when stale
#
# Environment: TIDEMARK (the binary, default tidemark), TIDEMARK_POLICIES (default policies), the targets'
# credentials as their Target documents name them; for comments GITHUB_TOKEN, GITHUB_API_URL, GITHUB_REPOSITORY and
# PR_NUMBER, or GITLAB_TOKEN, CI_API_V4_URL, CI_PROJECT_ID and CI_MERGE_REQUEST_IID.
set -euo pipefail
tidemark="${TIDEMARK:-tidemark}"
policies="${TIDEMARK_POLICIES:-policies}"
marker='<!-- tidemark-plan -->'

review() {
  local out="$1" format=text status=0
  mkdir -p "$out"
  [ "${GITHUB_ACTIONS:-}" = true ] && format=github
  if ! "$tidemark" validate "$policies" --format "$format"; then
    printf '%s\n### tidemark plan\n\n**The policies do not validate; see the annotations.**\n' "$marker" > "$out/plan.md"
    return 1
  fi
  "$tidemark" plan --path "$policies" --markdown --out "$out/plan.json" --detailed-exitcode > "$out/plan.body.md" || status=$?
  { printf '%s\n' "$marker"; cat "$out/plan.body.md"; } > "$out/plan.md"
  rm -f "$out/plan.body.md"
  # --detailed-exitcode: 0 no changes, 2 changes, anything else an error.
  case "$status" in
    0 | 2) return 0 ;;
    *) return 1 ;;
  esac
}

# The body of a comment as JSON: {"body": "..."}.
json_body() { python3 -c 'import json, sys; print(json.dumps({"body": sys.stdin.read()}))' < "$1"; }

# The id of the first comment in a JSON list whose body starts with the marker, or nothing.
find_comment() {
  python3 -c '
import json, sys
for comment in json.load(sys.stdin):
    if comment.get("body", "").startswith(sys.argv[1]):
        print(comment["id"]); break' "$marker"
}

# Creates the marked comment at LIST_URL or replaces it at ITEM_URL/ID with UPDATE_METHOD; headers follow "--".
upsert_comment() {
  local file="$1" noun="$2" list="$3" item="$4" method="$5" id
  shift 6
  id=$(curl -fsS "$@" "$list?per_page=100" | find_comment)
  if [ -n "$id" ]; then
    json_body "$file" | curl -fsS "$@" -X "$method" --data @- "$item/$id" > /dev/null
    echo "updated the plan $noun $id"
  else
    json_body "$file" | curl -fsS "$@" -X POST --data @- "$list" > /dev/null
    echo "posted the plan $noun"
  fi
}

comment_github() {
  local api="${GITHUB_API_URL:-https://api.github.com}/repos/$GITHUB_REPOSITORY/issues"
  upsert_comment "$1" comment "$api/$PR_NUMBER/comments" "$api/comments" PATCH -- \
    -H "Authorization: Bearer $GITHUB_TOKEN" -H "Accept: application/vnd.github+json" -H "Content-Type: application/json"
}

comment_gitlab() {
  local api="$CI_API_V4_URL/projects/$CI_PROJECT_ID/merge_requests/$CI_MERGE_REQUEST_IID/notes"
  upsert_comment "$1" note "$api" "$api" PUT -- -H "PRIVATE-TOKEN: $GITLAB_TOKEN" -H "Content-Type: application/json"
}

fetch_gitlab_plan() {
  local api="$CI_API_V4_URL/projects/$CI_PROJECT_ID" branch
  local -a auth=(-H "PRIVATE-TOKEN: $GITLAB_TOKEN")
  branch=$(curl -fsS "${auth[@]}" "$api/repository/commits/$CI_COMMIT_SHA/merge_requests" |
    python3 -c 'import json, sys; requests = json.load(sys.stdin); print(requests[0]["source_branch"] if requests else "")')
  [ -n "$branch" ] || { echo "no merge request brought commit $CI_COMMIT_SHA; nothing to apply" >&2; return 1; }
  mkdir -p "$1"
  curl -fsS "${auth[@]}" -o "$1/plan.json" \
    "$api/jobs/artifacts/$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$branch")/raw/tidemark-out/plan.json?job=tidemark-plan"
}

case "${1:-}" in
  review) review "${2:?OUT directory}" ;;
  comment-github) comment_github "${2:?plan.md}" ;;
  comment-gitlab) comment_gitlab "${2:?plan.md}" ;;
  fetch-gitlab-plan) fetch_gitlab_plan "${2:?OUT directory}" ;;
  apply) "$tidemark" apply "${2:?saved plan}" --path "$policies" --auto-approve ;;
  *)
    echo "usage: $0 review OUT | comment-github MD | comment-gitlab MD | fetch-gitlab-plan OUT | apply PLAN" >&2
    exit 64
    ;;
esac
