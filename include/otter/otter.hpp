// otter: Erlang/OTP's process model for C++20 — everything in one include.
#pragma once

#include "otter/any_message.hpp"
#include "otter/errors.hpp"
#include "otter/exit_reason.hpp"
#include "otter/gen_server.hpp"
#include "otter/logger.hpp"
#include "otter/messages.hpp"
#include "otter/pid.hpp"
#include "otter/process.hpp"
#include "otter/process_info.hpp"
#include "otter/receive.hpp"
#include "otter/registry.hpp"
#include "otter/runtime.hpp"
#include "otter/scoped_process.hpp"
#include "otter/task.hpp"
#include "otter/timer.hpp"
