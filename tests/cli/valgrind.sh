#!/usr/bin/env bash
# End to end under valgrind: train on a small CSV, then predict (good and bad records, JSONL and
# CSV out, sentences and explanations, two threads) and evaluate, each run with
# --leak-check=full --error-exitcode=1, so an invalid read or write, a use of uninitialised
# memory or a leak fails the test. Skipped (77) when valgrind is missing or the programs are
# sanitizer builds (ASan and valgrind cannot run together).
. "$(dirname "$0")/common.bash"

command -v valgrind >/dev/null || { echo "valgrind not installed: skipped"; exit 77; }
if [ "${STANCE_ASAN:-0}" = 1 ] || ldd "$PREDICT" 2>/dev/null | grep -q 'libasan\|libubsan'; then
    echo "sanitizer build: skipped"
    exit 77
fi
# valgrind's verdict is exit 1, which no run below expects (1 is only "evaluation below a gate")
# shellcheck disable=SC2054 # the commas belong to valgrind's option values
VG=(valgrind -q --leak-check=full --show-leak-kinds=definite,possible
    --errors-for-leak-kinds=definite,possible --error-exitcode=1)

cat >"$T/train.csv" <<'CSV'
id,text,outlook,party,stance,group
1,"Talks in Geneva made real progress, both delegations said.",optimistic,ukraine,favor,a
2,"Moscow agreed on a prisoner exchange and a ""framework"" for a ceasefire.",optimistic,russia,favor,a
3,The delegations will meet again on Tuesday.,neutral,russia,none,b
4,"Moscow rejected the plan as unacceptable
and walked out of the talks.",pessimistic,russia,against,b
5,Kyiv said the talks had reached a dead end.,pessimistic,ukraine,against,c
6,The meeting in Kyiv is scheduled for next week.,neutral,ukraine,none,c
7,Negotiators in Kyiv reported progress and welcomed the deal.,optimistic,ukraine,favor,d
8,The Kremlin rejected the proposal and said the talks had failed.,pessimistic,russia,against,d
CSV
printf '9,bad \xff byte,neutral,russia,none,e\n' >>"$T/train.csv"
printf 'russia\tmoscow\nrussia\tkremlin\nukraine\tkyiv\n' >"$T/aliases.tsv"

expect_exit 0 "train under valgrind" "${VG[@]}" "$TRAIN" -q --data "$T/train.csv" --task outlook \
    --task stance --label-column stance --target-column party --group-column group \
    --aliases "$T/aliases.tsv" --min-df 1 --cv 2 --json --out "$T/m.model"
check "train under valgrind: bundle written" test -f "$T/m.model/manifest.json"

{
    echo '{"id":"a","text":"Moscow rejected the plan. Kyiv welcomed the talks in Geneva.","date":"2025-11-25"}'
    echo '{"id":"b","text":""}'
    echo 'not json'
    echo '{"id":"c","text":42}'
    printf '{"id":"d","text":"bad \xc0\xaf byte"}\n'
    echo '{"id":"e","text":"Negotiators reported progress. 👍🏽 مفاوضات"}'
} >"$T/in.jsonl"
expect_exit 3 "predict under valgrind (bad records among good)" "${VG[@]}" "$PREDICT" \
    --model "$T/m.model" --threads 2 --sentences --explain 3 "$T/in.jsonl"
check "predict under valgrind: one result per record" test "$(wc -l <"$T/out")" = 6
check "predict under valgrind: summary" grep -q "6 records read, 2 scored, 4 failed" "$T/err"

mkdir "$T/dir"
echo "The Kremlin rejected the proposal. Talks collapsed." >"$T/dir/a.txt"
cp "$T/in.jsonl" "$T/dir/b.jsonl"
expect_exit 3 "predict under valgrind (folder, CSV out)" "${VG[@]}" "$PREDICT" \
    --model "$T/m.model" --output-format csv --threads 1 "$T/dir"
check "predict under valgrind: CSV header and rows" test "$(wc -l <"$T/out")" -ge 8

expect_exit 0 "evaluate under valgrind" "${VG[@]}" "$PREDICT" --model "$T/m.model" \
    --eval "$T/train.csv" --json
check "evaluate under valgrind: JSON report" grep -q '"macro_f1"' "$T/out"
finish
