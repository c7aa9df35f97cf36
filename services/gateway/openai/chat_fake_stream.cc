#include "openai/chat_fake_stream.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gempool/imagehost/inline_images.h"
#include "gempool/openai/errors.h"
#include "gempool/openai/json_reader.h"
#include "gempool/openai/stream_converter.h"
#include "openai/openai_answers.h"

namespace gempool::gateway {
namespace {

using nlohmann::json;

std::string FakeChatSseEvent(const json& payload) { return absl::StrCat("data: ", DumpJson(payload), "\n\n"); }

class ChatFakeStreamDialect final : public FakeStreamDialect {
 public:
  ChatFakeStreamDialect(openai::ResponseContext context, bool include_usage, ImageUploader* uploader,
                        ImageHosting hosting)
      : context_(std::move(context)),
        include_usage_(include_usage),
        uploader_(uploader),
        hosting_(std::move(hosting)) {}

  std::string ContentType() const override { return "text/event-stream; charset=utf-8"; }
  std::string Heartbeat() const override { return SseCommentHeartbeat(); }

  // UPLOAD_PROVIDER: links in place of the answer's inline images. The
  // answer stays parsed for Convert (prepared_; `then` gets no body).
  void Prepare(std::string body, Prepared then) override {
    if (uploader_ == nullptr || !hosting_.Enabled() || !imagehost::MayHoldInlineImage(body)) {
      return then(std::move(body), "");
    }
    absl::StatusOr<json> parsed = openai::ParseJson(body);
    if (!parsed.ok() || !parsed->is_object()) return then(std::move(body), "");
    auto answer = std::make_shared<json>(*std::move(parsed));
    // `then` holds the stream, which holds this dialect.
    uploader_->ReplaceInlineImages(answer, hosting_, [this, answer, then](std::vector<std::string> warnings) {
      prepared_ = std::move(*answer);
      then("", WarningsHeaderValue(warnings));
    });
  }
  std::string WarningEvent(const std::string& warnings) const override {
    return absl::StrCat(": ", kWarningsHeader, ": ", warnings, "\n\n");
  }

  Answer Convert(const std::string& body) override {
    Answer out;
    absl::StatusOr<json> parsed = prepared_.has_value() ? absl::StatusOr<json>(*std::move(prepared_))
                                                        : openai::ParseJson(body);
    if (!parsed.ok() || !parsed->is_object()) {
      out.failure = Bad("the Gemini API's answer is not a JSON object");
      return out;
    }
    if (parsed->contains("error")) {
      const openai::OpenAIError error = openai::ConvertGeminiError(0, *parsed);
      HttpReply reply = OpenAIJsonReply(error.body, error.http_status);
      out.failure = Failure{std::move(reply), FakeChatSseEvent(error.body)};
      return out;
    }
    // A whole GenerateContentResponse reads like a stream's only event.
    openai::ChatStreamConverter converter(context_, include_usage_);
    absl::StatusOr<std::vector<json>> chunks = converter.OnEvent(*parsed);
    if (!chunks.ok()) {
      out.failure = Bad(absl::StrCat("the Gemini API sent an answer gempool cannot convert: ",
                                     chunks.status().message()));
      return out;
    }
    for (const json& chunk : *chunks) out.bytes += FakeChatSseEvent(chunk);
    for (const json& chunk : converter.Finish()) out.bytes += FakeChatSseEvent(chunk);
    out.bytes += "data: [DONE]\n\n";
    return out;
  }

  Failure UpstreamFailure(const HttpReply& gemini_failure) override {
    HttpReply reply = OpenAIUpstreamFailure(gemini_failure);
    std::string event = FakeChatSseEvent(openai::ParseJson(reply.body).value_or(json::object()));
    return Failure{std::move(reply), std::move(event)};
  }

 private:
  static Failure Bad(absl::string_view message) {
    const json body = openai::OpenAIErrorBody(502, message, "", "bad_upstream_response");
    return Failure{OpenAIJsonReply(body, 502), FakeChatSseEvent(body)};
  }

  const openai::ResponseContext context_;
  const bool include_usage_;
  ImageUploader* const uploader_;
  const ImageHosting hosting_;
  // The answer Prepare() parsed and changed, for Convert (set before
  // `then` runs, which leads to Convert).
  std::optional<json> prepared_;
};

}  // namespace

std::shared_ptr<FakeStreamDialect> MakeChatFakeStreamDialect(openai::ResponseContext context, bool include_usage,
                                                             ImageUploader* uploader, ImageHosting hosting) {
  return std::make_shared<ChatFakeStreamDialect>(std::move(context), include_usage, uploader, std::move(hosting));
}

}  // namespace gempool::gateway
