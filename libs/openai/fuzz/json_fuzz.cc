#include "fuzz/json_fuzz.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "fuzz/fuzz_check.h"
#include "gempool/openai/json_reader.h"
#include "gempool/openai/json_writer.h"
#include "nlohmann/json.hpp"

namespace gempool::openai {
namespace {

using nlohmann::json;
using fuzz::Require;

// The same value in the strictest sense: the same type at every node (an
// unsigned 1 is not an integer 1), the same bits of every double (-0.0 is
// not 0.0), the same members in the same order. nlohmann's operator== is
// looser on numbers.
bool SameValue(const json& a, const json& b) {
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case json::value_t::object: {
      const auto& left = a.get_ref<const json::object_t&>();
      const auto& right = b.get_ref<const json::object_t&>();
      if (left.size() != right.size()) return false;
      for (auto l = left.begin(), r = right.begin(); l != left.end(); ++l, ++r) {
        if (l->first != r->first || !SameValue(l->second, r->second)) return false;
      }
      return true;
    }
    case json::value_t::array: {
      const auto& left = a.get_ref<const json::array_t&>();
      const auto& right = b.get_ref<const json::array_t&>();
      if (left.size() != right.size()) return false;
      for (size_t i = 0; i < left.size(); ++i) {
        if (!SameValue(left[i], right[i])) return false;
      }
      return true;
    }
    case json::value_t::number_float: {
      const double l = a.get<double>();
      const double r = b.get<double>();
      return std::memcmp(&l, &r, sizeof(l)) == 0;
    }
    default:
      return a == b;
  }
}

// How deeply arrays and objects nest in `value` (a scalar: 0), without
// recursion: nlohmann accepts any depth.
int Depth(const json& value) {
  int deepest = 0;
  std::vector<std::pair<const json*, int>> todo = {{&value, 0}};
  while (!todo.empty()) {
    auto [node, depth] = todo.back();
    todo.pop_back();
    if (!node->is_structured()) continue;
    deepest = std::max(deepest, depth + 1);
    for (const json& child : *node) todo.emplace_back(&child, depth + 1);
  }
  return deepest;
}

std::string NlohmannText(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

// WriteJson(value) is nlohmann's text, and that text reads back as a valid
// document (equal to `value` when `exact`).
void CheckWriter(const json& value, bool exact, absl::string_view what) {
  const std::string ours = WriteJson(value);
  const std::string theirs = NlohmannText(value);
  Require(ours == theirs, absl::StrCat(what, ": WriteJson differs from nlohmann's dump"),
          absl::StrCat("WriteJson: ", ours, "\nnlohmann:  ", theirs));
  absl::StatusOr<json> back = ParseJson(ours);
  Require(back.ok(), absl::StrCat(what, ": WriteJson's text does not read back"),
          absl::StrCat(back.status().ToString(), "\n", ours));
  if (exact) Require(*back == value, absl::StrCat(what, ": WriteJson's text reads back different"), ours);
}

// Whether nlohmann's strict writer takes every string of `value` (all valid
// UTF-8).
bool AllUtf8(const json& value) {
  try {
    (void)value.dump(-1, ' ', false, json::error_handler_t::strict);
    return true;
  } catch (const json::exception&) {
    return false;
  }
}

}  // namespace

void FuzzJson(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<json> ours = ParseJson(text);
  const json theirs = json::parse(text.begin(), text.end(), /*cb=*/nullptr, /*allow_exceptions=*/false);
  const bool they_accept = !theirs.is_discarded();

  if (!ours.ok()) {
    Require(ours.status().code() == absl::StatusCode::kInvalidArgument &&
                absl::StartsWith(ours.status().message(), "invalid JSON at line "),
            "ParseJson refused without an InvalidArgument naming the line", ours.status().ToString());
    if (they_accept) {
      // The one deliberate difference: the depth limit.
      Require(Depth(theirs) > kMaxJsonDepth && absl::StrContains(ours.status().message(), "nested more than"),
              "ParseJson refused a document nlohmann accepts (not for its depth)",
              absl::StrCat(ours.status().ToString(), "\nnlohmann: ", NlohmannText(theirs)));
    }
  } else {
    Require(they_accept, "ParseJson accepted a document nlohmann refuses", NlohmannText(*ours));
    Require(SameValue(*ours, theirs), "ParseJson and nlohmann read different values",
            absl::StrCat("ParseJson: ", NlohmannText(*ours), "\nnlohmann:  ", NlohmannText(theirs)));
    CheckWriter(*ours, /*exact=*/true, "the parsed value");
  }

  // The writer on strings of any bytes: the input as a string and as a key.
  const json as_string = std::string(text);
  const bool utf8 = AllUtf8(as_string);
  CheckWriter(as_string, utf8, "the input as a string");
  CheckWriter(json::object({{std::string(text), json::array({1, -1, 0.5})}}), utf8, "the input as a key");
  // And on a double of any bits (NaN and infinities are written as null).
  if (size >= sizeof(double)) {
    double number;
    std::memcpy(&number, data, sizeof(number));
    CheckWriter(json(number), /*exact=*/std::isfinite(number), "a double of the input's bits");
  }
}

}  // namespace gempool::openai
