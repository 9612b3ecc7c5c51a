#!/usr/bin/env bash
# Benchmark of the stream processor (issue 18), writing the measured figure file the cost report reads
# (bench/measured/stream-processor.json: the figures, the machine, the load and the date). RUNS runs, medians:
#   (a) decode + validate + score on one thread, pinned to one core (taskset -c 0 when it exists): 20,000 records as
#       the Kinesis event carries them (base64), every optional field set, passes for 0.5 s of CPU each, after warm-up
#       rounds until tier-1 code (score alone is measured too); baseline in the same run, alternating with it:
#       the old decoder (Convert.FromBase64String, JsonDocument, regular expressions: bench/FunctionsBench/LegacyTransactionParser.cs);
#   (b) a 100-record batch of 20 users (5 each, interleaved) on DynamoDB Local as the processor runs it (users
#       concurrently at the default MaxConcurrency, records saved together in transactions of up to 100 items); in the
#       same run, alternating with it: one record per transaction at that concurrency, and the baseline, one record per
#       transaction one at a time (the processor before issue 18);
#       every batch checks that each user's saves reached DynamoDB in the batch's order. Each variant first runs 8
#       warm-up rounds (a hot shard's function is warm: its code at tier 1; a cold start is bench/functions-runtime.sh's).
#       Also a 1-record batch, and one TransactWriteItems alone against 16 at once (does the emulator run them one at a
#       time?);
#   (c) where (b)'s time goes: 15 more batches, each as when its reads ended and its transactions ran, and every
#       DynamoDB call of the median one (FunctionsBench --batch-trace; printed, not written to the figure file).
# Usage: bench/processor.sh [RUNS=5]     (goals: (a) >= 1,000,000 records/s, (b) <= 120 ms)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
make -s emulators >/dev/null
dotnet build bench/FunctionsBench -c Release --nologo -v quiet >/dev/null
# The build leaves the compiler server and MSBuild nodes running (and sometimes busy): stopped, so that they do not
# share core 0 with the pinned measurement (a run right after a build read 25% low, the old decoder alike).
dotnet build-server shutdown >/dev/null 2>&1 || true
DLL=bench/FunctionsBench/bin/Release/net10.0/FunctionsBench.dll
pin=()
if command -v taskset >/dev/null; then pin=(taskset -c 0); fi
machine="$(nproc) cores ($(awk -F: '/model name/{print $2; exit}' /proc/cpuinfo | xargs)), $(free -g | awk '/Mem:/{print $2}') GiB; dotnet $(dotnet --version)"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
decode=$("${pin[@]}" dotnet "$DLL" --decode "$RUNS")
batch=$(dotnet "$DLL" --batch "$(pwd)" "$RUNS")
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
mkdir -p bench/measured
out=bench/measured/stream-processor.json
python3 - "$out" "$machine" "$load_before" "$load_after" "$RUNS" "${pin[*]:-no}" "$decode" "$batch" <<'PY'
import json, sys, datetime
out, machine, before, after, runs, pin, decode, batch = sys.argv[1:]
d, b = json.loads(decode), json.loads(batch)
date = datetime.date.today().isoformat()
where = f"bench/processor.sh, median of {runs}, {date}, {machine}, load {before} -> {after}"
doc = {
    "source": "bench/processor.sh",
    "date": date,
    "machine": machine,
    "load": f"{before} (before) -> {after} (after), 1/5/15-minute load averages",
    "runs": int(runs),
    "pinned": pin,
    "decodeValidateScore": d,
    "batch": b,
    "values": {
        "lambda.batchMs.stream-processor.first": {"value": b["oneRecordBatchMs"], "unit": "ms for a 1-record batch",
            "source": f"{where}; DynamoDB Local"},
        "lambda.batchMs.stream-processor.hundred": {"value": b["concurrentBatchMs"], "unit": "ms for a 100-record batch of 20 users",
            "source": f"{where}; DynamoDB Local, users processed concurrently (MaxConcurrency {b['maxConcurrency']}), records saved together; durations between are interpolated linearly"},
        "lambda.cpuMicrosecondsPerRecord.stream-processor": {"value": d["microsecondsPerRecord"], "unit": "µs of one core to decode, validate and score a record",
            "source": f"{where}; one thread"},
    },
}
with open(out, "w") as f:
    json.dump(doc, f, indent=2, ensure_ascii=False)
    f.write("\n")
print(f"machine: {machine}; load {before} -> {after}; runs {runs}; pinned: {pin}")
print(f"(a) decode + validate + score, one thread: median {d['decodeValidateScorePerSecond']:,.0f} records/s; old decoder in the same run: {d['oldDecodeValidateScorePerSecond']:,.0f} records/s ({d['ratio']}x); decode + validate alone {d['decodeValidatePerSecond']:,.0f} vs {d['oldDecodeValidatePerSecond']:,.0f} records/s; score alone {d['scorePerSecond']:,.0f} records/s; after {d['warmUpRounds']} warm-up rounds")
print(f"(b) 100 records of 20 users on DynamoDB Local: median {b['concurrentBatchMs']} ms as the processor saves them (MaxConcurrency {b['maxConcurrency']}, saved together) vs {b['oneByOneConcurrentBatchMs']} ms one record per transaction at that concurrency and {b['sequentialBatchMs']} ms one at a time ({b['ratio']}x); 1-record batch {b['oneRecordBatchMs']} ms; per-user order checked; one TransactWriteItems alone {b['oneTransactWriteMs']} ms, 16 at once {b['sixteenConcurrentTransactWritesMs']} ms")
print(f"wrote {out}")
PY
echo "(c) where (b)'s time goes (ms from each batch's start):"
dotnet "$DLL" --batch-trace "$(pwd)" 30 | sed 's/^/  /'
