#pragma once
// Names of uploaded images: "YYYY/MM/DD/<random hex>.<ext>" (the date in
// UTC), like gemini-balance's, with more random digits so that names do not
// collide. Pure functions.

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace gempool::imagehost {

// "png" for image/png, "jpg" for image/jpeg, "webp", "gif", "heic", "heif";
// "bin" for anything else.
std::string ExtensionForMime(absl::string_view mime_type);

// "2026/12/06/4f3c2a1b9d8e7f60.png".
std::string ObjectName(absl::Time now, absl::string_view random_hex, absl::string_view mime_type);

// The last path segment of ObjectName(): "4f3c2a1b9d8e7f60.png".
std::string FileName(absl::string_view random_hex, absl::string_view mime_type);

// `count` lowercase hex digits from a random source.
std::string RandomHex(int count);

}  // namespace gempool::imagehost
