#!/usr/bin/env bash
# The default corpus keeps its datasheet's promises (counts, labels, no near-duplicate across
# the train/test split); see tests/tools/corpus_check.py.
. "$(dirname "$0")/common.bash"
check "corpus rules" python3 "$SRC/tests/tools/corpus_check.py" "$SRC/datasets/negotiations"
finish
