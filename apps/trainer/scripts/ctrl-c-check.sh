#!/usr/bin/env bash
# Ctrl-C under `pnpm turbo train`, as a terminal delivers it: SIGINT to the whole foreground process group (pnpm,
# turbo, the trainer and its workers). Each try starts the default runs, interrupts them once training has begun,
# and checks that every run in progress saved a mid-epoch checkpoint; then `--resume` must report that it
# continues from the saved step. Usage: bash apps/trainer/scripts/ctrl-c-check.sh [tries] (default 10), from the
# repository root. It writes into artifacts/ (moved aside first and put back at the end).
set -uo pipefail
tries=${1:-10}
cd "$(dirname "$0")/../../.."
root=$(pwd)
log=$(mktemp -d)
[[ -e artifacts ]] && mv artifacts "$log/artifacts.saved"
restore() { rm -rf "$root/artifacts"; [[ -e "$log/artifacts.saved" ]] && mv "$log/artifacts.saved" "$root/artifacts"; }
trap restore EXIT

# Starts `pnpm turbo train ARGS` in its own process group; waits for a line matching PATTERN, then SIGINTs the
# group and waits for it to end. TWINNET_CTRL_C_TRY changes turbo's hash of the train task, so it never replays.
interrupt() {
  local out=$1 pattern=$2
  shift 2
  TWINNET_CTRL_C_TRY="$out" setsid pnpm turbo train "$@" >"$out" 2>&1 &
  local pid=$!
  for _ in $(seq 1 240); do
    grep -qE "$pattern" "$out" && break
    sleep 0.5
  done
  sleep 2
  kill -INT -- "-$pid"
  wait "$pid"
  local rc=$?
  # The trainer runs detached (supervise.mjs): it may still be writing its checkpoint when turbo returns.
  for _ in $(seq 1 60); do
    pgrep -f "$root/apps/trainer/src/cli.ts" >/dev/null || break
    sleep 0.5
  done
  echo $rc
}

saved=0
resumed=0
for try in $(seq 1 "$tries"); do
  rm -rf artifacts
  started=$(date +%s)
  rc=$(interrupt "$log/try-$try.log" 'epoch 1/[0-9]+ [0-9]+%')
  states=(artifacts/.checkpoints/*/state.json)
  fresh=0
  saved_steps=()
  for state in "${states[@]}"; do
    [[ -f $state && $(stat -c %Y "$state") -ge $started ]] || continue
    step=$(tr -d ' \n' <"$state" | grep -o '"partial":{[^}]*' | grep -o '"steps":[0-9]*' | grep -o '[0-9]*$')
    [[ -n $step ]] && fresh=$((fresh + 1)) && saved_steps+=("$step")
  done
  ((fresh >= 1)) && saved=$((saved + 1))
  # Resume: every run that starts again must say it continues from a step a checkpoint holds.
  rc2=$(interrupt "$log/resume-$try.log" 'resuming after|starting from scratch' -- --resume)
  said=$(grep -ohE 'resuming after step [0-9]+ of epoch' "$log/resume-$try.log" | grep -o '[0-9]\+' | sort -u)
  ok=1
  [[ -n $said ]] || ok=0
  for n in $said; do [[ " ${saved_steps[*]} " == *" $n "* ]] || ok=0; done
  ((ok)) && resumed=$((resumed + 1))
  echo "try $try: rc $rc, mid-epoch checkpoints at steps ${saved_steps[*]:-none}; resume rc $rc2, resumed from steps $(echo $said)"
done
echo "$saved of $tries tries saved a mid-epoch checkpoint; $resumed of $tries resumed from a saved step (logs: $log)"
[[ $saved -eq $tries && $resumed -eq $tries ]]
