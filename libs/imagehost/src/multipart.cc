#include "gempool/imagehost/multipart.h"

#include "absl/strings/str_cat.h"
#include "gempool/imagehost/object_name.h"

namespace gempool::imagehost {

std::string MultipartContentType(absl::string_view boundary) {
  return absl::StrCat("multipart/form-data; boundary=", boundary);
}

std::string MultipartBody(absl::string_view boundary, const MultipartFile& file) {
  std::string out;
  out.reserve(file.bytes.size() + 256);
  absl::StrAppend(&out, "--", boundary, "\r\n", "Content-Disposition: form-data; name=\"", file.field,
                  "\"; filename=\"", file.filename, "\"\r\n", "Content-Type: ", file.mime_type, "\r\n\r\n");
  out.append(file.bytes.data(), file.bytes.size());
  absl::StrAppend(&out, "\r\n--", boundary, "--\r\n");
  return out;
}

std::string RandomBoundary() { return absl::StrCat("gempool-", RandomHex(32)); }

}  // namespace gempool::imagehost
