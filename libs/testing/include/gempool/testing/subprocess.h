#pragma once
// Starts a real binary for integration tests, with its own environment, its
// output captured to a file, and a kill-and-reap when the object dies.
// Not thread-safe; owned by one test.

#include <sys/types.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace gempool::testing {

class Subprocess {
 public:
  // Starts `argv[0]` with exactly `env` as its environment (plus PATH), in
  // `work_dir` (created if missing); stdout and stderr go to `log_path`.
  static absl::StatusOr<Subprocess> Start(const std::vector<std::string>& argv,
                                          const std::map<std::string, std::string>& env,
                                          const std::string& work_dir, const std::string& log_path);
  Subprocess(Subprocess&& other) noexcept;
  Subprocess& operator=(Subprocess&& other) noexcept;
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;
  ~Subprocess();

  // Sends SIGTERM, waits up to `timeout_ms`, then SIGKILL. Returns the exit
  // status as from waitpid (or -1 if it was already reaped).
  int Stop(int timeout_ms = 5000);
  // Whether the process is still running (reaps it if it exited).
  bool Running();
  // Waits for it to exit by itself; the exit code (or 128+signal), -1 on timeout.
  int WaitExit(int timeout_ms);
  pid_t pid() const { return pid_; }
  const std::string& log_path() const { return log_path_; }
  // The captured output so far.
  std::string Output() const;

 private:
  Subprocess() = default;
  pid_t pid_ = -1;
  int exit_status_ = -1;
  std::string log_path_;
};

// Waits up to `timeout_ms` for `process` to write its first "listening on
// PORT" line (or "listening on HOST:PORT ..."), and returns PORT. An error
// carrying its output when it exits first or never says so.
absl::StatusOr<int> WaitForListeningPort(Subprocess& process, int timeout_ms);

// A TCP port on 127.0.0.1 that was free a moment ago, outside the kernel's
// ephemeral range (so no bind to port 0 takes it meanwhile) when that range
// leaves room below it.
int FreePort();

// Polls `check` every 20 ms until it returns true or `timeout_ms` passes.
bool WaitFor(const std::function<bool()>& check, int timeout_ms);

// The directory holding the built binaries (the CMake binary dir), from the
// GEMPOOL_BIN_DIR environment variable that CTest sets.
std::string BinDir();

}  // namespace gempool::testing
