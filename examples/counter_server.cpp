// A first gen_server: the README's example. A counter that takes casts and
// answers calls, started and used from main() through a scoped_process.
//
//   build/release/examples/counter_server     # prints 7
#include <cstdio>

#include "otter/gen_server.hpp"

struct counter : otter::gen_server<counter> {
  struct state {
    std::int64_t value = 0;
  };
  struct inc {
    std::int64_t by = 1;
  };
  struct get {};
  state init(std::int64_t start) { return {start}; }
  void handle_cast(inc m, state& s) { s.value += m.by; }       // GenServer.cast
  std::int64_t handle_call(get, state& s) { return s.value; }  // GenServer.call: the reply's type
};

int main() {
  otter::runtime rt;
  otter::scoped_process me(rt);
  counter::start(me, otter::name("c1"), 5);  // {:ok, pid}
  counter::cast(rt, "c1", counter::inc{2});
  std::printf("%lld\n", (long long)counter::call(me, "c1", counter::get{}));  // 7
}
