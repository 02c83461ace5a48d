# stance - the two commands of the README, and the longer runs.
#   make run     install missing packages, build, train the default model if absent, score
#                the sample articles (one JSONL line per article)
#   make test    the same set-up, then every test through ctest (accuracy gates included)
#   make asan    build and test with AddressSanitizer + UndefinedBehaviorSanitizer
#   make accuracy / make bench   the long runs (public benchmarks, speed against peers)

BUILD    ?= build
ASAN     ?= build-asan
MODEL    ?= models/negotiations.model
CORPUS   := $(sort $(wildcard datasets/negotiations/??.csv))
ALIASES  := $(sort $(wildcard datasets/negotiations/aliases/*.tsv))
JOBS     ?= 2
PACKAGES := build-essential cmake pkg-config liblinear-dev libicu-dev libstemmer-dev \
            libcjson-dev python3 python3-distributed chromium clang libclang-rt-14-dev valgrind
# the default model's settings, chosen by cross-validation on the training split (README)
TRAIN_FLAGS ?= --task outlook --task stance --target-columns russia,ukraine,usa,europe \
               --group-column group --where split=train

.PHONY: all deps build run test asan accuracy bench clean model

all: build

deps:
	@missing=""; for p in $(PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" != 0 ]; then echo "run as root, or install:$$missing" >&2; exit 1; fi; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

$(MODEL)/manifest.json: $(CORPUS) $(ALIASES) | build
	$(BUILD)/stance-train --quiet $(addprefix --data ,$(CORPUS)) $(addprefix --aliases ,$(ALIASES)) \
	  $(TRAIN_FLAGS) --out $(MODEL)

model: build $(MODEL)/manifest.json

run: model
	@$(BUILD)/stance-predict --model $(MODEL) -o $(BUILD)/samples.jsonl datasets/samples/
	@cat $(BUILD)/samples.jsonl
	@$(BUILD)/stance-report -q --model $(MODEL) --out $(BUILD)/report.html $(BUILD)/samples.jsonl
	@echo "report: $(abspath $(BUILD)/report.html)"

test: model
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

asan: deps model
	@cmake -S . -B $(ASAN) -DCMAKE_BUILD_TYPE=Debug -DSTANCE_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN) -j $(JOBS)
	@cd $(ASAN) && STANCE_SANITIZE_BUILD=1 ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j $(JOBS)

accuracy: PACKAGES += fasttext python3-sklearn
accuracy: build
	@bash tests/accuracy/run_accuracy.sh

bench: PACKAGES += fasttext liblinear-tools time
bench: build
	@cmake --build $(BUILD) -j $(JOBS) --target bench_features
	@python3 tests/bench/run_bench.py --build $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN) $(MODEL)
