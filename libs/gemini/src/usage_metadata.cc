#include "gempool/gemini/usage_metadata.h"

#include <array>
#include <string>

#include <nlohmann/json.hpp>

#include "gempool/gemini/token_count.h"

namespace gempool::gemini {
namespace {

using json = nlohmann::json;

// The counts read, in this order.
enum Count { kPrompt, kCandidates, kThoughts, kCached, kToolUsePrompt, kTotal, kCounts };

constexpr std::array<const char*, kCounts> kCountKeys = {"promptTokenCount",        "candidatesTokenCount",
                                                        "thoughtsTokenCount",      "cachedContentTokenCount",
                                                        "toolUsePromptTokenCount", "totalTokenCount"};

// Reads the top-level counts from nlohmann's SAX events instead of a parsed
// tree: the SAX parser accepts exactly what json::parse accepts (same lexer,
// same rules), and building the tree of a usageMetadata object with its
// per-modality details cost ~22,000 instructions per call (bench/analysis.md,
// sixth round). A key seen twice counts as its last value, as in the tree.
class CountsReader : public nlohmann::json_sax<json> {
 public:
  bool is_object() const { return root_is_object_; }
  bool seen(Count c) const { return seen_[c]; }
  int64_t value(Count c) const { return values_[c]; }

  bool null() override { return Value(0); }
  bool boolean(bool) override { return Value(0); }
  bool number_integer(number_integer_t v) override { return Value(TokenCountOfInteger(v)); }
  bool number_unsigned(number_unsigned_t v) override { return Value(TokenCountOfUnsigned(v)); }
  bool number_float(number_float_t v, const string_t&) override { return Value(TokenCountOfFloat(v)); }
  bool string(string_t&) override { return Value(0); }
  bool binary(binary_t&) override { return Value(0); }
  bool start_object(std::size_t) override { return Open(/*object=*/true); }
  bool end_object() override { return Close(); }
  bool start_array(std::size_t) override { return Open(/*object=*/false); }
  bool end_array() override { return Close(); }
  bool key(string_t& k) override {
    if (depth_ != 1) return true;
    pending_ = kCounts;
    for (int c = 0; c < kCounts; ++c) {
      if (k == kCountKeys[c]) pending_ = static_cast<Count>(c);
    }
    if (pending_ != kCounts) seen_[pending_] = true;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override { return false; }

 private:
  // A scalar value, or a nested value (which counts as 0): taken when it is
  // the value of a count's key in the top-level object.
  bool Value(int64_t count) {
    if (depth_ == 1 && pending_ != kCounts) values_[pending_] = count;
    pending_ = kCounts;
    return true;
  }
  bool Open(bool object) {
    if (depth_ == 0) root_is_object_ = object;
    Value(0);
    ++depth_;
    return true;
  }
  bool Close() {
    --depth_;
    return true;
  }

  int depth_ = 0;
  bool root_is_object_ = false;
  Count pending_ = kCounts;  // The count the next top-level value is for; kCounts: none.
  std::array<bool, kCounts> seen_{};
  std::array<int64_t, kCounts> values_{};
};

}  // namespace

std::optional<TokenCounts> ParseUsageMetadata(absl::string_view object_json) {
  CountsReader reader;
  if (!json::sax_parse(object_json.begin(), object_json.end(), &reader) || !reader.is_object()) return std::nullopt;
  TokenCounts counts;
  counts.prompt = reader.value(kPrompt);
  counts.candidates = reader.value(kCandidates);
  counts.thoughts = reader.value(kThoughts);
  counts.cached = reader.value(kCached);
  counts.tool_use_prompt = reader.value(kToolUsePrompt);
  if (reader.seen(kTotal)) {
    counts.total = reader.value(kTotal);
  } else {
    counts.total = counts.prompt + counts.candidates + counts.thoughts + counts.tool_use_prompt;
  }
  return counts;
}

}  // namespace gempool::gemini
