#include "gempool/common/thread_role.h"

#include <string>

#if defined(__linux__)
#include <pthread.h>
#endif

namespace gempool {

void SetThreadName(absl::string_view name) {
#if defined(__linux__)
  const std::string cut(name.substr(0, 15));
  pthread_setname_np(pthread_self(), cut.c_str());
#endif
}

}  // namespace gempool
