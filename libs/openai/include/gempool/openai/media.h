#pragma once
// Media as OpenAI clients send it (data: URLs, base64 blobs, file names) and
// as Gemini takes it (inlineData {mimeType, data}): parsing, MIME inference
// and image sniffing. Pure functions; thread-safe.

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace gempool::openai {

struct DataUrl {
  std::string mime_type;    // lower-cased, parameters removed; may be empty
  std::string base64_data;  // standard base64, as Gemini's inlineData.data wants
};

// Parses "data:<mime>[;param...][;base64],<payload>". Percent-encoded (non
// base64) payloads are decoded and re-encoded as base64. InvalidArgument
// (message without a field name; callers prefix theirs) when malformed.
absl::StatusOr<DataUrl> ParseDataUrl(absl::string_view url);

// Whether `text` is plausibly base64 (standard or URL-safe alphabet, optional
// padding, ASCII whitespace ignored). Cheap; does not decode.
bool LooksLikeBase64(absl::string_view text);

// The MIME type of a Content-Type header value: lower-cased, parameters and
// whitespace removed ("Image/PNG; q=1" → "image/png").
std::string MimeOf(absl::string_view content_type);

// The image type from the first bytes (PNG, JPEG, GIF, WebP, BMP, HEIC/HEIF,
// AVIF), or nullopt.
std::optional<std::string> SniffImageMime(absl::string_view bytes);

// A MIME type from a file name's extension (pdf, txt, md, html, csv, json,
// xml, png, jpg/jpeg, gif, webp, heic, heif, mp3, wav, flac, ogg, aac, aiff,
// mp4, mpeg, mov, webm, avi, wmv, flv, 3gp...), or nullopt.
std::optional<std::string> MimeFromFilename(absl::string_view filename);

// The Gemini audio MIME type for OpenAI's input_audio.format ("wav" →
// "audio/wav", "mp3" → "audio/mp3", and the other formats Gemini documents:
// aiff, aac, ogg, flac), or nullopt when Gemini cannot take it.
std::optional<std::string> AudioMimeForFormat(absl::string_view format);

}  // namespace gempool::openai
