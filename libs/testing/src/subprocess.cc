#include "gempool/testing/subprocess.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace gempool::testing {

absl::StatusOr<Subprocess> Subprocess::Start(const std::vector<std::string>& argv,
                                             const std::map<std::string, std::string>& env,
                                             const std::string& work_dir,
                                             const std::string& log_path) {
  if (argv.empty()) return absl::InvalidArgumentError("empty argv");
  std::error_code ec;
  std::filesystem::create_directories(work_dir, ec);
  std::vector<std::string> env_strings;
  const char* path = std::getenv("PATH");
  env_strings.push_back(absl::StrCat("PATH=", path ? path : "/usr/bin:/bin"));
  // The sanitizers' options reach every process a test starts, so a report
  // from a service lands where scripts/test-sanitize.sh looks.
  for (const char* name : {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "TSAN_OPTIONS"}) {
    if (env.count(name) > 0) continue;
    if (const char* value = std::getenv(name)) env_strings.push_back(absl::StrCat(name, "=", value));
  }
  for (const auto& [k, v] : env) env_strings.push_back(absl::StrCat(k, "=", v));
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = argv;
  std::vector<char*> argp;
  for (auto& s : args) argp.push_back(s.data());
  argp.push_back(nullptr);

  pid_t pid = fork();
  if (pid < 0) return absl::InternalError("fork failed");
  if (pid == 0) {
    // Child: new process group so Stop() also reaches grandchildren.
    setpgid(0, 0);
    sigset_t all;
    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, nullptr);
    int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
    }
    if (chdir(work_dir.c_str()) != 0) _exit(126);
    execve(argp[0], argp.data(), envp.data());
    _exit(127);
  }
  Subprocess p;
  p.pid_ = pid;
  p.log_path_ = log_path;
  return p;
}

Subprocess::Subprocess(Subprocess&& other) noexcept { *this = std::move(other); }

Subprocess& Subprocess::operator=(Subprocess&& other) noexcept {
  if (this != &other) {
    if (pid_ > 0) Stop();
    pid_ = other.pid_;
    exit_status_ = other.exit_status_;
    log_path_ = std::move(other.log_path_);
    other.pid_ = -1;
  }
  return *this;
}

Subprocess::~Subprocess() {
  if (pid_ > 0) Stop();
}

bool Subprocess::Running() {
  if (pid_ <= 0) return false;
  int status = 0;
  pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    exit_status_ = status;
    pid_ = -1;
    return false;
  }
  return true;
}

int Subprocess::WaitExit(int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (!Running()) {
      if (WIFEXITED(exit_status_)) return WEXITSTATUS(exit_status_);
      if (WIFSIGNALED(exit_status_)) return 128 + WTERMSIG(exit_status_);
      return exit_status_;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return -1;
}

int Subprocess::Stop(int timeout_ms) {
  if (pid_ <= 0) return exit_status_;
  kill(pid_, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (!Running()) return exit_status_;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(-pid_, SIGKILL);
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  exit_status_ = status;
  pid_ = -1;
  return exit_status_;
}

std::string Subprocess::Output() const {
  std::ifstream in(log_path_);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

namespace {

// The range the kernel takes ports from for bind(0) and for outgoing
// connections (Linux's default when the file cannot be read).
std::pair<int, int> EphemeralPortRange() {
  std::ifstream in("/proc/sys/net/ipv4/ip_local_port_range");
  int low = 0;
  int high = 0;
  if (in >> low >> high && low > 0 && low <= high) return {low, high};
  return {32768, 60999};
}

// Binds 127.0.0.1:port (port 0: any) and gives the port bound, or 0.
int BindLoopback(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  int bound = 0;
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    bound = ntohs(addr.sin_port);
  }
  close(fd);
  return bound;
}

}  // namespace

// A port the kernel handed out for bind(0) and that was closed again is
// soon handed to the next bind(0): a fake upstream started on port 0 took
// the port a test had picked for a service (CI, MetricsTest). So the port
// comes from below the ephemeral range, where bind(0) and outgoing
// connections never go, at random so that tests running in parallel rarely
// pick the same one.
int FreePort() {
  constexpr int kLowest = 10000;
  const int below = EphemeralPortRange().first;
  if (below - kLowest >= 1000) {
    std::random_device random;
    std::uniform_int_distribution<int> pick(kLowest, below - 1);
    for (int attempt = 0; attempt < 100; ++attempt) {
      const int port = pick(random);
      if (BindLoopback(port) == port) return port;
    }
  }
  return BindLoopback(0);
}

bool WaitFor(const std::function<bool()>& check, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    if (check()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

absl::StatusOr<int> WaitForListeningPort(Subprocess& process, int timeout_ms) {
  const std::string kListening = "listening on ";
  int port = 0;
  bool exited = false;
  const bool said = WaitFor(
      [&] {
        const std::string out = process.Output();
        const size_t at = out.find(kListening);
        const size_t end = at == std::string::npos ? std::string::npos : out.find('\n', at);
        if (end != std::string::npos) {
          // The address is the first word after it: PORT or HOST:PORT.
          const std::string rest = out.substr(at + kListening.size(), end - at - kListening.size());
          const std::string word = rest.substr(0, rest.find(' '));
          const size_t colon = word.rfind(':');
          return absl::SimpleAtoi(colon == std::string::npos ? word : word.substr(colon + 1), &port) && port > 0;
        }
        exited = !process.Running();
        return exited;
      },
      timeout_ms);
  if (said && !exited) return port;
  return absl::UnavailableError(absl::StrCat(exited ? "it exited" : "it did not say \"listening on PORT\"",
                                             " within ", timeout_ms, " ms; its output:\n", process.Output()));
}

std::string BinDir() {
  const char* dir = std::getenv("GEMPOOL_BIN_DIR");
  return dir != nullptr ? dir : ".";
}

}  // namespace gempool::testing
