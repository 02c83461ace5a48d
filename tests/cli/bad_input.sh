#!/usr/bin/env bash
# shellcheck disable=SC2016,SC2028 # sh -c scripts expand their own "$0"; echo's JSON escapes are literal
# Bad input, hostile files and faults, through the real programs (issue 5). Users feed stance
# whatever their scrapers produce and models that others trained: neither program may crash,
# and every record must be accounted for. For each case: the documented exit code, a message
# naming the file (and line, for a record) and the problem, and, for a bad record in a batch,
# an error object in its place while the others are scored, so that output records = input
# records and stderr's "N records read, M scored, K failed" adds up.
#
# Big inputs are generated in $T at run time, never committed. The whole script takes about
# 20 s (10 s of CPU) in a normal build on a 2-core machine. Under AddressSanitizer (detected
# from the binary, or forced with STANCE_ASAN=1) the 50 MB article is scaled down to 10 MB:
# at 50 MB an ASan build needs 1.4 GB, too much beside another test on CI's machine; every
# other case keeps its size, and the script takes about 20 s there too.
. "$(dirname "$0")/common.bash"

ASAN=${STANCE_ASAN:-0}
if [ "$ASAN" = 0 ] && ldd "$PREDICT" 2>/dev/null | grep -q libasan; then
    ASAN=1
fi
ARTICLE_MB=50
[ "$ASAN" = 1 ] && ARTICLE_MB=10

# results FILE "ok err ..." : FILE holds exactly one JSON object per line, one per word, in
# that order: "ok" a scored record (an outlook, no error), "err" an error record naming file
# and line, "errf" an error for a whole file (the message names it). Also checks that every
# line is valid JSON with an id, whatever the case.
results() {
    python3 - "$@" <<'PY'
import json, sys
path, want = sys.argv[1], sys.argv[2].split()
lines = open(path, encoding="utf-8", errors="strict").read().split("\n")
if lines and lines[-1] == "":
    lines.pop()
if len(lines) != len(want):
    sys.exit(f"{len(lines)} output records for {len(want)} input records")
for i, (line, w) in enumerate(zip(lines, want), 1):
    r = json.loads(line)
    if not isinstance(r, dict) or not isinstance(r.get("id"), str) or not r["id"]:
        sys.exit(f"record {i}: no id")
    e = r.get("error")
    if w == "ok":
        if e is not None or "outlook" not in r:
            sys.exit(f"record {i}: expected a scored record, got {line[:200]}")
    else:
        if not isinstance(e, dict) or not e.get("message") or e.get("code") not in ("data", "io"):
            sys.exit(f"record {i}: expected an error object, got {line[:200]}")
        if "outlook" in r or "stance" in r:
            sys.exit(f"record {i}: an error record carries scores")
        if w == "err" and (not e.get("file") or not isinstance(e.get("line"), int) or e["line"] < 1):
            sys.exit(f"record {i}: the error does not name file and line: {line[:200]}")
PY
}
# field FILE N KEY... : prints the value at KEY path of the Nth record (for grep-free checks)
field() {
    python3 - "$@" <<'PY'
import json, sys
r = json.loads(open(sys.argv[1], encoding="utf-8").read().split("\n")[int(sys.argv[2]) - 1])
for k in sys.argv[3:]:
    r = r[int(k)] if isinstance(r, list) else r.get(k, "")
print(r)
PY
}
ids() { # ids FILE: the ids of the records, space-separated (repr() shows a stray CR)
    python3 -c '
import json, sys
print(" ".join(json.loads(l)["id"] if "\r" not in json.loads(l)["id"] else repr(json.loads(l)["id"])
               for l in open(sys.argv[1], encoding="utf-8")))' "$1"
}
summary() { # summary READ SCORED FAILED: the last stderr line of stance-predict adds up
    grep -q "stance-predict: $1 records read, $2 scored, $3 failed" "$T/err"
}
names() { # names WHAT...: stderr names each
    local w
    for w in "$@"; do grep -qF -- "$w" "$T/err" || return 1; done
}

# ---- a small bundle to score with: a plain task and a party-stance task -------------------
cat >"$T/train.csv" <<'CSV'
id,text,outlook,party,stance
1,Talks in Geneva made real progress and both sides welcomed the deal.,optimistic,ukraine,favor
2,Moscow agreed on a prisoner exchange and a framework for a ceasefire.,optimistic,russia,favor
3,The delegations will meet again on Tuesday.,neutral,russia,none
4,Moscow rejected the plan and walked out of the talks.,pessimistic,russia,against
5,Kyiv said the talks had failed and reached a dead end.,pessimistic,ukraine,against
6,The meeting is scheduled for next week.,neutral,ukraine,none
7,Negotiators in Kyiv reported progress and welcomed the deal.,optimistic,ukraine,favor
8,The Kremlin rejected the proposal and said the talks failed.,pessimistic,russia,against
CSV
printf 'russia\tmoscow\nrussia\tkremlin\nukraine\tkyiv\n' >"$T/aliases.tsv"
TRAIN_ARGS=(-q --task outlook --task stance --label-column stance --target-column party
            --aliases "$T/aliases.tsv" --min-df 1 --cv 2)
