#include "gempool/responses/storage.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "gempool/openai/json_fields.h"
#include "gempool/openai/response_parts.h"

namespace gempool::responses {
namespace {

using nlohmann::json;
using openai::Find;

// Bumped when the stored shape changes, so an old record is refused (a 404
// for previous_response_id) instead of misread.
constexpr int kStoredVersion = 1;

absl::Status CheckStored(const json& stored) {
  const json* version = Find(stored, "version");
  const json* input = Find(stored, "input");
  const json* response = Find(stored, "response");
  if (version == nullptr || *version != kStoredVersion || input == nullptr || !input->is_array() ||
      response == nullptr || !response->is_object() || Find(*response, "output") == nullptr ||
      !(*response)["output"].is_array()) {
    return absl::InvalidArgumentError("the stored response is not in gempool's stored form (version 1)");
  }
  return absl::OkStatus();
}

}  // namespace

json BuildStoredResponse(const ResponsesRequest& request, const json& stored_response) {
  json stored(json::value_t::object);
  stored["version"] = kStoredVersion;
  stored["id"] = openai::StringOr(stored_response, "id", "");
  stored["model"] = request.gemini.model.requested;
  const json* created = Find(stored_response, "created_at");
  stored["created_at"] = created != nullptr ? *created : json(0);
  stored["input"] = request.input_items;
  stored["response"] = stored_response;
  return stored;
}

absl::StatusOr<json> ConversationItems(const json& stored) {
  absl::Status status = CheckStored(stored);
  if (!status.ok()) return status;
  json items = stored["input"];
  for (const json& item : stored["response"]["output"]) items.push_back(item);
  return items;
}

absl::StatusOr<json> RetrievedResponse(const json& stored, bool include_encrypted_reasoning) {
  absl::Status status = CheckStored(stored);
  if (!status.ok()) return status;
  json response = stored["response"];
  if (!include_encrypted_reasoning) {
    for (json& item : response["output"]) {
      if (item.is_object()) item.erase("encrypted_content");
    }
  }
  return response;
}

absl::StatusOr<json> InputItemsList(const json& stored) {
  absl::Status status = CheckStored(stored);
  if (!status.ok()) return status;
  const std::string response_id = openai::StringOr(stored, "id", "");
  json data = json::array();
  const json& input = stored["input"];
  for (size_t i = 0; i < input.size(); ++i) {
    json item = input[i];
    if (item.is_object() && Find(item, "id") == nullptr) {
      item["id"] = absl::StrCat("item_", openai::StableHexDigest(absl::StrCat(response_id, ":input:", i), 32));
    }
    data.push_back(std::move(item));
  }
  json list(json::value_t::object);
  list["object"] = "list";
  auto id_of = [](const json& item) {
    const json* id = Find(item, "id");
    return id != nullptr ? *id : json(nullptr);
  };
  list["first_id"] = data.empty() ? json(nullptr) : id_of(data.front());
  list["last_id"] = data.empty() ? json(nullptr) : id_of(data.back());
  list["data"] = std::move(data);
  list["has_more"] = false;
  return list;
}

json DeletedResponse(const std::string& id) {
  json out(json::value_t::object);
  out["id"] = id;
  out["object"] = "response.deleted";
  out["deleted"] = true;
  return out;
}

}  // namespace gempool::responses
