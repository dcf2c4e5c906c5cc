# Registry rates, Elixir's side (otter's is bench/registry_rate.cpp; both
# print the same workload ids and metrics, and bench/compare.sh runs them
# side by side with WORKLOADS=reg). Not one of the shared peers' scripts:
# WORKLOADS.md asks for a Registry rate but the peers have none.
#  registry_register: one process registers REG_N unique keys (integers),
#      then unregisters them.
#  registry_lookup: while they are registered, REG_PROCS processes look up
#      REG_LOOKUPS random keys in all (drawn before the clock) and check
#      that every lookup found its holder.
#  Then the holder unregisters REG_UNREG of its keys (Elixir's unregister
#      scans the holder's keys, so it is timed on fewer of them).
#
#   elixir bench/registry_rate.exs
#
# Env: REG_N (100000), REG_LOOKUPS (1000000), REG_PROCS (2), REG_UNREG (1000).
defmodule B do
  def env_int(name, default) do
    case System.get_env(name) do
      nil -> default
      "" -> default
      v -> v |> String.replace("_", "") |> String.to_integer()
    end
  end

  def now, do: :erlang.monotonic_time(:nanosecond)

  def result(workload, metric, value, unit) do
    IO.puts("RESULT workload=#{workload} metric=#{metric} value=#{fmt(value)} unit=#{unit}")
  end

  def fmt(v) when is_integer(v), do: Integer.to_string(v)

  def fmt(v) when is_float(v) do
    if abs(v) >= 1000,
      do: :erlang.float_to_binary(v, [{:decimals, 1}, :compact]),
      else: :erlang.float_to_binary(v, [{:decimals, 4}, :compact])
  end
end

defmodule RegRate do
  def main do
    n = B.env_int("REG_N", 100_000)
    l = B.env_int("REG_LOOKUPS", 1_000_000)
    p = B.env_int("REG_PROCS", 2)
    u = min(B.env_int("REG_UNREG", 1000), n)
    IO.puts("# registry_rate beam schedulers=#{:erlang.system_info(:schedulers_online)}")
    {:ok, _} = Registry.start_link(keys: :unique, name: RegRate.R)
    main = self()

    holder =
      spawn_link(fn ->
        receive do
          :go -> :ok
        end

        t0 = B.now()
        Enum.each(1..n, fn i -> {:ok, _} = Registry.register(RegRate.R, i, nil) end)
        send(main, {:registered, B.now() - t0})

        receive do
          :unregister -> :ok
        end

        t1 = B.now()
        Enum.each(1..u, fn i -> :ok = Registry.unregister(RegRate.R, i) end)
        send(main, {:unregistered, B.now() - t1})

        receive do
          :stop -> :ok
        end
      end)

    send(holder, :go)
    reg_ns = receive do: ({:registered, ns} -> ns)
    B.result("registry_register", "keys", n, "keys")
    B.result("registry_register", "registers_per_sec", n / (reg_ns / 1.0e9), "ops/s")

    per = div(l, p)

    lookers =
      for k <- 1..p do
        spawn_link(fn ->
          :rand.seed(:exsss, {k, 7, 13})
          keys = for _ <- 1..per, do: :rand.uniform(n)

          receive do
            :go -> :ok
          end

          found =
            Enum.reduce(keys, 0, fn key, acc ->
              case Registry.lookup(RegRate.R, key) do
                [{^holder, nil}] -> acc + 1
                _ -> acc
              end
            end)

          send(main, {:looked, self(), found})
        end)
      end

    Process.sleep(200)
    t0 = B.now()
    Enum.each(lookers, &send(&1, :go))
    found = Enum.reduce(lookers, 0, fn pid, acc -> receive do: ({:looked, ^pid, f} -> acc + f) end)
    ns = B.now() - t0
    B.result("registry_lookup", "lookups", per * p, "ops")
    B.result("registry_lookup", "lookups_per_sec", per * p / (ns / 1.0e9), "ops/s")
    B.result("registry_lookup", "verified", if(found == per * p, do: 1, else: 0), "bool")

    send(holder, :unregister)
    unreg_ns = receive do: ({:unregistered, ns} -> ns)
    B.result("registry_register", "unregisters_per_sec", u / (unreg_ns / 1.0e9), "ops/s")
    send(holder, :stop)
  end
end

RegRate.main()
