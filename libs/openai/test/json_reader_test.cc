#include "gempool/openai/json_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "gempool/testing/status_matchers.h"

namespace gempool::openai {
namespace {

using json = nlohmann::json;
using ::gempool::testing::StatusIs;
using ::testing::HasSubstr;

// Equal values of equal types all the way down: unlike json's operator==,
// 1 (unsigned) and 1 (integer) and 1.0 differ, and so do 0.0 and -0.0.
bool Same(const json& a, const json& b) {
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case json::value_t::object: {
      if (a.size() != b.size()) return false;
      for (auto i = a.begin(), j = b.begin(); i != a.end(); ++i, ++j) {
        if (i.key() != j.key() || !Same(i.value(), j.value())) return false;
      }
      return true;
    }
    case json::value_t::array:
      if (a.size() != b.size()) return false;
      for (size_t i = 0; i < a.size(); ++i) {
        if (!Same(a[i], b[i])) return false;
      }
      return true;
    case json::value_t::number_float: {
      const double x = a.get<double>();
      const double y = b.get<double>();
      return std::memcmp(&x, &y, sizeof(x)) == 0;
    }
    default:
      return a == b;
  }
}

// nlohmann's verdict on `text`, as the gateway used to ask for it.
std::optional<json> Reference(const std::string& text) {
  json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return std::nullopt;
  return parsed;
}

// ParseJson agrees with nlohmann on `text`: both refuse it, or both accept it
// with the Same value. Returns a description of the disagreement, or "".
std::string Disagreement(const std::string& text) {
  const std::optional<json> expected = Reference(text);
  const absl::StatusOr<json> got = ParseJson(text);
  if (!expected.has_value() && !got.ok()) return "";
  if (!expected.has_value()) return "nlohmann refuses it, ParseJson accepts it as " + got->dump();
  if (!got.ok()) return "nlohmann accepts it as " + expected->dump() + ", ParseJson says " + got.status().ToString();
  if (!Same(*expected, *got)) return "nlohmann reads " + expected->dump() + ", ParseJson reads " + got->dump();
  return "";
}

TEST(JsonReaderTest, ReadsEveryKindOfValueAsNlohmannDoes) {
  for (const std::string& text : std::vector<std::string>{
           std::string(R"({"model":"gemini-2.5-flash","messages":[{"role":"user","content":"hi"}],"t":0.7})"),
           std::string("  {\n\t\"a\" : [ 1 , -2 , 3.5e2 , true , false , null , { } , [ ] ] \r\n}  "),
           std::string(R"("just a string")"),
           std::string("42"),
           std::string("-0"),
           std::string("0"),
           std::string("-0.0"),
           std::string("1E+2"),
           std::string("1e-2"),
           std::string("1.0"),
           std::string("true"),
           std::string("null"),
           std::string("[]"),
           std::string("{}"),
           std::string("[[[[[]]]]]"),
           std::string(R"({"b":1,"a":2,"c":{"z":[],"y":{}}})"),
           std::string(R"({"dup":1,"dup":[1,2],"dup":"last"})"),
           std::string(R"({"dup":{"x":1},"dup":{"y":2}})"),
       }) {
    EXPECT_EQ(Disagreement(text), "") << text;
  }
}

TEST(JsonReaderTest, ClassifiesNumbersAsNlohmannDoes) {
  for (const std::string& text : std::vector<std::string>{
           "0", "1", "-1", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
           "-9223372036854775809", "18446744073709551615", "18446744073709551616", "99999999999999999999",
           "100000000000000000000", "-18446744073709551615", "1234567890123456789", "-1234567890123456789",
           "9999999999999999999", "-9999999999999999999", "0.1", "0.30000000000000004", "2.2250738585072014e-308",
           "4.9e-324", "2e-324", "1e-400", "1.7976931348623157e308", "123456789012345678901234567890",
           "-123456789012345678901234567890.5e-3", "0e0", "0E-0", "-0e+0", "1.5E10", "3.141592653589793238462643383279",
           "1e308", "1e309", "-1e309",
           "0.0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001",
           std::string(400, '9'),
       }) {
    EXPECT_EQ(Disagreement(text), "") << text;
    EXPECT_EQ(Disagreement("[" + text + "]"), "") << text;
    EXPECT_EQ(Disagreement("{\"n\":" + text + "}"), "") << text;
  }
  EXPECT_TRUE(ParseJson("18446744073709551615")->is_number_unsigned());
  EXPECT_TRUE(ParseJson("-9223372036854775808")->is_number_integer());
  EXPECT_FALSE(ParseJson("-9223372036854775808")->is_number_unsigned());
  EXPECT_TRUE(ParseJson("18446744073709551616")->is_number_float());
  EXPECT_TRUE(ParseJson("-0")->is_number_integer());
}

TEST(JsonReaderTest, ReadsStringsAsNlohmannDoes) {
  for (const std::string& text : std::vector<std::string>{
           R"("")", R"("plain ascii text that is longer than a word or two")", R"("\"\\\/\b\f\n\r\t")",
           R"("\u0000 inside")", R"("\u00e9\u00E9\u4e2d\uFFFF\uD83D\uDE00")", R"("\uDBFF\uDFFF")",
           "\"caf\xc3\xa9 \xe4\xb8\xad \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf \xef\xbb\xbf\"", "\"\x7f\"",
           R"("a\"b\"c\"d\"e\"f\"g\"h\"i")", R"({"k\u0065y":"v","key":"w"})",
       }) {
    EXPECT_EQ(Disagreement(text), "") << text;
  }
  EXPECT_EQ(ParseJson(R"("\uD83D\uDE00")")->get<std::string>(), "\xf0\x9f\x98\x80");
  EXPECT_EQ(ParseJson(R"("a\u0000b")")->get<std::string>(), std::string("a\0b", 3));
}

