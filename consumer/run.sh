#!/usr/bin/env bash
# Consumer tests: twinnet used from a project outside this repository, as a user would get it. Builds and packs
# the tarballs, trains a tiny run and exports its matcher, then in a scratch project under mktemp -d installs
# the tarballs with plain npm (dependencies from the registry) and checks:
#   node     the README's example, verbatim, prints the right labels (also with @twinnet/native removed);
#   types    tsc --noEmit passes on typed.ts and fails on bad.ts (the shipped declarations are real types);
#   browser  esbuild bundles page.js for the browser with nothing Node-only, and headless Chromium matches.
# Prints the sizes of the tarballs, the export and the bundle. TWINNET_CONSUMER_KEEP=1 keeps the scratch folder.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/twinnet-consumer.XXXXXX")"
if [[ "${TWINNET_CONSUMER_KEEP:-}" == 1 ]]; then
  trap 'echo "consumer: scratch folder kept: $work"' EXIT
else
  trap 'rm -rf "$work"' EXIT
fi
project="$work/project"
started=$SECONDS
step() { echo "== consumer: $* ($((SECONDS - started)) s)"; }
fail() {
  echo "consumer: FAILED: $*" >&2
  exit 1
}

cd "$repo"
step "tarballs"
pnpm --silent tarballs "$work/tarballs" | tee "$work/tarballs.txt"

step "a tiny trained run (contrastive, small tower, 3 epochs) and its exported matcher"
pnpm --filter trainer train -- --dataset mnist --variant contrastive --tower small --embedding-dim 32 \
  --epochs 3 --pairs-per-epoch 20000 --train-size 20000 --validation-pairs 1000 --test-pairs 200 \
  --episodes 20 --embed-points 50 --out "$work/runs" >"$work/train.log" 2>&1 ||
  { tail -30 "$work/train.log"; fail "training"; }
grep -E '^mnist-contrastive: test accuracy' "$work/train.log"
mkdir -p "$project"
pnpm match export --run "$work/runs/mnist-contrastive" --out "$project/matcher"
pnpm --silent --filter match exec tsx scripts/consumer-digits.ts "$project"
node consumer/readme-example.mjs README.md >"$project/example.mjs"

step "scratch project: npm install of the tarballs"
cp -r consumer/project/. "$project/"
cd "$project"
npm install --no-audit --no-fund --loglevel=error "$work"/tarballs/twinnet-*.tgz
expected="$(cat expected.txt)"

step "node: the README example, verbatim"
labels="$(node example.mjs 2>"$work/node.err")" || { cat "$work/node.err"; fail "node example.mjs"; }
cat "$work/node.err"
echo "node: labels $labels"
[[ "$labels" == "$expected" ]] || fail "node: expected labels $expected"
# The native kernels are optional: the same example without @twinnet/native installed.
mv node_modules/@twinnet/native "$work/native-aside"
labels="$(node example.mjs 2>"$work/node.err")" || { cat "$work/node.err"; fail "node example.mjs without @twinnet/native"; }
grep -q '@twinnet/native is not installed' "$work/node.err" || { cat "$work/node.err"; fail "no word of the missing native kernels"; }
[[ "$labels" == "$expected" ]] || fail "node without @twinnet/native: expected labels $expected, got $labels"
echo "node: without @twinnet/native: labels $labels (plain wasm)"
mv "$work/native-aside" node_modules/@twinnet/native

step "types: tsc --noEmit against the shipped declarations"
npx tsc -p tsconfig.json || fail "typed.ts does not type-check"
if npx tsc -p tsconfig.bad.json >"$work/bad.txt" 2>&1; then fail "bad.ts type-checks: the declarations are not real types"; fi
grep -q '^bad.ts(.*error TS2345' "$work/bad.txt" || { cat "$work/bad.txt"; fail "bad.ts fails for another reason than TS2345"; }
echo "types: typed.ts passes; bad.ts fails as it must ($(grep -m1 -o 'error TS2345.*' "$work/bad.txt"))"

step "browser: esbuild bundle, headless Chromium"
node browser-check.mjs expected.txt

step "sizes"
grep '\.tgz: ' "$work/tarballs.txt" | sed 's/^.*\/\(twinnet-[^/]*\.tgz\)/tarball \1/'
files="$(cd matcher && find . -type f -printf '%P %s B, ' | sed 's/, $//')"
echo "exported matcher: $(find matcher -type f -printf '%s\n' | awk '{ n += $1 } END { print n }') bytes ($files)"
echo "browser bundle: $(stat -c %s page.bundle.js) bytes (esbuild --minify, tfjs included)"
step "passed"
