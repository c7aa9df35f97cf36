#include "gempool/openai/media.h"

#include <algorithm>
#include <cctype>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gempool/gemini/url.h"

namespace gempool::openai {

absl::StatusOr<DataUrl> ParseDataUrl(absl::string_view url) {
  absl::string_view rest = url;
  if (rest.size() < 5 || !absl::EqualsIgnoreCase(rest.substr(0, 5), "data:")) {
    return absl::InvalidArgumentError("is not a data: URL");
  }
  rest.remove_prefix(5);
  size_t comma = rest.find(',');
  if (comma == absl::string_view::npos) {
    return absl::InvalidArgumentError("is a malformed data: URL (no ',' before the payload)");
  }
  absl::string_view header = rest.substr(0, comma);
  absl::string_view payload = rest.substr(comma + 1);

  DataUrl out;
  bool base64 = false;
  bool first = true;
  for (absl::string_view piece : absl::StrSplit(header, ';')) {
    piece = absl::StripAsciiWhitespace(piece);
    if (first) {
      out.mime_type = absl::AsciiStrToLower(piece);
      first = false;
    } else if (absl::EqualsIgnoreCase(piece, "base64")) {
      base64 = true;
    }
  }
  if (!out.mime_type.empty() && out.mime_type.find('/') == std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("is a data: URL with an invalid media type '", out.mime_type, "'"));
  }
  if (base64) {
    // Whitespace and percent-escaped padding occur in hand-made URLs.
    std::string data;
    if (absl::StrContains(payload, '%')) {
      data = gemini::PercentDecode(payload, /*plus_as_space=*/false);
    } else {
      data = std::string(payload);
    }
    data.erase(std::remove_if(data.begin(), data.end(), [](unsigned char c) { return std::isspace(c); }),
               data.end());
    if (data.empty()) return absl::InvalidArgumentError("is a data: URL with no data");
    if (!LooksLikeBase64(data)) {
      return absl::InvalidArgumentError("is a data: URL whose payload is not valid base64");
    }
    out.base64_data = std::move(data);
  } else {
    std::string raw = gemini::PercentDecode(payload, /*plus_as_space=*/false);
    if (raw.empty()) return absl::InvalidArgumentError("is a data: URL with no data");
    out.base64_data = absl::Base64Escape(raw);
    if (out.mime_type.empty()) out.mime_type = "text/plain";
  }
  return out;
}

bool LooksLikeBase64(absl::string_view text) {
  size_t significant = 0;
  size_t padding = 0;
  for (char c : text) {
    if (absl::ascii_isspace(static_cast<unsigned char>(c))) continue;
    if (c == '=') {
      ++padding;
      if (padding > 2) return false;
      continue;
    }
    if (padding > 0) return false;  // data after padding
    if (!(absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '-' || c == '_')) {
      return false;
    }
    ++significant;
  }
  if (significant == 0) return false;
  if (padding > 0 && (significant + padding) % 4 != 0) return false;
  return significant % 4 != 1;
}

std::string MimeOf(absl::string_view content_type) {
  absl::string_view mime = content_type.substr(0, content_type.find(';'));
  return absl::AsciiStrToLower(absl::StripAsciiWhitespace(mime));
}

std::optional<std::string> SniffImageMime(absl::string_view bytes) {
  if (absl::StartsWith(bytes, "\x89PNG\r\n\x1a\n")) return "image/png";
  if (absl::StartsWith(bytes, "\xff\xd8\xff")) return "image/jpeg";
  if (absl::StartsWith(bytes, "GIF87a") || absl::StartsWith(bytes, "GIF89a")) return "image/gif";
  if (bytes.size() >= 12 && bytes.substr(0, 4) == "RIFF" && bytes.substr(8, 4) == "WEBP") return "image/webp";
  if (absl::StartsWith(bytes, "BM") && bytes.size() >= 26) return "image/bmp";
  if (bytes.size() >= 12 && bytes.substr(4, 4) == "ftyp") {
    absl::string_view brand = bytes.substr(8, 4);
    if (brand == "avif" || brand == "avis") return "image/avif";
    if (brand == "heic" || brand == "heix" || brand == "heim" || brand == "heis") return "image/heic";
    if (brand == "mif1" || brand == "msf1") return "image/heif";
  }
  return std::nullopt;
}

std::optional<std::string> MimeFromFilename(absl::string_view filename) {
  size_t dot = filename.rfind('.');
  if (dot == absl::string_view::npos || dot + 1 >= filename.size()) return std::nullopt;
  std::string ext = absl::AsciiStrToLower(filename.substr(dot + 1));
  static constexpr std::pair<const char*, const char*> kTypes[] = {
      {"pdf", "application/pdf"}, {"txt", "text/plain"},      {"md", "text/md"},
      {"html", "text/html"},      {"htm", "text/html"},       {"csv", "text/csv"},
      {"xml", "text/xml"},        {"json", "application/json"}, {"js", "text/javascript"},
      {"py", "text/x-python"},    {"css", "text/css"},        {"rtf", "text/rtf"},
      {"png", "image/png"},       {"jpg", "image/jpeg"},      {"jpeg", "image/jpeg"},
      {"gif", "image/gif"},       {"webp", "image/webp"},     {"heic", "image/heic"},
      {"heif", "image/heif"},     {"bmp", "image/bmp"},       {"mp3", "audio/mp3"},
      {"wav", "audio/wav"},       {"flac", "audio/flac"},     {"ogg", "audio/ogg"},
      {"aac", "audio/aac"},       {"aiff", "audio/aiff"},     {"mp4", "video/mp4"},
      {"mpeg", "video/mpeg"},     {"mpg", "video/mpg"},       {"mov", "video/mov"},
      {"avi", "video/avi"},       {"webm", "video/webm"},     {"wmv", "video/wmv"},
      {"flv", "video/x-flv"},     {"3gp", "video/3gpp"},
  };
  for (const auto& [extension, mime] : kTypes) {
    if (ext == extension) return std::string(mime);
  }
  return std::nullopt;
}

std::optional<std::string> AudioMimeForFormat(absl::string_view format) {
  std::string lower = absl::AsciiStrToLower(format);
  if (lower == "wav" || lower == "mp3" || lower == "aiff" || lower == "aac" || lower == "ogg" || lower == "flac") {
    return absl::StrCat("audio/", lower);
  }
  return std::nullopt;
}

}  // namespace gempool::openai
