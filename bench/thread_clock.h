// The calling thread's CPU time in nanoseconds (CLOCK_THREAD_CPUTIME_ID: time the thread ran,
// not time it waited for a core). A system call on this VM (~0.5 us a read, no vDSO for this
// clock): time whole passes or subtract the cost (story_bench's ThreadCpuClockCostNs).
#pragma once

#include <time.h>

#include <cstdint>

namespace newsflow::bench {

inline int64_t ThreadCpuNs() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

}  // namespace newsflow::bench