"$TRAIN" "${TRAIN_ARGS[@]}" --data "$T/train.csv" --out "$T/m.model" >/dev/null 2>"$T/err" ||
    { echo "cannot train the test bundle:" >&2; cat "$T/err" >&2; exit 1; }
M="$T/m.model"
predict() { "$PREDICT" --model "$M" "$@"; }

# ---- CSV ---------------------------------------------------------------------------------
printf 'id,text\n1,Talks made progress.\n2,"Talks failed and\nthe quote never ends' >"$T/unterminated.csv"
expect_exit 3 "csv: unterminated quote at end of file" predict "$T/unterminated.csv"
check "csv: unterminated quote: one error record in its place" results "$T/out" "ok err"
check "csv: unterminated quote: message names it" grep -q '"message":"unterminated quoted field' "$T/out"
check "csv: unterminated quote: file and line 3" grep -q '"file":"[^"]*unterminated.csv","line":3' "$T/out"
check "csv: unterminated quote: summary" summary 2 1 1

printf 'id,text\n1,Talks made progress.\n2,He said "no" and left.\n3,Talks failed.\n' >"$T/quote.csv"
expect_exit 3 "csv: quote inside an unquoted field" predict "$T/quote.csv"
check "csv: stray quote: error in place, others scored" results "$T/out" "ok err ok"
check "csv: stray quote: message" grep -q '"id":"2","error":.*quote inside unquoted field.*"line":3' "$T/out"

printf 'id,text\n1,Talks made progress.,extra\n2\n3,Talks failed.\n4,"a, b",c,d\n' >"$T/ragged.csv"
expect_exit 3 "csv: ragged rows" predict "$T/ragged.csv"
check "csv: ragged rows: errors in place" results "$T/out" "err err ok err"
check "csv: ragged rows: message counts fields" grep -q '"id":"1".*row has 3 fields, header has 2' "$T/out"

printf 'id,body\n1,Talks made progress.\n2,Talks failed.\n' >"$T/notext.csv"
expect_exit 3 "csv: no text column (predict)" predict "$T/notext.csv"
check "csv: no text column: nothing scored" summary 1 0 1
check "csv: no text column: named" names 'notext.csv' '"text" column'
expect_exit 3 "csv: no text column (train)" "$TRAIN" -q --data "$T/notext.csv" --task outlook \
    --out "$T/x.model"
check "csv: no text column (train): named" names 'notext.csv' '"text" column'
printf 'id,text,party\n1,Talks made progress.,russia\n2,Talks failed.,russia\n' >"$T/nolabel.csv"
expect_exit 3 "csv: no label column (train)" "$TRAIN" -q --data "$T/nolabel.csv" --task outlook \
    --out "$T/x.model"
check "csv: no label column: named" names 'nolabel.csv' 'no column "outlook"'
expect_exit 3 "csv: no label column (eval)" predict --eval "$T/notext.csv"
check "no bundle from failed training" test ! -e "$T/x.model"

: >"$T/empty.csv"
expect_exit 0 "csv: empty file (predict)" predict "$T/empty.csv"
check "csv: empty file: no output" test ! -s "$T/out"
check "csv: empty file: summary" summary 0 0 0
expect_exit 3 "csv: empty file (train)" "$TRAIN" -q --data "$T/empty.csv" --task outlook \
    --out "$T/x.model"
check "csv: empty file (train): says why" grep -q "no usable rows\|empty" "$T/err"
printf 'id,text,outlook\r\n' >"$T/header.csv"
expect_exit 0 "csv: header only (predict)" predict "$T/header.csv"
check "csv: header only: summary" summary 0 0 0
expect_exit 3 "csv: header only (train)" "$TRAIN" -q --data "$T/header.csv" --task outlook \
    --out "$T/x.model"

# a 10 MB field (one word repeated: a scraper that pasted a page into one cell)
{
    printf 'id,text\n1,"'
    head -c 10485760 /dev/zero | tr '\0' 'x' | fold -w 9 | tr '\n' ' '
    printf '"\n2,Talks made progress.\n'
} >"$T/field.csv"
expect_exit 0 "csv: a 10 MB field" predict --evidence 1 "$T/field.csv"
check "csv: 10 MB field: both scored" results "$T/out" "ok ok"
check "csv: 10 MB field: the output line stays small" test "$(head -1 "$T/out" | wc -c)" -lt 100000

