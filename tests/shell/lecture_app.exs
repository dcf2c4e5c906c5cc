# The lecture's counter application in Elixir (../../../shared/seed/
# lecture-dynamic-supervisor.md), for producing what real iex prints:
#
#   iex -r tests/shell/lecture_app.exs < tests/shell/lecture.exs
#
# otter's shell runs the same input (tests/shell_lecture_test.cpp); where
# otter is meant to differ (a brutal kill loses nothing), its expected file
# says so.
defmodule Counter.Worker do
  use GenServer
  @store Counter.Store

  def start_link(name), do: GenServer.start_link(__MODULE__, name, name: via(name))
  def inc(name, amt \\ 1), do: GenServer.cast(via(name), {:inc, amt})
  def dec(name, amt \\ 1), do: GenServer.cast(via(name), {:dec, amt})
  def value(name), do: GenServer.call(via(name), :value)
  defp via(name), do: {:via, Registry, {Counter.Registry, {__MODULE__, name}}}

  @impl true
  def init(name) do
    value =
      case :ets.lookup(@store, name) do
        [{^name, v}] -> v
        [] -> 0
      end

    {:ok, {name, value}}
  end

  @impl true
  def handle_cast({:inc, amt}, {name, v}), do: {:noreply, {name, v + amt}}
  def handle_cast({:dec, amt}, {name, v}), do: {:noreply, {name, v - amt}}

  @impl true
  def handle_call(:value, _from, {_, v} = state), do: {:reply, v, state}

  @impl true
  def terminate(_reason, state) do
    :ets.insert(@store, state)
    :ok
  end
end

defmodule Counter.WorkerSupervisor do
  use DynamicSupervisor
  def start_link(_), do: DynamicSupervisor.start_link(__MODULE__, nil, name: __MODULE__)
  def start_worker(name), do: DynamicSupervisor.start_child(__MODULE__, {Counter.Worker, name})
  @impl true
  def init(_arg), do: DynamicSupervisor.init(strategy: :one_for_one, max_children: 100)
end

Logger.configure(level: :none)
parent = self()

spawn(fn ->
  :ets.new(Counter.Store, [:named_table, :public])
  children = [{Registry, name: Counter.Registry, keys: :unique}, Counter.WorkerSupervisor]
  {:ok, _} = Supervisor.start_link(children, strategy: :one_for_one, name: Counter.Supervisor)
  send(parent, :started)
  Process.sleep(:infinity)
end)

receive do
  :started -> :ok
end
