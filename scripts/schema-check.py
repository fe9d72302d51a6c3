#!/usr/bin/env python3
"""Checks schema/tidemark.schema.json against the policy documents the loader accepts, and against a few it refuses.

Every YAML file under policies/ and examples/ (except the CI, Kubernetes, Prometheus and systemd examples) is split
into documents; each tidemark document is validated on its own against the schema. Then inline documents the loader
accepts must pass and inline documents it refuses must fail. Prints file, document number (1-based), line and the
errors; exits 1 on any failure.

Scalars are typed the way the loader reads them (Sources/TidemarkPolicy/MappingReader.swift), not by YAML 1.1:
plain true/false are booleans, plain -?[0-9]+ are integers, plain null/Null/NULL/~/empty is null, and everything
else (03:00, yes, 1.5, quoted "7") is a string. Duplicate keys are refused, as the loader's YAML parser does.

Usage: scripts/schema-check.py [FILE_OR_DIR ...]   (default: policies examples)
       scripts/schema-check.py --cases DIR      writes the inline cases into DIR, one file each
       scripts/schema-check.py --verdicts DIR   one JSON line per document of every file in DIR: its number, whether
                                                it is tidemark's and valid, and the schema's errors (or why the file
                                                cannot be read); the loader's differential test compares these
Needs PyYAML and jsonschema (check-jsonschema installs both).
"""
import json
import re
import sys
from pathlib import Path

import yaml
from jsonschema import Draft202012Validator

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "schema" / "tidemark.schema.json"
DEFAULT_PATHS = ["policies", "examples"]
SKIPPED = {"examples/kubernetes", "examples/prometheus", "examples/github-actions", "examples/gitlab-ci",
           "examples/systemd", "examples/ci"}
KINDS = {"Target", "RetentionPolicy", "Scheduler", "DriveBinding", "BackupPlan"}


class PolicyYAMLLoader(yaml.CSafeLoader):
    """YAML as the loader reads it, with libyaml as the loader (Yams) does: only null, true/false and whole numbers
    are typed; keys are their raw text."""


PolicyYAMLLoader.yaml_implicit_resolvers = {}
PolicyYAMLLoader.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])
PolicyYAMLLoader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|false)$"), ["t", "f"])
PolicyYAMLLoader.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^-?[0-9]+$"), list("-0123456789"))
PolicyYAMLLoader.add_constructor("tag:yaml.org,2002:int", lambda loader, node: int(loader.construct_scalar(node)))
PolicyYAMLLoader.add_constructor("tag:yaml.org,2002:bool", lambda loader, node: loader.construct_scalar(node) == "true")


def construct_mapping(loader, node):
    result = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise yaml.constructor.ConstructorError(None, None, "keys must be plain names", key_node.start_mark)
        if key_node.value in result:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key '{key_node.value}'", key_node.start_mark)
        result[key_node.value] = loader.construct_object(value_node, deep=True)
    return result


PolicyYAMLLoader.add_constructor("tag:yaml.org,2002:map", construct_mapping)


def documents(text):
    """(line, document) for each document of a YAML text."""
    loader = PolicyYAMLLoader(text)
    try:
        while loader.check_node():
            node = loader.get_node()
            yield node.start_mark.line + 1, loader.construct_document(node)
    finally:
        loader.dispose()


def is_tidemark(document):
    """DocumentDecoder.decode: an apiVersion starting with tidemark.io/, or no apiVersion and a tidemark kind.
    A document that is not a mapping (and not empty) is refused by the loader, so it counts as ours."""
    if document is None:
        return False
    if not isinstance(document, dict):
        return True
    api = document.get("apiVersion")
    if "apiVersion" not in document or isinstance(api, (dict, list)):
        kind = document.get("kind")
        return isinstance(kind, str) and kind in KINDS
    return isinstance(api, str) and api.startswith("tidemark.io/")


def leaves(error):
    if not error.context:
        yield error
    for sub in error.context:
        yield from leaves(sub)


def most_specific(error):
    """Under oneOf/anyOf, the failure deepest in the document, preferring a wrong value to "not null" (the branch
    for an absent key) and to a key missing in another alternative."""
    def rank(leaf):
        null_branch = leaf.validator == "type" and leaf.validator_value == "null"
        return (len(leaf.absolute_path), not null_branch, leaf.validator not in ("required", "type"))
    return max(leaves(error), key=rank)