printf 'id,text\r\n1,Talks made progress.\n2,Talks failed.\r\n3,"Two\r\nlines"\n4,Last line.\r\n' >"$T/crlf.csv"
expect_exit 0 "csv: CRLF and LF mixed" predict "$T/crlf.csv"
check "csv: CRLF/LF: four records" results "$T/out" "ok ok ok ok"
check "csv: CRLF/LF: ids without a CR" test "$(ids "$T/out")" = "1 2 3 4"

printf 'id,text\n1,Talks made progress.\n2,Talks \0failed.\n3,Talks failed.\n' >"$T/nul.csv"
expect_exit 3 "csv: a NUL byte" predict "$T/nul.csv"
check "csv: NUL: error in place" results "$T/out" "ok err ok"
check "csv: NUL: message" grep -q '"id":"2".*NUL byte.*"line":3' "$T/out"

printf '\xef\xbb\xbfid,text\n1,Talks made progress.\n' >"$T/bom.csv"
expect_exit 0 "csv: a UTF-8 BOM" predict "$T/bom.csv"
check "csv: BOM: the id column is found" test "$(field "$T/out" 1 id)" = 1
{ printf '\xef\xbb\xbf'; cat "$T/train.csv"; } >"$T/bom_train.csv"
expect_exit 0 "csv: a UTF-8 BOM (train)" "$TRAIN" "${TRAIN_ARGS[@]}" --cv 0 \
    --data "$T/bom_train.csv" --out "$T/bom.model"

printf 'id,text\n1,Talks made progress.\n' | iconv -f UTF-8 -t UTF-16 >"$T/utf16.csv"
expect_exit 3 "csv: a UTF-16 file (predict)" predict "$T/utf16.csv"
check "csv: UTF-16: one error for the file" results "$T/out" "errf"
check "csv: UTF-16: says convert" names 'utf16.csv' 'UTF-16' 'convert to UTF-8'
expect_exit 3 "csv: a UTF-16 file (train)" "$TRAIN" -q --data "$T/utf16.csv" --task outlook \
    --out "$T/x.model"
check "csv: UTF-16 (train): says convert" names 'utf16.csv' 'UTF-16'
printf 'id,text\n1,Talks made progress.\n' | iconv -f UTF-8 -t UTF-16BE >"$T/utf16be.csv"
expect_exit 3 "csv: UTF-16 without a BOM" predict "$T/utf16be.csv"
check "csv: UTF-16BE: one error for the file" results "$T/out" "errf"

# every bad row at once in training data: trained on the good ones, each bad one reported
{
    cat "$T/train.csv"
    printf '9,He said "no" and left.,neutral,russia,none\n10,ragged\n11,Talks \0failed.,neutral,russia,none\n'
    printf '12,bad \xc0\xaf byte,neutral,russia,none\n13,,neutral,russia,none\n14,"unterminated,neutral\n'
} >"$T/badrows.csv"
expect_exit 0 "train: bad rows are skipped" "$TRAIN" "${TRAIN_ARGS[@]}" --cv 0 --data "$T/badrows.csv" \
    --out "$T/badrows.model"
check "train: bad rows: counted" grep -q "\b6 unreadable" "$T/err"
check "train: bad rows: each named with its line" \
    names 'badrows.csv:10:' 'badrows.csv:11:' 'badrows.csv:12:' 'badrows.csv:13:' 'badrows.csv:14:' 'badrows.csv:15:'

# ---- text ---------------------------------------------------------------------------------
{
    printf '{"id":"overlong","text":"Talks \xc0\xaf failed."}\n'
    printf '{"id":"lone","text":"Talks \x80 failed."}\n'
    printf '{"id":"surrogate","text":"Talks \xed\xa0\x80 failed."}\n'
    printf '{"id":"toobig","text":"Talks \xf4\x90\x80\x80 failed."}\n'
    printf '{"id":"cut","text":"Talks failed \xe2\x82"}\n'
    printf '{"id":"good","text":"Talks made progress."}\n'
} >"$T/utf8.jsonl"
expect_exit 3 "text: invalid UTF-8" predict "$T/utf8.jsonl"
check "text: invalid UTF-8: errors in place" results "$T/out" "err err err err err ok"
check "text: invalid UTF-8: names the byte offset" \
    test "$(grep -c '"message":"invalid UTF-8 at byte offset [0-9]*"' "$T/out")" = 5
check "text: invalid UTF-8: summary" summary 6 1 5
# the same in CSV, where the reader knows the columns
printf 'id,text\n1,Talks \xc0\xaf failed.\n2,Talks \x80 failed.\n3,Talks \xed\xbf\xbf failed.\n4,ok\n' >"$T/utf8.csv"
expect_exit 3 "text: invalid UTF-8 (CSV)" predict "$T/utf8.csv"
check "text: invalid UTF-8 (CSV): errors in place, ids kept" results "$T/out" "err err err ok"
check "text: invalid UTF-8 (CSV): id of the bad row" test "$(field "$T/out" 3 id)" = 3

