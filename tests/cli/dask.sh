#!/usr/bin/env bash
# tools/stance-dask on a real Dask cluster on 127.0.0.1 (a scheduler and two worker processes):
# a few thousand records come back as one stance-predict run writes them, and still do when a
# worker is killed in the middle of a shard. Skipped (77) where /usr/bin/python3 has no
# distributed (Debian: python3-distributed).
. "$(dirname "$0")/common.bash"

PY=/usr/bin/python3
"$PY" -c 'import distributed' 2>/dev/null || { echo "no python3-distributed: skipped"; exit 77; }
DASK="$SRC/tools/stance-dask"
export STANCE_PREDICT="$PREDICT"

pids=()
stop_all() {
    for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$T"
}
trap stop_all EXIT

# A small model trained here, and a few thousand records: JSONL (ids on most, numbers on the
# rest) and CSV with quoted newlines.
cat >"$T/train.csv" <<'CSV'
id,text,outlook,party,stance
1,"Talks in Geneva made real progress, both delegations said.",optimistic,ukraine,favor
2,The sides agreed on a prisoner exchange and a framework for a ceasefire.,optimistic,russia,favor
3,The delegations will meet again on Tuesday.,neutral,usa,none
4,Moscow rejected the plan as unacceptable and walked out of the talks.,pessimistic,russia,against
5,Kyiv said the talks had reached a dead end.,pessimistic,ukraine,against
6,The meeting is scheduled for next week in Istanbul.,neutral,usa,none
7,"Negotiators reported progress and agreed to continue, officials said.",optimistic,usa,favor
8,The Kremlin rejected the proposal and said talks were pointless.,pessimistic,russia,against
9,The talks will take place on Monday in Riyadh.,neutral,ukraine,none
10,Both sides welcomed the agreement as real progress toward peace.,optimistic,ukraine,favor
11,Washington rejected the demand and said the talks had failed.,pessimistic,usa,against
12,The delegations arrived in Geneva on Sunday.,neutral,russia,none
CSV
printf 'russia\tmoscow\nrussia\tkremlin\nukraine\tkyiv\nusa\twashington\n' >"$T/aliases.tsv"
"$TRAIN" -q --data "$T/train.csv" --task outlook --task stance --label-column stance \
    --target-column party --aliases "$T/aliases.tsv" --min-df 1 --cv 0 --out "$T/m.model" \
    >"$T/train.log" 2>&1 || { cat "$T/train.log" >&2; echo "cannot train the test model" >&2; exit 1; }
M="$T/m.model"

"$PY" - "$T" <<'PY' || exit 1
import csv, json, random, sys
t = sys.argv[1]
rnd = random.Random(11)
words = ("talks progress agreed rejected ceasefire Moscow Kyiv Washington Kremlin delegations "
         "Geneva framework walked out dead end welcomed peace failed meet Tuesday sides "
         "officials said plan proposal exchange prisoners Riyadh Istanbul").split()
def text():
    return " ".join(" ".join(rnd.choice(words) for _ in range(rnd.randint(4, 14))).capitalize()
                    + "." for _ in range(rnd.randint(1, 4)))
with open(f"{t}/in.jsonl", "w") as f:
    for i in range(2500):
        rec = {"text": text(), "date": f"2025-04-{i % 28 + 1:02d}"}
        if i % 5:
            rec = {"id": f"j{i}", **rec}
        f.write(json.dumps(rec) + "\n")
    f.write("not json\n")
