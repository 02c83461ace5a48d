#!/usr/bin/env bash
# Shard boundaries change nothing: stance-predict over an input cut into pieces writes, piece
# after piece, the bytes it writes over the whole input; and tools/stance-dask (here without
# a cluster, --workers 0: the same shards run one by one) writes what one stance-predict run
# writes for inputs with everything that depends on a record's place in its file (records
# without ids, error records with file and line, BOMs, CRLF, quoted newlines, blank lines,
# folders, standard input), whatever the shard size.
. "$(dirname "$0")/common.bash"

PY=/usr/bin/python3
DASK="$SRC/tools/stance-dask"
export STANCE_PREDICT="$PREDICT"

# A small model trained here (seconds), so the test depends on nothing else.
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

# Inputs: clean ones (every record has an id, none fails) for stance-predict alone, and
# awkward ones for the driver.
"$PY" - "$T" <<'PY' || exit 1
import csv, io, json, os, random, sys
t = sys.argv[1]
rnd = random.Random(7)
words = ("talks progress agreed rejected ceasefire Moscow Kyiv Washington Kremlin delegations "
         "Geneva framework walked out dead end welcomed peace failed meet Tuesday sides "
         "officials said plan proposal exchange prisoners Riyadh Istanbul").split()
def text(n=None):
    sents = []
    for _ in range(n or rnd.randint(1, 4)):
        sents.append(" ".join(rnd.choice(words) for _ in range(rnd.randint(4, 14))).capitalize() + ".")
    return " ".join(sents)

# clean JSONL and CSV: ids everywhere, metadata, quoted newlines
with open(f"{t}/clean.jsonl", "w") as f:
    for i in range(300):
        f.write(json.dumps({"id": f"c{i}", "date": f"2025-01-{i % 28 + 1:02d}", "text": text()},
                           ensure_ascii=False) + "\n")
with open(f"{t}/clean.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\r\n")
    w.writerow(["id", "source", "text"])
    for i in range(200):
        w.writerow([f"r{i}", f"site{i % 5}.example", text().replace(". ", ".\n", 1)])

# awkward JSONL: a BOM, ids missing / numeric / equal to their record number, blank lines,
# bad lines, CRLF, no final newline
lines = []
for i in range(1, 151):
    r = rnd.random()
    rec = {"text": text(), "source": f"s{i % 3}"}
    if r < 0.3:
        pass  # no id: stance-predict numbers it
    elif r < 0.35:
        rec["id"] = i % 40 + 1  # a number that may equal some shard's record number
    elif r < 0.4:
        rec["id"] = ""
    else:
        rec["id"] = f"j{i}"
    line = json.dumps(rec, ensure_ascii=False).encode()
    if r > 0.98:
        line = b"not json"
    elif r > 0.96:
        line = b'{"id":"bad%d","text":"bad \xff byte"}' % i
    elif r > 0.94:
        line = b'{"text":""}'
    if rnd.random() < 0.05:
        lines.append(b"   \t")
    lines.append(line + (b"\r" if rnd.random() < 0.1 else b""))
with open(f"{t}/odd.jsonl", "wb") as f:
    f.write(b"\xef\xbb\xbf" + b"\n".join(lines))

# awkward CSV: a BOM, blank lines before the header and between rows, CRLF, quoted newlines
# and quotes, empty ids, a short row, a bad quote
def csv_rows(with_id):
    rows = []
    for i in range(1, 101):
        body = text()
        if rnd.random() < 0.3:
            body = body.replace(" ", "\n", 2)
        if rnd.random() < 0.1:
            body = 'He said "no", twice. ' + body
        row = [("" if rnd.random() < 0.3 else f"k{i}")] if with_id else []
        row += [f"2025-02-{i % 28 + 1:02d}", body]
        if rnd.random() < 0.02:
            row = row[:-1]
        rows.append(row)
    return rows
for name, with_id in (("odd.csv", True), ("noid.csv", False)):
    out = io.StringIO(newline="")
    w = csv.writer(out, lineterminator="\r\n")
    out.write("\r\n  \r\n")
    w.writerow((["id"] if with_id else []) + ["date", "text"])
    for j, row in enumerate(csv_rows(with_id)):
        w.writerow(row)
        if j % 41 == 5:
            out.write("\r\n")
        if j == 57:
            out.write('x1,2025-03-01,bad "quote" inside\r\n' if with_id else
                      '2025-03-01,bad "quote" inside\r\n')
    with open(f"{t}/{name}", "wb") as f:
        f.write(b"\xef\xbb\xbf" + out.getvalue().encode())

# a folder: text files (one is empty), small JSONL and CSV files, and what the reader skips
os.mkdir(f"{t}/dir")
for i in range(30):
    with open(f"{t}/dir/a{i:02d}.txt", "w") as f:
        f.write(text(3) if i != 4 else "")
with open(f"{t}/dir/b.jsonl", "w") as f:
    for i in range(20):
        f.write(json.dumps({"text": text()}) + "\n")
with open(f"{t}/dir/c.csv", "w") as f:
    f.write("text\n" + "".join(f'"{text()}"\n' for _ in range(10)))
with open(f"{t}/dir/.hidden.txt", "w") as f:
    f.write("hidden")
