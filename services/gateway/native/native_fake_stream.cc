#include "native/native_fake_stream.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "gempool/openai/json_reader.h"
#include "gempool/openai/json_writer.h"
#include "nlohmann/json.hpp"

namespace gempool::gateway {
namespace {

using nlohmann::json;

// A Google-shaped error body for gempool's own 502.
json BadUpstreamBody(absl::string_view message) {
  return json{{"error", {{"code", 502}, {"message", std::string(message)}, {"status", "UNAVAILABLE"}}}};
}

class NativeFakeStreamDialect final : public FakeStreamDialect {
 public:
  explicit NativeFakeStreamDialect(bool sse) : sse_(sse) {}

  std::string ContentType() const override {
    return sse_ ? "text/event-stream" : "application/json; charset=UTF-8";
  }
  std::string Heartbeat() const override { return sse_ ? SseCommentHeartbeat() : "\n"; }

  Answer Convert(const std::string& body) override {
    Answer out;
    absl::StatusOr<json> parsed = openai::ParseJson(body);
    if (!parsed.ok() || !parsed->is_object()) {
      const json error = BadUpstreamBody("the Gemini API's answer is not a JSON object");
      out.failure = Failure{HttpReply{502, "application/json; charset=UTF-8", openai::WriteJson(error), ""}, Frame(error)};
      return out;
    }
    out.bytes = Frame(*parsed);
    return out;
  }

  Failure UpstreamFailure(const HttpReply& gemini_failure) override {
    absl::StatusOr<json> parsed = openai::ParseJson(gemini_failure.body);
    const json error = parsed.ok() && parsed->is_object()
                           ? *parsed
                           : json{{"error", {{"code", gemini_failure.status}, {"message", gemini_failure.body}}}};
    return Failure{gemini_failure, Frame(error)};
  }

 private:
  // One element of the stream, framed and closing it.
  std::string Frame(const json& element) const {
    return sse_ ? absl::StrCat("data: ", openai::WriteJson(element), "\r\n\r\n") : absl::StrCat("[", openai::WriteJson(element), "]");
  }

  const bool sse_;
};

}  // namespace

std::shared_ptr<FakeStreamDialect> MakeNativeFakeStreamDialect(bool sse) {
  return std::make_shared<NativeFakeStreamDialect>(sse);
}

}  // namespace gempool::gateway