{
    echo '{"id":"empty","text":""}'
    echo '{"id":"spaces","text":" \t\n\r\u00a0 "}'
    echo '{"id":"punct","text":"!!! ... ??? --- ((( )))"}'
    echo '{"id":"digits","text":"2025 1 000 000 3.14 +7"}'
    echo '{"id":"mixed","text":"Москва и Kyiv: 北京 talks, Київ і Washington."}'
    echo '{"id":"rtl","text":"مفاوضات السلام في جنيف. שלום עכשיו! \u202etxet\u202c"}'
    printf '{"id":"emoji","text":"Talks \xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd \xf0\x9f\x87\xba\xf0\x9f\x87\xa6 e\xcc\x81\xcc\x81\xcc\x81 Z\xcd\x91\xcd\xa4 progress \xef\xb7\xba"}\n'
} >"$T/texts.jsonl"
expect_exit 3 "text: empty, blank, punctuation, digits, scripts" predict --explain 2 --sentences \
    "$T/texts.jsonl"
check "text: empty and whitespace-only are errors, the rest scored" \
    results "$T/out" "err err ok ok ok ok ok"
check "text: empty text message" test "$(grep -c '"message":"empty text"' "$T/out")" = 2
check "text: right-to-left text detected" test "$(field "$T/out" 6 lang)" = ar
check "text: emoji and combining marks: evidence quoted intact" python3 -c '
import json, sys
text = json.loads(open(sys.argv[1], encoding="utf-8").read().split("\n")[6])["text"]
out = json.loads(open(sys.argv[2], encoding="utf-8").read().split("\n")[6])
assert out["evidence"][0]["text"] == text, out["evidence"]
' "$T/texts.jsonl" "$T/out"
check "text: summary" summary 7 5 2
# the same texts as training data: skipped or used, never a crash
python3 -c '
import csv, json, sys
w = csv.writer(sys.stdout, lineterminator="\n")
for i, l in enumerate(open(sys.argv[1], encoding="utf-8")):
    w.writerow([100 + i, json.loads(l)["text"], ("pessimistic", "optimistic")[i % 2], "russia", "favor"])
' "$T/texts.jsonl" >"$T/texts_rows.csv"
cat "$T/train.csv" "$T/texts_rows.csv" >"$T/texts_train.csv"
expect_exit 0 "train: odd texts among the rows" "$TRAIN" "${TRAIN_ARGS[@]}" --cv 0 \
    --data "$T/texts_train.csv" --out "$T/texts.model"
check "train: odd texts: the empty ones skipped" grep -q "\b2 unreadable" "$T/err"

# a single article of $ARTICLE_MB MB (many sentences, so sentence splitting and evidence work)
mkdir "$T/big"
python3 -c '
import sys
s = "Talks in Geneva made progress. Moscow rejected the plan again! "
n = int(sys.argv[1]) * 1024 * 1024 // len(s) + 1
sys.stdout.write(s * n)
' "$ARTICLE_MB" >"$T/big/article.txt"
expect_exit 0 "text: a $ARTICLE_MB MB article" predict "$T/big"
check "text: $ARTICLE_MB MB article: scored" results "$T/out" "ok"
check "text: $ARTICLE_MB MB article: id is the file name" test "$(field "$T/out" 1 id)" = article
check "text: $ARTICLE_MB MB article: output stays small" test "$(wc -c <"$T/out")" -lt 100000

# 100,000 one-word records
awk 'BEGIN { for (i = 1; i <= 100000; i++) printf "{\"id\":\"r%d\",\"text\":\"w%d\"}\n", i, i % 97 }' \
    >"$T/many.jsonl"
expect_exit 0 "text: 100,000 one-word records" predict -q --threads 2 "$T/many.jsonl"
check "text: 100,000 records: as many results" test "$(wc -l <"$T/out")" = 100000
check "text: 100,000 records: in input order" test "$(tail -1 "$T/out" | cut -c1-14)" = '{"id":"r100000'

# ---- JSONL --------------------------------------------------------------------------------
{
    echo '{"id":"a","text":"Talks made progress."}'
    echo 'this is not JSON'
    echo '{"id":"b","title":"no text here"}'
    echo '{"id":"c","text":42}'
    echo '{"id":"d","text":["Talks", "failed"]}'
    echo '{"id":"e","text":null}'
    echo '[1, 2, 3]'
    echo '{"id":"f","text":"Talks failed.","date":"2025-11-25"}'
    printf '{"id":"g","text":"Last line, no newline."}'
} >"$T/jsonl.jsonl"
expect_exit 3 "jsonl: bad lines among good ones" predict "$T/jsonl.jsonl"
check "jsonl: one result per line, errors in place" results "$T/out" "ok err err err err err err ok ok"
check "jsonl: not JSON: line named" grep -q '"id":"2","error":{"code":"data","message":"not valid JSON.*"line":2' "$T/out"
check "jsonl: missing text keeps the id" grep -q '"id":"b".*"error".*text.*"line":3' "$T/out"
check "jsonl: text not a string" test "$(grep -c 'is not a string' "$T/out")" = 3
check "jsonl: trailing line without newline scored" test "$(field "$T/out" 9 id)" = g
check "jsonl: metadata passes through" test "$(field "$T/out" 8 date)" = 2025-11-25
check "jsonl: summary" summary 9 3 6

