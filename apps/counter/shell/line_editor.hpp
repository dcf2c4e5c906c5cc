// The interactive terminal: line editing, history and tab completion
// through libedit, prompts as iex shows them.
#pragma once

#include "repl.hpp"

namespace otter::shell {

/// Reads lines from the terminal until end of input (Ctrl+D) and feeds them
/// to `r`; returns the exit status (0). History is kept in
/// $HOME/.otter_history.
int run_line_editor(repl& r, const repl::output& out);

}  // namespace otter::shell
