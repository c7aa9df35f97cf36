#include "message_converter.h"

#include <algorithm>
#include <limits>
#include <map>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gempool/common/status_macros.h"
#include "gempool/openai/errors.h"
#include "gempool/openai/json_fields.h"
#include "gempool/openai/json_reader.h"
#include "gempool/openai/media.h"
#include "gempool/openai/model_id.h"

namespace gempool::openai::internal {
namespace {

using nlohmann::json;

// Google's documented value for function calls whose real signature is lost.
constexpr char kSkipThoughtSignature[] = "skip_thought_signature_validator";
constexpr absl::string_view kGoogleFilesHost = "https://generativelanguage.googleapis.com/";

std::string SupportedPartsHint() {
  return "supported types are text, image_url, input_audio and file (video and documents go in a 'file' part "
         "with a data: URL, or a Files API file_id 'files/...')";
}

// The thought signature in `holder.extra_content.google.thought_signature`.
absl::StatusOr<std::optional<std::string>> ThoughtSignature(const json& holder, absl::string_view path) {
  GEMPOOL_ASSIGN_OR_RETURN(const json* extra, OptObject(holder, "extra_content", path));
  if (extra == nullptr) return std::optional<std::string>();
  std::string extra_path = Path(path, "extra_content");
  GEMPOOL_ASSIGN_OR_RETURN(const json* google, OptObject(*extra, "google", extra_path));
  if (google == nullptr) return std::optional<std::string>();
  return OptString(*google, "thought_signature", Path(extra_path, "google"));
}

// The Files API name ("files/abc") in a Files API URI, or "".
std::string FilesApiName(absl::string_view url, const ConversionOptions& options) {
  if (!absl::StartsWith(url, kGoogleFilesHost) &&
      !(!options.files_uri_base.empty() && absl::StartsWith(url, options.files_uri_base))) {
    return "";
  }
  size_t at = url.find("/files/");
  if (at == absl::string_view::npos) return "";
  absl::string_view name = url.substr(at + 1);
  name = name.substr(0, name.find_first_of("?#"));
  if (name.size() <= 6) return "";
  return std::string(name);
}

class MessageConverter {
 public:
  MessageConverter(const std::string& model, const ConversionOptions& options) : model_(model), options_(options) {}

  absl::StatusOr<ConvertedMessages> Run(const json& messages) {
    if (!messages.is_array()) {
      return FieldError("messages", absl::StrCat("must be an array of messages, got ", JsonTypeName(messages)));
    }
    if (messages.empty()) return FieldError("messages", "must contain at least one message");
    for (size_t i = 0; i < messages.size(); ++i) {
      GEMPOOL_RETURN_IF_ERROR(ConvertOne(messages[i], Path("messages", i)));
    }
    FlushToolResults();

    if (!system_parts_.empty()) {
      if (out_.contents.empty()) {
        // Gemini rejects a request without contents: the instructions become
        // the user turn.
        out_.contents.push_back(json{{"role", "user"}, {"parts", system_parts_}});
        out_.warnings.push_back(
            "messages has only system/developer messages; they were sent as the user turn, since Gemini needs one");
      } else {
        out_.system_instruction = json{{"parts", system_parts_}};
      }
    }
    if (out_.contents.empty()) {
      return FieldError("messages", "contains no content to send (every message is empty)");
    }
    return std::move(out_);
  }

 private:
  absl::Status ConvertOne(const json& message, const std::string& path) {
    if (!message.is_object()) {
      return FieldError(path, absl::StrCat("must be an object, got ", JsonTypeName(message)));
    }
    GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> role, OptString(message, "role", path));
    if (!role.has_value()) return FieldError(Path(path, "role"), "is required");
    if (*role == "system" || *role == "developer") return ConvertSystem(message, path);
    if (*role == "user") {
      FlushToolResults();
      return ConvertUser(message, path);
    }
    if (*role == "assistant") {
      FlushToolResults();
      return ConvertAssistant(message, path);
    }
    if (*role == "tool") return ConvertToolResult(message, path);
    if (*role == "function") {
      return FieldError(Path(path, "role"),
                        "'function' (the deprecated function-calling API) is not supported: send tools, "
                        "assistant tool_calls and 'tool' messages instead");
    }
    return FieldError(Path(path, "role"),
                      absl::StrCat("'", *role, "' is not a chat role: use system, developer, user, assistant or tool"));
  }