# a 100 MB line between two good ones: an error record, and the reader goes on
{
    echo '{"id":"before","text":"Talks made progress."}'
    printf '{"id":"huge","text":"'
    head -c 104857600 /dev/zero | tr '\0' 'x'
    printf '"}\n'
    echo '{"id":"after","text":"Talks failed."}'
} >"$T/huge.jsonl"
expect_exit 3 "jsonl: a 100 MB line" predict "$T/huge.jsonl"
check "jsonl: 100 MB line: error in place, neighbours scored" results "$T/out" "ok err ok"
check "jsonl: 100 MB line: says too long" grep -q '"line":2' "$T/out"
check "jsonl: 100 MB line: next record read" test "$(field "$T/out" 3 id)" = after
rm -f "$T/huge.jsonl"

# ---- labels -------------------------------------------------------------------------------
{
    cat "$T/train.csv"
    echo '9,A lone remark about the weather.,mixed,russia,none'
} >"$T/once.csv"
expect_exit 0 "labels: a label seen once" "$TRAIN" "${TRAIN_ARGS[@]}" --data "$T/once.csv" \
    --out "$T/once.model"
check "labels: a label seen once: kept in the model" grep -q '"mixed"' "$T/once.model/manifest.json"
check "labels: a label seen once: no raw LIBLINEAR warnings" \
    test "$(grep -c '^WARNING: class label' "$T/err")" = 0
printf 'id,text,outlook\n1,Talks made progress.,neutral\n2,Talks failed.,neutral\n3,Talks.,neutral\n' \
    >"$T/single.csv"
expect_exit 3 "labels: a single class" "$TRAIN" -q --data "$T/single.csv" --task outlook \
    --min-df 1 --out "$T/x.model"
check "labels: a single class: says so" grep -qi "label\|class" "$T/err"
check "labels: a single class: no bundle" test ! -e "$T/x.model"
printf 'id,text,outlook,party,stance\n1,Talks made progress.,hopeful,russia,favor\n2,Talks failed.,pessimistic,russia,against\n' \
    >"$T/unseen.csv"
expect_exit 0 "labels: a test label the model never saw" predict --eval "$T/unseen.csv" --json
check "labels: unseen label: counted apart, the rest evaluated" python3 -c '
import json, sys
t = json.load(open(sys.argv[1]))["tasks"]["outlook"]
assert t["unknown_gold_labels"] == 1 and t["n"] == 1, t
' "$T/out"
expect_exit 0 "labels: a test label the model never saw (text report)" predict --eval "$T/unseen.csv"
check "labels: unseen label: the report says so" grep -q "1 gold labels are not labels of this model" "$T/out"
printf 'id,text,party\n1,Talks in Beijing made progress.,china\n2,Moscow rejected the plan.,russia\n' \
    >"$T/party.csv"
expect_exit 0 "labels: a party that is not in the model" predict --target-column party "$T/party.csv"
check "labels: unknown party: both records answered" results "$T/out" "ok ok"
check "labels: unknown party: scored for the named target" test "$(field "$T/out" 1 stance 0 target)" = china
printf 'id,text,outlook,party,stance\n1,Talks in Beijing made progress.,optimistic,china,favor\n' \
    >"$T/party_eval.csv"
expect_exit 0 "labels: eval with a party not in the model" predict --eval "$T/party_eval.csv"

