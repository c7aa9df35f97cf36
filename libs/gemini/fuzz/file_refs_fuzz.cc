#include "fuzz/file_refs_fuzz.h"

#include <cstdlib>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "gempool/gemini/file_refs.h"

namespace gempool::gemini {
namespace {

// A returned name that is not "files/<id>" would send a lookup for garbage.
void CheckName(const std::string& name) {
  if (!absl::StartsWith(name, "files/") || name.size() <= 6 || name.find('/', 6) != std::string::npos) abort();
}

}  // namespace

void FuzzFileRefs(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  for (const std::string& name : ReferencedFileNames(input)) CheckName(name);
  const absl::string_view first_line = input.substr(0, input.find('\n'));
  if (auto name = FileNameFromUri(first_line); name.has_value()) CheckName(*name);
}

}  // namespace gempool::gemini
