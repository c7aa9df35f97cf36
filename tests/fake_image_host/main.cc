// fake-image-host: fakes of the SM.MS, PicGo, Cloudflare ImgBed and Aliyun
// OSS upload APIs for the integration tests (fake_image_host.h).
//
//   fake-image-host [--port N]
//
// The hosts accept FakeImageHostOptions' default credentials (the tests
// read them from there too). The first line on stdout is "listening on
// PORT". Loopback only.

#include <cstdio>
#include <iostream>
#include <string>
#include <thread>

#include "absl/strings/numbers.h"
#include "fake_image_host/fake_image_host.h"
#include "gempool/common/shutdown.h"
#include "httplib.h"

int main(int argc, char** argv) {
  gempool::BlockShutdownSignals();
  int port = 0;
  const gempool::fake::FakeImageHostOptions options;
  for (int i = 1; i < argc; i += 2) {
    const std::string arg = argv[i];
    if (arg != "--port") {
      std::cerr << "fake-image-host: unknown option " << arg << "\n";
      return 2;
    }
    if (i + 1 >= argc) {
      std::cerr << "fake-image-host: " << arg << " needs a value\n";
      return 2;
    }
    const std::string value = argv[i + 1];
    if (!absl::SimpleAtoi(value, &port)) {
      std::cerr << "fake-image-host: --port '" << value << "' is not a number\n";
      return 2;
    }
  }
  gempool::fake::FakeImageHost fake(options);
  httplib::Server server;
  server.set_payload_max_length(64 * 1024 * 1024);
  fake.Register(server);
  const int bound =
      port == 0 ? server.bind_to_any_port("127.0.0.1") : (server.bind_to_port("127.0.0.1", port) ? port : -1);
  if (bound <= 0) {
    std::cerr << "fake-image-host: cannot listen on 127.0.0.1:" << port << "\n";
    return 2;
  }
  std::printf("listening on %d\n", bound);
  std::fflush(stdout);
  std::thread listener([&server] { server.listen_after_bind(); });
  gempool::WaitForShutdownSignal();
  server.stop();
  listener.join();
  return 0;
}
