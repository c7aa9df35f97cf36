#include "integration/fake_upstream_process.h"

#include <unistd.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "httplib.h"

namespace gempool::integration {

using json = nlohmann::json;

std::string UpstreamRequest::Header(const std::string& name) const {
  for (const auto& [n, v] : headers) {
    if (absl::EqualsIgnoreCase(n, name)) return v;
  }
  return "";
}

bool UpstreamRequest::HasHeader(const std::string& name) const {
  for (const auto& [n, v] : headers) {
    if (absl::EqualsIgnoreCase(n, name)) return true;
  }
  return false;
}

absl::StatusOr<std::unique_ptr<FakeUpstream>> FakeUpstream::Start(const std::string& bin_dir,
                                                                  const std::string& work_dir,
                                                                  const std::string& log_path,
                                                                  const std::vector<std::string>& valid_keys,
                                                                  const std::string& host) {
  std::vector<std::string> argv = {bin_dir + "/tests/fake_upstream/fake-gemini", "--port", "0", "--host", host};
  if (!valid_keys.empty()) {
    argv.push_back("--keys");
    argv.push_back(absl::StrJoin(valid_keys, ","));
  }
  if (access(argv[0].c_str(), X_OK) != 0) {
    return absl::NotFoundError(absl::StrCat("fake-gemini not found at ", argv[0], " (GEMPOOL_BIN_DIR=", bin_dir,
                                            "): build the fake-gemini target first"));
  }
  auto process = gempool::testing::Subprocess::Start(argv, {}, work_dir, log_path);
  if (!process.ok()) return process.status();
  // The first line of its output is "listening on PORT".
  absl::StatusOr<int> port = gempool::testing::WaitForListeningPort(*process, 10000);
  if (!port.ok()) {
    return absl::UnavailableError(absl::StrCat("fake-gemini did not start (", argv[0], "): ", port.status().message()));
  }
  return std::unique_ptr<FakeUpstream>(new FakeUpstream(*std::move(process), host, *port));
}

std::string FakeUpstream::BaseUrl() const { return absl::StrCat("http://", host_, ":", port_, "/v1beta"); }

absl::StatusOr<std::string> FakeUpstream::AdminCall(const std::string& method, const std::string& path,
                                                    const std::string& body) const {
  httplib::Client client(host_, port_);
  client.set_read_timeout(10, 0);
  httplib::Result r = method == "GET" ? client.Get(path.c_str()) : client.Post(path.c_str(), body, "application/json");
  if (!r) {
    return absl::UnavailableError(
        absl::StrCat("fake-gemini ", method, " ", path, " failed: ", httplib::to_string(r.error())));
  }
  if (r->status != 200) {
    return absl::InvalidArgumentError(
        absl::StrCat("fake-gemini ", method, " ", path, " answered ", r->status, ": ", r->body));
  }
  return r->body;
}

absl::Status FakeUpstream::Script(const json& script) {
  return AdminCall("POST", "/_fake/script", script.dump()).status();
}

absl::Status FakeUpstream::ScriptKey(const std::string& key, const std::string& model, const json& responses,
                                     bool repeat) {
  json script = {{"responses", responses}, {"repeat", repeat}};
  if (!key.empty()) script["key"] = key;
  if (!model.empty()) script["model"] = model;
  return Script(script);
}

absl::Status FakeUpstream::Reset() { return AdminCall("POST", "/_fake/reset", "{}").status(); }

absl::Status FakeUpstream::SetValidKeys(const std::vector<std::string>& keys) {
  json body = keys.empty() ? json{{"acceptAll", true}} : json{{"keys", keys}};
  return AdminCall("POST", "/_fake/keys", body.dump()).status();
}

absl::StatusOr<std::vector<UpstreamRequest>> FakeUpstream::Requests(int64_t since) const {
  auto text = AdminCall("GET", absl::StrCat("/_fake/requests?since=", since), "");
  if (!text.ok()) return text.status();
  json body = json::parse(*text, nullptr, false);
  if (body.is_discarded() || !body.contains("requests")) {
    return absl::InternalError(absl::StrCat("fake-gemini /_fake/requests answered: ", *text));
  }
  std::vector<UpstreamRequest> out;
  for (const json& j : body["requests"]) {
    UpstreamRequest r;
    r.id = j.value("id", int64_t{0});
    r.time_ms = j.value("timeMs", int64_t{0});
    r.method = j.value("method", "");
    r.path = j.value("path", "");
    r.query = j.value("query", "");
    for (const json& h : j["headers"]) r.headers.emplace_back(h[0].get<std::string>(), h[1].get<std::string>());
    r.body = j.value("body", "");
    r.key = j.value("key", "");
    r.key_source = j.value("keySource", "");
    r.model = j.value("model", "");
    r.operation = j.value("operation", "");
    r.status = j.value("status", 0);
    r.behavior = j.value("behavior", "");
    out.push_back(std::move(r));
  }
  return out;
}

absl::StatusOr<std::vector<UpstreamRequest>> FakeUpstream::RequestsFor(const std::string& operation,
                                                                       int64_t since) const {
  auto all = Requests(since);
  if (!all.ok() || operation.empty()) return all;
  std::vector<UpstreamRequest> out;
  for (UpstreamRequest& r : *all) {
    if (r.operation == operation) out.push_back(std::move(r));
  }
  return out;
}

std::vector<std::string> KeysOf(const std::vector<UpstreamRequest>& requests) {
  std::vector<std::string> keys;
  for (const UpstreamRequest& r : requests) keys.push_back(r.key);
  return keys;
}

}  // namespace gempool::integration
