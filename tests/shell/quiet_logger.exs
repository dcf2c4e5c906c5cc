# Loaded before a transcript is made (iex -r quiet_logger.exs < NAME.exs): crash
# reports go to standard error in otter, and are left out of iex's transcript.
Logger.configure(level: :none)
