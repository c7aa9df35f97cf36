#include "sql_params.h"

#include "absl/strings/str_cat.h"

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

void SqlParams::Prepare(soci::statement& st, const std::string& sql_text) const {
  for (const Slot& slot : slots_) {
    if (slot.is_int) {
      st.exchange(soci::use(ints_[slot.index], slot.name));
    } else {
      st.exchange(soci::use(strings_[slot.index], slot.name));
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
