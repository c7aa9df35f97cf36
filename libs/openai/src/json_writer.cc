#include "gempool/openai/json_writer.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "json_text.h"

namespace gempool::openai {
namespace {

using nlohmann::json;

// About the length of the text of `value` (exact but for escapes and
// numbers), so the output is allocated once: growing it by doubling costs a
// few reallocations and copies, and a final size past 1 KiB sends glibc's
// malloc through its costlier large-chunk path.
size_t EstimateSize(const json& value) {
  switch (value.type()) {
    case json::value_t::object: {
      size_t size = 2;
      for (const auto& [key, member] : value.get_ref<const json::object_t&>()) {
        size += key.size() + 4 + EstimateSize(member);
      }
      return size;
    }
    case json::value_t::array: {
      size_t size = 2;
      for (const json& element : value.get_ref<const json::array_t&>()) size += 1 + EstimateSize(element);
      return size;
    }
    case json::value_t::string:
      return value.get_ref<const std::string&>().size() + 2;
    default:
      return 8;
  }
}

// Appends JSON text to a std::string through a raw pointer into its
// (zero-filled) spare room, growing it when needed; Finish() cuts it to what
// was written. Cheaper than std::string's append/push_back, each a call into
// libstdc++ with its own capacity check.
class Writer {
 public:
  Writer(std::string& out, size_t expected) : out_(out), base_(out.size()) {
    out_.resize(base_ + expected + 16);
    p_ = out_.data() + base_;
    end_ = out_.data() + out_.size();
  }

  void Value(const json& value);

  void Finish() { out_.resize(static_cast<size_t>(p_ - out_.data())); }

 private:
  // Room for `n` more bytes at p_.
  void Reserve(size_t n) {
    if (static_cast<size_t>(end_ - p_) < n) Grow(n);
  }
  void Grow(size_t n) {
    const size_t used = static_cast<size_t>(p_ - out_.data());
    out_.resize(std::max(out_.size() * 2, used + n));
    p_ = out_.data() + used;
    end_ = out_.data() + out_.size();
  }
  void Put(char c) {
    Reserve(1);
    *p_++ = c;
  }
  void Put(const char* data, size_t n) {
    Reserve(n);
    std::memcpy(p_, data, n);
    p_ += n;
  }

  void String(const std::string& s);
  void EscapedString(const std::string& s);
  void Unsigned(uint64_t value, bool negative);
  void Double(double value);

  std::string& out_;
  const size_t base_;
  char* p_;
  char* end_;
};

// Whether `n` bytes at `p` are all copied as they are (printable ASCII other
// than '"' and '\\'), the common case for keys and text.
bool IsPlain(const unsigned char* p, size_t n) {
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    if (internal::LookBits16(p + i) != 0) return false;
  }
  for (; i + 8 <= n; i += 8) {
    uint64_t word;
    std::memcpy(&word, p + i, 8);
    if (internal::NeedsALook(word)) return false;
  }
  if (i == n) return true;
  // The last few bytes as one word, padded with a plain byte.
  uint64_t word = 'a' * internal::kOnes;
  std::memcpy(&word, p + i, n - i);
  return !internal::NeedsALook(word);
}

void Writer::String(const std::string& s) {
  const size_t n = s.size();
  if (!IsPlain(reinterpret_cast<const unsigned char*>(s.data()), n)) {
    EscapedString(s);
    return;
  }
  Reserve(n + 2);
  *p_++ = '"';
  std::memcpy(p_, s.data(), n);
  p_ += n;
  *p_++ = '"';
}

void Writer::EscapedString(const std::string& s) {
  static constexpr char kHex[] = "0123456789abcdef";
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  const size_t start = static_cast<size_t>(p_ - out_.data());
  Put('"');
  size_t run = 0;  // Start of the bytes not copied yet.
  size_t i = 0;
  while (i < n) {
    uint64_t word;
    if (i + 8 <= n && (std::memcpy(&word, p + i, 8), !internal::NeedsALook(word))) {
      i += 8;
      continue;
    }
    const unsigned char c = p[i];
    if (c >= 0x80) {
      const size_t length = internal::Utf8SequenceLength(p + i, n - i);
      if (length == 0) {
        // nlohmann's replacement rules for broken sequences, exactly.
        p_ = out_.data() + start;
        const std::string replaced = json(s).dump(-1, ' ', false, json::error_handler_t::replace);
        Put(replaced.data(), replaced.size());
        return;
      }
      i += length;
      continue;
    }
    if (c >= 0x20 && c != '"' && c != '\\') {
      ++i;
      continue;
    }
    Put(s.data() + run, i - run);
    run = ++i;
    if (const char letter = internal::EscapeLetter(static_cast<char>(c)); letter != 0) {
      const char escaped[] = {'\\', letter};
      Put(escaped, sizeof(escaped));
    } else {
      const char escaped[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
      Put(escaped, sizeof(escaped));
    }
  }
  Put(s.data() + run, n - run);
  Put('"');
}

void Writer::Unsigned(uint64_t value, bool negative) {
  char digits[24];
  char* first = digits + sizeof(digits);
  do {
    *--first = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  if (negative) *--first = '-';
  Put(first, static_cast<size_t>(digits + sizeof(digits) - first));
}

void Writer::Double(double value) {
  // The shortest form that reads back the same (Grisu2), with nlohmann's own
  // conversion, as its serializer does; NaN and infinities as null.
  if (!std::isfinite(value)) {
    Put("null", 4);
    return;
  }
  Reserve(64);
  p_ = nlohmann::detail::to_chars(p_, p_ + 64, value);
}

void Writer::Value(const json& value) {
  switch (value.type()) {
    // Containers are walked through their std::map and std::vector, not
    // nlohmann's iterators (which switch on the value's type at every step).
    case json::value_t::object: {
      Put('{');
      bool first = true;
      for (const auto& [key, member] : value.get_ref<const json::object_t&>()) {
        if (!first) Put(',');
        first = false;
        String(key);
        Put(':');
        Value(member);
      }
      Put('}');
      return;
    }
    case json::value_t::array: {
      Put('[');
      bool first = true;
      for (const json& element : value.get_ref<const json::array_t&>()) {
        if (!first) Put(',');
        first = false;
        Value(element);
      }
      Put(']');
      return;
    }
    case json::value_t::string:
      String(value.get_ref<const std::string&>());
      return;
    case json::value_t::boolean:
      if (value.get<bool>()) {
        Put("true", 4);
      } else {
        Put("false", 5);
      }
      return;
    case json::value_t::number_integer: {
      const int64_t number = value.get<int64_t>();
      Unsigned(number < 0 ? 0 - static_cast<uint64_t>(number) : static_cast<uint64_t>(number), number < 0);
      return;
    }
    case json::value_t::number_unsigned:
      Unsigned(value.get<uint64_t>(), false);
      return;
    case json::value_t::number_float:
      Double(value.get<double>());
      return;
    case json::value_t::null:
      Put("null", 4);
      return;
    default: {
      // Binary and discarded values: as nlohmann writes them.
      const std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
      Put(text.data(), text.size());
      return;
    }
  }
}

}  // namespace

void AppendJson(const json& value, std::string& out) {
  Writer writer(out, EstimateSize(value));
  writer.Value(value);
  writer.Finish();
}

std::string WriteJson(const json& value) {
  std::string out;
  AppendJson(value, out);
  return out;
}

}  // namespace gempool::openai
