#!/usr/bin/env bash
# End to end: train on a small CSV written here, predict in every format, evaluate, gates,
# reproducible bundles, refusing broken bundles, and one output record per input record.
. "$(dirname "$0")/common.bash"

# A BOM, quoted commas, doubled quotes, a newline inside a field, CRLF line ends.
printf '\xef\xbb\xbf' >"$T/train.csv"
cat >>"$T/train.csv" <<'CSV'
id,text,outlook,party,stance,group
1,"Talks in Geneva made real progress, both delegations said.",optimistic,ukraine,favor,a
2,"The sides agreed on a prisoner exchange and a ""framework"" for a ceasefire.",optimistic,russia,favor,a
3,The delegations will meet again on Tuesday.,neutral,usa,none,b
4,"Moscow rejected the plan as unacceptable
and walked out of the talks.",pessimistic,russia,against,b
5,Kyiv said the talks had reached a dead end.,pessimistic,ukraine,against,c
6,The meeting is scheduled for next week in Istanbul.,neutral,usa,none,c
7,"Negotiators reported progress and agreed to continue, officials said.",optimistic,usa,favor,d
8,The Kremlin rejected the proposal and said talks were pointless.,pessimistic,russia,against,d
9,The talks will take place on Monday in Riyadh.,neutral,ukraine,none,e
10,Both sides welcomed the agreement as real progress toward peace.,optimistic,ukraine,favor,e
11,Washington rejected the demand and said the talks had failed.,pessimistic,usa,against,f
12,The delegations arrived in Geneva on Sunday.,neutral,russia,none,f
CSV
sed -i 's/$/\r/' "$T/train.csv"
printf 'russia\tmoscow\nrussia\tkremlin\nrussia\trussia*\nukraine\tkyiv\nukraine\tukrain*\nusa\twashington\nusa\tus\n' >"$T/aliases.tsv"

TRAIN_ARGS=(--data "$T/train.csv" --task outlook --task stance --label-column stance
            --target-column party --group-column group --aliases "$T/aliases.tsv"
            --min-df 1 --cv 3)
expect_exit 0 "train" "$TRAIN" -q "${TRAIN_ARGS[@]}" --out "$T/m.model"
check "train prints CV macro-F1" grep -q "macro-F1" "$T/out"
check "bundle has a manifest" test -f "$T/m.model/manifest.json"
check "manifest names the tasks" grep -q '"name":.*"stance"' "$T/m.model/manifest.json"

# Reproducible: the same data gives a byte-identical bundle.
mkdir "$T/one" "$T/two"
SOURCE_DATE_EPOCH=1700000000 "$TRAIN" -q "${TRAIN_ARGS[@]}" --out "$T/one/m.model" >/dev/null
SOURCE_DATE_EPOCH=1700000000 "$TRAIN" -q "${TRAIN_ARGS[@]}" --out "$T/two/m.model" >/dev/null
check "training twice gives identical bundles" diff -r "$T/one/m.model" "$T/two/m.model"
cp -r "$T/one/m.model" "$T/a.model"
check "retraining over an existing bundle replaces it" \
    "$TRAIN" -q "${TRAIN_ARGS[@]}" --out "$T/a.model"
check "no temporary directories left" test -z "$(ls -d "$T"/a.model.* 2>/dev/null)"

