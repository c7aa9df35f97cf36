#include "content_converter.h"

#include <map>
#include <optional>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gempool/anthropic/thought_signature.h"
#include "gempool/common/status_macros.h"
#include "gempool/openai/errors.h"
#include "gempool/openai/json_fields.h"
#include "gempool/openai/model_id.h"
#include "media_blocks.h"
#include "turns.h"

namespace gempool::anthropic::internal {
namespace {

using nlohmann::json;
using openai::FieldError;
using openai::Find;
using openai::JsonTypeName;
using openai::OneMember;
using openai::OptBool;
using openai::OptString;
using openai::Path;
using openai::Preview;

// Claude Code's attribution block; the Anthropic API strips it, and for any
// other model it is noise that changes with every release (anthropic.md §6).
constexpr absl::string_view kBillingHeader = "x-anthropic-billing-header:";
// Anthropic's own tool-use ids; any other id came from Gemini (functionCall.id)
// and goes back to it.
constexpr absl::string_view kAnthropicIdPrefix = "toolu_";

// Blocks echoed from Anthropic's server tools: no Gemini form, nothing for
// the model to act on here.
bool IsServerToolHistory(absl::string_view type) {
  return type == "server_tool_use" || type == "mcp_tool_use" || type == "mcp_tool_result" ||
         (absl::EndsWith(type, "_tool_result") && type != "tool_result");
}

absl::StatusOr<std::string> RequiredString(const json& object, absl::string_view key, const std::string& path) {
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> value, OptString(object, key, path));
  if (!value.has_value()) return FieldError(Path(path, key), "is required");
  return *std::move(value);
}

// The type of the content block at `path`.
absl::StatusOr<std::string> BlockType(const json& block, const std::string& path) {
  if (!block.is_object()) {
    return FieldError(path, absl::StrCat("must be a content block object, got ", JsonTypeName(block)));
  }
  return RequiredString(block, "type", path);
}

// A `search_result` block as text: title, source, then its text blocks.
absl::StatusOr<std::string> SearchResultText(const json& block, const std::string& path) {
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> title, OptString(block, "title", path));
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> source, OptString(block, "source", path));
  std::vector<std::string> lines;
  if (title.has_value() && !title->empty()) lines.push_back(*title);
  if (source.has_value() && !source->empty()) lines.push_back(*source);
  if (const json* content = Find(block, "content"); content != nullptr && content->is_array()) {
    for (const json& item : *content) {
      if (item.is_object() && item.contains("text") && item["text"].is_string()) {
        lines.push_back(item["text"].get<std::string>());
      }
    }
  }
  return absl::StrJoin(lines, "\n");
}

class ConversationConverter {
 public:
  ConversationConverter(const std::string& model, const openai::ConversionOptions& options)
      : model_(model), options_(options), media_{options, out_.fetches, out_.text_bytes} {}

  absl::StatusOr<ConvertedConversation> Run(const json* system, const json* messages) {
    if (system != nullptr) {
      GEMPOOL_ASSIGN_OR_RETURN(std::vector<std::string> texts, SystemTexts(*system, "system"));
      for (std::string& text : texts) AddSystemText(std::move(text));
    }
    if (messages == nullptr) return FieldError("messages", "is required (an array of {role, content} messages)");
    if (!messages->is_array()) {
      return FieldError("messages", absl::StrCat("must be an array of messages, got ", JsonTypeName(*messages)));
    }
    if (messages->empty()) return FieldError("messages", "must contain at least one message");
    for (size_t i = 0; i < messages->size(); ++i) {
      GEMPOOL_RETURN_IF_ERROR(ConvertMessage((*messages)[i], Path("messages", i)));
    }
    if (!pending_reminders_.empty()) {
      Turn& turn = NewTurn(false, "messages");
      MovePendingReminders(turn);
    }
    GEMPOOL_RETURN_IF_ERROR(PairCallsAndResults(turns_, &out_.warnings));
    FillMissingSignatures(turns_, model_, options_, &out_.warnings);
    for (Turn& turn : turns_) out_.contents.push_back(FinishTurn(turn));

    if (!system_parts_.empty()) {
      if (out_.contents.empty()) {
        // Gemini rejects a request without contents: the instructions become
        // the user turn.
        out_.contents.push_back(json{{"role", "user"}, {"parts", std::move(system_parts_)}});
        out_.warnings.push_back("messages has only system text; it was sent as the user turn, since Gemini needs one");
      } else {
        out_.system_instruction = OneMember("parts", std::move(system_parts_));
      }
    }
    if (out_.contents.empty()) {
      return FieldError("messages", "contains no content to send (every message is empty)");
    }
    FinishFetches(out_.contents, out_.fetches);
    return std::move(out_);
  }

