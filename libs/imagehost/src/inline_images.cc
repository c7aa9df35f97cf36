#include "gempool/imagehost/inline_images.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace gempool::imagehost {
namespace {

using nlohmann::json;

const json* Member(const json& object, const char* name) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(name);
  return it == object.end() ? nullptr : &*it;
}

const json* PartsOf(const json& candidate) {
  const json* content = Member(candidate, "content");
  const json* parts = content != nullptr ? Member(*content, "parts") : nullptr;
  return parts != nullptr && parts->is_array() ? parts : nullptr;
}

// The inlineData object of `part` (also spelled inline_data) when it is an
// image with data; nullptr otherwise.
const json* InlineImage(const json& part) {
  const json* data = Member(part, "inlineData");
  if (data == nullptr) data = Member(part, "inline_data");
  if (data == nullptr || !data->is_object()) return nullptr;
  const json* mime = Member(*data, "mimeType");
  if (mime == nullptr) mime = Member(*data, "mime_type");
  const json* bytes = Member(*data, "data");
  if (mime == nullptr || !mime->is_string() || bytes == nullptr || !bytes->is_string() || bytes->empty()) {
    return nullptr;
  }
  return absl::StartsWithIgnoreCase(mime->get_ref<const std::string&>(), "image/") ? data : nullptr;
}

// What may not stand in a Markdown link destination as it is.
std::string MarkdownSafe(absl::string_view link) {
  std::string out;
  for (char c : link) {
    switch (c) {
      case '(': out += "%28"; break;
      case ')': out += "%29"; break;
      case ' ': out += "%20"; break;
      case '<': out += "%3C"; break;
      case '>': out += "%3E"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace

std::vector<InlineImageAt> FindInlineImages(const json& response) {
  std::vector<InlineImageAt> found;
  const json* candidates = Member(response, "candidates");
  if (candidates == nullptr || !candidates->is_array()) return found;
  for (size_t c = 0; c < candidates->size(); ++c) {
    const json* parts = PartsOf((*candidates)[c]);
    if (parts == nullptr) continue;
    for (size_t p = 0; p < parts->size(); ++p) {
      if (InlineImage((*parts)[p]) != nullptr) found.push_back({c, p});
    }
  }
  return found;
}

bool RequestMayAnswerImages(const json& gemini_request, absl::string_view model) {
  if (absl::AsciiStrToLower(model).find("image") != std::string::npos) return true;
  const json* config = Member(gemini_request, "generationConfig");
  if (config == nullptr) config = Member(gemini_request, "generation_config");
  const json* modalities = config != nullptr ? Member(*config, "responseModalities") : nullptr;
  if (modalities == nullptr && config != nullptr) modalities = Member(*config, "response_modalities");
  if (modalities == nullptr || !modalities->is_array()) return false;
  for (const json& m : *modalities) {
    if (m.is_string() && absl::EqualsIgnoreCase(m.get_ref<const std::string&>(), "IMAGE")) return true;
  }
  return false;
}

bool MayHoldInlineImage(absl::string_view json_text) {
  return absl::StrContains(json_text, "inlineData") || absl::StrContains(json_text, "inline_data");
}

absl::StatusOr<Image> ImageAt(const json& response, const InlineImageAt& at) {
  const json* data = InlineImage(response["candidates"][at.candidate]["content"]["parts"][at.part]);
  if (data == nullptr) return absl::InvalidArgumentError("no inline image at this place");
  const json* mime = Member(*data, "mimeType");
  if (mime == nullptr) mime = Member(*data, "mime_type");
  Image image;
  image.mime_type = absl::AsciiStrToLower(mime->get_ref<const std::string&>());
  const std::string& encoded = (*data)["data"].get_ref<const std::string&>();
  if (!absl::Base64Unescape(encoded, &image.bytes) && !absl::WebSafeBase64Unescape(encoded, &image.bytes)) {
    return absl::InvalidArgumentError("the image's inline data is not base64");
  }
  return image;
}

void ReplaceWithLink(json& response, const InlineImageAt& at, absl::string_view link) {
  json& part = response["candidates"][at.candidate]["content"]["parts"][at.part];
  json replacement = json::object();
  replacement["text"] = absl::StrCat("\n\n![image](", MarkdownSafe(link), ")\n\n");
  if (const json* signature = Member(part, "thoughtSignature"); signature != nullptr) {
    replacement["thoughtSignature"] = *signature;
  }
  part = std::move(replacement);
}

}  // namespace gempool::imagehost