# ---- bundles ------------------------------------------------------------------------------
bad_bundle() { # bad_bundle NAME: a fresh copy of the good bundle to damage
    rm -rf "$T/$1.model"
    cp -r "$M" "$T/$1.model"
    echo "$T/$1.model"
}
echo '{"id":"x","text":"Talks made progress."}' >"$T/one.jsonl"
model_fails() { # model_fails DESCRIPTION BUNDLE WHAT...: exit 4, stderr names WHAT, no output
    local what=$1 b=$2
    shift 2
    expect_exit 4 "bundle: $what" "$PREDICT" --model "$b" "$T/one.jsonl"
    check "bundle: $what: named" names "$@"
    check "bundle: $what: no output" test ! -s "$T/out"
}
b=$(bad_bundle missing) && rm "$b/outlook.vocab.tsv"
model_fails "a missing file" "$b" outlook.vocab.tsv
b=$(bad_bundle nomanifest) && rm "$b/manifest.json"
model_fails "a missing manifest" "$b" nomanifest.model manifest.json
b=$(bad_bundle truncmanifest) && truncate -s 300 "$b/manifest.json"
model_fails "a truncated manifest" "$b" manifest.json
b=$(bad_bundle truncvocab) && truncate -s 20 "$b/outlook.vocab.tsv"
model_fails "a truncated vocabulary" "$b" outlook.vocab.tsv
b=$(bad_bundle truncmodel) && truncate -s 60 "$b/stance.liblinear"
model_fails "a truncated LIBLINEAR file" "$b" stance.liblinear
b=$(bad_bundle emptymodel) && : >"$b/outlook.liblinear"
model_fails "an empty LIBLINEAR file" "$b" outlook.liblinear
# feature count disagreeing with the vocabulary, with checksums made to match so that the
# loader's own check (not the sha256) has to catch it
reseal() { # reseal BUNDLE FILE: put FILE's new sha256 into the manifest
    python3 - "$1" "$2" <<'PY'
import hashlib, json, sys
d, f = sys.argv[1], sys.argv[2]
m = json.load(open(f"{d}/manifest.json"))
sha = hashlib.sha256(open(f"{d}/{f}", "rb").read()).hexdigest()
for t in m["tasks"]:
    for k in ("vocabulary", "model"):
        if t[k]["file"] == f:
            t[k]["sha256"] = sha
json.dump(m, open(f"{d}/manifest.json", "w"), indent=1)
PY
}
b=$(bad_bundle nrfeature)
n=$(sed -n 's/^nr_feature //p' "$b/outlook.liblinear")
sed -i "s/^nr_feature .*/nr_feature $((n + 1))/" "$b/outlook.liblinear" && reseal "$b" outlook.liblinear
model_fails "LIBLINEAR feature count above the vocabulary" "$b" outlook.liblinear nr_feature
b=$(bad_bundle shortvocab)
sed -i '$d' "$b/outlook.vocab.tsv" && reseal "$b" outlook.vocab.tsv
model_fails "vocabulary shorter than the manifest says" "$b" outlook.vocab.tsv
b=$(bad_bundle types)
sed -i 's/"labels":\t\[/"labels":\t"oops", "was":\t[/' "$b/manifest.json"
model_fails "a manifest with wrong types (labels)" "$b" manifest.json labels
b=$(bad_bundle types2)
python3 - "$b/manifest.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
m["tasks"][0]["C"] = "0.1"
m["tasks"][0]["vocabulary"]["size"] = 1.5
m["parties"] = ["russia"]
json.dump(m, open(sys.argv[1], "w"))
PY
model_fails "a manifest with wrong types (numbers, parties)" "$b" manifest.json
b=$(bad_bundle types3) && echo '[1, 2, 3]' >"$b/manifest.json"
model_fails "a manifest that is not an object" "$b" manifest.json
b=$(bad_bundle hugesize)
python3 - "$b/manifest.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
m["tasks"][0]["vocabulary"]["size"] = 900000000
json.dump(m, open(sys.argv[1], "w"))
PY
model_fails "a manifest claiming 900 million terms" "$b" outlook.vocab.tsv
b=$(bad_bundle newer)
sed -i 's/"format_version":\t1/"format_version":\t2/' "$b/manifest.json"
model_fails "a newer format version" "$b" manifest.json newer
b=$(bad_bundle foreign) && sed -i 's/"stance-bundle"/"other-bundle"/' "$b/manifest.json"
model_fails "a foreign format" "$b" "not a stance bundle"
b=$(bad_bundle escape) && sed -i 's/"file":\t"outlook.liblinear"/"file":\t"..\/..\/outlook.liblinear"/' "$b/manifest.json"
model_fails "a file name leaving the bundle" "$b" "leaves the bundle"
mkdir "$T/plain.model" && echo hello >"$T/plain.model/readme.txt"
model_fails "a directory that is not a bundle" "$T/plain.model" plain.model "not a stance model"
model_fails "a file that is not a bundle" "$T/train.csv" train.csv
model_fails "a bundle that does not exist" "$T/none.model" none.model
ln -s loop.model "$T/loop.model"
model_fails "a symlink loop" "$T/loop.model" loop.model
b=$(bad_bundle innerloop) && rm "$b/outlook.liblinear" && ln -s outlook.liblinear "$b/outlook.liblinear"
model_fails "a symlink loop inside the bundle" "$b" outlook.liblinear
b=$(bad_bundle manifestloop) && rm "$b/manifest.json" && ln -s manifest.json "$b/manifest.json"
model_fails "a looping manifest.json" "$b" manifestloop.model
# an alias that grows under normalization (each ㌖ becomes キロメートル): 198 bytes in the
# manifest, 1188 once normalized; found by fuzz_bundle (a stack overflow before the fix)
b=$(bad_bundle longalias)
python3 - "$b/manifest.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
m["parties"]["russia"].append("\u3316" * 66)
json.dump(m, open(sys.argv[1], "w"))
PY
expect_exit 4 "bundle: an alias that grows under normalization" "$PREDICT" --model "$b" "$T/one.jsonl"
python3 -c 'import sys; sys.stdout.write("russia\t" + "\u3316" * 66 + "\n")' >"$T/long.tsv"
expect_exit 3 "train: an alias that grows under normalization" "$TRAIN" "${TRAIN_ARGS[@]}" \
    --data "$T/train.csv" --aliases "$T/long.tsv" --out "$T/x.model"

