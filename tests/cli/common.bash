# Shared helpers for the CLI tests (sourced, not run).
set -u
BUILD=${STANCE_BUILD_DIR:?}
SRC=${STANCE_SOURCE_DIR:?}
TRAIN="$BUILD/stance-train"
PREDICT="$BUILD/stance-predict"
T=$(mktemp -d "${STANCE_TEST_TMP:-/tmp}/cli.XXXXXX")
trap 'rm -rf "$T"' EXIT
passed=0
failed=0

ok() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $*" >&2; }
check() { # check "description" command...
    local what=$1
    shift
    if "$@"; then ok; else fail "$what"; fi
}
expect_exit() { # expect_exit CODE "description" command...
    local want=$1 what=$2
    shift 2
    "$@" >"$T/out" 2>"$T/err"
    local got=$?
    if [ "$got" = "$want" ]; then ok; else
        fail "$what: exit $got, expected $want"
        sed 's/^/    /' "$T/err" | head -5 >&2
    fi
}
write_stance_csv() { # write_stance_csv FILE ROWS NONE_WEIGHT SIGNAL SEED
    # synthetic stance rows (id,text,target,label,lang), two targets: a label is "none" with
    # weight NONE_WEIGHT against 1 each for favor and against, and its text holds one of its
    # own words with probability SIGNAL (else any label's), among four neutral words
    python3 - "$@" <<'EOF'
import csv, random, sys
path, rows, none_weight = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
signal, seed = float(sys.argv[4]), int(sys.argv[5])
rnd = random.Random(seed)
words = {"favor": ["support", "welcome", "praise"], "against": ["reject", "condemn", "oppose"],
         "none": ["report", "visit", "said"]}
noise = ["the", "talks", "today", "plan", "leaders", "week", "news", "city"]
with open(path, "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(["id", "text", "target", "label", "lang"])
    for i in range(rows):
        label = rnd.choice(["none"] * none_weight + ["favor", "against"])
        own = rnd.choice(words[label]) if rnd.random() < signal else rnd.choice(words[rnd.choice(list(words))])
        w.writerow([f"r{i}", " ".join([own] + rnd.sample(noise, 4)), "alpha" if i % 2 else "beta",
                    label, "en"])
EOF
}
predict_data() { # predict_data "description" MODEL OUT: score $T/data.csv by target into OUT
    expect_exit 0 "$1" "$PREDICT" -q --model "$2" --target-column target "$T/data.csv"
    cp "$T/out" "$3"
}
finish() {
    echo "$passed passed, $failed failed"
    [ "$failed" = 0 ]
}
