#pragma once
// multipart/form-data bodies (RFC 7578) with one file field: what SM.MS,
// Chevereto and ImgBed take. Pure functions.

#include <string>

#include "absl/strings/string_view.h"

namespace gempool::imagehost {

struct MultipartFile {
  std::string field;      // "smfile", "source", "file".
  std::string filename;   // "4f3c2a1b9d8e7f60.png": no quote, CR or LF.
  std::string mime_type;  // "image/png".
  absl::string_view bytes;
};

// "multipart/form-data; boundary=<boundary>".
std::string MultipartContentType(absl::string_view boundary);

// The body holding `file` between `boundary` lines. The boundary must not
// occur in the bytes: RandomBoundary() makes that practically certain.
std::string MultipartBody(absl::string_view boundary, const MultipartFile& file);

// "gempool-" and 32 random hex digits.
std::string RandomBoundary();

}  // namespace gempool::imagehost
