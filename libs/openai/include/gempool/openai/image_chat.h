#pragma once
// gemini-balance's image chat model: "<CREATE_IMAGE_MODEL>-chat" on
// /v1/chat/completions draws with CREATE_IMAGE_MODEL (Imagen :predict, or a
// Gemini image model) from the last user message's text (the prompt
// directives {n:N} and {ratio:W:H} apply), and answers a chat message whose
// content is the images as Markdown ("![image](<url>)"), streamed or not.
// Pure functions; thread-safe.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gempool/openai/images.h"
#include "gempool/openai/options.h"
#include "nlohmann/json.hpp"

namespace gempool::openai {

// "<CREATE_IMAGE_MODEL>-chat" without "models/"; "" when CREATE_IMAGE_MODEL is.
std::string ImageChatModel(const ConversionOptions& options);

// Whether a chat request's `model` (with or without "models/") is it.
bool IsImageChatModel(absl::string_view model, const ConversionOptions& options);

// The image request for a chat body naming the image chat model: the prompt
// is the text of the last user message (a string, or its text parts joined
// by newlines); images come back as data: URLs (`url_output`) so their type
// is kept. InvalidArgument naming the field when there is no user text or
// the directives are wrong; NotFound for a FILTERED_MODELS image model.
absl::StatusOr<ImageGenerationRequest> ConvertImageChatRequest(const nlohmann::json& chat_body,
                                                               const ConversionOptions& options);

// The images of an upstream image answer as a Gemini GenerateContentResponse
// with inline image parts (Imagen's predictions become one candidate's
// parts; a Gemini image model's answer is returned as it is), so the image
// hosting step (UPLOAD_PROVIDER) that works on Gemini answers can replace
// them with links.
// The images are moved out of `upstream_response`.
nlohmann::json ImagesAsGeminiAnswer(nlohmann::json&& upstream_response, const ImageGenerationRequest& request);

// The chat message content for such an answer: text parts as they are (an
// uploaded image is a text part holding its Markdown link), inline images as
// "![image](data:<type>;base64,...)", blank lines between, trimmed.
std::string ImageChatMarkdown(const nlohmann::json& gemini_answer);

// A chat.completion with `content` as the assistant's message.
nlohmann::json ImageChatCompletion(const std::string& content, const std::string& model, const std::string& id,
                                   int64_t created_unix);

// The same as chat.completion.chunk objects: the role and the content, then
// an empty delta with finish_reason "stop".
std::vector<nlohmann::json> ImageChatChunks(const std::string& content, const std::string& model,
                                            const std::string& id, int64_t created_unix);

}  // namespace gempool::openai
