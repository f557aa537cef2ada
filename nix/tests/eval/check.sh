#!/usr/bin/env bash
# Evaluates lookout's NixOS modules with the nixos-eval harness (the real nixpkgs
# module system and the real upstream Prometheus, Alertmanager and Grafana
# modules; docs/nixos.md says how to set it up):
#   - every config in this directory must pass with no warning;
#   - every warning/*.nix must pass with exactly the warnings of its "# expect:"
#     lines (e.g. the option paths of older releases, which still work);
#   - every negative/*.nix, added to vm.nix, must fail with its "# expect:" line(s);
#   - every nixosModules.<name> of flake.nix, imported alone: alone/<name>.nix (enable
#     plus the options without a default) must pass with no warning, and
#     alone/negative/<name>.nix (enable only), if there, must fail with its
#     "# expect:" lines (the assertions naming those options);
#   - every lookout unit of vm.nix, fault-injection.nix and tracing.nix (and Tempo's
#     unit there) must score an exposure of 2.0 or less in
#     `systemd-analyze security --offline=true`.
# Usage: nix/tests/eval/check.sh   (NIXOS_EVAL=<path of the harness's check>,
#        THANOS_MODULE=<saved upstream thanos.nix>, TEMPO_MODULE=<saved upstream tempo.nix>)
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../../.." || exit 2
check=${NIXOS_EVAL:-$HOME/.cache/nixos-eval-tool/check}
[ -x "$check" ] || { echo "eval/check.sh: nixos-eval harness not found at $check (set NIXOS_EVAL)" >&2; exit 2; }
for tool in systemd-analyze python3 nix-instantiate; do
  command -v "$tool" >/dev/null || { echo "eval/check.sh: $tool is missing" >&2; exit 2; }
done
# The harness looks for the nixpkgs.lib mirror above its own folder; a private
# copy of it (see the notes) finds none, so look above this repository instead.
if [ -z "${NIXPKGS_LIB_MIRROR:-}" ]; then
  d=$PWD
  while [ "$d" != / ] && [ ! -d "$d/.mirror/nix-community+nixpkgs.lib/repo" ]; do d=$(dirname "$d"); done
  [ "$d" = / ] || export NIXPKGS_LIB_MIRROR="$d/.mirror/nix-community+nixpkgs.lib/repo"
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The module files themselves (not only the test configs) are given to the
# harness, so its report lists the units they define.
mapfile -t modules < <(nix-instantiate --eval --strict --json --expr \
  'map toString (import ./nix/modules/default.nix).imports' | python3 -c 'import json,sys; print("\n".join(json.load(sys.stdin)))')
# Whether the harness output $1 holds every "# expect:" line of file $2 (and it has one).
expected() {
  local line found=0
  while IFS= read -r line; do
    found=1
    grep -qF -- "$line" <<<"$1" || return 1
  done < <(sed -n 's/^# expect: //p' "$2")
  [ $found -eq 1 ]
}

# The module files each nixosModules.<name> brings, read from flake.nix itself
# (listing them needs lib.genAttrs only, so no nixpkgs), one line per module:
# the name, then its files, tab-separated.
declare -A flake_module_files
while IFS=$'\t' read -r name files; do
  flake_module_files[$name]=$files
done < <(nix-instantiate --eval --strict --json --expr '
  let
    lib.genAttrs = names: f: builtins.listToAttrs (map (name: { inherit name; value = f name; }) names);
    outputs = (import ./flake.nix).outputs { self = outputs; nixpkgs = { inherit lib; }; crane = { }; };
    files = m: if builtins.isPath m then [ (toString m) ] else if builtins.isAttrs m then builtins.concatMap files (m.imports or [ ]) else [ ];
  in builtins.mapAttrs (_: files) (removeAttrs outputs.nixosModules [ "default" ])' |
  python3 -c 'import json,sys; [print("\t".join([n] + sorted(set(f)))) for n, f in json.load(sys.stdin).items()]')
