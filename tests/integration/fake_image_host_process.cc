#include "integration/fake_image_host_process.h"

#include <unistd.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "httplib.h"

namespace gempool::integration {

absl::StatusOr<std::unique_ptr<FakeImageHost>> FakeImageHost::Start(const std::string& bin_dir,
                                                                    const std::string& work_dir,
                                                                    const std::string& log_path) {
  std::vector<std::string> argv = {bin_dir + "/tests/fake_image_host/fake-image-host", "--port", "0"};
  if (access(argv[0].c_str(), X_OK) != 0) {
    return absl::NotFoundError(absl::StrCat("fake-image-host not found at ", argv[0], " (GEMPOOL_BIN_DIR=", bin_dir,
                                            "): build the fake-image-host target first"));
  }
  auto process = gempool::testing::Subprocess::Start(argv, {}, work_dir, log_path);
  if (!process.ok()) return process.status();
  absl::StatusOr<int> port = gempool::testing::WaitForListeningPort(*process, 10000);
  if (!port.ok()) {
    return absl::UnavailableError(absl::StrCat("fake-image-host did not start (", argv[0], "): ", port.status().message()));
  }
  return std::unique_ptr<FakeImageHost>(new FakeImageHost(*std::move(process), *port));
}

std::string FakeImageHost::Origin() const { return absl::StrCat("http://127.0.0.1:", port_); }

absl::StatusOr<std::string> FakeImageHost::Call(const std::string& method, const std::string& path,
                                               const std::string& body) const {
  httplib::Client client("127.0.0.1", port_);
  client.set_connection_timeout(5, 0);
  client.set_read_timeout(10, 0);
  httplib::Result r = method == "GET" ? client.Get(path.c_str()) : client.Post(path.c_str(), body, "application/json");
  if (!r) {
    return absl::UnavailableError(
        absl::StrCat("fake-image-host ", method, " ", path, " failed: ", httplib::to_string(r.error())));
  }
  if (r->status != 200) {
    return absl::NotFoundError(absl::StrCat("fake-image-host ", method, " ", path, " answered ", r->status, ": ", r->body));
  }
  return r->body;
}

absl::Status FakeImageHost::FailNext(const std::string& provider, int status, const std::string& body, int times) {
  const nlohmann::json request = {{"provider", provider}, {"status", status}, {"body", body}, {"times", times}};
  return Call("POST", "/_fake/fail", request.dump()).status();
}

absl::StatusOr<nlohmann::json> FakeImageHost::Uploads() const {
  absl::StatusOr<std::string> text = Call("GET", "/_fake/uploads", "");
  if (!text.ok()) return text.status();
  return nlohmann::json::parse(*text);
}

absl::StatusOr<std::string> FakeImageHost::Fetch(const std::string& link) const {
  if (!absl::StartsWith(link, Origin() + "/")) {
    return absl::InvalidArgumentError(absl::StrCat(link, " is not on the fake image host ", Origin()));
  }
  return Call("GET", link.substr(Origin().size()), "");
}

}  // namespace gempool::integration
