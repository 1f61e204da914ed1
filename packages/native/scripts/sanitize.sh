#!/usr/bin/env bash
# Builds the addon with AddressSanitizer and UndefinedBehaviorSanitizer in a scratch directory (the regular build
# in build/ is left alone) and runs the addon's tests against it: every route, every argument check. Exits
# non-zero if the build fails, a test fails, or a sanitizer reports anything.
#
# Needs what the regular build needs, g++ and oneDNN's headers (Debian: g++ libdnnl-dev; g++ brings libasan8
# and libubsan1). Installs nothing. Node itself is not instrumented, so libasan is preloaded into it.
set -euo pipefail
cd "$(dirname "$0")/.."

libasan="$(g++ -print-file-name=libasan.so 2>/dev/null || true)"
if [[ ! -f "$libasan" || ! -f /usr/include/dnnl.h ]]; then
  echo "sanitize: needs g++ with libasan and oneDNN's headers (apt-get install g++ libdnnl-dev)" >&2
  exit 2
fi

gyp="$(node -p "require.resolve('node-gyp/bin/node-gyp.js')")"
vitest="$(dirname "$(node -p "require.resolve('vitest/package.json')")")/vitest.mjs"

work="$(mktemp -d "${TMPDIR:-/tmp}/twinnet-sanitize.XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src" "$work/reports"
cp binding.gyp "$work/"
cp src/*.cc src/*.h "$work/src/"

# node-gyp's Makefile appends CXXFLAGS and LDFLAGS to binding.gyp's flags. -O1 keeps the build short; the
# routes' hand-vectorised code is the same source at any level.
flags="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -g -O1"
prefix="$(dirname "$(command -v node)")/.."
nodedir=()
[[ -f "$prefix/include/node/node_api.h" ]] && nodedir=(--nodedir="$prefix")
echo "sanitize: building the addon with $flags"
(cd "$work" && CXXFLAGS="$flags" LDFLAGS="-fsanitize=address,undefined" \
  node "$gyp" rebuild "${nodedir[@]}" >"$work/build.log" 2>&1) || {
  tail -40 "$work/build.log" >&2
  echo "sanitize: the build failed" >&2
  exit 1
}

# Leaks are not checked: Node keeps its allocations to the end. Any report aborts the test worker it happens
# in; reports are also looked for in files (ASan writes there) and in vitest's output (UBSan writes there).
status=0
LD_PRELOAD="$libasan" \
  ASAN_OPTIONS="detect_leaks=0:allow_user_segv_handler=1:log_path=$work/reports/asan" \
  UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$work/reports/ubsan" \
  TWINNET_NATIVE_ADDON="$work/build/Release/twinnet_native.node" \
  node "$vitest" run 2>&1 | tee "$work/test.log" || status=$?

if compgen -G "$work/reports/*" >/dev/null || grep -qE "ERROR: AddressSanitizer|runtime error:" "$work/test.log"; then
  cat "$work"/reports/* 2>/dev/null >&2 || true
  echo "sanitize: the sanitizers reported errors" >&2
  exit 1
fi
if ((status != 0)); then
  echo "sanitize: the tests failed under the sanitizers (exit $status)" >&2
  exit "$status"
fi
echo "sanitize: no reports from AddressSanitizer or UBSan"
