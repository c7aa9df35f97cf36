#include "gempool/openai/speech.h"

#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "gempool/common/status_macros.h"
#include "gempool/openai/errors.h"
#include "gempool/openai/json_fields.h"
#include "gempool/openai/model_id.h"
#include "gempool/openai/wav.h"

namespace gempool::openai {
namespace {

using nlohmann::json;

constexpr absl::string_view kGeminiVoices[] = {
    "Zephyr",     "Puck",      "Charon",     "Kore",          "Fenrir",       "Leda",
    "Orus",       "Aoede",     "Callirrhoe", "Autonoe",       "Enceladus",    "Iapetus",
    "Umbriel",    "Algieba",   "Despina",    "Erinome",       "Algenib",      "Rasalgethi",
    "Laomedeia",  "Achernar",  "Alnilam",    "Schedar",       "Gacrux",       "Pulcherrima",
    "Achird",     "Zubenelgenubi", "Vindemiatrix", "Sadachbia", "Sadaltager", "Sulafat",
};

}  // namespace

bool IsGeminiVoice(absl::string_view voice, std::string* canonical) {
  for (absl::string_view known : kGeminiVoices) {
    if (absl::EqualsIgnoreCase(known, voice)) {
      if (canonical != nullptr) *canonical = std::string(known);
      return true;
    }
  }
  return false;
}

absl::StatusOr<SpeechRequest> ConvertSpeechRequest(const json& body, const ConversionOptions& options) {
  if (!body.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the request body must be a JSON object, got ", JsonTypeName(body)));
  }
  SpeechRequest out;
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> input, OptString(body, "input", ""));
  if (!input.has_value() || absl::StripAsciiWhitespace(*input).empty()) {
    return FieldError("input", "is required (the text to speak)");
  }

  GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> model, OptString(body, "model", ""));
  std::string id = StripModelsPrefix(model.value_or(""));
  if (!(absl::StartsWith(id, "gemini") && absl::StrContains(id, "tts"))) id = StripModelsPrefix(options.tts_model);
  if (ModelListed(options.filtered_models, id)) {
    return FieldError(absl::StatusCode::kNotFound, "model", absl::StrCat("'", id, "' is not available on this gateway"));
  }
  out.model = id;

  const json* voice = Find(body, "voice");
  std::string canonical;
  if (voice != nullptr && voice->is_string() && IsGeminiVoice(voice->get<std::string>(), &canonical)) {
    out.voice = canonical;
  } else {
    out.voice = options.tts_voice_name;
    if (voice != nullptr) {
      out.warnings.push_back(absl::StrCat("voice ", Preview(*voice), " is not a Gemini voice; ",
                                          out.voice, " was used"));
    }
  }

  GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> format, OptString(body, "response_format", ""));
  std::string response_format = absl::AsciiStrToLower(format.value_or("wav"));
  if (response_format == "pcm") {
    out.pcm_output = true;
  } else if (response_format == "mp3" || response_format == "opus" || response_format == "aac" ||
             response_format == "flac") {
    out.warnings.push_back(absl::StrCat("response_format '", response_format,
                                        "' is not available from Gemini; the audio is WAV"));
  } else if (response_format != "wav") {
    return FieldError("response_format", absl::StrCat("'", *format, "' is not wav, pcm, mp3, opus, aac or flac"));
  }

  GEMPOOL_ASSIGN_OR_RETURN(std::optional<double> speed, OptNumber(body, "speed", ""));
  if (speed.has_value()) {
    if (*speed < 0.25 || *speed > 4.0) return FieldError("speed", "must be between 0.25 and 4.0");
    if (*speed != 1.0) out.warnings.push_back("speed is not supported by Gemini TTS; ignored");
  }
  GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> stream_format, OptString(body, "stream_format", ""));
  if (stream_format.has_value() && *stream_format != "audio") {
    return FieldError("stream_format", absl::StrCat("'", *stream_format, "' is not supported: only audio"));
  }

  GEMPOOL_ASSIGN_OR_RETURN(std::optional<std::string> instructions, OptString(body, "instructions", ""));
  std::string text = *input;
  if (instructions.has_value()) {
    absl::string_view style = absl::StripAsciiWhitespace(*instructions);
    while (!style.empty() && (style.back() == '.' || style.back() == ':')) style.remove_suffix(1);
    if (!style.empty()) text = absl::StrCat(style, ": ", *input);
  }
  // TTS_SPEED, in gemini-balance's words.
  const absl::string_view tts_speed = absl::StripAsciiWhitespace(options.tts_speed);
  if (!tts_speed.empty() && !absl::EqualsIgnoreCase(tts_speed, "normal")) {
    text = absl::StrCat("Speak in a ", absl::AsciiStrToLower(tts_speed), " speed voice: ", text);
  }

  out.body = json{
      {"contents", json::array({json{{"role", "user"}, {"parts", json::array({json{{"text", text}}})}}})},
      {"generationConfig",
       {{"responseModalities", json::array({"AUDIO"})},
        {"speechConfig", {{"voiceConfig", {{"prebuiltVoiceConfig", {{"voiceName", out.voice}}}}}}}}}};
  return out;
}