TEST(JsonReaderTest, RefusesWhatNlohmannRefuses) {
  for (const std::string& text : std::vector<std::string>{
           std::string(""), std::string(" "), std::string("\n\t\r "), std::string("{"), std::string("}"),
           std::string("["), std::string("]"), std::string("[1,]"), std::string("{\"a\":1,}"),
           std::string("{\"a\"}"), std::string("{\"a\":}"), std::string("{a:1}"), std::string("{'a':1}"),
           std::string("[1 2]"), std::string("{\"a\":1 \"b\":2}"), std::string("01"), std::string("-"),
           std::string("-a"), std::string("1."), std::string(".5"), std::string("1e"), std::string("1e+"),
           std::string("+1"), std::string("0x10"), std::string("1.5x"), std::string("NaN"), std::string("Infinity"),
           std::string("-Infinity"), std::string("tru"), std::string("truE"), std::string("nul"),
           std::string("True"), std::string("[true false]"), std::string("{} {}"), std::string("1 2"),
           std::string("\"unterminated"), std::string("\"bad escape \\x\""), std::string("\"\\u12\""),
           std::string("\"\\u12g4\""), std::string("\"\\uD800\""), std::string("\"\\uD800x\""),
           std::string("\"\\uD800\\u0041\""), std::string("\"\\uDC00\""), std::string("\"\\uD800\\\""),
           std::string("\"tab\there\""), std::string("\"new\nline\""), std::string("\"\x1f\""),
           std::string("\"\xff\""), std::string("\"\xc3\""), std::string("\"\xc0\xaf\""), std::string("\"\xe0\x80\xaf\""),
           std::string("\"\xed\xa0\x80\""), std::string("\"\xf4\x90\x80\x80\""), std::string("\"\xf5\x80\x80\x80\""),
           std::string("\"\x80\""), std::string("\"\xe4\xb8\""), std::string("/* comment */ 1"), std::string("// c\n1"),
           std::string("\xef\xbb"), std::string("\xef\xbb\xbe{}"), std::string(" \xef\xbb\xbf{}"),
           std::string("\xef\xbb\xbf"), std::string("1e309"), std::string("[-1e400]"), std::string("\v1"),
           std::string("\f1"), std::string("\xc2\xa0" "1"), std::string("[1,,2]"), std::string("[,1]"),
           std::string("{,}"), std::string("{\"a\"::1}"), std::string("{\"a\":1:2}"), std::string("[\"a\":1]"),
           std::string("\0", 1), std::string("[\0]", 3), std::string("\"a\0b\"", 5),
       }) {
    EXPECT_EQ(Disagreement(text), "") << ::testing::PrintToString(text);
    EXPECT_FALSE(ParseJson(text).ok()) << ::testing::PrintToString(text);
  }
}

