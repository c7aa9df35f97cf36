#pragma once
// Values for a statement whose placeholders are only known at run time
// (filters, multi-row INSERTs, IN lists). Each Add returns the placeholder to
// put in the SQL text; Prepare binds every value by name. SOCI binds by
// reference, so the values live here (in deques, whose elements never move)
// until the statement has run. Not thread-safe; one per statement.

#include <soci/soci.h>

#include <deque>
#include <string>
#include <vector>

namespace gempool::storage {

class SqlParams {
 public:
  // Returns the placeholder (":p<N>") bound to `value`.
  std::string Add(long long value);
  std::string Add(std::string value);

  // Binds the values to `st` (after its into() exchanges), then prepares
  // `sql_text` on it. The SqlParams must outlive the statement's execution.
  // `sqlite`: the statement's session is SQLite's (see the .cc).
  void Prepare(soci::statement& st, const std::string& sql_text, bool sqlite = false) const;

 private:
  struct Slot {
    bool is_int = false;
    size_t index = 0;
    std::string name;
  };
  std::deque<long long> ints_;
  std::deque<std::string> strings_;
  std::vector<Slot> slots_;
};

// Runs a statement without results and returns the rows it affected.
long long ExecuteUpdate(soci::session& session, const std::string& sql_text, const SqlParams& params);

}  // namespace gempool::storage
