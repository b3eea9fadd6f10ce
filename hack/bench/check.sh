#!/usr/bin/env bash
# Opt-in benchmark of `zonekeeper check` (not run in CI): wall time and peak RSS over 1,000 and
# 10,000 generated manifests, optionally side by side with conftest and gator built from the Go
# module proxy (minutes to build; they land in bin/bench, which is gitignored).
#
#   hack/bench/check.sh [--with-peers] [--sizes "1000 10000"] [--rounds N] [--layout random|by-zone] [--drop-caches]
#
# --drop-caches (root only) empties the page cache once the binaries are built: a binary written a
# moment ago sits whole in the page cache, and the kernel then maps more of it at each page fault
# (fault-around), so its peak RSS reads up to 30 MB higher than the same binary's after a while
# (`zonekeeper --help`: 86 MB freshly built, 56 MB once the cache was dropped).
#
# Each round runs every tool once per size, one after the other, so a round's tools share the same
# machine load; the 1-minute load average is recorded before each run. Prints a markdown table of
# min–max over the rounds, and each tool's wall time over conftest's in the same round.
# zonekeeper-stream is the same check through check.Stream (hack/bench/check/stream), which writes
# results as they come, like the command, in a smaller binary (no cobra, cloud SDKs).
# BEFORE_BIN=path/to/zonekeeper adds that binary as "zonekeeper-before" (an older build to compare
# with under the same load). Needs GNU time (/usr/bin/time -v; `apt-get install -y time`).
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
LAYOUT=random
DROP_CACHES=0
while [ $# -gt 0 ]; do
  case $1 in
    --with-peers) WITH_PEERS=1 ;;
    --sizes) SIZES=$2; shift ;;
    --rounds) ROUNDS=$2; shift ;;
    --layout) LAYOUT=$2; shift ;;
    --drop-caches) DROP_CACHES=1 ;;
    *) echo "usage: $0 [--with-peers] [--sizes \"1000 10000\"] [--rounds N] [--layout random|by-zone] [--drop-caches]" >&2; exit 2 ;;
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
go build -o "$BENCH/zonekeeper-stream" ./hack/bench/check/stream

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

if [ "$DROP_CACHES" = 1 ]; then
  sync
  echo 1 >/proc/sys/vm/drop_caches || { echo "--drop-caches needs root" >&2; exit 2; }
fi

DATA=${BENCH_DATA:-$(mktemp -d)}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"; [ -n "${BENCH_DATA:-}" ] || rm -rf "$DATA"' EXIT

# measure ROUND NAME N CMD...: runs CMD under GNU time, appends
# "NAME N round seconds peakKB exit cpuSeconds load1" to $OUT/rows.
measure() {
  local round=$1 name=$2 n=$3; shift 3
  local t=$OUT/time.txt rc=0 load
  load=$(cut -d' ' -f1 /proc/loadavg)
  /usr/bin/time -v -o "$t" "$@" >"$OUT/$name-$n.out" 2>"$OUT/$name-$n.err" || rc=$?
  local wall rss cpu
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$t")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$t")
  cpu=$(awk -F': ' '/User time|System time/ {s+=$2} END {print s}' "$t")
  echo "$name $n $round $wall $rss $rc $cpu $load" >>"$OUT/rows"
  echo "  round $round $name n=$n: ${wall}s (cpu ${cpu}s), peak RSS ${rss} KB, exit $rc, load $load" >&2
}

for n in $SIZES; do
  dir=$DATA/$n
  [ "$LAYOUT" = random ] || dir=$DATA/$LAYOUT-$n
  [ -d "$dir" ] || "$BENCH/checkgen" -n "$n" -dir "$dir" -layout "$LAYOUT"
  echo "n=$n: $(ls "$dir" | wc -l) files" >&2
  for r in $(seq "$ROUNDS"); do
    measure "$r" zonekeeper "$n" bin/zonekeeper check -f "$dir" -o json
    measure "$r" zonekeeper-stream "$n" "$BENCH/zonekeeper-stream" -f "$dir" -o json
    [ -z "${BEFORE_BIN:-}" ] || measure "$r" zonekeeper-before "$n" "$BEFORE_BIN" check -f "$dir" -o json
    for p in "${peers[@]}"; do
      case $p in
        conftest) measure "$r" conftest "$n" "$BENCH/conftest" test --no-color -o json -p "$HERE/conftest" "$dir" ;;
        gator) measure "$r" gator "$n" "$BENCH/gator" test -o json -f "$HERE/gator/template.yaml" -f "$dir" ;;
      esac
    done
  done
done

# Per tool and size: min–max over the rounds of wall time, CPU time, peak RSS and the load average
# before the run; and the tool's wall time over conftest's in the same round, min–max.
echo
echo "| tool | manifests | files | rounds | wall (s) | cpu (s) | peak RSS (MB) | exit | load (1 min) | wall / conftest, same round |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for n in $SIZES; do
  dir=$DATA/$n
  [ "$LAYOUT" = random ] || dir=$DATA/$LAYOUT-$n
  files=$(ls "$dir" | wc -l)
  awk -v n="$n" -v f="$files" '
    function lo(a, b) { return (a == "" || b < a) ? b : a }
    function hi(a, b) { return (a == "" || b > a) ? b : a }
    function span(a, b, fmt) { return (sprintf(fmt, a) == sprintf(fmt, b)) ? sprintf(fmt, a) : sprintf(fmt "–" fmt, a, b) }
    $2 == n {
      t = $1; r = $3
      if (!(t in rounds)) order[++k] = t
      rounds[t]++; wall[t, r] = $4
      wmin[t] = lo(wmin[t], $4); wmax[t] = hi(wmax[t], $4)
      cmin[t] = lo(cmin[t], $7); cmax[t] = hi(cmax[t], $7)
      mmin[t] = lo(mmin[t], $5 / 1024); mmax[t] = hi(mmax[t], $5 / 1024)
      lmin[t] = lo(lmin[t], $8); lmax[t] = hi(lmax[t], $8)
      if (!((t, $6) in exits)) { exits[t, $6] = 1; ex[t] = (ex[t] == "") ? $6 : ex[t] "," $6 }
    }
    END {
      for (i = 1; i <= k; i++) {
        t = order[i]; rmin = ""; rmax = ""
        for (key in wall) {
          split(key, p, SUBSEP)
          if (p[1] == t && (("conftest", p[2]) in wall) && wall["conftest", p[2]] > 0) {
            x = wall[t, p[2]] / wall["conftest", p[2]]; rmin = lo(rmin, x); rmax = hi(rmax, x)
          }
        }
        ratio = (rmin == "") ? "–" : span(rmin, rmax, "%.2f")
        printf "| %s | %s | %s | %d | %s | %s | %s | %s | %s | %s |\n", t, n, f, rounds[t],
          span(wmin[t], wmax[t], "%.2f"), span(cmin[t], cmax[t], "%.2f"), span(mmin[t], mmax[t], "%.0f"),
          ex[t], span(lmin[t], lmax[t], "%.1f"), ratio
      }
    }' "$OUT/rows"
done