TEST(JsonReaderTest, TakesByteOrderMarksAndNulBytesAsNlohmannDoes) {
  // A leading BOM is skipped; a NUL byte outside a string ends the input.
  for (const std::string& text : std::vector<std::string>{std::string("\xef\xbb\xbf{\"a\":1}"), std::string("\xef\xbb\xbf 7"),
                                 std::string("{}\0garbage", 10), std::string("1\0 2", 4),
                                 std::string("[1] \0 [", 7)}) {
    EXPECT_EQ(Disagreement(text), "") << ::testing::PrintToString(text);
    EXPECT_TRUE(ParseJson(text).ok()) << ::testing::PrintToString(text);
  }
}

TEST(JsonReaderTest, ErrorsSayWhatIsWrongAndWhere) {
  EXPECT_THAT(ParseJson("{\n  \"a\": 1,\n  \"b\" 2\n}"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                                HasSubstr("line 3, column 7 (byte 18): expected ':' after the member name, got '2'")));
  EXPECT_THAT(ParseJson(""), StatusIs(absl::StatusCode::kInvalidArgument,
                                                HasSubstr("line 1, column 1 (byte 0): expected a value")));
  EXPECT_THAT(ParseJson("[1,2"), StatusIs(absl::StatusCode::kInvalidArgument,
                                                    HasSubstr("got the end of the input")));
  EXPECT_THAT(ParseJson("{\"a\":1} x"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                                HasSubstr("column 9 (byte 8): expected the end of the input after the JSON value")));
  EXPECT_THAT(ParseJson("\"a\tb\""),
              StatusIs(absl::StatusCode::kInvalidArgument,
                                HasSubstr("control characters in strings must be escaped (as \\u0009)")));
  EXPECT_THAT(ParseJson("[\"\xff\"]"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                                HasSubstr("byte 2): a string holds bytes that are not well-formed UTF-8, got byte 0xFF")));
  EXPECT_THAT(ParseJson("1e999"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("too large")));
}

TEST(JsonReaderTest, RefusesNestingDeeperThanTheLimit) {
  const auto nested = [](int depth, const std::string& open, const std::string& close) {
    std::string text;
    for (int i = 0; i < depth; ++i) text += open;
    for (int i = 0; i < depth; ++i) text += close;
    return text;
  };
  for (const auto& [open, close] : {std::pair<std::string, std::string>{"[", "]"}, {"{\"k\":[", "]}"}}) {
    const std::string deepest = nested(kMaxJsonDepth / (open == "[" ? 1 : 2), open, close);
    EXPECT_EQ(Disagreement(deepest), "");
    EXPECT_TRUE(ParseJson(deepest).ok());
    EXPECT_THAT(ParseJson(nested(kMaxJsonDepth / (open == "[" ? 1 : 2) + 1, open, close)),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("nested more than 512 deep")));
  }
  // A hostile body: no stack overflow, a clear error.
  EXPECT_THAT(ParseJson(std::string(1'000'000, '[')),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("nested more than 512 deep")));
}

// Strings are scanned 16 and 8 bytes at a time: a byte that needs a look is
// found at every offset, in strings of every length around those sizes.
TEST(JsonReaderTest, FindsSpecialBytesAtEveryOffset) {
  for (const std::string& special :
       std::vector<std::string>{"\\\"", "\\n", "\\u00e9", "\xc3\xa9", "\xf0\x9f\x98\x80", "\x01", "\xff", "\xc3"}) {
    for (size_t length = 0; length <= 40; ++length) {
      for (size_t at = 0; at <= length; ++at) {
        const std::string text = "[\"" + std::string(at, 'a') + special + std::string(length - at, 'b') + "\"]";
        ASSERT_EQ(Disagreement(text), "") << ::testing::PrintToString(text);
        // The same string at the very end of the input, and cut short.
        const std::string bare = text.substr(1, text.size() - 2);
        ASSERT_EQ(Disagreement(bare), "") << ::testing::PrintToString(bare);
        ASSERT_EQ(Disagreement(bare.substr(0, bare.size() - 1)), "") << ::testing::PrintToString(bare);
      }
    }
  }
}

// Random documents written with random whitespace, escapes and number forms,
// then mutated: ParseJson and nlohmann agree on every one.
class RandomDocuments {
 public:
  explicit RandomDocuments(uint32_t seed) : rng_(seed) {}