with open(f"{t}/dir/notes.md", "w") as f:
    f.write("skipped")
PY

# ---- stance-predict alone: cut clean inputs at several points --------------------------------
split() { # split FILE OUTDIR POINT... : the records of FILE cut before each 1-based POINT
    "$PY" - "$@" <<'PY'
import csv, io, sys
path, outdir, points = sys.argv[1], sys.argv[2], [int(p) for p in sys.argv[3:]]
data = open(path, "rb").read()
ext = path.rsplit(".", 1)[1]
if ext == "jsonl":
    head, recs = b"", data.splitlines(keepends=True)
else:
    text = data.decode()
    lines = io.StringIO(text, newline="").readlines()
    taken, rows = [], []
    def feed():
        for l in lines:
            taken.append(l)
            yield l
    for _ in csv.reader(feed()):
        rows.append("".join(taken).encode())
        taken.clear()
    head, recs = rows[0], rows[1:]
bounds = [0] + [p - 1 for p in points] + [len(recs)]
for k in range(len(bounds) - 1):
    with open(f"{outdir}/part{k:03d}.{ext}", "wb") as f:
        f.write(head + b"".join(recs[bounds[k]:bounds[k + 1]]))
PY
}
for input in clean.jsonl clean.csv; do
    "$PREDICT" -q --model "$M" "$T/$input" >"$T/whole.out"
    check "$input: whole input scored" test "$(wc -l <"$T/whole.out")" -gt 100
    for points in "2" "37 38 150" "$(seq -s ' ' 2 17 200)" "199"; do
        rm -rf "$T/parts" && mkdir "$T/parts"
        split "$T/$input" "$T/parts" $points
        for part in "$T"/parts/part*; do
            "$PREDICT" -q --model "$M" "$part"
        done >"$T/parts.out"
        check "$input cut before records ${points:0:20}: same bytes" cmp -s "$T/whole.out" "$T/parts.out"
    done
done

# ---- the driver: any shard size gives the single run's bytes --------------------------------
INPUTS=("$T/odd.jsonl" "$T/odd.csv" "$T/dir/" "$T/noid.csv" "$T/missing.jsonl")
"$PREDICT" --model "$M" "${INPUTS[@]}" >"$T/ref.out" 2>"$T/ref.err"
ref_rc=$?
check "reference run has failed records (exit 3)" test "$ref_rc" = 3
check "reference run has records without ids" grep -q '^{"id":"1[0-9][0-9]",' "$T/ref.out"
check "reference run has error records with lines" grep -q '"line":[0-9]*}}$' "$T/ref.out"
summary=$(tail -1 "$T/ref.err" | sed 's/^stance-predict: //')
for size in 1 3k 100M; do
    "$DASK" --workers 0 --model "$M" --shard-size "$size" "${INPUTS[@]}" >"$T/got.out" \
        2>"$T/got.err"
    rc=$?
    check "shard size $size: exit $rc = $ref_rc" test "$rc" = "$ref_rc"
    check "shard size $size: same bytes" cmp "$T/ref.out" "$T/got.out"
    check "shard size $size: same counts" grep -q "^stance-dask: $summary" "$T/got.err"
    shards=$(sed -n 's/^stance-dask: \([0-9]*\) shards on.*/\1/p' "$T/got.err")
    [ "$size" = 3k ] && check "3k: the inputs are really cut ($shards shards)" test "${shards:-0}" -gt 20
done

# workers reading the input files themselves, and ids taken from another column
"$DASK" --workers 0 -q --model "$M" --shard-size 3k --shared-input "${INPUTS[@]}" >"$T/got.out"
check "--shared-input: same bytes" cmp -s "$T/ref.out" "$T/got.out"
"$PREDICT" -q --model "$M" --id-column source "$T/odd.jsonl" >"$T/ref2.out"
"$DASK" --workers 0 -q --model "$M" --id-column source --shard-size 2k "$T/odd.jsonl" >"$T/got.out"
check "--id-column: same bytes" cmp -s "$T/ref2.out" "$T/got.out"

# standard input, JSONL and CSV
"$PREDICT" -q --model "$M" <"$T/odd.jsonl" >"$T/ref.out"
"$DASK" --workers 0 -q --model "$M" --shard-size 2k <"$T/odd.jsonl" >"$T/got.out"
check "stdin JSONL: same bytes" cmp -s "$T/ref.out" "$T/got.out"
"$PREDICT" -q --model "$M" --input-format csv - <"$T/odd.csv" >"$T/ref.out"
"$DASK" --workers 0 -q --model "$M" --input-format csv --shard-size 2k - <"$T/odd.csv" >"$T/got.out"
check "stdin CSV: same bytes" cmp -s "$T/ref.out" "$T/got.out"

# usage and model errors keep stance-predict's exit codes
expect_exit 4 "not a bundle" "$DASK" --workers 0 --model "$T/dir" "$T/clean.csv"
expect_exit 2 "--workers with --scheduler" "$DASK" --workers 2 --scheduler tcp://127.0.0.1:1 \
    --model "$M" "$T/clean.csv"
expect_exit 2 "a usage error of stance-predict" "$DASK" --workers 0 --model "$M" \
    --aggregate nonsense "$T/clean.csv"
finish
