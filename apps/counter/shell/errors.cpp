// The shell's errors and how iex prints them (see errors.hpp).
#include "errors.hpp"

namespace otter::shell {

std::string ordinal(std::size_t n) {
  const char* suffix = "th";
  if (n % 100 < 11 || n % 100 > 13) {
    if (n % 10 == 1) suffix = "st";
    else if (n % 10 == 2) suffix = "nd";
    else if (n % 10 == 3) suffix = "rd";
  }
  return std::to_string(n) + suffix;
}

void raise(std::string kind, std::string message, std::string trace) {
  throw elixir_error(std::move(kind), std::move(message), std::move(trace));
}

void raise_argument_error(std::string message, std::string trace) {
  raise("ArgumentError", std::move(message), std::move(trace));
}

void raise_badarg(std::size_t position, std::string_view what, std::string_view call) {
  raise("ArgumentError",
        "errors were found at the given arguments:\n\n  * " + ordinal(position) + " argument: " + std::string(what) + "\n",
        "    " + std::string(call) + "\n");
}

std::string format_error(const elixir_error& e) {
  std::string out = "** (" + e.kind() + ") " + e.message() + "\n";
  if (e.trace().empty()) return out + "\n";
  return out + e.trace();
}

namespace {

bool is_mfa(const term& t) {
  return t.is_tuple() && t.size() == 3 && t[0].is_atom() && t[1].is_atom() && t[2].is_proper_list();
}

std::string module_shown(atom m) {
  const std::string_view text = m.text();
  if (text.starts_with("Elixir.")) return std::string(text.substr(7));
  return term(m).to_string();
}

}  // namespace

std::string format_exit(const term& reason) {
  static const atom noproc("noproc"), timeout("timeout"), normal("normal"), shutdown("shutdown"), killed("killed"),
      calling_self("calling_self"), bad_call("bad_call"), bad_cast("bad_cast"), bad_return_value("bad_return_value"),
      nodedown("nodedown");
  if (reason.is_atom(noproc))
    return "no process: the process is not alive or there's no process currently associated with the given name, "
           "possibly because its application isn't started";
  if (reason.is_atom(timeout)) return "time out";
  if (reason.is_atom(normal)) return "normal";
  if (reason.is_atom(shutdown)) return "shutdown";
  if (reason.is_atom(killed)) return "killed";
  if (reason.is_atom(calling_self)) return "process attempted to call itself";
  static const atom start_spec("start_spec"), duplicate("duplicate_child_name"), invalid_mfa("invalid_mfa"),
      bad_start_spec("bad_start_spec"), failed_to_start("failed_to_start_child");
  if (reason.is_tuple() && reason.size() == 2) {
    const term& tag = reason[0];
    const term& detail = reason[1];
    if (tag.is_atom(start_spec) && detail.is_tuple() && detail.size() == 2 && detail[0].is_atom(duplicate))
      return "bad child specification, more than one child specification has the id: " + inspect(detail[1], {0, 50}) +
             ".\nIf using maps as child specifications, make sure the :id keys are unique.\nIf using a module or "
             "{module, arg} as child, use Supervisor.child_spec/2 to change the :id, for example:\n\n    children = [\n"
             "      Supervisor.child_spec({MyWorker, arg}, id: :my_worker_1),\n      Supervisor.child_spec({MyWorker, "
             "arg}, id: :my_worker_2)\n    ]\n";
    if (tag.is_atom(start_spec) && detail.is_tuple() && detail.size() == 2 && detail[0].is_atom(invalid_mfa))
      return "bad child specification, invalid mfa: " + inspect(detail[1], {0, 50});
    if (tag.is_atom(start_spec)) return "bad child specification, " + inspect(detail, {0, 50});
    if (tag.is_atom(bad_start_spec)) return "bad child specification, invalid children: " + inspect(detail, {0, 50});
    if (tag.is_atom(shutdown) && detail.is_tuple() && detail.size() == 3 && detail[0].is_atom(failed_to_start))
      return "shutdown: failed to start child: " + inspect(detail[1], {0, 50}) + "\n    ** (EXIT) " + format_exit(detail[2]);
    if (tag.is_atom(shutdown)) return "shutdown: " + inspect(reason[1], {0, 50});
    if (tag.is_atom(bad_call)) return "bad call: " + inspect(reason[1], {0, 50});
    if (tag.is_atom(bad_cast)) return "bad cast: " + inspect(reason[1], {0, 50});
    if (tag.is_atom(bad_return_value)) return "bad return value: " + inspect(reason[1], {0, 50});
    if (tag.is_atom(nodedown)) return "no connection to " + std::string(reason[1].is_atom() ? reason[1].as_atom().text() : "?");
    if (is_mfa(reason[1])) {
      const term& mfa = reason[1];
      std::string args;
      for (std::size_t i = 0; i < mfa[2].size(); ++i) {
        if (i) args += ", ";
        args += inspect(mfa[2].elements()[i], {0, 50});
      }
      return "exited in: " + module_shown(mfa[0].as_atom()) + "." + std::string(mfa[1].as_atom().text()) + "(" + args +
             ")\n    ** (EXIT) " + format_exit(tag);
    }
  }
  return inspect(reason, {0, 50});
}

std::string format_exit_error(const term& reason) { return "** (exit) " + format_exit(reason) + "\n"; }

}  // namespace otter::shell
