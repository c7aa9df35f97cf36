// fake-gemini: a Gemini-compatible fake upstream for integration tests and
// benchmarks. See fake_gemini.h for the routes and the /_fake/ admin API.
//
//   fake-gemini [--port N] [--host 127.0.0.1] [--keys k1,k2] [--threads N]
//               [--max-recorded N]
//
// With --port 0 (the default) it picks a free port. The first line on stdout
// is always "listening on PORT".

#include <sys/socket.h>

#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "fake_upstream/fake_gemini.h"
#include "gempool/common/logging.h"
#include "gempool/common/shutdown.h"
#include "httplib.h"

namespace {

constexpr char kUsage[] =
    "usage: fake-gemini [--port N] [--host ADDR] [--keys k1,k2] [--threads N] [--max-recorded N]\n"
    "  --port N          port to listen on; 0 (default) picks a free one\n"
    "  --host ADDR       loopback or private address to bind (default 127.0.0.1)\n"
    "  --keys k1,k2      the valid API keys; without it every key is accepted\n"
    "  --vertex-keys k1,k2  the valid Vertex AI Express keys; without it every key shaped like one (AQ.)\n"
    "  --threads N       request threads (default 64; each open connection holds one)\n"
    "  --max-recorded N  requests kept for GET /_fake/requests (default 10000; 0 keeps none)\n"
    "Prints \"listening on PORT\" as the first line on stdout. Stops on SIGINT/SIGTERM.\n";

int Fail(const std::string& message) {
  std::cerr << "fake-gemini: " << message << "\n" << kUsage;
  return 2;
}

bool IsLoopback(const std::string& host) { return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0; }

// A private IPv4 address (RFC 1918): the fault tests' bridge to their network
// namespaces. Never a public one: the fake's /_fake/ admin API is unguarded.
bool IsPrivate(const std::string& host) {
  int a = 0, b = 0;
  if (std::sscanf(host.c_str(), "%d.%d.", &a, &b) != 2) return false;
  return a == 10 || (a == 172 && b >= 16 && b <= 31) || (a == 192 && b == 168);
}

}  // namespace

int main(int argc, char** argv) {
  gempool::BlockShutdownSignals();
  gempool::SetLogComponent("fake-gemini");
  int port = 0;
  int threads = 64;
  size_t max_recorded = 10000;
  std::string host = "127.0.0.1";
  gempool::fake::FakeGeminiOptions options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      return 0;
    }
    if (i + 1 >= argc) return Fail(absl::StrCat("missing value after ", arg));
    const std::string value = argv[++i];
    if (arg == "--port") {
      if (!absl::SimpleAtoi(value, &port) || port < 0 || port > 65535) {
        return Fail(absl::StrCat("--port '", value, "' is not a port number (0-65535)"));
      }
    } else if (arg == "--host") {
      if (!IsLoopback(value) && !IsPrivate(value)) {
        return Fail(absl::StrCat("--host '", value, "' is neither a loopback nor a private (RFC 1918) address"));
      }
      host = value;
    } else if (arg == "--keys") {
      options.valid_keys = gempool::fake::SplitList(value);
    } else if (arg == "--vertex-keys") {
      options.vertex_keys = gempool::fake::SplitList(value);
    } else if (arg == "--threads") {
      if (!absl::SimpleAtoi(value, &threads) || threads < 1 || threads > 4096) {
        return Fail(absl::StrCat("--threads '", value, "' is not a number from 1 to 4096"));
      }
    } else if (arg == "--max-recorded") {
      if (!absl::SimpleAtoi(value, &max_recorded)) {
        return Fail(absl::StrCat("--max-recorded '", value, "' is not a non-negative number"));
      }
    } else {
      return Fail(absl::StrCat("unknown option ", arg));
    }
  }
  options.max_recorded = max_recorded;

  gempool::fake::FakeGemini fake(options);
  httplib::Server server;
  server.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  server.set_payload_max_length(64 * 1024 * 1024);
  // Tuned like a real upstream, so that benchmarks measure the client or the
  // proxy in front, not this fake (httplib's defaults: Nagle on, which with
  // delayed ACKs adds ~40 ms to a reply written in two parts; 5 requests per
  // connection; a listen backlog of 5, which drops connects under bursts).
  server.set_tcp_nodelay(true);
  server.set_keep_alive_max_count(1000000);
  int listen_fd = -1;
  server.set_socket_options([&listen_fd](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    listen_fd = sock;
  });
  fake.Register(server);

  int bound = port;
  if (port == 0) {
    bound = server.bind_to_any_port(host);
  } else if (!server.bind_to_port(host, port)) {
    bound = -1;
  }
  if (bound <= 0) {
    return Fail(absl::StrCat("cannot listen on ", host, ":", port, ": ", std::strerror(errno)));
  }
  // httplib listens with a backlog of 5; listening again only raises it.
  if (listen_fd >= 0) ::listen(listen_fd, SOMAXCONN);
  std::printf("listening on %d\n", bound);
  std::fflush(stdout);
  GEMPOOL_LOG(INFO) << "fake Gemini upstream on http://" << host << ":" << bound << " ("
                    << (options.valid_keys.empty() ? std::string("every key accepted")
                                                   : absl::StrCat(options.valid_keys.size(), " valid keys"))
                    << ")";

  std::thread listener([&server] { server.listen_after_bind(); });
  gempool::WaitForShutdownSignal();
  fake.Shutdown();
  server.stop();
  listener.join();
  return 0;
}
