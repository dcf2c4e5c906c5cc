#!/usr/bin/env bash
# Drives `otter` in a real terminal (tmux): the prompt, line editing with
# history (Up), tab completion of module and function names, multi-line
# input, an error the shell survives, and Ctrl+D.
# Usage: terminal_test.sh path/to/otter
set -euo pipefail
otter=$1
command -v tmux >/dev/null || { echo "tmux is missing (scripts/install-deps.sh installs it)"; exit 1; }
work=$(mktemp -d)
session="otter_test_$$"
export HOME="$work"   # a fresh history file
tmux_() { tmux -L "$session" "$@"; }
cleanup() { tmux_ kill-server >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

screen() { tmux_ capture-pane -p -t "$session"; }
# Waits (up to 60 s: a loaded machine, sanitizer builds) until the screen shows $1.
wait_for() {
  for _ in $(seq 600); do
    if screen | grep -qF -- "$1"; then return 0; fi
    sleep 0.1
  done
  echo "FAIL: the terminal never showed: $1"
  echo "--- screen ---"; screen; exit 1
}

tmux_ new-session -d -s "$session" -x 120 -y 40 "$otter"
wait_for "otter(1)>"

# Plain input and a result.
tmux_ send-keys -t "$session" "1 + 41" Enter
wait_for "otter(2)>"
screen | grep -qx "otter(1)> 1 + 41" || { echo "FAIL: input not echoed"; screen; exit 1; }
screen | grep -qx "42" || { echo "FAIL: no result 42"; screen; exit 1; }

# History: Up brings back the last line.
tmux_ send-keys -t "$session" Up Enter
wait_for "otter(3)>"
[ "$(screen | grep -cx '42')" -eq 2 ] || { echo "FAIL: Up + Enter did not repeat 1 + 41"; screen; exit 1; }

# Completion: a module, then one of its functions.
tmux_ send-keys -t "$session" "Counter.WorkerS" Tab
wait_for "otter(3)> Counter.WorkerSupervisor"
tmux_ send-keys -t "$session" ".start_w" Tab
wait_for "otter(3)> Counter.WorkerSupervisor.start_worker"
tmux_ send-keys -t "$session" "(:W1)" Enter
wait_for "otter(4)>"
screen | grep -q "^{:ok, #PID<0\.[0-9]*\.[0-9]*>}$" || { echo "FAIL: start_worker did not answer {:ok, pid}"; screen; exit 1; }
tmux_ send-keys -t "$session" "Enum.su" Tab
wait_for "otter(4)> Enum.sum"
tmux_ send-keys -t "$session" "([1, 2])" Enter
wait_for "otter(5)>"

# Multi-line input: an open bracket asks for more.
tmux_ send-keys -t "$session" "[1," Enter
wait_for "...(5)>"
tmux_ send-keys -t "$session" "2]" Enter
wait_for "otter(6)>"
screen | grep -qx "\[1, 2\]" || { echo "FAIL: multi-line list"; screen; exit 1; }

# An error: printed as iex prints it, and the shell goes on.
tmux_ send-keys -t "$session" "Counter.Worker.bogus()" Enter
wait_for "** (UndefinedFunctionError) function Counter.Worker.bogus/0 is undefined or private"
tmux_ send-keys -t "$session" "Counter.Worker.value(:W1)" Enter
wait_for "otter(7)>"

# Ctrl+C ends an evaluation that would never end (the evaluator is killed
# and a new one started); at the prompt it leaves the shell running.
tmux_ send-keys -t "$session" "Process.sleep(:infinity)" Enter
sleep 0.5
tmux_ send-keys -t "$session" C-c
wait_for "shell process exited with reason: killed"
tmux_ send-keys -t "$session" C-c
sleep 0.3
# (Prompt numbers start again at 1 here, so wait for the result line itself.)
tmux_ send-keys -t "$session" ":after_ctrl_c" Enter
for _ in $(seq 600); do
  if screen | grep -qx ":after_ctrl_c"; then break; fi
  sleep 0.1
done
screen | grep -qx ":after_ctrl_c" || { echo "FAIL: the shell did not go on after Ctrl+C"; screen; exit 1; }

# Ctrl+D ends the shell and saves the history.
tmux_ send-keys -t "$session" C-d
for _ in $(seq 600); do
  tmux_ has-session -t "$session" 2>/dev/null || break
  sleep 0.1
done
if tmux_ has-session -t "$session" 2>/dev/null; then echo "FAIL: Ctrl+D did not end the shell"; screen; exit 1; fi
grep -q "41" "$work/.otter_history" || { echo "FAIL: history was not saved"; exit 1; }  # libedit writes spaces as \040
echo "terminal test passed"
