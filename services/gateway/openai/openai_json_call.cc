#include "openai/openai_json_call.h"

namespace gempool::gateway {

std::optional<nlohmann::json> CallGeminiForJson(const GeminiCaller& caller, const ClientCall& call,
                                                absl::string_view model, gemini::Method method,
                                                const nlohmann::json& body, ClientAnswer& answer) {
  absl::StatusOr<gemini::Route> route = caller.RouteFor(*call.settings, model, method);
  if (!route.ok()) {
    answer.reply = OpenAIStatusReply(route.status());
    return std::nullopt;
  }
  return caller.CallForJson(*route, DumpJson(body), call, answer);
}

}  // namespace gempool::gateway
