#include "integration/netns_lab.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/match.h"
#include "absl/strings/strip.h"

namespace gempool::integration {
namespace {

// Every name this lab makes starts with it: what the sweep looks for.
constexpr char kPrefix[] = "gpn";
// The table the drop fault adds inside a host.
constexpr char kCutTable[] = "gempool_cut";
// The host side of every link is called this inside its namespace.
constexpr char kHostLink[] = "eth0";

std::string Base36(uint64_t n) {
  const char* digits = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string out;
  do {
    out.insert(out.begin(), digits[n % 36]);
    n /= 36;
  } while (n > 0);
  return out;
}

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// The pid encoded in a name made by a lab ("gpn<pid36>-..."), 0 if none.
pid_t OwnerOf(absl::string_view name) {
  if (!absl::ConsumePrefix(&name, kPrefix)) return 0;
  const size_t dash = name.find('-');
  if (dash == absl::string_view::npos || dash == 0) return 0;
  uint64_t pid = 0;
  for (char c : name.substr(0, dash)) {
    int digit = -1;
    if (c >= '0' && c <= '9') digit = c - '0';
    if (c >= 'a' && c <= 'z') digit = c - 'a' + 10;
    if (digit < 0) return 0;
    pid = pid * 36 + static_cast<uint64_t>(digit);
  }
  return static_cast<pid_t>(pid);
}

bool Alive(pid_t pid) { return pid > 0 && (kill(pid, 0) == 0 || errno != ESRCH); }

// Removes namespaces and links a killed run left behind.
void SweepLeftovers() {
  std::string listed;
  if (RunTool({"ip", "netns", "list"}, &listed).ok()) {
    for (absl::string_view line : absl::StrSplit(listed, '\n', absl::SkipEmpty())) {
      const std::string name(line.substr(0, line.find(' ')));
      const pid_t owner = OwnerOf(name);
      if (owner != 0 && !Alive(owner)) (void)RunTool({"ip", "netns", "delete", name});
    }
  }
  if (RunTool({"ip", "-o", "link", "show"}, &listed).ok()) {
    for (absl::string_view line : absl::StrSplit(listed, '\n', absl::SkipEmpty())) {
      // "7: gpnXXXX-1h0@if2: <...>"
      std::vector<absl::string_view> parts = absl::StrSplit(line, absl::MaxSplits(": ", 2));
      if (parts.size() < 2) continue;
      const std::string name(parts[1].substr(0, parts[1].find('@')));
      const pid_t owner = OwnerOf(name);
      if (owner != 0 && !Alive(owner)) (void)RunTool({"ip", "link", "delete", name});
    }
  }
}

// Whether 10.b.c.0/24 is routed in the root namespace already.
bool SubnetInUse(int b, int c) {
  std::string routes;
  if (!RunTool({"ip", "-4", "route", "show"}, &routes).ok()) return true;
  const std::string mine = absl::StrCat("10.", b, ".", c, ".");
  for (absl::string_view line : absl::StrSplit(routes, '\n', absl::SkipEmpty())) {
    if (absl::StartsWith(line, mine)) return true;
    if (absl::StartsWith(line, absl::StrCat("10.", b, ".0.0/16")) || absl::StartsWith(line, "10.0.0.0/8")) return true;
  }
  return false;
}

}  // namespace

std::string FindTool(const std::string& name) {
  if (name.find('/') != std::string::npos) return access(name.c_str(), X_OK) == 0 ? name : "";
  const char* path = std::getenv("PATH");
  std::vector<std::string> dirs = absl::StrSplit(path != nullptr ? path : "/usr/bin:/bin", ':', absl::SkipEmpty());
  dirs.push_back("/usr/sbin");
  dirs.push_back("/sbin");
  for (const std::string& dir : dirs) {
    const std::string candidate = absl::StrCat(dir, "/", name);
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

absl::Status RunTool(const std::vector<std::string>& argv, std::string* output) {
  if (argv.empty()) return absl::InvalidArgumentError("no command");
  const std::string tool = FindTool(argv[0]);
  if (tool.empty()) return absl::NotFoundError(absl::StrCat(argv[0], " is not installed"));
  std::string command = ShellQuote(tool);
  for (size_t i = 1; i < argv.size(); ++i) absl::StrAppend(&command, " ", ShellQuote(argv[i]));
  absl::StrAppend(&command, " 2>&1");
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return absl::InternalError(absl::StrCat("cannot run ", command));
  std::string text;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) text.append(buffer, n);
  const int status = pclose(pipe);
  if (output != nullptr) *output = text;
  if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::InternalError(absl::StrCat("`", absl::StrJoin(argv, " "), "` failed (status ", status, "): ", text));
  }
  return absl::OkStatus();
}

std::string NetnsLab::Unsupported() {
  static const std::string* const kReason = [] {
    if (geteuid() != 0) return new std::string("needs root to create network namespaces (CI runs these as root)");
    if (FindTool("ip").empty()) return new std::string("iproute2's `ip` is not installed (apt-get install iproute2)");
    const std::string probe = absl::StrCat(kPrefix, Base36(static_cast<uint64_t>(getpid())), "-probe");
    std::string output;
    if (!RunTool({"ip", "netns", "add", probe}, &output).ok()) {
      return new std::string(absl::StrCat("cannot create a network namespace here: ", output));
    }
    (void)RunTool({"ip", "netns", "delete", probe});
    return new std::string();
  }();
  return *kReason;
}

const char* NetnsLab::DropMethodName(DropMethod method) {
  return method == DropMethod::kNftables ? "nftables drop rules" : "blackhole routes";
}

NetnsLab::NetnsLab(std::string prefix, std::string work_dir, int subnet_b, int subnet_c)
    : prefix_(std::move(prefix)), work_dir_(std::move(work_dir)), subnet_b_(subnet_b), subnet_c_(subnet_c) {
  drop_method_ = FindTool("nft").empty() ? DropMethod::kBlackholeRoutes : DropMethod::kNftables;
}

absl::StatusOr<std::unique_ptr<NetnsLab>> NetnsLab::Create(const std::vector<std::string>& hosts,
                                                           const std::string& work_dir) {
  if (hosts.empty() || hosts.size() > 200) return absl::InvalidArgumentError("a lab has 1 to 200 hosts");
  if (std::string why = Unsupported(); !why.empty()) return absl::FailedPreconditionError(why);
  SweepLeftovers();
  static std::atomic<int> counter{0};
  const auto pid = static_cast<uint64_t>(getpid());
  const std::string prefix = absl::StrCat(kPrefix, Base36(pid), "-", Base36(counter++ % 36));
  // Start from a subnet derived from the pid, so parallel runs rarely probe
  // the same ones; skip any the machine routes already.
  int b = 0, c = 0;
  bool found = false;
  for (uint64_t i = 0; i < 2000 && !found; ++i) {
    const uint64_t n = pid + i * 7919;
    b = 200 + static_cast<int>((n / 256) % 50);
    c = static_cast<int>(n % 256);
    found = !SubnetInUse(b, c);
  }
  if (!found) return absl::ResourceExhaustedError("no free 10.200-249.x.0/24 subnet for a test network");
  std::unique_ptr<NetnsLab> lab(new NetnsLab(prefix, work_dir, b, c));
  if (absl::Status built = lab->Build(hosts); !built.ok()) return built;
  return lab;
}

absl::Status NetnsLab::Build(const std::vector<std::string>& hosts) {
  const std::string bridge = prefix_ + "br";
  if (absl::Status s = RunTool({"ip", "link", "add", bridge, "type", "bridge"}); !s.ok()) return s;
  bridge_made_ = true;
  if (absl::Status s = RunTool({"ip", "addr", "add", RootAddress() + "/24", "dev", bridge}); !s.ok()) return s;
  if (absl::Status s = RunTool({"ip", "link", "set", bridge, "up"}); !s.ok()) return s;
  for (size_t i = 0; i < hosts.size(); ++i) {
    const std::string ns = absl::StrCat(prefix_, "-", hosts[i]);
    if (absl::Status s = RunTool({"ip", "netns", "add", ns}); !s.ok()) return s;
    namespaces_.push_back(ns);
    hosts_.push_back(hosts[i]);
    const std::string outside = absl::StrCat(prefix_, "h", i);
    const std::string address = Address(hosts[i]);
    for (const std::vector<std::string>& step : std::vector<std::vector<std::string>>{
             {"ip", "link", "add", outside, "type", "veth", "peer", "name", kHostLink, "netns", ns},
             {"ip", "link", "set", outside, "master", bridge},
             {"ip", "link", "set", outside, "up"},
             {"ip", "-n", ns, "addr", "add", address + "/24", "dev", kHostLink},
             {"ip", "-n", ns, "link", "set", kHostLink, "up"},
             {"ip", "-n", ns, "link", "set", "lo", "up"},
         }) {
      if (absl::Status s = RunTool(step); !s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

NetnsLab::~NetnsLab() {
  for (const std::string& ns : namespaces_) (void)RunTool({"ip", "netns", "delete", ns});
  if (bridge_made_) (void)RunTool({"ip", "link", "delete", prefix_ + "br"});
}

std::string NetnsLab::RootAddress() const { return absl::StrCat("10.", subnet_b_, ".", subnet_c_, ".1"); }

int NetnsLab::IndexOf(const std::string& host) const {
  for (size_t i = 0; i < hosts_.size(); ++i) {
    if (hosts_[i] == host) return static_cast<int>(i);
  }
  return -1;
}

std::string NetnsLab::Address(const std::string& host) const {
  const int i = IndexOf(host);
  return i < 0 ? "0.0.0.0" : absl::StrCat("10.", subnet_b_, ".", subnet_c_, ".", i + 2);
}

std::string NetnsLab::Namespace(const std::string& host) const {
  const int i = IndexOf(host);
  return i < 0 ? "" : namespaces_[static_cast<size_t>(i)];
}

std::vector<std::string> NetnsLab::Wrap(const std::string& host, const std::vector<std::string>& argv) const {
  std::vector<std::string> wrapped = {FindTool("ip"), "netns", "exec", Namespace(host)};
  wrapped.insert(wrapped.end(), argv.begin(), argv.end());
  return wrapped;
}

absl::Status NetnsLab::LinkDown(const std::string& host) {
  return RunTool({"ip", "-n", Namespace(host), "link", "set", kHostLink, "down"});
}

absl::Status NetnsLab::LinkUp(const std::string& host) {
  return RunTool({"ip", "-n", Namespace(host), "link", "set", kHostLink, "up"});
}

absl::Status NetnsLab::Drop(const std::string& host) {
  if (drop_method_ == DropMethod::kBlackholeRoutes) {
    // Two halves: more specific than the link's /24, so they win.
    for (const char* half : {".0/25", ".128/25"}) {
      const std::string prefix = absl::StrCat("10.", subnet_b_, ".", subnet_c_, half);
      if (absl::Status s = RunTool({"ip", "-n", Namespace(host), "route", "add", "blackhole", prefix}); !s.ok()) {
        return s;
      }
    }
    return absl::OkStatus();
  }
  const std::string rules = absl::StrCat(work_dir_, "/", Namespace(host), "-cut.nft");
  std::ofstream(rules) << "table inet " << kCutTable << " {\n"
                       << "  chain input { type filter hook input priority 0; policy accept; iifname \"" << kHostLink
                       << "\" drop; }\n"
                       << "  chain output { type filter hook output priority 0; policy accept; oifname \""
                       << kHostLink << "\" drop; }\n"
                       << "}\n";
  return RunTool({"ip", "netns", "exec", Namespace(host), FindTool("nft"), "-f", rules});
}

absl::Status NetnsLab::Undrop(const std::string& host) {
  if (drop_method_ == DropMethod::kBlackholeRoutes) {
    absl::Status result;
    for (const char* half : {".0/25", ".128/25"}) {
      const std::string prefix = absl::StrCat("10.", subnet_b_, ".", subnet_c_, half);
      result.Update(RunTool({"ip", "-n", Namespace(host), "route", "delete", "blackhole", prefix}));
    }
    return result;
  }
  return RunTool({"ip", "netns", "exec", Namespace(host), FindTool("nft"), "delete", "table", "inet", kCutTable});
}

}  // namespace gempool::integration
