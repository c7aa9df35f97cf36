#pragma once
// Separate "hosts" on one machine for the fault tests: a Linux network
// namespace per host (iproute2's `ip netns`), each with one veth link to a
// bridge in the root namespace, all on one private /24. The root namespace
// (the test itself, fake-gemini) is .1 on the bridge; host i is .(i + 2).
//
// Names carry the creating process's pid and a counter ("gpn<pid>-<n>..."), so
// tests running in parallel never collide; namespaces and links whose pid is
// no longer alive (a run killed before it could clean up) are removed when
// the next lab is created. The destructor removes everything this lab made;
// processes inside a host must be stopped first (a namespace lives on while
// a process is in it).
//
// Faults: a host's link taken down, or its packets made to vanish (an
// nftables table dropping everything in and out of its link, so peers see
// silence rather than a refusal; without the nft binary, blackhole routes in
// the host, which drop what it sends).
//
// Needs root and a kernel with network namespaces, veth and bridges:
// Unsupported() says why not, for GTEST_SKIP. Not thread-safe; owned by one
// test.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace gempool::integration {

class NetnsLab {
 public:
  // How packets are made to vanish.
  enum class DropMethod { kNftables, kBlackholeRoutes };

  // Empty when this process can build a lab; else why not (not root, no `ip`,
  // no network namespaces), in words for a skip message.
  static std::string Unsupported();

  // Creates one namespace per name in `hosts` (at most 200), linked to a new
  // bridge; `work_dir` holds the lab's scratch files.
  static absl::StatusOr<std::unique_ptr<NetnsLab>> Create(const std::vector<std::string>& hosts,
                                                          const std::string& work_dir);
  ~NetnsLab();
  NetnsLab(const NetnsLab&) = delete;
  NetnsLab& operator=(const NetnsLab&) = delete;

  // The root namespace's address on the bridge (where fake-gemini listens).
  std::string RootAddress() const;
  // Host `host`'s address.
  std::string Address(const std::string& host) const;
  // The namespace's name (for `ip netns exec`).
  std::string Namespace(const std::string& host) const;
  // `argv` run inside host `host`: {"ip", "netns", "exec", NS, argv...}.
  // `ip netns exec` execs the command, so its pid is the command's.
  std::vector<std::string> Wrap(const std::string& host, const std::vector<std::string>& argv) const;

  // The host's link goes down (its interface; connections see no carrier),
  // and back up.
  absl::Status LinkDown(const std::string& host);
  absl::Status LinkUp(const std::string& host);
  // Every packet into or out of the host's link vanishes, and again passes.
  absl::Status Drop(const std::string& host);
  absl::Status Undrop(const std::string& host);
  DropMethod drop_method() const { return drop_method_; }
  static const char* DropMethodName(DropMethod method);

 private:
  NetnsLab(std::string prefix, std::string work_dir, int subnet_b, int subnet_c);
  absl::Status Build(const std::vector<std::string>& hosts);
  int IndexOf(const std::string& host) const;

  const std::string prefix_;
  const std::string work_dir_;
  const int subnet_b_;
  const int subnet_c_;
  std::vector<std::string> hosts_;
  std::vector<std::string> namespaces_;  // Created so far, to remove.
  bool bridge_made_ = false;
  DropMethod drop_method_ = DropMethod::kNftables;
};

// Runs `argv` (PATH, /usr/sbin and /sbin searched) to completion through
// the shell; OK when it exits 0, else an error with its output. `output`, when
// given, receives standard output and error.
absl::Status RunTool(const std::vector<std::string>& argv, std::string* output = nullptr);
// The full path of tool `name` (PATH, /usr/sbin, /sbin), "" when absent.
std::string FindTool(const std::string& name);

}  // namespace gempool::integration