  // Text of a system/developer/tool message: a string or text parts only.
  absl::StatusOr<std::vector<std::string>> TextOnly(const json& message, const std::string& path,
                                                    absl::string_view who) {
    std::vector<std::string> texts;
    const json* content = Find(message, "content");
    if (content == nullptr) return texts;
    std::string content_path = Path(path, "content");
    if (content->is_string()) {
      texts.push_back(content->get<std::string>());
      return texts;
    }
    if (!content->is_array()) {
      return FieldError(content_path, absl::StrCat("must be a string or an array of text parts, got ",
                                                   JsonTypeName(*content)));
    }
    for (size_t j = 0; j < content->size(); ++j) {
      const json& part = (*content)[j];
      std::string part_path = Path(content_path, j);
      GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> type, OptString(part, "type", part_path));
      if (!part.is_object() || !type.has_value()) {
        return FieldError(Path(part_path, "type"), "is required (a content part object with a type)");
      }
      if (*type != "text") {
        return FieldError(Path(part_path, "type"),
                          absl::StrCat("'", *type, "' is not supported in ", who, " messages: only text parts are"));
      }
      GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> text, OptString(part, "text", part_path));
      if (!text.has_value()) return FieldError(Path(part_path, "text"), "is required");
      texts.push_back(*text);
    }
    return texts;
  }

  absl::Status ConvertSystem(const json& message, const std::string& path) {
    GEMPOOL_ASSIGN_OR_RETURN(std::vector<std::string> texts, TextOnly(message, path, "system/developer"));
    for (std::string& text : texts) {
      if (!text.empty()) system_parts_.push_back(OneMember("text", std::move(text)));
    }
    return absl::OkStatus();
  }

  absl::Status ConvertUser(const json& message, const std::string& path) {
    json parts = json::array();
    const json* content = Find(message, "content");
    std::string content_path = Path(path, "content");
    if (content == nullptr) {
      return FieldError(content_path, "is required for user messages");
    }
    if (content->is_string()) {
      if (!content->get_ref<const std::string&>().empty()) parts.push_back(OneMember("text", *content));
    } else if (content->is_array()) {
      if (content->empty()) return FieldError(content_path, "must not be an empty array");
      for (size_t j = 0; j < content->size(); ++j) {
        GEMPOOL_RETURN_IF_ERROR(ConvertUserPart((*content)[j], Path(content_path, j), parts));
      }
    } else {
      return FieldError(content_path,
                        absl::StrCat("must be a string or an array of content parts, got ", JsonTypeName(*content)));
    }
    if (parts.empty()) {
      out_.warnings.push_back(absl::StrCat(path, " is empty and was skipped (Gemini rejects empty turns)"));
      return absl::OkStatus();
    }
    json turn(json::value_t::object);
    turn.emplace("parts", std::move(parts));
    turn.emplace("role", "user");
    out_.contents.push_back(std::move(turn));
    return absl::OkStatus();
  }

  absl::Status ConvertUserPart(const json& part, const std::string& path, json& parts) {
    if (!part.is_object()) {
      return FieldError(path, absl::StrCat("must be a content part object, got ", JsonTypeName(part)));
    }
    GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> type, OptString(part, "type", path));
    if (!type.has_value()) return FieldError(Path(path, "type"), "is required");
    if (*type == "text") {
      GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> text, OptString(part, "text", path));
      if (!text.has_value()) return FieldError(Path(path, "text"), "is required");
      if (!text->empty()) parts.push_back(json{{"text", *text}});
      return absl::OkStatus();
    }
    if (*type == "image_url") return ConvertImage(part, path, parts);
    if (*type == "input_audio") return ConvertAudio(part, path, parts);
    if (*type == "file") return ConvertFile(part, path, parts);
    return FieldError(Path(path, "type"), absl::StrCat("'", *type, "' is not supported: ", SupportedPartsHint()));
  }

  absl::Status ConvertImage(const json& part, const std::string& path, json& parts) {
    std::string image_path = Path(path, "image_url");
    const json* image = Find(part, "image_url");
    if (image == nullptr) return FieldError(image_path, "is required");
    std::string url;
    std::string url_path = image_path;
    if (image->is_string()) {
      url = image->get<std::string>();
    } else if (image->is_object()) {
      url_path = Path(image_path, "url");
      GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> value, OptString(*image, "url", image_path));
      if (!value.has_value()) return FieldError(url_path, "is required");
      url = *value;
    } else {
      return FieldError(image_path, absl::StrCat("must be an object {url, detail}, got ", JsonTypeName(*image)));
    }
    out_.has_media = true;

    if (absl::StartsWithIgnoreCase(url, "data:")) {
      auto data = ParseDataUrl(url);
      if (!data.ok()) return FieldError(url_path, data.status().message());
      std::string mime = data->mime_type;
      if (mime.empty() || mime == "application/octet-stream") {
        std::string head;
        absl::Base64Unescape(data->base64_data.substr(0, 32), &head);
        std::optional<std::string> sniffed = SniffImageMime(head);
        if (!sniffed.has_value()) {
          return FieldError(url_path, "is a data: URL without an image media type (use data:image/png;base64,...)");
        }
        mime = *sniffed;
      }
      parts.push_back(json{{"inlineData", {{"mimeType", mime}, {"data", std::move(data->base64_data)}}}});
      return absl::OkStatus();
    }
    if (absl::StartsWithIgnoreCase(url, "https://") || absl::StartsWithIgnoreCase(url, "http://")) {
      std::string file_name = FilesApiName(url, options_);
      if (!file_name.empty()) {
        out_.file_names.push_back(file_name);
        parts.push_back(json{{"fileData", {{"fileUri", url}}}});
        return absl::OkStatus();
      }
      if (!options_.allow_remote_media) {
        return FieldError(url_path,
                          "is a remote URL, which this gateway does not fetch: send the image as a data: URL "
                          "(data:image/png;base64,...)");
      }
      MediaFetch fetch;
      fetch.url = url;
      fetch.field = url_path;
      fetch.content_index = out_.contents.size();
      fetch.part_index = parts.size();
      out_.fetches.push_back(std::move(fetch));
      parts.push_back(json{{"inlineData", {{"mimeType", ""}, {"data", ""}}}});
      return absl::OkStatus();
    }
    return FieldError(url_path, absl::StrCat("has an unsupported scheme ('", Preview(url),
                                             "'): use a data: URL or an http(s) URL"));
  }

  absl::Status ConvertAudio(const json& part, const std::string& path, json& parts) {
    std::string audio_path = Path(path, "input_audio");
    GEMPOOL_ASSIGN_OR_RETURN(const json* audio, OptObject(part, "input_audio", path));
    if (audio == nullptr) return FieldError(audio_path, "is required");
    GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> data, OptString(*audio, "data", audio_path));
    GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> format, OptString(*audio, "format", audio_path));
    if (!data.has_value() || data->empty()) return FieldError(Path(audio_path, "data"), "is required (base64 audio)");
    out_.has_media = true;
    std::string mime;
    std::string base64;
    if (absl::StartsWithIgnoreCase(*data, "data:")) {
      auto parsed = ParseDataUrl(*data);
      if (!parsed.ok()) return FieldError(Path(audio_path, "data"), parsed.status().message());
      mime = parsed->mime_type;
      base64 = std::move(parsed->base64_data);
    } else {
      if (!LooksLikeBase64(*data)) return FieldError(Path(audio_path, "data"), "is not valid base64");
      base64 = std::move(*data);
    }
    if (format.has_value()) {
      std::optional<std::string> format_mime = AudioMimeForFormat(*format);
      if (!format_mime.has_value()) {
        return FieldError(Path(audio_path, "format"),
                          absl::StrCat("'", *format, "' is not supported: use wav, mp3, aiff, aac, ogg or flac"));
      }
      mime = *format_mime;
    }
    if (mime.empty()) return FieldError(Path(audio_path, "format"), "is required (wav or mp3)");
    parts.push_back(json{{"inlineData", {{"mimeType", mime}, {"data", std::move(base64)}}}});
    return absl::OkStatus();
  }

  absl::Status ConvertFile(const json& part, const std::string& path, json& parts) {
    std::string file_path = Path(path, "file");
    GEMPOOL_ASSIGN_OR_RETURN(const json* file, OptObject(part, "file", path));
    if (file == nullptr) return FieldError(file_path, "is required");
    GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> file_data, OptString(*file, "file_data", file_path));
    GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> file_id, OptString(*file, "file_id", file_path));
    GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> filename, OptString(*file, "filename", file_path));
    std::optional<std::string> name_mime = filename.has_value() ? MimeFromFilename(*filename) : std::nullopt;
    out_.has_media = true;

    if (file_data.has_value() && !file_data->empty()) {
      std::string data_path = Path(file_path, "file_data");
      if (absl::StartsWithIgnoreCase(*file_data, "data:")) {
        auto parsed = ParseDataUrl(*file_data);
        if (!parsed.ok()) return FieldError(data_path, parsed.status().message());
        std::string mime = parsed->mime_type;
        if (mime.empty() || mime == "application/octet-stream") mime = name_mime.value_or(mime);
        if (mime.empty()) {
          return FieldError(data_path, "is a data: URL without a media type, and filename gives none");
        }
        parts.push_back(json{{"inlineData", {{"mimeType", mime}, {"data", std::move(parsed->base64_data)}}}});
        return absl::OkStatus();
      }
      if (!LooksLikeBase64(*file_data)) {
        return FieldError(data_path, "must be a data: URL (data:application/pdf;base64,...) or base64 data");
      }
      if (!name_mime.has_value()) {
        return FieldError(Path(file_path, "filename"),
                          "must name a known file type (e.g. report.pdf) when file_data is bare base64; or send "
                          "file_data as a data: URL with its media type");
      }
      parts.push_back(json{{"inlineData", {{"mimeType", *name_mime}, {"data", *file_data}}}});
      return absl::OkStatus();
    }
    if (file_id.has_value() && !file_id->empty()) {
      std::string id_path = Path(file_path, "file_id");
      std::string name;
      std::string uri;
      if (absl::StartsWith(*file_id, "files/")) {
        name = *file_id;
        uri = absl::StrCat(options_.files_uri_base, name);
      } else {
        name = FilesApiName(*file_id, options_);
        uri = *file_id;
      }
      if (name.empty()) {
        return FieldError(id_path, absl::StrCat("'", Preview(*file_id),
                                                "' is not a Gemini Files API file: OpenAI file ids have no Gemini "
                                                "equivalent; upload with the Files API and pass 'files/<id>', or "
                                                "send file_data"));
      }
      out_.file_names.push_back(name);
      json file_data_part = json{{"fileUri", uri}};
      if (name_mime.has_value()) file_data_part["mimeType"] = *name_mime;
      parts.push_back(json{{"fileData", std::move(file_data_part)}});
      return absl::OkStatus();
    }
    return FieldError(file_path, "needs file_data (a data: URL) or file_id ('files/...')");
  }

  absl::Status ConvertAssistant(const json& message, const std::string& path) {
    json parts = json::array();
    const json* content = Find(message, "content");
    std::string content_path = Path(path, "content");
    if (content != nullptr) {
      if (content->is_string()) {
        if (!content->get_ref<const std::string&>().empty()) parts.push_back(OneMember("text", *content));
      } else if (content->is_array()) {
        for (size_t j = 0; j < content->size(); ++j) {
          const json& part = (*content)[j];
          std::string part_path = Path(content_path, j);
          GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> type, OptString(part, "type", part_path));
          if (!part.is_object() || !type.has_value()) return FieldError(Path(part_path, "type"), "is required");
          const char* key = *type == "text" ? "text" : *type == "refusal" ? "refusal" : nullptr;
          if (key == nullptr) {
            return FieldError(Path(part_path, "type"),
                              absl::StrCat("'", *type, "' is not supported in assistant messages: use text parts"));
          }
          GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> text, OptString(part, key, part_path));
          if (text.has_value() && !text->empty()) parts.push_back(json{{"text", *text}});
        }
      } else {
        return FieldError(content_path, absl::StrCat("must be a string, an array of text parts or null, got ",
                                                     JsonTypeName(*content)));
      }
    }
    GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> text_signature, ThoughtSignature(message, path));
    if (text_signature.has_value() && !parts.empty()) parts.back()["thoughtSignature"] = *text_signature;

    if (Find(message, "function_call") != nullptr) {
      return FieldError(Path(path, "function_call"),
                        "(the deprecated function-calling API) is not supported: use tool_calls");
    }
    GEMPOOL_ASSIGN_OR_RETURN(const json* tool_calls, OptArray(message, "tool_calls", path));
    last_call_ids_.clear();
    if (tool_calls != nullptr) {
      std::string calls_path = Path(path, "tool_calls");
      size_t first_call_part = parts.size();
      bool any_signature = false;
      for (size_t k = 0; k < tool_calls->size(); ++k) {
        const json& call = (*tool_calls)[k];
        std::string call_path = Path(calls_path, k);
        if (!call.is_object()) return FieldError(call_path, "must be an object");
        GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> type, OptString(call, "type", call_path));
        if (type.has_value() && *type != "function") {
          return FieldError(Path(call_path, "type"),
                            absl::StrCat("'", *type, "' is not supported: Gemini has only function calls"));
        }
        GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> id, OptString(call, "id", call_path));
        GEMPOOL_ASSIGN_OR_RETURN(const json* function, OptObject(call, "function", call_path));
        if (function == nullptr) return FieldError(Path(call_path, "function"), "is required");
        std::string function_path = Path(call_path, "function");
        GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> name, OptString(*function, "name", function_path));
        if (!name.has_value() || name->empty()) return FieldError(Path(function_path, "name"), "is required");
        json args = json::object();
        if (const json* arguments = Find(*function, "arguments"); arguments != nullptr) {
          std::string args_path = Path(function_path, "arguments");
          if (arguments->is_object()) {
            args = *arguments;
          } else if (arguments->is_string()) {
            const std::string& text = arguments->get_ref<const std::string&>();
            if (!text.empty()) {
              absl::StatusOr<json> parsed = ParseJson(text);
              if (!parsed.ok()) {
                return FieldError(args_path, absl::StrCat("is not valid JSON: '", Preview(text), "'"));
              }
              if (parsed->is_object()) {
                args = *std::move(parsed);
              } else if (!parsed->is_null()) {
                return FieldError(args_path, "must be a JSON object (Gemini function arguments are objects)");
              }
            }
          } else {
            return FieldError(args_path, absl::StrCat("must be a JSON string, got ", JsonTypeName(*arguments)));
          }
        }
        json part = json{{"functionCall", {{"name", *name}, {"args", std::move(args)}}}};
        GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> signature, ThoughtSignature(call, call_path));
        if (signature.has_value()) {
          part["thoughtSignature"] = *signature;
          any_signature = true;
        }
        parts.push_back(std::move(part));
        if (id.has_value() && !id->empty()) {
          call_names_[*id] = *name;
          last_call_ids_.push_back(*id);
        }
      }
      if (!tool_calls->empty() && !any_signature && options_.fill_missing_thought_signatures &&
          IsGemini3Model(model_)) {
        parts[first_call_part]["thoughtSignature"] = kSkipThoughtSignature;
        if (!warned_signature_) {
          out_.warnings.push_back(absl::StrCat(
              calls_path,
              " carries no extra_content.google.thought_signature; Gemini 3 needs it, so the validator skip value "
              "was sent (send back the signatures gempool returns to keep the model's reasoning)"));
          warned_signature_ = true;
        }
      }
    }
    if (parts.empty()) {
      out_.warnings.push_back(absl::StrCat(path, " has no content or tool_calls and was skipped"));
      return absl::OkStatus();
    }
    out_.contents.push_back(json{{"role", "model"}, {"parts", std::move(parts)}});
    return absl::OkStatus();
  }

  absl::Status ConvertToolResult(const json& message, const std::string& path) {
    GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> id, OptString(message, "tool_call_id", path));
    if (!id.has_value() || id->empty()) return FieldError(Path(path, "tool_call_id"), "is required");
    auto name = call_names_.find(*id);
    if (name == call_names_.end()) {
      return FieldError(Path(path, "tool_call_id"),
                        absl::StrCat("'", *id, "' matches no tool_calls[].id of an earlier assistant message"));
    }
    GEMPOOL_ASSIGN_OR_RETURN(std::vector<std::string> texts, TextOnly(message, path, "tool"));
    std::string text;
    for (const std::string& piece : texts) text += piece;

    json response;
    absl::StatusOr<json> parsed = ParseJson(text);
    if (parsed.ok() && parsed->is_object()) {
      response = *std::move(parsed);
    } else if (parsed.ok() && !text.empty()) {
      response = json{{"output", *std::move(parsed)}};
    } else {
      response = json{{"output", text}};
    }
    size_t order = std::numeric_limits<size_t>::max();
    auto position = std::find(last_call_ids_.begin(), last_call_ids_.end(), *id);
    if (position != last_call_ids_.end()) order = static_cast<size_t>(position - last_call_ids_.begin());
    pending_results_.push_back(
        {order, json{{"functionResponse", {{"name", name->second}, {"response", std::move(response)}}}}});
    return absl::OkStatus();
  }

  // Consecutive tool results go in one user turn, in the order of the calls.
  void FlushToolResults() {
    if (pending_results_.empty()) return;
    std::stable_sort(pending_results_.begin(), pending_results_.end(),
                     [](const PendingResult& a, const PendingResult& b) { return a.order < b.order; });
    json parts = json::array();
    for (PendingResult& result : pending_results_) parts.push_back(std::move(result.part));
    out_.contents.push_back(json{{"role", "user"}, {"parts", std::move(parts)}});
    pending_results_.clear();
  }

  struct PendingResult {
    size_t order;
    json part;
  };

  const std::string& model_;
  const ConversionOptions& options_;
  ConvertedMessages out_;
  json system_parts_ = json::array();
  std::map<std::string, std::string> call_names_;
  std::vector<std::string> last_call_ids_;
  std::vector<PendingResult> pending_results_;
  bool warned_signature_ = false;
};

}  // namespace

absl::StatusOr<ConvertedMessages> ConvertMessages(const json& messages, const std::string& upstream_model,
                                                  const ConversionOptions& options) {
  MessageConverter converter(upstream_model, options);
  return converter.Run(messages);
}

}  // namespace gempool::openai::internal
