#include "gempool/openai/json_writer.h"

#include <gtest/gtest.h>

#include <cstring>
#include <limits>
#include <random>

namespace gempool::openai {
namespace {

using json = nlohmann::json;

std::string Reference(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

TEST(JsonWriterTest, MatchesNlohmannOnEveryKindOfValue) {
  const json value = {
      {"model", "gemini-2.5-flash"},
      {"n", 3},
      {"big", 18446744073709551615ULL},
      {"neg", -42},
      {"t", 0.7},
      {"tiny", 1e-300},
      {"flags", {true, false, nullptr}},
      {"empty", json::object()},
      {"none", json::array()},
      {"text", "line\nnext\t\"quoted\" back\\slash \b\f\r \x01\x1f \x7f"},
      {"unicode", "中文 ✓ 😀 café"},
      {"nested", {{"a", {{"b", {1, 2, {{"c", "d"}}}}}}}},
  };
  EXPECT_EQ(WriteJson(value), Reference(value));
}

TEST(JsonWriterTest, BrokenUtf8IsReplacedExactlyAsNlohmannDoes) {
  for (const std::string broken : {std::string("a\xff" "b"), std::string("\xc3"), std::string("\xe2\x82"),
                                   std::string("\xed\xa0\x80"), std::string("\xc0\xaf"),
                                   std::string("\xf4\x90\x80\x80"), std::string("ok \xe4\xb8 then")}) {
    const json value = {{"k", broken}, {broken, 1}};
    EXPECT_EQ(WriteJson(value), Reference(value)) << ::testing::PrintToString(broken);
  }
}

// Random strings over the bytes that matter (ASCII, controls, quotes,
// multi-byte sequences whole and cut) in random structures.
TEST(JsonWriterTest, MatchesNlohmannOnRandomDocuments) {
  std::mt19937 rng(20261127);
  const std::vector<std::string> pieces = {"a", "Z", " ", "\"", "\\", "\n", "\x01", "\x1f", "/", "é", "中", "😀",
                                           "\xe4", "\xb8", "\xf0\x9f", "\x7f", "\xc2\xa0", "\xef\xbb\xbf"};
  auto random_string = [&] {
    std::string s;
    const int n = static_cast<int>(rng() % 12);
    for (int i = 0; i < n; ++i) s += pieces[rng() % pieces.size()];
    return s;
  };
  std::function<json(int)> random_value = [&](int depth) -> json {
    switch (rng() % (depth > 3 ? 5 : 7)) {
      case 0:
        return random_string();
      case 1:
        return static_cast<int64_t>(rng()) - 2'000'000'000LL;
      case 2:
        return static_cast<double>(rng()) / 1000.0;
      case 3:
        return rng() % 2 == 0;
      case 4:
        return nullptr;
      case 5: {
        json array = json::array();
        for (int i = static_cast<int>(rng() % 4); i > 0; --i) array.push_back(random_value(depth + 1));
        return array;
      }
      default: {
        json object = json::object();
        for (int i = static_cast<int>(rng() % 4); i > 0; --i) object[random_string()] = random_value(depth + 1);
        return object;
      }
    }
  };
  for (int i = 0; i < 2000; ++i) {
    const json value = random_value(0);
    ASSERT_EQ(WriteJson(value), Reference(value)) << "document " << i;
  }
}


TEST(JsonWriterTest, MatchesNlohmannOnIntegerExtremes) {
  const json value = {{"min", std::numeric_limits<int64_t>::min()},   {"max", std::numeric_limits<int64_t>::max()},
                      {"umax", std::numeric_limits<uint64_t>::max()}, {"zero", 0},
                      {"uzero", 0u},                                  {"minus", -1},
                      {"ten", 10},                                    {"powers", {9, 99, 100, 999999, 1000000}}};
  EXPECT_EQ(WriteJson(value), Reference(value));
}

TEST(JsonWriterTest, MatchesNlohmannOnEveryKindOfDouble) {
  std::mt19937_64 rng(11);
  std::vector<double> numbers = {0.0, -0.0, 1.0, -1.5, 0.1, 0.2, 1e-300, 5e-324, -2.2250738585072014e-308,
                                 1.7976931348623157e308, 1e21, 1e22, 123456789012345680.0, 3.141592653589793,
                                 std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
                                 -std::numeric_limits<double>::infinity()};
  for (int i = 0; i < 2000; ++i) {
    const uint64_t bits = rng();
    double number;
    std::memcpy(&number, &bits, sizeof(number));
    numbers.push_back(number);
  }
  for (double number : numbers) {
    const json value = {{"n", number}, {"list", {number, -number}}};
    ASSERT_EQ(WriteJson(value), Reference(value)) << number;
  }
}

// Strings are checked 16 and 8 bytes at a time: a byte that needs escaping
// or checking is handled at every offset, in strings of every length around
// those sizes.
TEST(JsonWriterTest, MatchesNlohmannWithSpecialBytesAtEveryOffset) {
  for (const std::string& special : std::vector<std::string>{"\"", "\\", "\n", "\x01", "\x7f", "\xc3\xa9",
                                                             "\xf0\x9f\x98\x80", "\xff", "\xc3"}) {
    for (size_t length = 0; length <= 40; ++length) {
      for (size_t at = 0; at <= length; ++at) {
        const std::string text = std::string(at, 'a') + special + std::string(length - at, 'b');
        const json value = {{text, text}};
        ASSERT_EQ(WriteJson(value), Reference(value)) << ::testing::PrintToString(text);
      }
    }
  }
}

// Long texts, as in real prompts, go through the word-at-a-time path.
TEST(JsonWriterTest, MatchesNlohmannOnLongTexts) {
  std::mt19937 rng(7);
  const std::vector<std::string> pieces = {"plain words here ", "\"", "\\", "\n", "\x02", "é", "中文", "😀",
                                           "\xe4", "0123456789abcdef", "\x7f", "tab\tend"};
  for (int i = 0; i < 300; ++i) {
    std::string text;
    const int n = static_cast<int>(rng() % 400);
    for (int j = 0; j < n; ++j) text += pieces[rng() % pieces.size()];
    const json value = {{"contents", {{{"parts", {{{"text", text}}}}}}}};
    ASSERT_EQ(WriteJson(value), Reference(value)) << "text " << i;
  }
}

}  // namespace
}  // namespace gempool::openai
