# Shared by the bench/ scripts that time commands with GNU time; sourced after `cd` to the repository root, not run.
# Sets TIME and work (a temporary directory, removed on exit) and defines measure and report. The caller may set
# REPORT_WIDTH (the description column, default 44) and SECONDS_WIDTH (the median's width, default 6) before report.
TIME=/usr/bin/time
[[ -x $TIME ]] || { echo "bench needs GNU time (apt-get install time)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

measure() { # label, command... -> appends "seconds kib" to $work/<label>
  local label=$1; shift
  $TIME -f "%e %M" -o "$work/one" "$@" >"$work/out.log" 2>&1 || { cat "$work/out.log"; exit 1; }
  cat "$work/one" >>"$work/$label"
}
report() { # label, description -> one line: median, range and peak RSS of the label's runs (nothing when not measured)
  [[ -s "$work/$1" ]] || return 0
  sort -n "$work/$1" | awk -v d="$2" -v w="${REPORT_WIDTH:-44}" -v sw="${SECONDS_WIDTH:-6}" '{t[NR]=$1; m[NR]=$2} END {
    mid=int((NR+1)/2); maxm=0; for(i=1;i<=NR;i++) if(m[i]>maxm) maxm=m[i];
    printf "%-" w "s median %" sw ".2f s  (n=%d, min %.2f, max %.2f)  peak RSS %4d MiB\n", d, t[mid], NR, t[1], t[NR], maxm/1024 }'
}
