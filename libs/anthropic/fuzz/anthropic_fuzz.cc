#include "anthropic_fuzz.h"

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gempool/anthropic/betas.h"
#include "gempool/anthropic/errors.h"
#include "gempool/anthropic/model_map.h"
#include "gempool/anthropic/request_converter.h"
#include "gempool/anthropic/response_converter.h"
#include "gempool/anthropic/stream_converter.h"
#include "gempool/gemini/sse_splitter.h"
#include "gempool/openai/json_reader.h"
#include "gempool/openai/options.h"

namespace gempool::anthropic {
namespace {

void FuzzRequest(absl::string_view input) {
  absl::StatusOr<nlohmann::json> body = openai::ParseJson(input);
  if (!body.ok()) return;
  const openai::ConversionOptions options;
  const ModelMap models = ModelMap::Default();
  for (RequestKind kind : {RequestKind::kMessages, RequestKind::kCountTokens}) {
    absl::StatusOr<MessagesRequest> request = ConvertMessagesRequest(*body, kind, options, models);
    if (request.ok() && kind == RequestKind::kCountTokens) CountTokensBody(*request);
  }
}

void FuzzStream(absl::string_view input) {
  ResponseContext context;
  context.model = "claude-sonnet-4-6";
  context.fallback_id = "msg_fuzz";
  context.thinking = !input.empty() && (input[0] & 1);
  context.show_thinking = !input.empty() && (input[0] & 2);
  MessagesStreamConverter converter(context);
  gemini::SseSplitter splitter(1u << 20);
  // Cut the body where a network might: every 7 bytes.
  std::vector<std::string> events;
  for (size_t at = 0; at < input.size(); at += 7) {
    absl::StatusOr<std::vector<std::string>> some = splitter.Feed(input.substr(at, 7));
    if (!some.ok()) return;
    events.insert(events.end(), some->begin(), some->end());
  }
  absl::StatusOr<std::vector<std::string>> rest = splitter.Finish();
  if (rest.ok()) events.insert(events.end(), rest->begin(), rest->end());
  for (const std::string& text : events) {
    absl::StatusOr<nlohmann::json> event = openai::ParseJson(text);
    if (!event.ok()) continue;
    for (const StreamEvent& out : converter.OnEvent(*event).value_or(std::vector<StreamEvent>{})) FrameEvent(out);
    absl::StatusOr<nlohmann::json> whole = ConvertMessagesResponse(*event, context);
    (void)whole;
  }
  for (const StreamEvent& out : converter.Finish()) FrameEvent(out);
}

void FuzzModelMap(absl::string_view input) {
  const size_t newline = input.find('\n');
  absl::StatusOr<ModelMap> map = ModelMap::Parse(input.substr(0, newline));
  if (map.ok() && newline != absl::string_view::npos) {
    map->Map(input.substr(newline + 1));
    map->ToJson();
  }
}

void FuzzErrors(absl::string_view input) {
  for (int status : {0, 200, 400, 429, 503}) ConvertGeminiErrorText(status, input);
  UnservedBetaWarnings(input);
}

}  // namespace

void FuzzAnthropic(const uint8_t* data, size_t size) {
  if (size == 0) return;
  const absl::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0:
      FuzzRequest(input);
      break;
    case 1:
      FuzzStream(input);
      break;
    case 2:
      FuzzModelMap(input);
      break;
    default:
      FuzzErrors(input);
      break;
  }
}

}  // namespace gempool::anthropic
