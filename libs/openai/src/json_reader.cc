#include "gempool/openai/json_reader.h"

#include <clocale>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "json_text.h"

namespace gempool::openai {
namespace {

using nlohmann::json;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The value of the hex digit `c`, or -1.
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendUtf8(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    const char bytes[] = {static_cast<char>(0xC0 | (cp >> 6)), static_cast<char>(0x80 | (cp & 0x3F))};
    out.append(bytes, 2);
  } else if (cp < 0x10000) {
    const char bytes[] = {static_cast<char>(0xE0 | (cp >> 12)), static_cast<char>(0x80 | ((cp >> 6) & 0x3F)),
                          static_cast<char>(0x80 | (cp & 0x3F))};
    out.append(bytes, 3);
  } else {
    const char bytes[] = {static_cast<char>(0xF0 | (cp >> 18)), static_cast<char>(0x80 | ((cp >> 12) & 0x3F)),
                          static_cast<char>(0x80 | ((cp >> 6) & 0x3F)), static_cast<char>(0x80 | (cp & 0x3F))};
    out.append(bytes, 4);
  }
}

// Reads one document. The arrays and objects being filled are kept on an
// explicit stack, so nesting costs no native stack. Not thread-safe; one per
// document.
class Reader {
 public:
  explicit Reader(absl::string_view text) : begin_(text.data()), p_(text.data()), end_(text.data() + text.size()) {}

  // Reads the document into `root`; false (with error()) when it is not one.
  bool Read(json& root);

  absl::Status error() const { return error_; }

 private:
  // The next byte that is not whitespace, not consumed; '\0' at the end of
  // the input (a NUL byte ends the input, as for nlohmann).
  char Next() {
    while (p_ < end_) {
      const char c = *p_;
      if (c > ' ') return c;
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') return c;
      ++p_;
    }
    return '\0';
  }

  // Moves p_ past the bytes of a string that are copied as they are, 16 or 8
  // at a time, to the first one that needs a look (the closing quote at the
  // latest) or into the last 7 bytes of the input.
  void SkipPlainBytes();
  // The string at p_ (its opening quote), appended to `out`.
  bool ReadString(std::string& out);
  // The escape at p_ (its backslash), appended to `out` as UTF-8.
  bool ReadEscape(std::string& out);
  // Four hex digits after "\u" as a UTF-16 code unit, or -1.
  int ReadHex4();
  // The number at p_ into `out`.
  bool ReadNumber(json& out);
  // The number text [start, end) as a double, as nlohmann converts it.
  bool ReadDouble(const char* start, const char* end, json& out);
  // Consumes `word` (true, false, null) at p_.
  bool ReadLiteral(absl::string_view word);
  // `"name":` of a member of `object`; `slot` is set to the member's value.
  bool ReadMember(json& object, json*& slot);

  // Records "what" at `at` as the error; returns false.
  bool Fail(const char* at, absl::string_view what);

