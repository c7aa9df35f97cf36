#include "gempool/common/shutdown.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <thread>

#include "gempool/common/logging.h"

namespace gempool {
namespace {

sigset_t ShutdownSet() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

}  // namespace

void BlockShutdownSignals() {
  sigset_t set = ShutdownSet();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  // A client that disconnects mid-write must not kill the process.
  signal(SIGPIPE, SIG_IGN);
}

int WaitForShutdownSignal() {
  sigset_t set = ShutdownSet();
  int sig = 0;
  while (sigwait(&set, &sig) != 0) {
  }
  return sig;
}

void EndAtNextShutdownSignal() {
  std::thread([] {
    const int sig = WaitForShutdownSignal();
    GEMPOOL_LOG(WARNING) << "second signal " << sig << " while stopping: exiting now without finishing the drain";
    _exit(128 + sig);
  }).detach();
}

}  // namespace gempool