absl::StatusOr<SpeechAudio> ConvertSpeechResponse(const json& response, const SpeechRequest& request) {
  if (!response.is_object()) {
    return absl::InternalError(absl::StrCat("the TTS answer is not a JSON object (got ",
                                            JsonTypeName(response), ")"));
  }
  std::string pcm;
  std::optional<PcmFormat> format;
  std::string wav;
  std::vector<std::string> reasons;
  if (const json* candidates = Find(response, "candidates"); candidates != nullptr && candidates->is_array()) {
    for (const json& candidate : *candidates) {
      const json* content = Find(candidate, "content");
      const json* parts = content != nullptr ? Find(*content, "parts") : nullptr;
      if (parts != nullptr && parts->is_array()) {
        for (const json& part : *parts) {
          const json* inline_data = Find(part, "inlineData");
          if (inline_data == nullptr || !inline_data->is_object()) continue;
          std::string mime = StringOr(*inline_data, "mimeType", "");
          std::string decoded;
          if (!absl::Base64Unescape(StringOr(*inline_data, "data", ""), &decoded)) {
            return absl::InternalError("Gemini's TTS audio is not valid base64");
          }
          if (absl::StartsWithIgnoreCase(mime, "audio/wav") || absl::StartsWithIgnoreCase(mime, "audio/x-wav")) {
            wav += decoded;
            continue;
          }
          auto parsed = ParsePcmMime(mime);
          if (!parsed.ok()) return absl::InternalError(absl::StrCat("Gemini's TTS audio: ", parsed.status().message()));
          if (!format.has_value()) format = *parsed;
          pcm += decoded;
        }
      }
      if (candidate.is_object()) {
        std::string reason = StringOr(candidate, "finishReason", "");
        if (!reason.empty() && reason != "STOP") reasons.push_back(reason);
      }
    }
  }
  if (const json* feedback = Find(response, "promptFeedback"); feedback != nullptr) {
    if (const json* block = Find(*feedback, "blockReason"); block != nullptr && block->is_string()) {
      reasons.push_back(block->get<std::string>());
    }
  }
  if (!wav.empty()) return SpeechAudio{std::move(wav), "audio/wav"};
  if (pcm.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        request.model, " returned no audio",
        reasons.empty() ? std::string() : absl::StrCat(" (", absl::StrJoin(reasons, "; "), ")")));
  }
  if (request.pcm_output) return SpeechAudio{std::move(pcm), "audio/pcm"};
  return SpeechAudio{PcmToWav(pcm, *format), "audio/wav"};
}

}  // namespace gempool::openai
