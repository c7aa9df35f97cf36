#include "media_blocks.h"

#include <optional>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gempool/common/status_macros.h"
#include "gempool/openai/errors.h"
#include "gempool/openai/json_fields.h"
#include "gempool/openai/media.h"

namespace gempool::anthropic::internal {
namespace {

using nlohmann::json;
using openai::FieldError;
using openai::Find;
using openai::JsonTypeName;
using openai::OptObject;
using openai::OptString;
using openai::Path;
using openai::Preview;

constexpr char kPdfMimeType[] = "application/pdf";

bool IsAnthropicImageType(absl::string_view mime) {
  return mime == "image/jpeg" || mime == "image/png" || mime == "image/gif" || mime == "image/webp";
}

absl::Status FileSourceError(const std::string& path, absl::string_view what) {
  return FieldError(Path(path, "source.type"),
                    absl::StrCat("'file' is not supported: the Files API is not served on the Anthropic route yet; "
                                 "send the ", what, " as base64 or a URL"));
}

json InlineData(std::string mime, std::string base64) {
  json data(json::value_t::object);
  data["mimeType"] = std::move(mime);
  data["data"] = std::move(base64);
  return openai::OneMember("inlineData", std::move(data));
}

// The source object of a block, with its type.
struct Source {
  const json* object = nullptr;
  std::string type;
  std::string path;
};

absl::StatusOr<Source> ReadSource(const json& block, const std::string& path) {
  Source source;
  source.path = Path(path, "source");
  GEMPOOL_ASSIGN_OR_RETURN(source.object, OptObject(block, "source", path));
  if (source.object == nullptr) return FieldError(source.path, "is required");
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> type, OptString(*source.object, "type", source.path));
  if (!type.has_value()) return FieldError(Path(source.path, "type"), "is required");
  source.type = *type;
  return source;
}

absl::StatusOr<std::string> RequiredMediaString(const json& object, absl::string_view key, const std::string& path) {
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> value, OptString(object, key, path));
  if (!value.has_value()) return FieldError(Path(path, key), "is required");
  return *std::move(value);
}

// A data: URL in a url source, as inlineData. `fallback_mime` is used when
// the URL names no type an image sniff can fix.
absl::Status InlineDataUrl(const std::string& url, const std::string& url_path, bool image, json& parts) {
  auto data = openai::ParseDataUrl(url);
  if (!data.ok()) return FieldError(url_path, data.status().message());
  std::string mime = data->mime_type;
  if (mime.empty() || mime == "application/octet-stream") {
    if (image) {
      std::string head;
      absl::Base64Unescape(data->base64_data.substr(0, 32), &head);
      std::optional<std::string> sniffed = openai::SniffImageMime(head);
      if (!sniffed.has_value()) {
        return FieldError(url_path, "is a data: URL without an image media type (use data:image/png;base64,...)");
      }
      mime = *sniffed;
    } else {
      mime = kPdfMimeType;
    }
  }
  parts.push_back(InlineData(std::move(mime), std::move(data->base64_data)));
  return absl::OkStatus();
}

// A url source: data: URLs inline, http(s) URLs become a fetch whose
// placeholder asks for an image (mimeType "") or a PDF.
absl::Status ConvertUrlSource(const Source& source, bool image, MediaContext& context, json& parts) {
  std::string url_path = Path(source.path, "url");
  GEMPOOL_ASSIGN_OR_RETURN(std::string url, RequiredMediaString(*source.object, "url", source.path));
  if (absl::StartsWithIgnoreCase(url, "data:")) return InlineDataUrl(url, url_path, image, parts);
  if (!absl::StartsWithIgnoreCase(url, "https://") && !absl::StartsWithIgnoreCase(url, "http://")) {
    return FieldError(url_path, absl::StrCat("has an unsupported scheme ('", Preview(url),
                                             "'): use an http(s) URL, or send the data as base64"));
  }
  if (!context.options.allow_remote_media) {
    return FieldError(url_path, "is a remote URL, which this gateway does not fetch: send the data as base64");
  }
  openai::MediaFetch fetch;
  fetch.url = std::move(url);
  fetch.field = url_path;
  json placeholder = InlineData(image ? "" : kPdfMimeType, "");
  placeholder[kFetchMark] = context.fetches.size();
  context.fetches.push_back(std::move(fetch));
  parts.push_back(std::move(placeholder));
  return absl::OkStatus();
}

absl::Status ConvertBase64Image(const Source& source, json& parts) {
  GEMPOOL_ASSIGN_OR_RETURN(std::string mime, RequiredMediaString(*source.object, "media_type", source.path));
  if (!IsAnthropicImageType(mime)) {
    return FieldError(Path(source.path, "media_type"),
                      absl::StrCat("'", Preview(mime),
                                   "' is not supported: use image/jpeg, image/png, image/gif or image/webp"));
  }
  GEMPOOL_ASSIGN_OR_RETURN(std::string data, RequiredMediaString(*source.object, "data", source.path));
  if (data.empty() || !openai::LooksLikeBase64(data)) {
    return FieldError(Path(source.path, "data"), "must be base64 image data (without a data: prefix)");
  }
  parts.push_back(InlineData(std::move(mime), std::move(data)));
  return absl::OkStatus();
}

