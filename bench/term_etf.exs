# The Erlang side of bench/term_bench's ETF figures: reads the term set that
# term_bench wrote (TERM_ETF_OUT) and times :erlang.term_to_binary/1 and
# :erlang.binary_to_term/1 on the same terms, printing the same RESULT lines.
#
#   elixir bench/term_etf.exs /tmp/terms.etf
#
# Env: TERM_MIN_MS (300: whole passes until at least this long).
defmodule TermEtf do
  def rate(items, min_ms, pass) do
    t0 = :erlang.monotonic_time(:nanosecond)
    loop(items, min_ms * 1_000_000, pass, t0, 0)
  end

  defp loop(items, min_ns, pass, t0, done) do
    pass.()
    done = done + items
    t1 = :erlang.monotonic_time(:nanosecond)
    if t1 - t0 < min_ns, do: loop(items, min_ns, pass, t0, done), else: done / ((t1 - t0) / 1.0e9)
  end

  def result(workload, metric, value, unit) do
    v = if is_float(value), do: :erlang.float_to_binary(value, [{:decimals, 1}, :compact]), else: Integer.to_string(value)
    IO.puts("RESULT workload=#{workload} metric=#{metric} value=#{v} unit=#{unit}")
  end

  def main([path]) do
    min_ms = String.to_integer(System.get_env("TERM_MIN_MS") || "300")
    terms = path |> File.read!() |> :erlang.binary_to_term()
    n = length(terms)
    encoded = Enum.map(terms, &:erlang.term_to_binary/1)
    bytes = encoded |> Enum.map(&byte_size/1) |> Enum.sum()
    IO.puts("# term_etf otp=#{:erlang.system_info(:otp_release)} elixir=#{System.version()} terms=#{n}")
    enc = rate(n, min_ms, fn -> :lists.foreach(&:erlang.term_to_binary/1, terms) end)
    dec = rate(n, min_ms, fn -> :lists.foreach(&:erlang.binary_to_term/1, encoded) end)
    result("etf", "set_terms", n, "terms")
    result("etf", "set_bytes", bytes, "bytes")
    result("etf", "encode_terms_per_sec", enc, "terms/s")
    result("etf", "decode_terms_per_sec", dec, "terms/s")
    result("etf", "encode_mb_per_sec", enc * bytes / n / 1.0e6, "MB/s")
    result("etf", "decode_mb_per_sec", dec * bytes / n / 1.0e6, "MB/s")
  end
end

TermEtf.main(System.argv())