with open(f"{t}/in.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["id", "source", "text"])
    for i in range(1000):
        w.writerow([f"c{i}", f"site{i % 7}.example", text().replace(". ", ".\n", 1)])
PY
INPUTS=("$T/in.jsonl" "$T/in.csv")
"$PREDICT" --model "$M" "${INPUTS[@]}" >"$T/ref.out" 2>"$T/ref.err"
ref_rc=$?
check "single process: 3501 results" test "$(wc -l <"$T/ref.out")" = 3501
summary=$(tail -1 "$T/ref.err" | sed 's/^stance-predict: //')
sort "$T/ref.out" >"$T/ref.sorted"

same() { # same OUT: equal after ordering (by id: each line starts with it), and byte for byte
    sort "$1" | cmp -s - "$T/ref.sorted" && cmp -s "$1" "$T/ref.out"
}

# ---- a scheduler and two workers, as one would start them on machines -----------------------
# (run as simple commands, not through a function, so that $! is the process itself)
if dask --help >/dev/null 2>&1; then SCHEDULER=(dask scheduler) WORKER=(dask worker)
else SCHEDULER=(dask-scheduler) WORKER=(dask-worker); fi
"${SCHEDULER[@]}" --host 127.0.0.1 --port 0 --no-dashboard --scheduler-file "$T/sched.json" \
    >"$T/scheduler.log" 2>&1 &
pids+=($!)
for i in $(seq 100); do [ -s "$T/sched.json" ] && break; sleep 0.2; done
check "scheduler started" test -s "$T/sched.json"
ADDR=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["address"])' "$T/sched.json")
workers=()
for w in 1 2; do
    # --no-nanny: a killed worker stays dead, so the other one must finish its shards
    "${WORKER[@]}" "$ADDR" --nthreads 1 --no-nanny --host 127.0.0.1 --no-dashboard \
        --name "w$w" --local-directory "$T/w$w" >"$T/worker$w.log" 2>&1 &
    pids+=($!)
    workers+=($!)
done
"$PY" -c 'import sys; from distributed import Client
c = Client(sys.argv[1], timeout="30s"); c.wait_for_workers(2, timeout=60); c.close()' "$ADDR"
check "two workers joined" test $? = 0

timeout 120 "$DASK" --scheduler "$ADDR" --model "$M" --shard-size 16k "${INPUTS[@]}" \
    >"$T/got.out" 2>"$T/got.err"
rc=$?
check "cluster run: exit $rc = $ref_rc" test "$rc" = "$ref_rc"
check "cluster run: same results as one process" same "$T/got.out"
check "cluster run: same counts" grep -q "^stance-dask: $summary" "$T/got.err"
check "cluster run: both workers scored shards" grep -q "^stance-dask: [0-9]* shards on 2 workers" "$T/got.err"
grep '^stance-dask: ' "$T/got.err" | tail -4

# ---- kill a worker in the middle of a shard ---------------------------------------------------
# A stance-predict that takes its time and says which worker runs it: busy.PID appears when
# worker PID starts its first shard; the worker is then killed while it holds that shard.
cat >"$T/slow-predict" <<SH
#!/bin/sh
echo \$\$ >"$T/busy.\$PPID"
sleep 0.4
exec "$PREDICT" "\$@"
SH
chmod +x "$T/slow-predict"
victim=${workers[0]}
timeout 120 "$DASK" --scheduler "$ADDR" --model "$M" --shard-size 32k --predict "$T/slow-predict" \
    "${INPUTS[@]}" >"$T/got.out" 2>"$T/got.err" &
driver=$!
pids+=($driver)
for i in $(seq 300); do [ -e "$T/busy.$victim" ] && break; sleep 0.1; done
check "worker 1 started a shard" test -e "$T/busy.$victim"
kill -9 "$victim" "$(cat "$T/busy.$victim" 2>/dev/null)" 2>/dev/null
wait "$driver"
rc=$?
check "killed worker: exit $rc = $ref_rc" test "$rc" = "$ref_rc"
check "killed worker: same results as one process" same "$T/got.out"
check "killed worker: same counts" grep -q "^stance-dask: $summary" "$T/got.err"
check "killed worker: its shard was run again" grep -q "^stance-dask: .* [1-9][0-9]* retried" "$T/got.err"
grep '^stance-dask: ' "$T/got.err" | tail -4

# ---- no scheduler: a local cluster of worker processes ---------------------------------------
timeout 120 "$DASK" --workers 2 --model "$M" --shard-size 64k "${INPUTS[@]}" >"$T/got.out" \
    2>"$T/got.err"
rc=$?
check "local cluster: exit $rc = $ref_rc" test "$rc" = "$ref_rc"
check "local cluster: same results as one process" same "$T/got.out"
finish