void PushText(std::string text, MediaContext& context, json& parts) {
  if (text.empty()) return;
  context.text_bytes += text.size();
  parts.push_back(openai::OneMember("text", std::move(text)));
}

// A `content` source: a string, or text and image blocks.
absl::Status ConvertContentSource(const Source& source, const std::string& title, MediaContext& context,
                                  json& parts) {
  std::string content_path = Path(source.path, "content");
  const json* content = Find(*source.object, "content");
  if (content == nullptr) return FieldError(content_path, "is required");
  if (!title.empty()) PushText(title, context, parts);
  if (content->is_string()) {
    PushText(content->get<std::string>(), context, parts);
    return absl::OkStatus();
  }
  if (!content->is_array()) {
    return FieldError(content_path,
                      absl::StrCat("must be a string or an array of text and image blocks, got ",
                                   JsonTypeName(*content)));
  }
  for (size_t i = 0; i < content->size(); ++i) {
    const json& block = (*content)[i];
    std::string block_path = Path(content_path, i);
    if (!block.is_object()) return FieldError(block_path, absl::StrCat("must be an object, got ", JsonTypeName(block)));
    GEMPOOL_ASSIGN_OR_RETURN(std::string type, RequiredMediaString(block, "type", block_path));
    if (type == "text") {
      GEMPOOL_ASSIGN_OR_RETURN(std::string text, RequiredMediaString(block, "text", block_path));
      PushText(std::move(text), context, parts);
    } else if (type == "image") {
      GEMPOOL_RETURN_IF_ERROR(ConvertImageBlock(block, block_path, context, parts));
    } else {
      return FieldError(Path(block_path, "type"),
                        absl::StrCat("'", Preview(type), "' is not supported in a content document: use text or "
                                                         "image blocks"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ConvertImageBlock(const json& block, const std::string& path, MediaContext& context, json& parts) {
  GEMPOOL_ASSIGN_OR_RETURN(Source source, ReadSource(block, path));
  if (source.type == "base64") return ConvertBase64Image(source, parts);
  if (source.type == "url") return ConvertUrlSource(source, /*image=*/true, context, parts);
  if (source.type == "file") return FileSourceError(path, "image");
  return FieldError(Path(source.path, "type"),
                    absl::StrCat("'", Preview(source.type), "' is not an image source: use base64 or url"));
}

absl::Status ConvertDocumentBlock(const json& block, const std::string& path, MediaContext& context, json& parts) {
  GEMPOOL_ASSIGN_OR_RETURN(Source source, ReadSource(block, path));
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> title, OptString(block, "title", path));
  if (source.type == "base64") {
    GEMPOOL_ASSIGN_OR_RETURN(std::string mime, RequiredMediaString(*source.object, "media_type", source.path));
    if (mime != kPdfMimeType) {
      return FieldError(Path(source.path, "media_type"),
                        absl::StrCat("'", Preview(mime),
                                     "' is not supported for base64 documents: use application/pdf (send plain "
                                     "text as a text source)"));
    }
    GEMPOOL_ASSIGN_OR_RETURN(std::string data, RequiredMediaString(*source.object, "data", source.path));
    if (data.empty() || !openai::LooksLikeBase64(data)) {
      return FieldError(Path(source.path, "data"), "must be base64 PDF data (without a data: prefix)");
    }
    parts.push_back(InlineData(kPdfMimeType, std::move(data)));
    return absl::OkStatus();
  }
  if (source.type == "url") return ConvertUrlSource(source, /*image=*/false, context, parts);
  if (source.type == "text") {
    GEMPOOL_ASSIGN_OR_RETURN(std::string data, RequiredMediaString(*source.object, "data", source.path));
    // The title says what the text is, as Anthropic shows it to Claude.
    PushText(title.has_value() && !title->empty() ? absl::StrCat(*title, "\n\n", data) : data, context, parts);
    return absl::OkStatus();
  }
  if (source.type == "content") return ConvertContentSource(source, title.value_or(""), context, parts);
  if (source.type == "file") return FileSourceError(path, "document");
  return FieldError(Path(source.path, "type"), absl::StrCat("'", Preview(source.type),
                                                            "' is not a document source: use base64, url, text or "
                                                            "content"));
}

void FinishFetches(json& contents, std::vector<openai::MediaFetch>& fetches) {
  std::vector<bool> found(fetches.size(), false);
  for (size_t c = 0; c < contents.size(); ++c) {
    json& parts = contents[c]["parts"];
    for (size_t p = 0; p < parts.size(); ++p) {
      auto mark = parts[p].find(kFetchMark);
      if (mark == parts[p].end()) continue;
      size_t index = mark->get<size_t>();
      parts[p].erase(mark);
      if (index < fetches.size()) {
        fetches[index].content_index = c;
        fetches[index].part_index = p;
        found[index] = true;
      }
    }
  }
  // A placeholder can vanish with a dropped turn; its fetch must not be made
  // (nor inlined over another part).
  std::vector<openai::MediaFetch> kept;
  for (size_t i = 0; i < fetches.size(); ++i) {
    if (found[i]) kept.push_back(std::move(fetches[i]));
  }
  fetches = std::move(kept);
}

}  // namespace gempool::anthropic::internal
