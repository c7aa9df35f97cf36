#pragma once
// What the gemini-balance importer reads besides t_settings, driven by
// arbitrary bytes: the first line is tried as a MySQL DSN (ParseMysqlDsn) and
// as a DATETIME (ParseGeminiBalanceTime); the other lines are t_file_records
// rows, tab-separated in the order of GeminiBalanceFileRow (PlanFileRecords).
// Must never crash, and:
//  - an accepted DSN names a user, a database and a port in 1..65535, and
//    written back (every part %-escaped) parses to the same settings; a
//    refusal never shows the password;
//  - a time read is written back and read again to the same instant;
//  - every file row is planned or counted as skipped, exactly once; a
//    planned record names a file, the known key's id, a creation before its
//    expiry, an owner and metadata that is JSON.
// The libFuzzer target and the replay test in gempoolctl_test share it.

#include <cstddef>
#include <cstdint>

namespace gempool::ctl {

void FuzzSourceReaders(const uint8_t* data, size_t size);

}  // namespace gempool::ctl
