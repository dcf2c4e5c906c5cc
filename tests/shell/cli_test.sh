#!/usr/bin/env bash
# `otter` as a program: script mode from a file and from a pipe, the
# --quiet, --echo and --stop-on-error flags, exit statuses, bad options.
# Usage: cli_test.sh path/to/otter
set -euo pipefail
otter=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

printf 'x = 20\nx * 2 + 2\nhd([])\nx + 1\n' > "$work/in.exs"

# From a file, quiet: results and errors only; an error does not stop it.
out=$("$otter" --quiet "$work/in.exs") || fail "exit status $? without --stop-on-error"
expected=$'20\n42\n** (ArgumentError) errors were found at the given arguments:\n\n  * 1st argument: not a nonempty list\n\n    :erlang.hd([])\n21'
[ "$out" = "$expected" ] || fail "quiet output was:"$'\n'"$out"

# --stop-on-error: status 1 at the first error, nothing after it runs.
set +e
out=$("$otter" --quiet --stop-on-error "$work/in.exs")
status=$?
set -e
[ "$status" -eq 1 ] || fail "--stop-on-error gave status $status"
case "$out" in *21) fail "--stop-on-error went on after the error: $out" ;; esac

# From a pipe, as iex prints piped input: banner, prompts, results.
out=$(printf '1 + 1\n' | "$otter")
case "$out" in
  "Interactive otter"*$'\n''otter(1)> 2'$'\n''otter(2)> ') ;;
  *) fail "piped output was:"$'\n'"$out" ;;
esac

# --echo shows the input after each prompt (transcripts).
out=$(printf ':ok\n' | "$otter" --echo)
case "$out" in *'otter(1)> :ok'$'\n'':ok'*) ;; *) fail "--echo output was:"$'\n'"$out" ;; esac

# A crashing worker: one report on stderr, as iex shows it (no supervisor
# or crash reports), and the stopping shell reports nothing more.
# (The call comes after the cast: the crash and its report come before its
# answer, whichever worker answers it.)
printf 'Counter.WorkerSupervisor.start_worker(:W1)\nCounter.Worker.inc(:W1, "x")\nCounter.Worker.value(:W1)\n' |
  "$otter" --quiet > "$work/out" 2> "$work/err"
expected=$'\n[error] GenServer {:via, Registry, {Counter.Registry, {Counter.Worker, :W1}}} terminating\n** (otter::bad_argument) Counter.Worker expects {:inc, integer} or {:dec, integer}, got {:inc, "x"}\nLast message: {:"$gen_cast", {:inc, "x"}}'
[ "$(cat "$work/err")" = "$expected" ] || fail "the crash's reports were:"$'\n'"$(cat "$work/err")"

# --max-children configures Counter.WorkerSupervisor.
out=$(printf 'Counter.WorkerSupervisor.start_worker(:a)\nCounter.WorkerSupervisor.start_worker(:b)\n' | "$otter" --quiet --max-children 1)
case "$out" in *'{:error, :max_children}') ;; *) fail "--max-children 1 gave:"$'\n'"$out" ;; esac

# Bad usage: a clear message and status 2.
set +e
err=$("$otter" --bogus 2>&1); status=$?
[ "$status" -eq 2 ] && [[ "$err" == *"unknown option --bogus"* ]] || fail "--bogus: status $status, $err"
err=$("$otter" "$work/missing.exs" 2>&1); status=$?
[ "$status" -eq 2 ] && [[ "$err" == *"cannot read"* ]] || fail "missing file: status $status, $err"
err=$("$otter" --max-children x 2>&1); status=$?
[ "$status" -eq 2 ] && [[ "$err" == *"needs a number"* ]] || fail "--max-children x: status $status, $err"
set -e
echo "cli test passed"