def problems(validator, document):
    """One line per error: where, and the most specific reason."""
    found = []
    for error in sorted(validator.iter_errors(document), key=lambda e: list(e.path)):
        shown = most_specific(error)
        message = shown.message if len(shown.message) <= 200 else shown.message[:200] + "…"
        found.append(f"{shown.json_path}: {message}")
    return found


def report(heading, found):
    """Prints the heading and each problem found; 1 when there were any, else 0."""
    if not found:
        return 0
    print(heading)
    for problem in found:
        print(f"    {problem}")
    return 1


def policy_files(arguments):
    for argument in arguments or DEFAULT_PATHS:
        path = (ROOT / argument) if not Path(argument).is_absolute() else Path(argument)
        if path.is_file():
            candidates = [path]
        else:  # as PolicyDirectory: *.yaml and *.yml, recursively, hidden files and directories skipped
            candidates = sorted(
                file for file in path.rglob("*")
                if file.suffix in (".yaml", ".yml") and not any(part.startswith(".") for part in file.relative_to(path).parts))
        for file in candidates:
            relative = file.relative_to(ROOT).as_posix() if file.is_relative_to(ROOT) else str(file)
            if any(relative == skip or relative.startswith(skip + "/") for skip in SKIPPED):
                continue
            yield relative, file


def check_files(validator, arguments):
    failures = checked = 0
    for relative, file in policy_files(arguments):
        try:
            parsed = list(documents(file.read_text(encoding="utf-8")))
        except (yaml.YAMLError, UnicodeDecodeError) as error:
            print(f"FAIL {relative}: cannot read YAML: {error}")
            failures += 1
            continue
        for index, (line, document) in enumerate(parsed, start=1):
            if not is_tidemark(document):
                continue
            checked += 1
            failures += report(f"FAIL {relative} document {index} (line {line}):", problems(validator, document))
    print(f"{checked} tidemark documents checked, {failures} failed")
    return failures


# ---- inline cases: what the loader refuses must fail, what it accepts must pass --------------------------------------

TARGET = """apiVersion: tidemark.io/v1
kind: Target
metadata: {name: zrh}
spec:
  provider: cloudsigma
  endpoint: https://zrh.example.net/api/2.0/
  credentials: {usernameEnv: CS_USER, passwordEnv: CS_PASSWORD}
"""

RETENTION = """apiVersion: tidemark.io/v1
kind: RetentionPolicy
metadata: {name: week}
spec:
  rules:
    - {period: days, quantity: 7}
"""


def scheduler(schedule='{timezone: Europe/Zurich, at: ["03:00"]}', extra=""):
    return f"""apiVersion: tidemark.io/v1
kind: Scheduler
metadata: {{name: nightly}}
spec:
  target: zrh
  schedule: {schedule}
  retention: week
{extra}"""


def binding(drives):
    return f"""apiVersion: tidemark.io/v1
kind: DriveBinding
metadata: {{name: dbs}}
spec:
  target: zrh
  scheduler: nightly
  drives: {drives}
"""


def plan(resources='[{id: "0d6c3f0e", type: "OS::Cinder::Volume"}]', extra=""):
    return f"""apiVersion: tidemark.io/v1
kind: BackupPlan
metadata: {{name: volumes}}
spec:
  target: volumes
  resources: {resources}
  schedule: {{timezone: UTC, at: ["02:00"]}}
{extra}"""