  std::string Document() {
    std::string text;
    if (Chance(20)) text += "\xef\xbb\xbf";
    Value(0, text);
    Space(text);
    return text;
  }

  // `text` with one to three random edits.
  std::string Mutate(std::string text) {
    static const std::string kBytes = std::string("{}[],:\"\\ \t\n0123456789eE.+-tfnaulrsx/bu") +
                                      std::string("\0\x01\x1f\x7f\x80\xbf\xc2\xc3\xe0\xed\xef\xf0\xf4\xf5\xff", 15);
    for (int edits = 1 + static_cast<int>(rng_() % 3); edits > 0; --edits) {
      const size_t at = text.empty() ? 0 : rng_() % (text.size() + 1);
      const char byte = kBytes[rng_() % kBytes.size()];
      switch (rng_() % 4) {
        case 0:
          text.resize(at);
          break;
        case 1:
          if (at < text.size()) text.erase(at, 1);
          break;
        case 2:
          text.insert(text.begin() + static_cast<std::ptrdiff_t>(at), byte);
          break;
        default:
          if (at < text.size()) text[at] = byte;
      }
    }
    return text;
  }

  // Short runs of bytes that matter to a JSON lexer.
  std::string Noise() {
    static const std::vector<std::string> kPieces = {
        "{", "}", "[", "]", ",", ":", "\"", "\\", " ", "\n", "0", "-", "1", "e", ".", "+", "true", "nul", "\\u",
        "D83D", "DE00", "\xc3\xa9", "\xed\xa0\x80", "\xef\xbb\xbf", "\x00", "\x1f", "9999999999999999999", "\"k\":",
    };
    std::string text;
    for (int i = static_cast<int>(rng_() % 10); i > 0; --i) text += kPieces[rng_() % kPieces.size()];
    return text;
  }

 private:
  bool Chance(int percent) { return static_cast<int>(rng_() % 100) < percent; }

  void Space(std::string& text) {
    static const char* const kSpaces[] = {"", "", "", " ", "\n", "\t", "\r\n  ", "    "};
    text += kSpaces[rng_() % 8];
  }

  void String(std::string& text) {
    static const std::vector<std::string> kPieces = {
        "a", "Z", " ", "plain words ", "\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t", "\\u0000",
        "\\u001f", "\\u00e9", "\\u00C9", "\\u4e2d", "\\uffff", "\\uD83D\\uDE00", "\\udbff\\udfff", "\xc3\xa9",
        "\xe4\xb8\xad", "\xf0\x9f\x98\x80", "\x7f", "/", "'", "0123456789abcdef", "\xef\xbb\xbf",
    };
    text += '"';
    for (int i = static_cast<int>(rng_() % 8); i > 0; --i) text += kPieces[rng_() % kPieces.size()];
    text += '"';
  }

  void Number(std::string& text) {
    static const std::vector<std::string> kFixed = {
        "0", "-0", "7", "-7", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
        "-9223372036854775809", "18446744073709551615", "18446744073709551616", "99999999999999999999",
        "0.5", "-0.0", "1e2", "1E-2", "2.5e+300", "1e308", "4.9e-324", "1e-400", "0.1", "123.456e-7",
    };
    if (Chance(40)) {
      text += kFixed[rng_() % kFixed.size()];
      return;
    }
    if (Chance(30)) text += '-';
    const int digits = 1 + static_cast<int>(rng_() % 22);
    text += static_cast<char>('1' + rng_() % 9);
    for (int i = 1; i < digits; ++i) text += static_cast<char>('0' + rng_() % 10);
    if (Chance(30)) {
      text += '.';
      for (int i = 1 + static_cast<int>(rng_() % 18); i > 0; --i) text += static_cast<char>('0' + rng_() % 10);
    }
    if (Chance(20)) {
      text += Chance(50) ? 'e' : 'E';
      if (Chance(50)) text += Chance(50) ? '+' : '-';
      for (int i = 1 + static_cast<int>(rng_() % 3); i > 0; --i) text += static_cast<char>('0' + rng_() % 10);
    }
  }

