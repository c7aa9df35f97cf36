#include "sql_params.h"

#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace gempool::storage {

std::string SqlParams::Add(long long value) {
  ints_.push_back(value);
  slots_.push_back({true, ints_.size() - 1, absl::StrCat("p", slots_.size())});
  return ":" + slots_.back().name;
}

std::string SqlParams::Add(std::string value) {
  strings_.push_back(std::move(value));
  slots_.push_back({false, strings_.size() - 1, absl::StrCat("p", slots_.size())});
  return ":" + slots_.back().name;
}

namespace {

// Where each ":p<N>" placeholder of `sql_text` is, in order: [begin, end).
std::vector<std::pair<size_t, size_t>> FindPlaceholders(absl::string_view sql_text) {
  std::vector<std::pair<size_t, size_t>> found;
  for (size_t i = 0; i + 2 < sql_text.size(); ++i) {
    if (sql_text[i] != ':' || sql_text[i + 1] != 'p' || !absl::ascii_isdigit(sql_text[i + 2])) continue;
    size_t end = i + 2;
    while (end < sql_text.size() && absl::ascii_isdigit(sql_text[end])) ++end;
    found.emplace_back(i, end);
    i = end - 1;
  }
  return found;
}

// `sql_text` with each placeholder in `found` replaced by "?".
std::string AnonymousPlaceholders(absl::string_view sql_text, const std::vector<std::pair<size_t, size_t>>& found) {
  std::string out;
  out.reserve(sql_text.size());
  size_t copied = 0;
  for (const auto& [begin, end] : found) {
    absl::StrAppend(&out, sql_text.substr(copied, begin - copied), "?");
    copied = end;
  }
  absl::StrAppend(&out, sql_text.substr(copied));
  return out;
}

}  // namespace

void SqlParams::Prepare(soci::statement& st, const std::string& sql_text, bool sqlite) const {
  // Binding by position when each value's placeholder appears once: SQLite
  // looks a name up by scanning every parameter of the statement, which made
  // a 100-row INSERT (900 parameters) spend most of its time comparing names.
  std::vector<const Slot*> order;
  const std::vector<std::pair<size_t, size_t>> placeholders = FindPlaceholders(sql_text);
  if (placeholders.size() == slots_.size()) {
    absl::flat_hash_map<absl::string_view, const Slot*> by_name;
    for (const Slot& slot : slots_) by_name.emplace(slot.name, &slot);
    for (const auto& [begin, end] : placeholders) {
      auto it = by_name.find(absl::string_view(sql_text).substr(begin + 1, end - begin - 1));
      if (it == by_name.end()) break;
      order.push_back(it->second);
      by_name.erase(it);  // A name used twice cannot be bound by position.
    }
  }
  std::string positional_sql;
  if (order.size() == slots_.size()) {
    // SQLite also scans the names of a statement's earlier parameters for
    // each named one while compiling it (to find repeats): O(n^2) string
    // compares for a 100-row INSERT, a third of persistence's CPU under
    // load. Bound by position, the names are not needed: plain "?" there.
    if (sqlite && !placeholders.empty()) {
      positional_sql = AnonymousPlaceholders(sql_text, placeholders);
    }
    for (const Slot* slot : order) {
      if (slot->is_int) {
        st.exchange(soci::use(ints_[slot->index]));
      } else {
        st.exchange(soci::use(strings_[slot->index]));
      }
    }
  } else {
    for (const Slot& slot : slots_) {
      if (slot.is_int) {
        st.exchange(soci::use(ints_[slot.index], slot.name));
      } else {
        st.exchange(soci::use(strings_[slot.index], slot.name));
      }
    }
  }
  st.alloc();
  st.prepare(positional_sql.empty() ? sql_text : positional_sql);
  st.define_and_bind();
}

long long ExecuteUpdate(soci::session& session, const std::string& sql_text, const SqlParams& params) {
  soci::statement st(session);
  params.Prepare(st, sql_text, session.get_backend_name() == "sqlite3");
  st.execute(true);
  return st.get_affected_rows();
}

}  // namespace gempool::storage
