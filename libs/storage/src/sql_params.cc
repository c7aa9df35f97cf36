#include "sql_params.h"

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

// The ":p<N>" placeholders of `sql_text` in the order they appear.
std::vector<absl::string_view> PlaceholdersInOrder(absl::string_view sql_text) {
  std::vector<absl::string_view> names;
  for (size_t i = 0; i + 2 < sql_text.size(); ++i) {
    if (sql_text[i] != ':' || sql_text[i + 1] != 'p' || !absl::ascii_isdigit(sql_text[i + 2])) continue;
    size_t end = i + 2;
    while (end < sql_text.size() && absl::ascii_isdigit(sql_text[end])) ++end;
    names.push_back(sql_text.substr(i + 1, end - i - 1));
    i = end - 1;
  }
  return names;
}

}  // namespace

void SqlParams::Prepare(soci::statement& st, const std::string& sql_text) const {
  // Binding by position when each value's placeholder appears once: SQLite
  // looks a name up by scanning every parameter of the statement, which made
  // a 100-row INSERT (900 parameters) spend most of its time comparing names.
  std::vector<const Slot*> order;
  const std::vector<absl::string_view> names = PlaceholdersInOrder(sql_text);
  if (names.size() == slots_.size()) {
    absl::flat_hash_map<absl::string_view, const Slot*> by_name;
    for (const Slot& slot : slots_) by_name.emplace(slot.name, &slot);
    for (absl::string_view name : names) {
      auto it = by_name.find(name);
      if (it == by_name.end()) break;
      order.push_back(it->second);
      by_name.erase(it);  // A name used twice cannot be bound by position.
    }
  }
  if (order.size() == slots_.size()) {
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
  st.prepare(sql_text);
  st.define_and_bind();
}

long long ExecuteUpdate(soci::session& session, const std::string& sql_text, const SqlParams& params) {
  soci::statement st(session);
  params.Prepare(st, sql_text);
  st.execute(true);
  return st.get_affected_rows();
}

}  // namespace gempool::storage
