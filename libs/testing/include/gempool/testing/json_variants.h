#pragma once
// Robustness tests for code that reads JSON from outside: a realistic seed
// document, and every copy of it with one node (the root included) replaced
// by a value of another type or an odd value: null, numbers out of every
// range, empty strings, empty and unexpected containers, and the object
// shapes converters look into ("type", "text"); optionally invalid UTF-8,
// which parsed input never holds (the JSON reader refuses it) but documents
// a reader builds itself may. The reader under test must answer each with a
// result or an error, never throw or crash. Header-only; thread-compatible.

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"

namespace gempool::testing {

// The replacement values tried at each node.
inline std::vector<nlohmann::json> JsonReplacements(bool invalid_utf8) {
  using nlohmann::json;
  std::vector<json> values = {nullptr,
          7,
          -1.5,
          4294967296LL,
          1e300,
          "x",
          "",
          true,
          json::array(),
          json::object(),
          json::array({1, "a", nullptr}),
          json{{"k", "v"}, {"type", json::array({"a"})}},
          json{{"k", "v"}, {"text", json::array({"a"})}},
          json{{"type", "text"}, {"text", "t"}}};
  if (invalid_utf8) values.push_back(std::string("\xff\xfe bad utf-8"));
  return values;
}

// Calls `visit` on `seed` and on every single-node replacement of it (by
// JsonReplacements and `extra`, e.g. a content part of the API under test);
// returns how many variants were visited (so a test can show it ran).
inline size_t ForEachJsonVariant(const nlohmann::json& seed, const std::function<void(const nlohmann::json&)>& visit,
                                 bool invalid_utf8 = false, const std::vector<nlohmann::json>& extra = {}) {
  using nlohmann::json;
  std::vector<json::json_pointer> pointers;
  std::function<void(const json&, const json::json_pointer&)> collect = [&](const json& node,
                                                                            const json::json_pointer& at) {
    pointers.push_back(at);
    if (node.is_object()) {
      for (const auto& [key, value] : node.items()) collect(value, at / key);
    } else if (node.is_array()) {
      for (size_t i = 0; i < node.size(); ++i) collect(node[i], at / i);
    }
  };
  collect(seed, json::json_pointer());
  std::vector<json> replacements = JsonReplacements(invalid_utf8);
  replacements.insert(replacements.end(), extra.begin(), extra.end());
  size_t variants = 1;
  visit(seed);
  for (const json::json_pointer& pointer : pointers) {
    for (const json& replacement : replacements) {
      json copy = seed;
      copy[pointer] = replacement;
      visit(copy);
      ++variants;
    }
  }
  return variants;
}

}  // namespace gempool::testing
