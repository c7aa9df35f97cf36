#include "integration/fake_image_host_process.h"

#include <unistd.h>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
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
  auto process = testing::Subprocess::Start(argv, {}, work_dir, log_path);
  if (!process.ok()) return process.status();
  int port = 0;
  const bool up = testing::WaitFor(
      [&] {
        if (!process->Running()) return true;
        const std::string out = process->Output();
        const size_t at = out.find("listening on ");
        if (at == std::string::npos) return false;
        const size_t end = out.find('\n', at);
        if (end == std::string::npos) return false;
        return absl::SimpleAtoi(out.substr(at + 13, end - at - 13), &port);
      },
      10000);
  if (!up || port == 0) {
    return absl::UnavailableError(
        absl::StrCat("fake-image-host did not start (", argv[0], "); its output:\n", process->Output()));
  }
  return std::unique_ptr<FakeImageHost>(new FakeImageHost(*std::move(process), port));
}

std::string FakeImageHost::Origin() const { return absl::StrCat("http://127.0.0.1:", port_); }

absl::Status FakeImageHost::FailNext(const std::string& provider, int status, const std::string& body, int times) {
  httplib::Client client("127.0.0.1", port_);
  const nlohmann::json request = {{"provider", provider}, {"status", status}, {"body", body}, {"times", times}};
  httplib::Result r = client.Post("/_fake/fail", request.dump(), "application/json");
  if (!r || r->status != 200) return absl::UnavailableError("fake-image-host /_fake/fail failed");
  return absl::OkStatus();
}

absl::StatusOr<nlohmann::json> FakeImageHost::Uploads() const {
  httplib::Client client("127.0.0.1", port_);
  httplib::Result r = client.Get("/_fake/uploads");
  if (!r || r->status != 200) return absl::UnavailableError("fake-image-host /_fake/uploads failed");
  return nlohmann::json::parse(r->body);
}

absl::StatusOr<std::string> FakeImageHost::Fetch(const std::string& link) const {
  if (!absl::StartsWith(link, Origin() + "/")) {
    return absl::InvalidArgumentError(absl::StrCat(link, " is not on the fake image host ", Origin()));
  }
  httplib::Client client("127.0.0.1", port_);
  httplib::Result r = client.Get(link.substr(Origin().size()).c_str());
  if (!r) return absl::UnavailableError(absl::StrCat("GET ", link, " failed"));
  if (r->status != 200) return absl::NotFoundError(absl::StrCat("GET ", link, ": ", r->status, " ", r->body));
  return r->body;
}

}  // namespace gempool::integration