  const char* const begin_;
  const char* p_;
  const char* const end_;
  absl::Status error_;
  // The arrays and objects enclosing the value being read, outermost first.
  json* stack_[kMaxJsonDepth];
};

bool Reader::Fail(const char* at, absl::string_view what) {
  int line = 1;
  const char* line_start = begin_;
  for (const char* q = begin_; q < at; ++q) {
    if (*q == '\n') {
      ++line;
      line_start = q + 1;
    }
  }
  std::string got;
  if (at >= end_) {
    got = "the end of the input";
  } else {
    const unsigned char c = static_cast<unsigned char>(*at);
    got = c > 0x20 && c < 0x7F ? absl::StrCat("'", std::string(1, static_cast<char>(c)), "'")
                               : absl::StrFormat("byte 0x%02X", c);
  }
  error_ = absl::InvalidArgumentError(absl::StrCat("invalid JSON at line ", line, ", column ", at - line_start + 1,
                                                   " (byte ", at - begin_, "): ", what, ", got ", got));
  return false;
}

void Reader::SkipPlainBytes() {
  while (end_ - p_ >= 16) {
    const uint32_t look = internal::LookBits16(reinterpret_cast<const unsigned char*>(p_));
    if (look != 0) {
      p_ += __builtin_ctz(look);
      return;
    }
    p_ += 16;
  }
  if (end_ - p_ >= 8) {
    uint64_t word;
    std::memcpy(&word, p_, 8);
    const uint64_t look = internal::LookMask(word);
    if (look != 0) {
      p_ += __builtin_ctzll(look) / 8;
      return;
    }
    p_ += 8;
  }
}

bool Reader::ReadString(std::string& out) {
  const char* const open = p_;
  const char* run = ++p_;  // Start of the bytes not copied yet.
  for (;;) {
    SkipPlainBytes();
    if (p_ >= end_) return Fail(open, "the string that starts here has no closing '\"'");
    const unsigned char c = static_cast<unsigned char>(*p_);
    if (c == '"') {
      out.append(run, p_ - run);
      ++p_;
      return true;
    }
    if (c >= 0x80) {
      const size_t length =
          internal::Utf8SequenceLength(reinterpret_cast<const unsigned char*>(p_), static_cast<size_t>(end_ - p_));
      if (length == 0) return Fail(p_, "a string holds bytes that are not well-formed UTF-8");
      p_ += length;
      continue;
    }
    if (c == '\\') {
      out.append(run, p_ - run);
      if (!ReadEscape(out)) return false;
      run = p_;
      continue;
    }
    if (c < 0x20) {
      return Fail(p_, absl::StrFormat("control characters in strings must be escaped (as \\u%04x)", c));
    }
    ++p_;
  }
}

int Reader::ReadHex4() {
  if (end_ - p_ < 4) return -1;
  int value = 0;
  for (int i = 0; i < 4; ++i) {
    const int digit = HexValue(p_[i]);
    if (digit < 0) return -1;
    value = (value << 4) | digit;
  }
  p_ += 4;
  return value;
}

bool Reader::ReadEscape(std::string& out) {
  const char* const at = p_;
  ++p_;
  if (p_ >= end_) return Fail(at, "the string that holds this '\\' has no closing '\"'");
  const char letter = *p_++;
  if (const char c = internal::UnescapedCharacter(letter); c != 0) {
    out.push_back(c);
    return true;
  }
  if (letter != 'u') return Fail(at, "a '\\' in a string must be followed by one of \" \\ / b f n r t u");
  const int unit = ReadHex4();
  if (unit < 0) return Fail(at, "'\\u' must be followed by 4 hex digits");
  uint32_t cp = static_cast<uint32_t>(unit);
  if (unit >= 0xD800 && unit <= 0xDBFF) {
    const char* const low_at = p_;
    int low = -1;
    if (end_ - p_ >= 2 && p_[0] == '\\' && p_[1] == 'u') {
      p_ += 2;
      low = ReadHex4();
      if (low < 0) return Fail(low_at, "'\\u' must be followed by 4 hex digits");
    }
    if (low < 0xDC00 || low > 0xDFFF) {
      return Fail(low_at, "a \\u escape of a surrogate U+D800..U+DBFF must be followed by one of U+DC00..U+DFFF");
    }
    cp = 0x10000 + ((cp - 0xD800) << 10) + (static_cast<uint32_t>(low) - 0xDC00);
  } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
    return Fail(at, "a \\u escape of a surrogate U+DC00..U+DFFF must follow one of U+D800..U+DBFF");
  }
  AppendUtf8(cp, out);
  return true;
}

bool Reader::ReadNumber(json& out) {
  const char* const start = p_;
  const char* q = p_;
  const bool negative = *q == '-';
  if (negative) ++q;
  const char* const digits = q;
  if (q >= end_ || !IsDigit(*q)) return Fail(q, "a '-' must be followed by a digit");
  if (*q == '0') {
    ++q;
  } else {
    while (q < end_ && IsDigit(*q)) ++q;
  }
  const char* const digits_end = q;
  bool integral = true;
  if (q < end_ && *q == '.') {
    ++q;
    if (q >= end_ || !IsDigit(*q)) return Fail(q, "a decimal point must be followed by a digit");
    while (q < end_ && IsDigit(*q)) ++q;
    integral = false;
  }
  if (q < end_ && (*q == 'e' || *q == 'E')) {
    ++q;
    if (q < end_ && (*q == '+' || *q == '-')) ++q;
    if (q >= end_ || !IsDigit(*q)) return Fail(q, "an exponent must have a digit");
    while (q < end_ && IsDigit(*q)) ++q;
    integral = false;
  }
  p_ = q;
  if (integral) {
    // As strtoull/strtoll convert them for nlohmann: unsigned when positive,
    // signed when negative, a double when out of 64-bit range.
    const size_t count = static_cast<size_t>(digits_end - digits);
    if (count <= 19) {  // Below 10^19, so within uint64_t.
      uint64_t value = 0;
      for (const char* d = digits; d < digits_end; ++d) value = value * 10 + static_cast<uint64_t>(*d - '0');
      if (!negative) {
        out = static_cast<json::number_unsigned_t>(value);
        return true;
      }
      if (value <= static_cast<uint64_t>(INT64_MAX) + 1) {
        out = static_cast<json::number_integer_t>(0 - value);
        return true;
      }
    } else if (count == 20 && !negative) {
      uint64_t value = 0;
      bool overflow = false;
      for (const char* d = digits; d < digits_end; ++d) {
        overflow |= __builtin_mul_overflow(value, 10, &value);
        overflow |= __builtin_add_overflow(value, static_cast<uint64_t>(*d - '0'), &value);
      }
      if (!overflow) {
        out = static_cast<json::number_unsigned_t>(value);
        return true;
      }
    }
  }
  return ReadDouble(start, q, out);
}

