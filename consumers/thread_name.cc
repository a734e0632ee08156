#include "consumers/thread_name.h"

#include <pthread.h>

namespace newsflow::consumers {

void SetCurrentThreadName(const std::string& name) {
  // pthread_setname_np fails (ERANGE) above 15 bytes: truncate instead.
  (void)pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
}

}  // namespace newsflow::consumers
