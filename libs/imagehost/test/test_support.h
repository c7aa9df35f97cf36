#pragma once
// Shared fixtures of the gempool_imagehost tests: a fixed upload
// environment and a small "image".

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gempool/imagehost/upload.h"

namespace gempool::imagehost::testing {

inline UploadEnv FixedEnv() {
  return UploadEnv{absl::FromCivil(absl::CivilSecond(2026, 12, 6, 12, 0, 0), absl::UTCTimeZone()),
                   "0123456789abcdef", "BOUNDARY42"};
}

inline Image PngImage() { return Image{std::string("\x89PNG fake", 9), "image/png"}; }

// The multipart body the builders must produce for PngImage() in `field`.
inline std::string ExpectedMultipart(const std::string& field) {
  return absl::StrCat("--BOUNDARY42\r\nContent-Disposition: form-data; name=\"", field,
                      "\"; filename=\"0123456789abcdef.png\"\r\nContent-Type: image/png\r\n\r\n",
                      std::string("\x89PNG fake", 9), "\r\n--BOUNDARY42--\r\n");
}

inline std::string Header(const HttpUpload& upload, const std::string& name) {
  for (const auto& [key, value] : upload.headers) {
    if (key == name) return value;
  }
  return "<absent>";
}

}  // namespace gempool::imagehost::testing