  void Value(int depth, std::string& text) {
    Space(text);
    switch (rng_() % (depth > 4 ? 4 : 6)) {
      case 0:
        String(text);
        return;
      case 1:
        Number(text);
        return;
      case 2:
        text += std::vector<std::string>{"true", "false", "null"}[rng_() % 3];
        return;
      case 3:
        if (Chance(50)) {
          String(text);
        } else {
          Number(text);
        }
        return;
      case 4: {
        text += '[';
        const int n = static_cast<int>(rng_() % 5);
        for (int i = 0; i < n; ++i) {
          if (i > 0) text += ',';
          Value(depth + 1, text);
          Space(text);
        }
        if (n == 0) Space(text);
        text += ']';
        return;
      }
      default: {
        text += '{';
        const int n = static_cast<int>(rng_() % 5);
        static const std::vector<std::string> kKeys = {"\"a\"", "\"b\"", "\"a\"", "\"\"", "\"k\\u0065y\"",
                                                       "\"key\"", "\"\xc3\xa9\""};
        for (int i = 0; i < n; ++i) {
          if (i > 0) text += ',';
          Space(text);
          if (Chance(60)) {
            text += kKeys[rng_() % kKeys.size()];
          } else {
            String(text);
          }
          Space(text);
          text += ':';
          Value(depth + 1, text);
          Space(text);
        }
        if (n == 0) Space(text);
        text += '}';
        return;
      }
    }
  }

  std::mt19937 rng_;
};

TEST(JsonReaderTest, AgreesWithNlohmannOnRandomDocuments) {
  RandomDocuments random(20261127);
  int accepted = 0;
  for (int i = 0; i < 3000; ++i) {
    const std::string text = random.Document();
    ASSERT_EQ(Disagreement(text), "") << "document " << i << ": " << ::testing::PrintToString(text);
    accepted += ParseJson(text).ok() ? 1 : 0;
  }
  // Most generated documents are valid (the rest hold a number too large
  // for a double), so this compares values, not only refusals.
  EXPECT_GT(accepted, 2500);
}

TEST(JsonReaderTest, AgreesWithNlohmannOnMutatedDocuments) {
  RandomDocuments random(7);
  int accepted = 0;
  int refused = 0;
  for (int i = 0; i < 20000; ++i) {
    const std::string text = random.Mutate(random.Document());
    ASSERT_EQ(Disagreement(text), "") << "document " << i << ": " << ::testing::PrintToString(text);
    (ParseJson(text).ok() ? accepted : refused) += 1;
  }
  // Both verdicts are exercised.
  EXPECT_GT(accepted, 1000);
  EXPECT_GT(refused, 5000);
}

TEST(JsonReaderTest, AgreesWithNlohmannOnNoise) {
  RandomDocuments random(99);
  for (int i = 0; i < 20000; ++i) {
    const std::string text = random.Noise();
    ASSERT_EQ(Disagreement(text), "") << "text " << i << ": " << ::testing::PrintToString(text);
  }
}

// Long texts, as in real prompts and answers, go through the word-at-a-time
// path with escapes and multi-byte characters at every alignment.
TEST(JsonReaderTest, AgreesWithNlohmannOnLongStrings) {
  std::mt19937 rng(5);
  const std::vector<std::string> pieces = {"plain words here ", "\\\"", "\\\\", "\\n", "\\u0002", "\xc3\xa9",
                                           "\xe4\xb8\xad\xe6\x96\x87", "\xf0\x9f\x98\x80", "0123456789abcdef", "\x7f",
                                           "tab\\tend", "x"};
  for (int i = 0; i < 500; ++i) {
    std::string text = "{\"contents\":[{\"parts\":[{\"text\":\"";
    const size_t prefix = text.size();
    const int n = static_cast<int>(rng() % 300);
    for (int j = 0; j < n; ++j) text += pieces[rng() % pieces.size()];
    text += "\"}]}]}";
    ASSERT_EQ(Disagreement(text), "") << "text " << i;
    // A bad byte at a random place in the string is found wherever it is.
    std::string broken = text;
    const size_t body = broken.size() - prefix - 6;
    broken.insert(broken.begin() + static_cast<std::ptrdiff_t>(prefix + rng() % (body + 1)), "\x01\xff\""[rng() % 3]);
    ASSERT_EQ(Disagreement(broken), "") << "broken text " << i;
  }
}

}  // namespace
}  // namespace gempool::openai