# ---- faults -------------------------------------------------------------------------------
expect_exit 5 "faults: stdout is a full disk" sh -c '"$0" --model "$1" "$2" >/dev/full' \
    "$PREDICT" "$M" "$T/many.jsonl"
check "faults: full disk: says so" grep -q "error writing.*No space left" "$T/err"
expect_exit 5 "faults: -o /dev/full" predict -o /dev/full "$T/crlf.csv"
check "faults: -o /dev/full: names it" names /dev/full
expect_exit 5 "faults: CSV output to a full disk" sh -c '"$0" --model "$1" --output-format csv "$2" >/dev/full' \
    "$PREDICT" "$M" "$T/crlf.csv"
expect_exit 5 "faults: evaluation to a full disk" sh -c '"$0" --model "$1" --eval "$2" >/dev/full' \
    "$PREDICT" "$M" "$T/train.csv"
expect_exit 5 "faults: training report to a full disk" sh -c '"$0" "$@" >/dev/full' \
    "$TRAIN" "${TRAIN_ARGS[@]}" --json --data "$T/train.csv" --out "$T/full.model"
check "faults: training report to a full disk: says so" grep -q "error writing" "$T/err"
check "faults: training report to a full disk: no temporary left" \
    test -z "$(ls -d "$T"/full.model.* 2>/dev/null)"

# a closed pipe: an I/O error (5) with a message, not death by SIGPIPE (141)
"$PREDICT" --model "$M" "$T/many.jsonl" 2>"$T/err" | head -1 >/dev/null
st=${PIPESTATUS[0]}
check "faults: closed pipe: exit 5 (got $st)" test "$st" = 5
check "faults: closed pipe: says so" grep -q "error writing" "$T/err"
"$PREDICT" --model "$M" --output-format csv "$T/many.jsonl" 2>"$T/err" | head -1 >/dev/null
st=${PIPESTATUS[0]}
check "faults: closed pipe (CSV): exit 5 (got $st)" test "$st" = 5
"$PREDICT" --model "$M" --eval "$T/train.csv" 2>"$T/err" | head -1 >/dev/null
st=${PIPESTATUS[0]}
check "faults: closed pipe (eval): no crash (got $st)" test "$st" = 5 -o "$st" = 0

# An unreadable input file among readable ones. root reads anything, so as root the programs
# run as nobody (setpriv) from a world-readable copy under /tmp (the checkout may sit where
# nobody cannot reach it); without setpriv a dangling link stands in for the unreadable file.
U="$T"
P_AS=$PREDICT
T_AS=$TRAIN
M_AS=$M
AS=()
if [ "$(id -u)" = 0 ]; then
    U=$(mktemp -d /tmp/stance-unread.XXXXXX)
    trap 'rm -rf "$T" "$U"' EXIT
    chmod 755 "$U"
    cp "$PREDICT" "$TRAIN" "$U/" && cp -r "$M" "$U/m.model" && chmod -R a+rX "$U"
    P_AS=$U/stance-predict
    T_AS=$U/stance-train
    M_AS=$U/m.model
    if command -v setpriv >/dev/null &&
        setpriv --reuid=65534 --regid=65534 --clear-groups "$P_AS" --help >/dev/null 2>&1; then
        AS=(setpriv --reuid=65534 --regid=65534 --clear-groups)
    fi