[ ${#flake_module_files[@]} -gt 0 ] || { echo "eval/check.sh: no nixosModules found in flake.nix" >&2; exit 2; }

# The services of nix/services.nix: a stand-in package each, and their units.
mapfile -t services < <(nix-instantiate --eval --strict --json --expr \
  'builtins.attrNames (import ./nix/services.nix)' | python3 -c 'import json,sys; print("\n".join(json.load(sys.stdin)))')
[ ${#services[@]} -gt 0 ] || { echo "eval/check.sh: no services in nix/services.nix" >&2; exit 2; }
pkgs=()
for service in "${services[@]}"; do pkgs+=(--pkg "$service"); done
# The harness loads no Thanos module: services.thanos (monitoring-ha-thanos.nix)
# is a permissive stub unless THANOS_MODULE names a saved copy of nixpkgs'
# nixos/modules/services/monitoring/thanos.nix (fetched, never committed), which
# then checks the option names and types and renders the units' command lines.
if [ -n "${THANOS_MODULE:-}" ]; then
  [ -f "$THANOS_MODULE" ] || { echo "eval/check.sh: THANOS_MODULE=$THANOS_MODULE is not a file" >&2; exit 2; }
  pkgs+=(--pkg thanos "$THANOS_MODULE")
else
  pkgs+=(--stub services.thanos)
fi
# nixpkgs' Tempo module (services.tempo, set by monitoring-tracing.nix) is not one
# of the harness's three: it is saved with the search tool's read_file into the
# harness's cache like those (docs/nixos.md: NixOS/nixpkgs
# nixos/modules/services/tracing/tempo.nix, 2121 bytes) and evaluated as one more
# module file, so its option names, types and assertion apply. TEMPO_MODULE names
# another copy. Without it the run stops: a stub would let any Tempo option through.
tempo_module=${TEMPO_MODULE:-${NIXOS_EVAL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nixos-eval}/nixos/modules/services/tracing/tempo.nix}
[ -f "$tempo_module" ] || { echo "eval/check.sh: nixpkgs' tempo.nix is missing at $tempo_module: save it as docs/nixos.md says (or set TEMPO_MODULE)" >&2; exit 2; }
pkgs+=(--pkg tempo "$tempo_module")
fails=0

for config in nix/tests/eval/*.nix; do
  name=$(basename "$config" .nix)
  if out=$("$check" "${pkgs[@]}" "${modules[@]}" "$config" --out "$tmp/$name.json" 2>&1) &&
    grep -q ", 0 warning(s)" <<<"$out"; then
    echo "PASS  $name"
  else
    echo "FAIL  $name:"; sed 's/^/      /' <<<"$out"; fails=$((fails + 1))
  fi
done

# A config that still works but warns: exactly its expected warnings, no more.
for config in nix/tests/eval/warning/*.nix; do
  name=warning/$(basename "$config" .nix)
  want=$(grep -c '^# expect: ' "$config")
  out=$("$check" "${pkgs[@]}" "${modules[@]}" "$config" 2>&1); rc=$?
  if [ $rc -eq 0 ] && [ "$want" -gt 0 ] && grep -q "^PASS: .*, $want warning(s)" <<<"$out" && expected "$out" "$config"; then
    echo "PASS  $name warns $want time(s) as expected"
  else
    echo "FAIL  $name (exit $rc, expected $want warning(s)):"; sed 's/^/      /' <<<"$out"; fails=$((fails + 1))
  fi
done

for negative in nix/tests/eval/negative/*.nix; do
  name=negative/$(basename "$negative" .nix)
  expect=$(sed -n 's/^# expect: //p' "$negative" | paste -sd'|')
  out=$("$check" "${pkgs[@]}" "${modules[@]}" nix/tests/eval/vm.nix "$negative" 2>&1); rc=$?
  if [ $rc -eq 1 ] && expected "$out" "$negative"; then
    echo "PASS  $name fails: $expect"
  else
    echo "FAIL  $name (exit $rc, expected: $expect):"; sed 's/^/      /' <<<"$out"; fails=$((fails + 1))
  fi
done

for name in $(printf '%s\n' "${!flake_module_files[@]}" | sort); do
  IFS=$'\t' read -r -a files <<<"${flake_module_files[$name]}"
  config=nix/tests/eval/alone/$name.nix
  if [ ! -f "$config" ]; then
    echo "FAIL  alone/$name: nixosModules.$name has no $config"; fails=$((fails + 1)); continue
  fi
  if out=$("$check" "${pkgs[@]}" "${files[@]}" "$config" 2>&1) && grep -q ", 0 warning(s)" <<<"$out"; then
    echo "PASS  alone/$name ($(basename -a "${files[@]}" | paste -sd' '))"
  else
    echo "FAIL  alone/$name:"; sed 's/^/      /' <<<"$out"; fails=$((fails + 1))
  fi
  negative=nix/tests/eval/alone/negative/$name.nix
  [ -f "$negative" ] || continue
  expect=$(sed -n 's/^# expect: //p' "$negative" | paste -sd'|')
  out=$("$check" "${pkgs[@]}" "${files[@]}" "$negative" 2>&1); rc=$?
  if [ $rc -eq 1 ] && expected "$out" "$negative"; then
    echo "PASS  alone/negative/$name fails: $expect"
  else
    echo "FAIL  alone/negative/$name (exit $rc, expected: $expect):"; sed 's/^/      /' <<<"$out"; fails=$((fails + 1))
  fi
done

# systemd-analyze reads a unit file: write the [Service] section the modules set
# (ExecStart replaced, the store paths in the report are fake) and score it.
for report in "$tmp/vm.json" "$tmp/fault-injection.json" "$tmp/tracing.json"; do
  [ -f "$report" ] || { echo "FAIL  no report $report"; fails=$((fails + 1)); continue; }
  python3 - "$report" "$tmp" "${services[@]}" <<'PY' || fails=$((fails + 1))
import json, re, subprocess, sys
report, tmp, services = sys.argv[1], sys.argv[2], sys.argv[3:]
units = json.load(open(report))["systemdServices"]
# Tempo's unit (nixpkgs', amended by monitoring-tracing.nix) is held to the same bound.
lookout = [n for n in units if n in services or n.endswith("-faults") or n == "tempo"]
bad = 0
for name in sorted(lookout):
    lines = ["[Unit]", "Description=" + name, "[Service]"]
    for key, value in units[name]["serviceConfig"].items():
        if key == "ExecStart":
            value = "/bin/true"
        for item in value if isinstance(value, list) else [value]:
            lines.append(f"{key}={str(item).lower() if isinstance(item, bool) else item}")
    path = f"{tmp}/{name}.service"
    open(path, "w").write("\n".join(lines) + "\n")
    out = subprocess.run(["systemd-analyze", "security", "--offline=true", path], capture_output=True, text=True).stdout
    found = re.search(r"Overall exposure level for \S+: ([0-9.]+)", out)
    score = float(found.group(1)) if found else 99.0
    verdict = "PASS" if score <= 2.0 else "FAIL"
    bad += verdict == "FAIL"
    print(f"{verdict}  systemd-analyze security {name}: {score if found else 'no score'} (<= 2.0)")
sys.exit(1 if bad or not lookout else 0)
PY
done

echo "eval/check.sh: $fails failure(s)"
[ $fails -eq 0 ]
