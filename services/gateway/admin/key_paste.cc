#include "admin/key_paste.h"


namespace gempool::gateway::admin {
namespace {

bool IsSeparator(char c) {
  switch (c) {
    case '\n':
    case '\r':
    case '\t':
    case ' ':
    case ',':
    case ';':
    case '"':
    case '\'':
    case '`':
    case '[':
    case ']':
    case '{':
    case '}':
    case '(':
    case ')':
    case '|':
      return true;
    default:
      return false;
  }
}

}  // namespace

std::vector<std::string> SplitPastedKeys(absl::string_view text) {
  std::vector<std::string> keys;
  std::string current;
  auto flush = [&] {
    // "API_KEYS=AIza..." (a .env line): keep what follows the '='.
    const size_t eq = current.rfind('=');
    std::string key = eq == std::string::npos ? current : current.substr(eq + 1);
    if (!key.empty()) keys.push_back(std::move(key));
    current.clear();
  };
  for (char c : text) {
    if (IsSeparator(c)) {
      flush();
    } else {
      current += c;
    }
  }
  flush();
  return keys;
}

}  // namespace gempool::gateway::admin