# JSONL in, one JSONL record out per input record, in order, with metadata passed through.
cat >"$T/in.jsonl" <<'J'
{"id":"x1","text":"Moscow rejected the plan and walked out.","date":"2025-11-25","source":"example.com"}
{"id":"x2","text":""}
not json at all
{"id":"x4","text":"Kyiv and Washington agreed on a framework, officials said. The next round is on Tuesday."}
J
printf '{"id":"x5","text":"bad \xff byte"}\n' >>"$T/in.jsonl"
expect_exit 3 "predict with bad records exits 3" "$PREDICT" --model "$T/m.model" "$T/in.jsonl"
check "5 records in, 5 out" test "$(wc -l <"$T/out")" = 5
check "ids in input order" test "$(grep -o '"id":"[^"]*"' "$T/out" | head -1)" = '"id":"x1"'
check "metadata passes through" grep -q '"date":"2025-11-25","source":"example.com"' "$T/out"
check "empty text is an error record" grep -q '"id":"x2".*"error"' "$T/out"
check "invalid UTF-8 is an error record with its id" grep -q '"id":"x5".*"error".*UTF-8.*"line":5' "$T/out"
check "outlook has scores" grep -q '"outlook":{"label":"[a-z]*","confidence":[0-9.]*,"scores"' "$T/out"
check "party stance per mentioned party" grep -q '"target":"russia"' "$T/out"
check "summary on stderr" grep -q "5 records read, 2 scored, 3 failed" "$T/err"

# Same input, one thread or two: the same bytes.
"$PREDICT" -q --model "$T/m.model" --threads 1 "$T/in.jsonl" >"$T/t1" 2>/dev/null
"$PREDICT" -q --model "$T/m.model" --threads 2 "$T/in.jsonl" >"$T/t2" 2>/dev/null
check "output independent of threads" cmp -s "$T/t1" "$T/t2"

# Folders of .txt files (id = file name), stdin, CSV out, --sentences, --explain.
mkdir "$T/dir"
echo "The Kremlin rejected the proposal. Talks collapsed." >"$T/dir/a.txt"
echo "Negotiators reported progress in Geneva." >"$T/dir/b.txt"
expect_exit 0 "predict a folder" "$PREDICT" --model "$T/m.model" --sentences --explain 3 "$T/dir"
check "folder gives one record per file" test "$(wc -l <"$T/out")" = 2
check "id is the file name" grep -q '"id":"a"' "$T/out"
check "--sentences adds sentences" grep -q '"sentences":\[' "$T/out"
check "--explain adds features" grep -q '"explain":\[{"feature"' "$T/out"
echo '{"id":"s","text":"Talks collapsed."}' | "$PREDICT" -q --model "$T/m.model" >"$T/stdin.out"
check "stdin is JSONL" grep -q '"id":"s"' "$T/stdin.out"
expect_exit 0 "CSV output" "$PREDICT" --model "$T/m.model" --output-format csv "$T/dir"
check "CSV header" grep -q '^id,error,date,source,url,title,lang,outlook,outlook_confidence' "$T/out"
check "CSV has a row per record" test "$(wc -l <"$T/out")" = 3
expect_exit 0 "CSV input" "$PREDICT" --model "$T/m.model" "$T/train.csv"
check "CSV input: 12 records" test "$(wc -l <"$T/out")" = 12

# Evaluation, JSON, gates.
expect_exit 0 "eval" "$PREDICT" --model "$T/m.model" --eval "$T/train.csv"
check "eval prints macro-F1" grep -qi "macro-F1" "$T/out"
check "eval prints a confusion matrix" grep -qi "confusion" "$T/out"
check "eval prints calibration error" grep -qi "ECE\|calibration" "$T/out"
expect_exit 0 "eval --json" "$PREDICT" --model "$T/m.model" --eval "$T/train.csv" --json
check "eval JSON has macro_f1" grep -q '"macro_f1"' "$T/out"
# labels swapped: the model disagrees with most of them
sed 's/,optimistic,/,TMP,/; s/,pessimistic,/,optimistic,/; s/,TMP,/,pessimistic,/; s/,favor/,against/' \
    "$T/train.csv" >"$T/swapped.csv"
expect_exit 1 "gate fails below the bar" "$PREDICT" --model "$T/m.model" --eval "$T/swapped.csv" \
    --min-macro-f1 0.9
check "gate failure names the task" grep -q "macro-F1 .* is below 0.9000" "$T/err"
expect_exit 2 "gate value out of range is a usage error" "$PREDICT" --model "$T/m.model" \
    --eval "$T/train.csv" --min-macro-f1 outlook=1.5
expect_exit 0 "gate passes below reach" "$PREDICT" --model "$T/m.model" --eval "$T/train.csv" \
    --min-macro-f1 outlook=0.0
expect_exit 1 "per-task gate" "$PREDICT" --model "$T/m.model" --eval "$T/swapped.csv" \
    --min-macro-f1 stance=0.9

# Usage and data errors.
expect_exit 2 "no model" "$PREDICT" "$T/in.jsonl"
expect_exit 2 "unknown option" "$TRAIN" --bogus
expect_exit 3 "missing label column" "$TRAIN" -q --data "$T/train.csv" --task nosuch --out "$T/x.model"
check "missing column is named" grep -q 'no column "nosuch"' "$T/err"
printf 'id,text,outlook\n1,a b c,neutral\n2,a b d,neutral\n' >"$T/one.csv"
expect_exit 3 "a single class is refused" "$TRAIN" -q --data "$T/one.csv" --task outlook --cv 0 \
    --min-df 1 --out "$T/x.model"
check "no half-written bundle after a failure" test ! -e "$T/x.model"

# Broken bundles: exit 4 with the file named.
cp -r "$T/m.model" "$T/trunc.model"
head -c 100 "$T/m.model/outlook.liblinear" >"$T/trunc.model/outlook.liblinear"
expect_exit 4 "truncated model file" "$PREDICT" --model "$T/trunc.model" "$T/dir"
check "message names the file" grep -q "outlook.liblinear" "$T/err"
cp -r "$T/m.model" "$T/newer.model"
sed -i 's/"format_version":\t1/"format_version":\t99/' "$T/newer.model/manifest.json"
expect_exit 4 "newer format version" "$PREDICT" --model "$T/newer.model" "$T/dir"
check "says newer" grep -q "newer" "$T/err"
expect_exit 4 "not a bundle" "$PREDICT" --model "$T/dir" "$T/dir"
expect_exit 4 "missing bundle" "$PREDICT" --model "$T/nope.model" "$T/dir"
echo '{"format":"stance-bundle","format_version":1,"tasks":"x"}' >"$T/dir/manifest.json"
expect_exit 4 "manifest with wrong types" "$PREDICT" --model "$T/dir" "$T/in.jsonl"

# Faults: full disk and a closed pipe are I/O errors (5), not crashes.
expect_exit 5 "output to /dev/full" "$PREDICT" --model "$T/m.model" -o /dev/full "$T/dir"
for i in $(seq 1 3000); do echo "{\"id\":\"$i\",\"text\":\"Talks resumed in Geneva.\"}"; done >"$T/many.jsonl"
"$PREDICT" --model "$T/m.model" "$T/many.jsonl" 2>"$T/pipe.err" | head -1 >/dev/null
check "closed pipe reported as I/O error" grep -q "error writing" "$T/pipe.err"
finish