# (what, document, where the loader refuses it)
INVALID = [
    ("unknown key in Scheduler spec", scheduler(extra="  colour: blue\n"), "MappingReader.swift:248"),
    ("missing schedule", scheduler().replace('  schedule: {timezone: Europe/Zurich, at: ["03:00"]}\n', ""),
     "Scheduler.swift:203"),
    ("bad time 25:00", scheduler('{timezone: Etc/UTC, at: ["03:00", "25:00"]}'), "ScheduleDecoding.swift:116"),
    ("retention quantity 0", RETENTION.replace("quantity: 7", "quantity: 0"), "RetentionPolicy.swift:78"),
    ("unknown kind", TARGET.replace("kind: Target", "kind: Targett"), "DocumentDecoder.swift:80"),
    ("unsupported apiVersion", TARGET.replace("tidemark.io/v1", "tidemark.io/v2"), "DocumentDecoder.swift:76"),
    ("invalid name", RETENTION.replace("name: week", "name: Keep_Week"), "DocumentDecoder.swift:128"),
    ("name longer than 63", RETENTION.replace("name: week", "name: " + "a" * 64), "DocumentDecoder.swift:175"),
    ("unknown metadata key", RETENTION.replace("{name: week}", "{name: week, namespace: x}"), "DocumentDecoder.swift:125"),
    ("literal secret in labels", RETENTION.replace("{name: week}", "{name: week, labels: {apiToken: abc}}"),
     "DocumentDecoder.swift:160"),
    ("literal secret in credentials", TARGET.replace("usernameEnv: CS_USER", "password: hunter2"), "DocumentDecoder.swift:160"),
    ("password in the endpoint", TARGET.replace("https://zrh", "https://ops:pw@zrh"), "Target.swift:86"),
    ("endpoint not http(s)", TARGET.replace("https://zrh", "ftp://zrh"), "Target.swift:91"),
    ("caFile on an http endpoint", TARGET.replace("https://zrh", "http://zrh") + "  caFile: ca.pem\n", "Target.swift:110"),
    ("unknown provider", TARGET.replace("provider: cloudsigma", "provider: aws"), "Target.swift:84"),
    ("driftPolicy ignore", TARGET + "  driftPolicy: ignore\n", "Target.swift:113"),
    ("target is a mapping", scheduler().replace("target: zrh", "target: {name: zrh}"), "MappingReader.swift:275"),
    ("enabled: yes", scheduler(extra="  enabled: yes\n"), "MappingReader.swift:287"),
    ('enabled: "true" (quoted)', scheduler(extra='  enabled: "true"\n'), "MappingReader.swift:287"),
    ("missed twice", scheduler(extra="  missed: twice\n"), "Scheduler.swift:217"),
    ("startingDeadline 2w", scheduler(extra="  startingDeadline: 2w\n"), "Scheduler.swift:233"),
    ("startingDeadline 8d", scheduler(extra="  startingDeadline: 8d\n"), "Scheduler.swift:234"),
    ("startingDeadline 0m", scheduler(extra="  startingDeadline: 0m\n"), "Scheduler.swift:234"),
    ("notifications unknown key", scheduler(extra="  notifications: {email: true}\n"), "Scheduler.swift:207"),
    ("no at, every or cron", scheduler("{timezone: Etc/UTC, days: [mon]}"), "ScheduleDecoding.swift:54"),
    ("missing timezone", scheduler('{at: ["03:00"]}'), "ScheduleDecoding.swift:9"),
    ("at and every", scheduler('{timezone: Etc/UTC, at: ["03:00"], every: 1h}'), "ScheduleDecoding.swift:50"),
    ("cron and days", scheduler('{timezone: Etc/UTC, cron: "0 4 * * *", days: [mon]}'), "ScheduleDecoding.swift:17"),
    ("window with at", scheduler('{timezone: Etc/UTC, at: ["03:00"], window: "01:00-05:00"}'), "ScheduleDecoding.swift:59"),
    ("empty at", scheduler("{timezone: Etc/UTC, at: []}"), "ScheduleDecoding.swift:110"),
    ("every 45s", scheduler("{timezone: Etc/UTC, every: 45s}"), "ScheduleDecoding.swift:130"),
    ("every 30h", scheduler("{timezone: Etc/UTC, every: 30h}"), "ScheduleDecoding.swift:137"),
    ("every 0m", scheduler("{timezone: Etc/UTC, every: 0m}"), "ScheduleDecoding.swift:137"),
    ("window 7:00 to 19:00", scheduler('{timezone: Etc/UTC, every: 1h, window: "7:00 to 19:00"}'), "ScheduleDecoding.swift:69"),
    ("day name tuesday", scheduler('{timezone: Etc/UTC, at: ["03:00"], days: [mon, tuesday]}'), "ScheduleDecoding.swift:154"),
    ("empty days", scheduler('{timezone: Etc/UTC, at: ["03:00"], days: []}'), "ScheduleDecoding.swift:100"),
    ("daysOfMonth 0", scheduler('{timezone: Etc/UTC, at: ["03:00"], daysOfMonth: [0]}'), "ScheduleDecoding.swift:177"),
    ("months 13", scheduler('{timezone: Etc/UTC, at: ["03:00"], months: [13]}'), "ScheduleDecoding.swift:177"),
    ('months "2" (quoted)', scheduler('{timezone: Etc/UTC, at: ["03:00"], months: ["2"]}'), "MappingReader.swift:341"),
    ("cron with 4 fields", scheduler('{timezone: Etc/UTC, cron: "0 4 * *"}'), "CronExpression.swift:37"),
    ("cron macro @reboot", scheduler('{timezone: Etc/UTC, cron: "@reboot"}'), "CronExpression.swift:29"),
    ("cron empty list item", scheduler('{timezone: Etc/UTC, cron: "0 0 1,,2 * *"}'), "CronExpression.swift:140"),
    ("quantity quoted", RETENTION.replace("quantity: 7", 'quantity: "7"'), "MappingReader.swift:341"),
    ("quantity 10001", RETENTION.replace("quantity: 7", "quantity: 10001"), "MappingReader.swift:346"),
    ("empty rules", RETENTION.replace("  rules:\n    - {period: days, quantity: 7}", "  rules: []"), "RetentionPolicy.swift:50"),
    ("period fortnights", RETENTION.replace("period: days", "period: fortnights"), "RetentionPolicy.swift:77"),
    ("timeOption on days", RETENTION.replace("quantity: 7}", "quantity: 7, timeOption: 1}"), "RetentionPolicy.swift:87"),
    ("timeOption 9 on weeks", RETENTION.replace("days, quantity: 7}", "weeks, quantity: 4, timeOption: 9}"),
     "RetentionPolicy.swift:94"),
    ("timeOption 0 on months", RETENTION.replace("days, quantity: 7}", "months, quantity: 4, timeOption: 0}"),
     "RetentionPolicy.swift:94"),
    ("last and period", RETENTION.replace("{period: days, quantity: 7}", "{last: 5, period: days}"), "RetentionPolicy.swift:69"),
    ("last 0", RETENTION.replace("{period: days, quantity: 7}", "{last: 0}"), "RetentionPolicy.swift:75"),
    ("retention as a list", scheduler().replace("retention: week", "retention: [week]"), "Scheduler.swift:271"),
    ("inline retention with an unknown key", scheduler().replace("retention: week", "retention: {rules: [{last: 3}], keep: 1}"),
     "Scheduler.swift:265"),
    ("inline rule with an unknown key", scheduler().replace("retention: week", "retention: {newest: 3}"), "RetentionPolicy.swift:64"),
    ("danube compression 9", scheduler(extra='  options: {node: n1, compression: "9"}\n'), "DanubeDefinition.swift:20"),
    ("danube without node", scheduler(extra="  options: {zpool: tank}\n"), "SchedulerOptionRules.swift:267"),
    ("danube empty zpool", scheduler(extra='  options: {node: n1, zpool: ""}\n'), "DanubeDefinition.swift:18"),
    ("freezer mode tarball", scheduler(extra="  options: {clientId: c, container: /c, mode: tarball}\n"), "FreezerDefinition.swift:26"),
    ("options of two providers", scheduler(extra='  options: {window: "07:00-19:00", node: n1}\n'),
     "SchedulerOptionRules.swift:257"),
    ("cloudsigma window 7-19", scheduler(extra='  options: {window: "7-19"}\n'), "CloudSigmaDefinition.swift:13"),
    ("options value a mapping", scheduler(extra="  options: {window: {start: 1}}\n"), "Scheduler.swift:249"),
    ("drives select nothing", binding("{}"), "DriveBinding.swift:148"),
    ("drives bad uuid", binding("{uuids: [not-a-uuid]}"), "DriveBinding.swift:140"),
    ("drives names not a list", binding('{names: "db-*"}'), "MappingReader.swift:321"),
    ("plan without resources", plan("[]"), "BackupPlan.swift:208"),
    ("plan resource without type", plan("[{id: x}]"), "BackupPlan.swift:213"),
    ("plan mode incremental", plan(extra="  mode: incremental\n"), "BackupPlan.swift:205"),
    ("spec missing", "apiVersion: tidemark.io/v1\nkind: Target\nmetadata: {name: zrh}\n", "DocumentDecoder.swift:82"),
    ("unknown top-level key", TARGET + "status: {}\n", "MappingReader.swift:248"),
]

