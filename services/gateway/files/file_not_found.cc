#include "files/file_not_found.h"

#include "absl/strings/str_cat.h"

namespace gempool::gateway {

absl::Status FileNotFound(absl::string_view name) {
  return absl::NotFoundError(absl::StrCat("File ", name, " was not found (it expired, was deleted, or was never "
                                          "uploaded through this gempool with this client token)"));
}

}  // namespace gempool::gateway
