#include "admin/api_call.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace gempool::gateway::admin {


ApiResult ErrorResult(const absl::Status& status) {
  ApiResult result;
  result.status = HttpStatusForCode(status.code());
  result.body = {{"error",
                  {{"code", result.status},
                   {"status", absl::StatusCodeToString(status.code())},
                   {"message", std::string(status.message())}}}};
  return result;
}

std::string QueryText(const ApiCall& call, const std::string& name) {
  auto it = call.query.find(name);
  return it == call.query.end() ? std::string() : it->second;
}

absl::StatusOr<int64_t> QueryInt(const ApiCall& call, const std::string& name, int64_t fallback, int64_t min,
                                 int64_t max) {
  const std::string text = QueryText(call, name);
  if (text.empty()) return fallback;
  int64_t value = 0;
  if (!absl::SimpleAtoi(text, &value) || value < min || value > max) {
    return absl::InvalidArgumentError(
        absl::StrCat("parameter ", name, "='", text, "' is not a whole number from ", min, " to ", max));
  }
  return value;
}

absl::StatusOr<v1::KeySelection> SelectionFromBody(const nlohmann::json& body) {
  v1::KeySelection selection;
  if (body.is_object() && body.contains("all") && body["all"].is_boolean() && body["all"].get<bool>()) {
    selection.set_all(true);
    return selection;
  }
  if (!body.is_object() || !body.contains("ids") || !body["ids"].is_array() || body["ids"].empty()) {
    return absl::InvalidArgumentError(
        "say which keys: a JSON body {\"ids\": [1, 2]} (key ids) or {\"all\": true} (every key)");
  }
  for (const nlohmann::json& id : body["ids"]) {
    if (!id.is_number_integer() || id.get<int64_t>() <= 0) {
      return absl::InvalidArgumentError(absl::StrCat("key id ", id.dump(), " is not a positive whole number"));
    }
    selection.add_ids(id.get<int64_t>());
  }
  return selection;
}


}  // namespace gempool::gateway::admin