VALID = [
    ("target with every option", TARGET + "  scheduling: controller\n  insecure: true\n  caFile: /etc/ca.pem\n"
     "  driftPolicy: report\n"),
    ("scheduler with every option", scheduler(extra="  type: backup\n  displayName: Nightly\n  enabled: false\n"
                                              "  notifications: {backup: false, retention: true}\n  remoteLocation: ZRH\n"
                                              "  adopt: true\n  protect: true\n  missed: skip\n  startingDeadline: 7d\n")),
    ("null means absent", scheduler(extra="  displayName: ~\n  options:\n  notifications: {backup: null}\n"
                                          "  startingDeadline:\n")),
    ("numeric and boolean-looking names", RETENTION.replace("name: week", "name: 2024")
     + "---\n" + scheduler().replace("retention: week", "retention: 2024")),
    ("labels and annotations", RETENTION.replace("{name: week}", "{name: week, labels: {team: ops, tier: 1}, "
                                                 "annotations: {passwordFile: /run/x, token: ~}}")),
    ("scalar forms of list keys", scheduler('{timezone: Etc/UTC, at: "3:00", days: weekdays, daysOfMonth: 1, months: FEB}')),
    ("month names and numbers", scheduler('{timezone: Etc/UTC, at: [03:00], months: [jan, 4, Dec], days: [Sat, sun]}')),
    ("every with window", scheduler('{timezone: Etc/UTC, every: 1440m, window: " 07:00 - 6:45 "}')),
    ("cron fields", scheduler('{timezone: Etc/UTC, cron: "0,30 9-17/2 1,15 */3 mon-fri"}')),
    ("cron names and steps", scheduler('{timezone: Etc/UTC, cron: "  5/20 0 * JAN,Dec Sun,7,SAT "}')),
    ("cron macro", scheduler('{timezone: Etc/UTC, cron: "@Daily", at: ~}')),
    ("inline rules", scheduler().replace("retention: week", "retention: {displayName: x, rules: [{last: 3}, "
                                         "{period: months, quantity: 12, timeOption: 31}, {period: weeks, quantity: 4, timeOption: 0}]}")),
    ("one inline rule", scheduler().replace("retention: week", "retention: {last: 14}")),
    ("inline rule with nulls", scheduler().replace("retention: week", "retention: {last: 14, period: ~}")),
    ("danube options", scheduler(extra='  options: {node: n1, zpool: zones, bwlimit: 100, compression: "2", fsfreeze: true}\n')),
    ("freezer options", scheduler(extra='  options: {clientId: c, container: /c, backupName: b, pathToBackup: /etc, '
                                        'storage: s3, mode: mysql}\n')),
    ("no options", scheduler(extra="  options: {}\n")),
    ("binding by tags", binding("{tags: [prod], names: []}")),
    ("binding by uuid", binding("{uuids: [34F9C721-ec23-4f5c-86ab-2839f687f14e]}")),
    ("plan with every option", plan(extra="  displayName: Volumes\n  mode: frequency\n  retention: week\n"
                                          "  suspended: true\n  adopt: true\n  protect: false\n")),
    ("plan with numeric resource id", plan("[{id: 12345, name: data, type: OS::Cinder::Volume}]")),
]


