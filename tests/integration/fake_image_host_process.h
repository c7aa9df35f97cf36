#pragma once
// The fake-image-host binary (tests/fake_image_host: SM.MS, PicGo,
// Cloudflare ImgBed and Aliyun OSS upload APIs on one port) as a
// subprocess, with a client for its /_fake/ admin API and for the images it
// serves. Not thread-safe; owned by one test.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "fake_image_host/fake_image_host.h"
#include "gempool/testing/subprocess.h"
#include "nlohmann/json.hpp"

namespace gempool::integration {

// The credentials the fake hosts accept: the fake's own defaults.
using FakeImageHostCredentials = fake::FakeImageHostOptions;

class FakeImageHost {
 public:
  // Starts `bin_dir`/tests/fake_image_host/fake-image-host on a free
  // loopback port, logging to `log_path`.
  static absl::StatusOr<std::unique_ptr<FakeImageHost>> Start(const std::string& bin_dir, const std::string& work_dir,
                                                              const std::string& log_path);

  int port() const { return port_; }
  // "http://127.0.0.1:PORT".
  std::string Origin() const;

  // The next `times` uploads to `provider` answer `status` and `body`.
  absl::Status FailNext(const std::string& provider, int status, const std::string& body, int times = 1);
  // GET /_fake/uploads.
  absl::StatusOr<nlohmann::json> Uploads() const;
  // The bytes served at `link` (an absolute URL on this host).
  absl::StatusOr<std::string> Fetch(const std::string& link) const;

  gempool::testing::Subprocess& process() { return process_; }

 private:
  // One call to the fake (its /_fake/ API or an image), with a deadline: the
  // body of a 200, else what went wrong.
  absl::StatusOr<std::string> Call(const std::string& method, const std::string& path,
                                   const std::string& body) const;

  FakeImageHost(gempool::testing::Subprocess process, int port) : process_(std::move(process)), port_(port) {}

  gempool::testing::Subprocess process_;
  int port_;
};

}  // namespace gempool::integration
