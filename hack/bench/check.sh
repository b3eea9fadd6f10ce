#!/usr/bin/env bash
# Opt-in benchmark of `zonekeeper check` (not run in CI): wall time and peak RSS over 1,000 and
# 10,000 generated manifests, optionally side by side with conftest and gator built from the Go
# module proxy (minutes to build; they land in bin/bench, which is gitignored).
#
#   hack/bench/check.sh [--with-peers] [--sizes "1000 10000"] [--rounds N]
#
# Prints a markdown table. Needs GNU time (/usr/bin/time -v; `apt-get install -y time`).
set -euo pipefail

cd "$(dirname "$0")/../.."
ROOT=$PWD
BENCH=$ROOT/bin/bench
HERE=$ROOT/hack/bench/check
CONFTEST_VERSION=${CONFTEST_VERSION:-v0.71.1}
GATOR_VERSION=${GATOR_VERSION:-v3.23.1}
WITH_PEERS=0
SIZES="1000 10000"
ROUNDS=1
while [ $# -gt 0 ]; do
  case $1 in
    --with-peers) WITH_PEERS=1 ;;
    --sizes) SIZES=$2; shift ;;
    --rounds) ROUNDS=$2; shift ;;
    *) echo "usage: $0 [--with-peers] [--sizes \"1000 10000\"] [--rounds N]" >&2; exit 2 ;;
  esac
  shift
done

if ! /usr/bin/time -v true >/dev/null 2>&1; then
  echo "GNU time missing: apt-get install -y time" >&2
  exit 2
fi

mkdir -p "$BENCH"
echo "building bin/zonekeeper" >&2
go build -o bin/zonekeeper .
go build -o "$BENCH/checkgen" ./hack/bench/check/gen

peers=()
if [ "$WITH_PEERS" = 1 ]; then
  # go install module@version builds outside the main module: go.mod is not touched.
  for spec in "conftest github.com/open-policy-agent/conftest@$CONFTEST_VERSION" \
              "gator github.com/open-policy-agent/gatekeeper/v3/cmd/gator@$GATOR_VERSION"; do
    set -- $spec
    if [ -x "$BENCH/$1" ] && [ -f "$BENCH/$1.version" ] && [ "$(cat "$BENCH/$1.version")" = "$2" ]; then
      peers+=("$1"); continue
    fi
    echo "building $2 (minutes)" >&2
    if GOBIN=$BENCH go install "$2" >"$BENCH/$1.build.log" 2>&1; then
      echo "$2" >"$BENCH/$1.version"; peers+=("$1")
    else
      echo "warning: $2 did not build (see $BENCH/$1.build.log); continuing without it" >&2
    fi
  done
fi

DATA=${BENCH_DATA:-$(mktemp -d)}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"; [ -n "${BENCH_DATA:-}" ] || rm -rf "$DATA"' EXIT

# measure NAME N CMD...: runs CMD under GNU time, appends "NAME N seconds peakKB exit" to $OUT/rows.
measure() {
  local name=$1 n=$2; shift 2
  local t=$OUT/time.txt rc=0
  /usr/bin/time -v -o "$t" "$@" >"$OUT/$name-$n.out" 2>"$OUT/$name-$n.err" || rc=$?
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$t")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$t")
  echo "$name $n $wall $rss $rc" >>"$OUT/rows"
  echo "  $name n=$n: ${wall}s, peak RSS ${rss} KB, exit $rc" >&2
}

for n in $SIZES; do
  dir=$DATA/$n
  [ -d "$dir" ] || "$BENCH/checkgen" -n "$n" -dir "$dir"
  echo "n=$n: $(ls "$dir" | wc -l) files" >&2
  for _ in $(seq "$ROUNDS"); do
    measure zonekeeper "$n" bin/zonekeeper check -f "$dir" -o json
    for p in "${peers[@]}"; do
      case $p in
        conftest) measure conftest "$n" "$BENCH/conftest" test --no-color -o json -p "$HERE/conftest" "$dir" ;;
        gator) measure gator "$n" "$BENCH/gator" test -o json -f "$HERE/gator/template.yaml" -f "$dir" ;;
      esac
    done
  done
done

# Best (lowest wall) round per tool and size; ratio against conftest's best at that size.
echo
echo "| tool | manifests | files | wall (s) | peak RSS (MB) | exit | wall / conftest |"
echo "|---|---|---|---|---|---|---|"
sort -k1,1 -k2,2n -k3,3g "$OUT/rows" | awk '!seen[$1" "$2]++' >"$OUT/best"
for n in $SIZES; do
  files=$(ls "$DATA/$n" | wc -l)
  cwall=$(awk -v n="$n" '$1=="conftest" && $2==n {print $3}' "$OUT/best")
  awk -v n="$n" -v f="$files" -v c="$cwall" '$2==n {
    r = (c != "" && c > 0) ? sprintf("%.2f", $3 / c) : "–"
    printf "| %s | %s | %s | %.2f | %.0f | %s | %s |\n", $1, n, f, $3, $4 / 1024, $5, r }' "$OUT/best"
done