def check_inline(validator):
    failures = 0
    for what, text, where in INVALID:
        for _, document in documents(text):
            if not problems(validator, document):
                print(f"FAIL inline invalid case '{what}': the loader refuses it ({where}) but the schema accepts it")
                failures += 1
    for what, text in VALID:
        for index, (_, document) in enumerate(documents(text), start=1):
            failures += report(
                f"FAIL inline valid case '{what}' document {index}: the loader accepts it but the schema refuses it:",
                problems(validator, document))
    print(f"{len(INVALID)} invalid and {len(VALID)} valid inline cases checked, {failures} failed")
    return failures


def write_cases(directory):
    directory.mkdir(parents=True, exist_ok=True)
    cases = [text for _, text, _ in INVALID] + [text for _, text in VALID]
    for number, text in enumerate(cases, start=1):
        (directory / f"inline-{number:03}.yaml").write_text(text, encoding="utf-8")


def verdicts(validator, directory):
    for file in sorted(directory.iterdir()):
        try:
            parsed = list(documents(file.read_bytes().decode("utf-8")))
        except (yaml.YAMLError, UnicodeDecodeError, RecursionError) as error:
            print(json.dumps({"file": file.name, "unreadable": " ".join(str(error).split())[:400] or "?"}))
            continue
        for index, (line, document) in enumerate(parsed, start=1):
            found = problems(validator, document) if is_tidemark(document) else []
            print(json.dumps({"file": file.name, "document": index, "line": line, "tidemark": is_tidemark(document),
                              "valid": not found, "errors": found}))


def main():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)  # no format_checker: formats are not asserted
    if len(sys.argv) == 3 and sys.argv[1] == "--cases":
        write_cases(Path(sys.argv[2]))
        return 0
    if len(sys.argv) == 3 and sys.argv[1] == "--verdicts":
        verdicts(validator, Path(sys.argv[2]))
        return 0
    failures = check_files(validator, sys.argv[1:]) + check_inline(validator)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
