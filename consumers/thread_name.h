// Names the calling thread (Linux: /proc/PID/task/TID/comm, shown by top -H, perf and
// bench/latency_bench.sh CPU=1), so a thread's CPU time and context switches can be told apart
// from the other threads of `newsflow run`. At most 15 bytes are kept (the kernel's limit).
#pragma once

#include <string>

namespace newsflow::consumers {

void SetCurrentThreadName(const std::string& name);

}  // namespace newsflow::consumers