bool Reader::ReadDouble(const char* start, const char* end, json& out) {
  // strtod on a NUL-terminated copy, with the locale's decimal point for '.',
  // exactly as nlohmann's lexer converts numbers.
  const size_t length = static_cast<size_t>(end - start);
  char small[64];
  std::string large;
  char* text = small;
  if (length < sizeof(small)) {
    std::memcpy(small, start, length);
    small[length] = '\0';
  } else {
    large.assign(start, length);
    text = large.data();
  }
  if (char* point = static_cast<char*>(std::memchr(text, '.', length)); point != nullptr) {
    *point = *std::localeconv()->decimal_point;
  }
  const double value = std::strtod(text, nullptr);
  if (!std::isfinite(value)) return Fail(start, "the number is too large for a double");
  out = value;
  return true;
}

bool Reader::ReadLiteral(absl::string_view word) {
  if (static_cast<size_t>(end_ - p_) >= word.size() && std::memcmp(p_, word.data(), word.size()) == 0) {
    p_ += word.size();
    return true;
  }
  return Fail(p_, absl::StrCat("expected a value (did you mean ", word, "?)"));
}

bool Reader::ReadMember(json& object, json*& slot) {
  if (Next() != '"') return Fail(p_, "expected a member name in double quotes");
  std::string name;
  if (!ReadString(name)) return false;
  if (Next() != ':') return Fail(p_, "expected ':' after the member name");
  ++p_;
  // The last of duplicate names wins, as for nlohmann.
  slot = &object.get_ref<json::object_t&>()[std::move(name)];
  return true;
}

bool Reader::Read(json& root) {
  if (p_ < end_ && static_cast<unsigned char>(*p_) == 0xEF) {
    if (end_ - p_ < 3 || static_cast<unsigned char>(p_[1]) != 0xBB || static_cast<unsigned char>(p_[2]) != 0xBF) {
      return Fail(p_, "a byte order mark must be the bytes EF BB BF");
    }
    p_ += 3;
  }
  json* target = &root;
  int depth = 0;
  for (;;) {
    // A value into *target.
    switch (Next()) {
      case '{':
      case '[': {
        const bool object = *p_ == '{';
        if (depth == kMaxJsonDepth) {
          return Fail(p_, absl::StrCat("arrays and objects are nested more than ", kMaxJsonDepth, " deep"));
        }
        ++p_;
        *target = json(object ? json::value_t::object : json::value_t::array);
        if (Next() == (object ? '}' : ']')) {
          ++p_;
          break;
        }
        stack_[depth++] = target;
        if (object) {
          if (!ReadMember(*target, target)) return false;
        } else {
          target = &target->get_ref<json::array_t&>().emplace_back();
        }
        continue;
      }
      case '"':
        *target = json(json::value_t::string);
        if (!ReadString(target->get_ref<std::string&>())) return false;
        break;
      case 't':
        if (!ReadLiteral("true")) return false;
        *target = true;
        break;
      case 'f':
        if (!ReadLiteral("false")) return false;
        *target = false;
        break;
      case 'n':
        if (!ReadLiteral("null")) return false;
        *target = nullptr;
        break;
      case '-':
      case '0':
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
      case '6':
      case '7':
      case '8':
      case '9':
        if (!ReadNumber(*target)) return false;
        break;
      default:
        return Fail(p_, "expected a value (an object, array, string, number, true, false or null)");
    }
    // *target is complete; close the containers that end after it.
    for (;;) {
      const char c = Next();
      if (depth == 0) {
        if (c != '\0') return Fail(p_, "expected the end of the input after the JSON value");
        return true;
      }
      json& container = *stack_[depth - 1];
      const bool object = container.is_object();
      if (c == ',') {
        ++p_;
        if (object) {
          if (!ReadMember(container, target)) return false;
        } else {
          target = &container.get_ref<json::array_t&>().emplace_back();
        }
        break;
      }
      if (c != (object ? '}' : ']')) {
        return Fail(p_, object ? "expected ',' or '}' after an object member" : "expected ',' or ']' after an array element");
      }
      ++p_;
      --depth;
    }
  }
}

}  // namespace

absl::StatusOr<json> ParseJson(absl::string_view text) {
  Reader reader(text);
  json value;
  if (!reader.Read(value)) return reader.error();
  return value;
}

}  // namespace gempool::openai
