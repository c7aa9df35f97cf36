#include "gempool/openai/json_writer.h"

#include <cstdint>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace gempool::openai {
namespace {

constexpr uint64_t kOnes = 0x0101010101010101ULL;
constexpr uint64_t kHighs = 0x8080808080808080ULL;

// Whether a byte of `w` is zero.
constexpr uint64_t HasZeroByte(uint64_t w) { return (w - kOnes) & ~w & kHighs; }

// Whether any of the 8 bytes of `w` needs a look: non-ASCII (UTF-8 to
// check), a control character, '"' or '\\'. Word-at-a-time, so plain text
// costs about one instruction per byte.
constexpr bool NeedsALook(uint64_t w) {
  return ((w & kHighs) | ((w - 0x20 * kOnes) & ~w & kHighs) | HasZeroByte(w ^ ('"' * kOnes)) |
          HasZeroByte(w ^ ('\\' * kOnes))) != 0;
}

// The length of the well-formed UTF-8 sequence at the start of `p` (at most
// `n` bytes), or 0 when it is not one: overlong forms, surrogates and code
// points above U+10FFFF are not, as for nlohmann's decoder.
size_t Utf8SequenceLength(const unsigned char* p, size_t n) {
  const unsigned char c = p[0];
  size_t extra;
  uint32_t min;
  uint32_t cp;
  if ((c & 0xE0) == 0xC0) {
    extra = 1, min = 0x80, cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    extra = 2, min = 0x800, cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    extra = 3, min = 0x10000, cp = c & 0x07;
  } else {
    return 0;
  }
  if (n <= extra) return 0;
  for (size_t i = 1; i <= extra; ++i) {
    if ((p[i] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (p[i] & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return extra + 1;
}

void AppendString(const std::string& s, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  const size_t start = out.size();
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  out.push_back('"');
  size_t run = 0;  // Start of the bytes not copied yet.
  size_t i = 0;
  while (i < n) {
    uint64_t word;
    if (i + 8 <= n && (std::memcpy(&word, p + i, 8), !NeedsALook(word))) {
      i += 8;
      continue;
    }
    const unsigned char c = p[i];
    if (c >= 0x80) {
      const size_t length = Utf8SequenceLength(p + i, n - i);
      if (length == 0) {
        // nlohmann's replacement rules for broken sequences, exactly.
        out.resize(start);
        out += nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        return;
      }
      i += length;
      continue;
    }
    if (c >= 0x20 && c != '"' && c != '\\') {
      ++i;
      continue;
    }
    out.append(s, run, i - run);
    run = ++i;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default: {
        const char escaped[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
        out.append(escaped, sizeof(escaped));
      }
    }
  }
  out.append(s, run, std::string::npos);
  out.push_back('"');
}

}  // namespace

void AppendJson(const nlohmann::json& value, std::string& out) {
  switch (value.type()) {
    case nlohmann::json::value_t::object: {
      out.push_back('{');
      bool first = true;
      for (auto it = value.begin(); it != value.end(); ++it) {
        if (!first) out.push_back(',');
        first = false;
        AppendString(it.key(), out);
        out.push_back(':');
        AppendJson(it.value(), out);
      }
      out.push_back('}');
      return;
    }
    case nlohmann::json::value_t::array: {
      out.push_back('[');
      bool first = true;
      for (const nlohmann::json& element : value) {
        if (!first) out.push_back(',');
        first = false;
        AppendJson(element, out);
      }
      out.push_back(']');
      return;
    }
    case nlohmann::json::value_t::string:
      AppendString(value.get_ref<const std::string&>(), out);
      return;
    case nlohmann::json::value_t::boolean:
      out += value.get<bool>() ? "true" : "false";
      return;
    case nlohmann::json::value_t::number_integer:
      absl::StrAppend(&out, value.get<int64_t>());
      return;
    case nlohmann::json::value_t::number_unsigned:
      absl::StrAppend(&out, value.get<uint64_t>());
      return;
    case nlohmann::json::value_t::null:
      out += "null";
      return;
    default:
      // Floating point (shortest round-trip form), binary, discarded: as
      // nlohmann writes them.
      out += value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      return;
  }
}

std::string WriteJson(const nlohmann::json& value) {
  std::string out;
  out.reserve(256);
  AppendJson(value, out);
  return out;
}

}  // namespace gempool::openai