fi
mkdir "$U/unread" "$U/unread_train"
echo '{"id":"a","text":"Talks made progress."}' >"$U/unread/a.jsonl"
echo '{"id":"b","text":"Talks failed."}' >"$U/unread/b.jsonl"
echo '{"id":"c","text":"Talks resumed."}' >"$U/unread/c.jsonl"
cp "$T/train.csv" "$U/unread_train/t1.csv"
cp "$T/train.csv" "$U/unread_train/t2.csv"
chmod a+rX "$U/unread" "$U/unread"/* "$U/unread_train/t1.csv"
chmod a+rwx "$U/unread_train" # the bundle is written beside the data, by nobody
if [ "$(id -u)" = 0 ] && [ ${#AS[@]} = 0 ]; then
    rm "$U/unread/b.jsonl" "$U/unread_train/t2.csv"
    ln -s /nonexistent/b.jsonl "$U/unread/b.jsonl"
    ln -s /nonexistent/t2.csv "$U/unread_train/t2.csv"
else
    chmod 000 "$U/unread/b.jsonl" "$U/unread_train/t2.csv"
fi
expect_exit 3 "faults: an unreadable file among readable ones" \
    "${AS[@]}" "$P_AS" --model "$M_AS" "$U/unread/a.jsonl" "$U/unread/b.jsonl" "$U/unread/c.jsonl"
check "faults: unreadable file: an error in its place" results "$T/out" "ok errf ok"
check "faults: unreadable file: named" names b.jsonl
check "faults: unreadable file: summary" summary 3 2 1
expect_exit 3 "faults: an unreadable file in a folder" "${AS[@]}" "$P_AS" --model "$M_AS" "$U/unread"
check "faults: unreadable file in a folder: an error in its place" results "$T/out" "ok errf ok"
check "faults: unreadable file in a folder: b named" grep -q '"error".*b.jsonl' "$T/out"
expect_exit 5 "faults: an unreadable training file" "${AS[@]}" "$T_AS" -q --task outlook --data "$U/unread_train/t1.csv" --data "$U/unread_train/t2.csv" --out "$U/unread_train/u.model"
check "faults: unreadable training file: named" names t2.csv
check "faults: unreadable training file: no bundle" test ! -e "$U/unread_train/u.model"
check "faults: unreadable training file: no temporary left" \
    test -z "$(ls -d "$U"/unread_train/u.model.* 2>/dev/null)"
# a symlink loop among the inputs of a folder
mkdir "$T/loops"
echo '{"id":"a","text":"Talks made progress."}' >"$T/loops/a.jsonl"
ln -s b.jsonl "$T/loops/b.jsonl"
expect_exit 3 "faults: a symlink loop in an input folder" predict "$T/loops"
check "faults: symlink loop in a folder: an error in its place" results "$T/out" "ok errf"
expect_exit 3 "faults: a symlink loop as an input" predict "$T/loops/b.jsonl" "$T/loops/a.jsonl"
check "faults: symlink loop as an input: an error in its place" results "$T/out" "errf ok"

# SIGINT during training: exit 130, no bundle and no temporary directory, and a bundle that
# was there before is left as it was. Training data big enough to be busy when the signal
# comes; the signal is sent once the program has installed its handler.
python3 - "$T/sigint.csv" <<'PY'
import random, sys
random.seed(5)
words = {"optimistic": "progress deal welcomed agreed hopeful ceasefire signed".split(),
         "pessimistic": "collapsed failed rejected walked blame threat stalled".split(),
         "neutral": "meeting scheduled monday arrived agenda venue week".split()}
filler = [f"f{i}x" for i in range(2000)]
with open(sys.argv[1], "w") as f:
    f.write("id,text,outlook\n")
    for i in range(3000):
        lab = random.choice(sorted(words))
        w = [random.choice(words[lab]) for _ in range(3)] + random.sample(filler, 25)
        random.shuffle(w)
        f.write(f"{i},{' '.join(w)},{lab}\n")
PY
cp -r "$M" "$T/sig.model"
cp "$T/sig.model/manifest.json" "$T/sig.before"
"$TRAIN" -q --data "$T/sigint.csv" --task outlook --cv 5 --ngrams 3 --out "$T/sig.model" \
    >/dev/null 2>"$T/sig.err" &
pid=$!
for _ in $(seq 1 500); do # wait (up to 5 s) until SIGINT is caught, not fatal
    caught=$(sed -n 's/^SigCgt:\t//p' "/proc/$pid/status" 2>/dev/null)
    [ -n "$caught" ] && [ $((0x$caught & 2)) != 0 ] && break
    sleep 0.01
done
kill -INT "$pid" 2>/dev/null
wait "$pid"
st=$?
check "faults: SIGINT during training: exit 130 (got $st)" test "$st" = 130
check "faults: SIGINT: says no bundle written" grep -q "interrupted" "$T/sig.err"
check "faults: SIGINT: the old bundle untouched" cmp -s "$T/sig.before" "$T/sig.model/manifest.json"
check "faults: SIGINT: no temporary directory left" test -z "$(ls -d "$T"/sig.model.* 2>/dev/null)"
"$TRAIN" -q --data "$T/sigint.csv" --task outlook --cv 5 --ngrams 3 --out "$T/signew.model" \
    >/dev/null 2>"$T/sig.err" &
pid=$!
for _ in $(seq 1 500); do
    caught=$(sed -n 's/^SigCgt:\t//p' "/proc/$pid/status" 2>/dev/null)
    [ -n "$caught" ] && [ $((0x$caught & 2)) != 0 ] && break
    sleep 0.01
done
kill -INT "$pid" 2>/dev/null
wait "$pid"
st=$?
check "faults: SIGINT, new bundle: exit 130 (got $st)" test "$st" = 130
check "faults: SIGINT, new bundle: nothing at --out" test ! -e "$T/signew.model"
check "faults: SIGINT, new bundle: no temporary directory left" \
    test -z "$(ls -d "$T"/signew.model.* 2>/dev/null)"

finish
