#include "input_parts.h"

#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gempool/common/status_macros.h"
#include "gempool/openai/errors.h"
#include "gempool/openai/json_fields.h"
#include "gempool/openai/media.h"

namespace gempool::responses::internal {
namespace {

using nlohmann::json;
using openai::FieldError;
using openai::OneMember;
using openai::OptString;
using openai::Path;
using openai::Preview;

constexpr char kFilesApiNotServed[] =
    "is a Files API reference, which this route does not serve yet: send the content inline (a data: URL or "
    "base64 file_data) or as a URL";

bool IsHttpUrl(absl::string_view url) {
  std::string lower = absl::AsciiStrToLower(url.substr(0, 8));
  return absl::StartsWith(lower, "http://") || absl::StartsWith(lower, "https://");
}

json InlineData(std::string mime_type, std::string data) {
  json inline_data(json::value_t::object);
  inline_data["mimeType"] = std::move(mime_type);
  inline_data["data"] = std::move(data);
  return OneMember("inlineData", std::move(inline_data));
}

// A placeholder the caller fills with InlineFetchedMedia; `mime_type` ""
// takes an image, "application/pdf" a PDF.
absl::Status AddFetch(const std::string& url, const std::string& path, const char* mime_type, PartContext& context,
                      json& parts) {
  if (!context.options.allow_remote_media) {
    return FieldError(path, "is a remote URL, and this gateway does not fetch remote media: send a data: URL");
  }
  json part = InlineData(mime_type, "");
  part[kFetchMark] = context.fetches.size();
  openai::MediaFetch fetch;
  fetch.url = url;
  fetch.field = path;
  context.fetches.push_back(std::move(fetch));
  parts.push_back(std::move(part));
  return absl::OkStatus();
}

absl::Status AddText(const json& part, const char* key, const std::string& path, json& parts) {
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> text, OptString(part, key, path));
  if (!text.has_value()) return FieldError(Path(path, key), "is required");
  if (!text->empty()) parts.push_back(OneMember("text", *std::move(text)));
  return absl::OkStatus();
}

absl::Status ConvertImage(const json& part, const std::string& path, PartContext& context, json& parts) {
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> file_id, OptString(part, "file_id", path));
  if (file_id.has_value()) return FieldError(Path(path, "file_id"), kFilesApiNotServed);
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> url, OptString(part, "image_url", path));
  std::string url_path = Path(path, "image_url");
  if (!url.has_value() || url->empty()) return FieldError(url_path, "is required (a data: URL or an http(s) URL)");
  if (absl::StartsWith(*url, "data:")) {
    absl::StatusOr<openai::DataUrl> data = openai::ParseDataUrl(*url);
    if (!data.ok()) return FieldError(url_path, data.status().message());
    if (!absl::StartsWith(data->mime_type, "image/")) {
      return FieldError(url_path, absl::StrCat("is a data: URL of type '", data->mime_type,
                                               "', not an image: send files as input_file"));
    }
    parts.push_back(InlineData(std::move(data->mime_type), std::move(data->base64_data)));
    return absl::OkStatus();
  }
  if (IsHttpUrl(*url)) return AddFetch(*url, url_path, "", context, parts);
  return FieldError(url_path, absl::StrCat("'", Preview(*url), "' is neither a data: URL nor an http(s) URL"));
}

absl::Status ConvertFile(const json& part, const std::string& path, PartContext& context, json& parts) {
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> file_id, OptString(part, "file_id", path));
  if (file_id.has_value()) return FieldError(Path(path, "file_id"), kFilesApiNotServed);
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> filename, OptString(part, "filename", path));
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> file_data, OptString(part, "file_data", path));
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> file_url, OptString(part, "file_url", path));
  std::string data_path = Path(path, "file_data");
  if (file_data.has_value()) {
    if (absl::StartsWith(*file_data, "data:")) {
      absl::StatusOr<openai::DataUrl> data = openai::ParseDataUrl(*file_data);
      if (!data.ok()) return FieldError(data_path, data.status().message());
      std::string mime = data->mime_type;
      if (mime.empty() || mime == "application/octet-stream") {
        mime = openai::MimeFromFilename(filename.value_or("")).value_or("application/pdf");
      }
      parts.push_back(InlineData(std::move(mime), std::move(data->base64_data)));
      return absl::OkStatus();
    }
    if (file_data->empty() || !openai::LooksLikeBase64(*file_data)) {
      return FieldError(data_path, "must be a data: URL or base64 file content");
    }
    // Bare base64: the type comes from the file name; PDF is what clients
    // send most and what Gemini documents for documents.
    std::string mime = openai::MimeFromFilename(filename.value_or("")).value_or("application/pdf");
    parts.push_back(InlineData(std::move(mime), *std::move(file_data)));
    return absl::OkStatus();
  }
  if (file_url.has_value()) {
    std::string url_path = Path(path, "file_url");
    if (!IsHttpUrl(*file_url)) {
      return FieldError(url_path, absl::StrCat("'", Preview(*file_url), "' is not an http(s) URL"));
    }
    return AddFetch(*file_url, url_path, "application/pdf", context, parts);
  }
  return FieldError(path, "needs file_data (a data: URL or base64) or file_url");
}

void CollectMarks(json& node, size_t content_index, std::vector<openai::MediaFetch>& fetches) {
  json* parts = node.is_object() && node.contains("parts") ? &node["parts"] : nullptr;
  if (parts == nullptr || !parts->is_array()) return;
  for (size_t p = 0; p < parts->size(); ++p) {
    json& part = (*parts)[p];
    auto mark = part.find(kFetchMark);
    if (mark == part.end()) continue;
    const size_t index = mark->get<size_t>();
    part.erase(kFetchMark);
    if (index < fetches.size()) {
      fetches[index].content_index = content_index;
      fetches[index].part_index = p;
    }
  }
}

}  // namespace

absl::Status ConvertContentPart(const json& part, const std::string& path, PartRole role, PartContext& context,
                                json& parts) {
  if (!part.is_object()) {
    return FieldError(path, absl::StrCat("must be a content part object, got ", openai::JsonTypeName(part)));
  }
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> type, OptString(part, "type", path));
  if (!type.has_value()) return FieldError(Path(path, "type"), "is required");
  const bool assistant = role == PartRole::kAssistant;
  if (*type == "input_text" || (assistant && *type == "output_text")) return AddText(part, "text", path, parts);
  if (assistant && *type == "refusal") return AddText(part, "refusal", path, parts);
  if (!assistant && *type == "input_image") return ConvertImage(part, path, context, parts);
  if (!assistant && *type == "input_file") return ConvertFile(part, path, context, parts);
  const char* allowed = assistant ? "output_text, refusal or input_text" : "input_text, input_image or input_file";
  return FieldError(Path(path, "type"),
                    absl::StrCat("'", Preview(*type), "' is not supported here: use ", allowed));
}

void FinishFetches(json& contents, std::vector<openai::MediaFetch>& fetches) {
  for (size_t c = 0; c < contents.size(); ++c) CollectMarks(contents[c], c, fetches);
}

}  // namespace gempool::responses::internal