 private:
  absl::Status ConvertMessage(const json& message, const std::string& path) {
    if (!message.is_object()) {
      return FieldError(path, absl::StrCat("must be an object {role, content}, got ", JsonTypeName(message)));
    }
    GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> role, OptString(message, "role", path));
    if (!role.has_value()) return FieldError(Path(path, "role"), "is required (user or assistant)");
    if (*role == "system") return ConvertSystemMessage(message, path);
    if (*role != "user" && *role != "assistant") {
      return FieldError(Path(path, "role"),
                        absl::StrCat("'", Preview(*role), "' is not a message role: use user or assistant (or "
                                                          "system for mid-conversation instructions)"));
    }
    const json* content = Find(message, "content");
    std::string content_path = Path(path, "content");
    if (content == nullptr) return FieldError(content_path, "is required");
    json blocks;
    if (content->is_string()) {
      blocks = json::array({json{{"type", "text"}, {"text", *content}}});
    } else if (content->is_array()) {
      blocks = *content;
    } else {
      return FieldError(content_path, absl::StrCat("must be a string or an array of content blocks, got ",
                                                   JsonTypeName(*content)));
    }
    return *role == "user" ? ConvertUser(blocks, path) : ConvertAssistant(blocks, path);
  }

  // --- system ---

  // The texts of a `system` value or a system message's content.
  absl::StatusOr<std::vector<std::string>> SystemTexts(const json& value, const std::string& path) {
    std::vector<std::string> texts;
    if (value.is_string()) {
      texts.push_back(value.get<std::string>());
    } else if (value.is_array()) {
      for (size_t i = 0; i < value.size(); ++i) {
        std::string block_path = Path(path, i);
        GEMPOOL_ASSIGN_OR_RETURN(std::string type, BlockType(value[i], block_path));
        if (type != "text") {
          return FieldError(Path(block_path, "type"),
                            absl::StrCat("'", Preview(type), "' is not supported in system content: use text "
                                                             "blocks"));
        }
        GEMPOOL_ASSIGN_OR_RETURN(std::string text, RequiredString(value[i], "text", block_path));
        texts.push_back(std::move(text));
      }
    } else {
      return FieldError(path, absl::StrCat("must be a string or an array of text blocks, got ", JsonTypeName(value)));
    }
    std::vector<std::string> kept;
    for (std::string& text : texts) {
      if (text.empty() || absl::StartsWith(text, kBillingHeader)) continue;
      out_.text_bytes += text.size();
      kept.push_back(std::move(text));
    }
    return kept;
  }

  void AddSystemText(std::string text) { system_parts_.push_back(OneMember("text", std::move(text))); }

  // Leading system messages join systemInstruction; later ones become user
  // text after the user turn they follow (anthropic.md §1.3, §7.1).
  absl::Status ConvertSystemMessage(const json& message, const std::string& path) {
    const json* content = Find(message, "content");
    if (content == nullptr) return FieldError(Path(path, "content"), "is required");
    GEMPOOL_ASSIGN_OR_RETURN(std::vector<std::string> texts, SystemTexts(*content, Path(path, "content")));
    if (texts.empty()) return absl::OkStatus();
    if (turns_.empty()) {
      for (std::string& text : texts) AddSystemText(std::move(text));
      return absl::OkStatus();
    }
    json reminder =
        OneMember("text", absl::StrCat("<system-reminder>\n", absl::StrJoin(texts, "\n\n"), "\n</system-reminder>"));
    if (!turns_.back().model) {
      turns_.back().reminders.push_back(std::move(reminder));
    } else {
      // After an assistant turn (against Anthropic's rules, but harmless):
      // it waits for the next user turn, so that it never lands between a
      // call and its response.
      pending_reminders_.push_back(std::move(reminder));
    }
    return absl::OkStatus();
  }

  void MovePendingReminders(Turn& turn) {
    for (json& reminder : pending_reminders_) turn.reminders.push_back(std::move(reminder));
    pending_reminders_.clear();
  }

  // --- turns ---

  Turn& NewTurn(bool model, const std::string& path) {
    turns_.emplace_back();
    turns_.back().model = model;
    turns_.back().path = path;
    return turns_.back();
  }

  // The turn a message of this role adds to: the last one when it has the
  // same role (Anthropic merges consecutive same-role messages too).
  Turn& TurnFor(bool model, const std::string& path) {
    if (!turns_.empty() && turns_.back().model == model) return turns_.back();
    return NewTurn(model, path);
  }

  // --- user messages ---

  absl::Status ConvertUser(const json& blocks, const std::string& path) {
    Turn scratch;
    for (size_t j = 0; j < blocks.size(); ++j) {
      GEMPOOL_RETURN_IF_ERROR(ConvertUserBlock(blocks[j], Path(Path(path, "content"), j), scratch));
    }
    if (scratch.parts.empty() && scratch.responses.empty() && scratch.result_media.empty()) {
      if (pending_reminders_.empty()) {
        out_.warnings.push_back(absl::StrCat(path, " has no content and was skipped (Gemini rejects empty turns)"));
        return absl::OkStatus();
      }
    }
    Turn& turn = TurnFor(false, path);
    for (json& part : scratch.parts) turn.parts.push_back(std::move(part));
    for (json& part : scratch.result_media) turn.result_media.push_back(std::move(part));
    for (Response& response : scratch.responses) turn.responses.push_back(std::move(response));
    MovePendingReminders(turn);
    return absl::OkStatus();
  }

  absl::Status ConvertUserBlock(const json& block, const std::string& path, Turn& turn) {
    GEMPOOL_ASSIGN_OR_RETURN(std::string type, BlockType(block, path));
    if (type == "text") return AddText(block, path, turn.parts);
    if (type == "image") return ConvertImageBlock(block, path, media_, turn.parts);
    if (type == "document") return ConvertDocumentBlock(block, path, media_, turn.parts);
    if (type == "tool_result") return ConvertToolResult(block, path, turn);
    if (type == "search_result") {
      GEMPOOL_ASSIGN_OR_RETURN(std::string text, SearchResultText(block, path));
      return AddTextValue(std::move(text), turn.parts);
    }
    // Thinking belongs to assistant turns; a client that echoes it here
    // changes nothing Gemini can use.
    if (type == "thinking" || type == "redacted_thinking") return absl::OkStatus();
    if (type == "tool_use") {
      return FieldError(Path(path, "type"), "'tool_use' is only allowed in assistant messages");
    }
    return UnsupportedBlock(type, path);
  }

  absl::Status UnsupportedBlock(const std::string& type, const std::string& path) {
    if (IsServerToolHistory(type)) {
      out_.warnings.push_back(absl::StrCat(path, " ('", type,
                                           "', history of an Anthropic server tool) was dropped: Gemini cannot "
                                           "replay it"));
      return absl::OkStatus();
    }
    return FieldError(Path(path, "type"),
                      absl::StrCat("'", Preview(type),
                                   "' is not supported: use text, image, document, tool_use, tool_result or "
                                   "thinking blocks"));
  }

  absl::Status AddText(const json& block, const std::string& path, json& parts) {
    GEMPOOL_ASSIGN_OR_RETURN(std::string text, RequiredString(block, "text", path));
    return AddTextValue(std::move(text), parts);
  }

  absl::Status AddTextValue(std::string text, json& parts) {
    if (text.empty()) return absl::OkStatus();
    out_.text_bytes += text.size();
    parts.push_back(OneMember("text", std::move(text)));
    return absl::OkStatus();
  }

  absl::Status ConvertToolResult(const json& block, const std::string& path, Turn& turn) {
    GEMPOOL_ASSIGN_OR_RETURN(std::string id, RequiredString(block, "tool_use_id", path));
    auto name = call_names_.find(id);
    if (name == call_names_.end()) {
      return FieldError(Path(path, "tool_use_id"), absl::StrCat("'", Preview(id),
                                                                "' matches no tool_use block of an earlier assistant "
                                                                "message"));
    }
    GEMPOOL_ASSIGN_OR_RETURN(std::optional<bool> is_error, OptBool(block, "is_error", path));
    std::vector<std::string> texts;
    const json* content = Find(block, "content");
    std::string content_path = Path(path, "content");
    if (content != nullptr && content->is_string()) {
      texts.push_back(content->get<std::string>());
    } else if (content != nullptr && content->is_array()) {
      for (size_t k = 0; k < content->size(); ++k) {
        GEMPOOL_RETURN_IF_ERROR(ConvertResultBlock((*content)[k], Path(content_path, k), texts, turn.result_media));
      }
    } else if (content != nullptr) {
      return FieldError(content_path, absl::StrCat("must be a string or an array of content blocks, got ",
                                                   JsonTypeName(*content)));
    }
    std::string output = absl::StrJoin(texts, "\n");
    out_.text_bytes += output.size();
    json response = OneMember(is_error.value_or(false) ? "error" : "output", std::move(output));
    json call(json::value_t::object);
    if (!absl::StartsWith(id, kAnthropicIdPrefix)) call["id"] = id;
    call["name"] = name->second;
    call["response"] = std::move(response);
    turn.responses.push_back(Response{id, path, OneMember("functionResponse", std::move(call))});
    return absl::OkStatus();
  }

  // One block of a tool_result's content: text is collected for the
  // response; images and PDFs follow the responses as parts of their own.
  absl::Status ConvertResultBlock(const json& block, const std::string& path, std::vector<std::string>& texts,
                                  json& media) {
    GEMPOOL_ASSIGN_OR_RETURN(std::string type, BlockType(block, path));
    if (type == "text") {
      GEMPOOL_ASSIGN_OR_RETURN(std::string text, RequiredString(block, "text", path));
      texts.push_back(std::move(text));
      return absl::OkStatus();
    }
    if (type == "image") return ConvertImageBlock(block, path, media_, media);
    if (type == "document") return ConvertDocumentBlock(block, path, media_, media);
    if (type == "search_result") {
      GEMPOOL_ASSIGN_OR_RETURN(std::string text, SearchResultText(block, path));
      texts.push_back(std::move(text));
      return absl::OkStatus();
    }
    if (type == "tool_reference") {
      // Tool search results: every tool is declared to Gemini up front
      // (defer_loading is ignored), so the reference only names it.
      GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> tool, OptString(block, "tool_name", path));
      texts.push_back(absl::StrCat("Tool loaded: ", tool.value_or("")));
      return absl::OkStatus();
    }
    return FieldError(Path(path, "type"),
                      absl::StrCat("'", Preview(type), "' is not supported in tool_result content: use text, "
                                                       "image, document or search_result blocks"));
  }

  // --- assistant messages ---

  absl::Status ConvertAssistant(const json& blocks, const std::string& path) {
    if (!pending_reminders_.empty()) {
      // A system message between two assistant messages still needs a user
      // turn of its own.
      MovePendingReminders(NewTurn(false, path));
    }
    return ConvertAssistantBlocks(blocks, path, TurnFor(true, path));
  }

  absl::Status ConvertAssistantBlocks(const json& blocks, const std::string& path, Turn& turn) {
    const size_t first_part = turn.parts.size();
    // A gempool signature tagged 'next' waits here for the part it belongs to.
    std::optional<std::string> next_signature;
    auto add = [&](json part) {
      if (next_signature.has_value()) {
        part["thoughtSignature"] = *std::move(next_signature);
        next_signature.reset();
      }
      turn.parts.push_back(std::move(part));
    };
    for (size_t j = 0; j < blocks.size(); ++j) {
      const json& block = blocks[j];
      std::string block_path = Path(Path(path, "content"), j);
      GEMPOOL_ASSIGN_OR_RETURN(std::string type, BlockType(block, block_path));
      if (type == "text") {
        GEMPOOL_ASSIGN_OR_RETURN(std::string text, RequiredString(block, "text", block_path));
        if (text.empty()) continue;
        out_.text_bytes += text.size();
        add(OneMember("text", std::move(text)));
      } else if (type == "tool_use") {
        GEMPOOL_ASSIGN_OR_RETURN(json call, ConvertToolUse(block, block_path));
        turn.calls.push_back(Call{openai::StringOr(block, "id", ""), block_path, turn.parts.size()});
        add(std::move(call));
      } else if (type == "thinking") {
        GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> signature, OptString(block, "signature", block_path));
        std::optional<TaggedSignature> tagged =
            signature.has_value() ? ParseTaggedSignature(*signature) : std::nullopt;
        // Untagged: a Claude signature, meaningless to Gemini.
        if (!tagged.has_value() || tagged->gemini_signature.empty()) continue;
        if (tagged->anchor == SignatureAnchor::kNext) {
          next_signature = std::move(tagged->gemini_signature);
        } else if (tagged->anchor == SignatureAnchor::kPrevious) {
          if (turn.parts.size() > first_part) turn.parts.back()["thoughtSignature"] = tagged->gemini_signature;
        } else {
          GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> thinking, OptString(block, "thinking", block_path));
          out_.text_bytes += thinking.value_or("").size();
          json part(json::value_t::object);
          part["text"] = thinking.value_or("");
          part["thought"] = true;
          part["thoughtSignature"] = std::move(tagged->gemini_signature);
          turn.parts.push_back(std::move(part));
        }
      } else if (type == "redacted_thinking") {
        continue;
      } else if (type == "tool_result" || type == "image" || type == "document") {
        return FieldError(Path(block_path, "type"),
                          absl::StrCat("'", type, "' is not allowed in assistant messages (only in user messages)"));
      } else {
        GEMPOOL_RETURN_IF_ERROR(UnsupportedBlock(type, block_path));
      }
    }
    if (turn.parts.empty()) {
      out_.warnings.push_back(absl::StrCat(path, " has no content Gemini can take and was skipped"));
      turns_.pop_back();
    }
    return absl::OkStatus();
  }

  absl::StatusOr<json> ConvertToolUse(const json& block, const std::string& path) {
    GEMPOOL_ASSIGN_OR_RETURN(std::string id, RequiredString(block, "id", path));
    if (id.empty()) return FieldError(Path(path, "id"), "must not be empty");
    GEMPOOL_ASSIGN_OR_RETURN(std::string name, RequiredString(block, "name", path));
    if (name.empty()) return FieldError(Path(path, "name"), "must not be empty");
    json args = json::object();
    if (const json* input = Find(block, "input"); input != nullptr) {
      if (!input->is_object()) {
        return FieldError(Path(path, "input"), absl::StrCat("must be an object, got ", JsonTypeName(*input)));
      }
      args = *input;
    }
    out_.text_bytes += name.size() + args.dump().size();
    call_names_[id] = name;
    json call(json::value_t::object);
    if (!absl::StartsWith(id, kAnthropicIdPrefix)) call["id"] = id;
    call["name"] = std::move(name);
    call["args"] = std::move(args);
    return OneMember("functionCall", std::move(call));
  }

  const std::string& model_;
  const openai::ConversionOptions& options_;
  ConvertedConversation out_;
  MediaContext media_;
  json system_parts_ = json::array();
  std::vector<Turn> turns_;
  std::vector<json> pending_reminders_;
  std::map<std::string, std::string> call_names_;
};

}  // namespace

absl::StatusOr<ConvertedConversation> ConvertConversation(const json* system, const json* messages,
                                                          const std::string& upstream_model,
                                                          const openai::ConversionOptions& options) {
  ConversationConverter converter(upstream_model, options);
  return converter.Run(system, messages);
}

}  // namespace gempool::anthropic::internal
