#include "gempool/imagehost/object_name.h"

#include "absl/random/random.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace gempool::imagehost {

std::string ExtensionForMime(absl::string_view mime_type) {
  const std::string mime = absl::AsciiStrToLower(mime_type);
  if (mime == "image/png") return "png";
  if (mime == "image/jpeg" || mime == "image/jpg") return "jpg";
  if (mime == "image/webp") return "webp";
  if (mime == "image/gif") return "gif";
  if (mime == "image/heic") return "heic";
  if (mime == "image/heif") return "heif";
  return "bin";
}

std::string FileName(absl::string_view random_hex, absl::string_view mime_type) {
  return absl::StrCat(random_hex, ".", ExtensionForMime(mime_type));
}

std::string ObjectName(absl::Time now, absl::string_view random_hex, absl::string_view mime_type) {
  return absl::StrCat(absl::FormatTime("%Y/%m/%d/", now, absl::UTCTimeZone()), FileName(random_hex, mime_type));
}

std::string RandomHex(int count) {
  // One generator per thread: absl::BitGen is not thread-safe, and is seeded
  // from the OS.
  thread_local absl::BitGen random;
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(count);
  for (int i = 0; i < count; ++i) out += kDigits[absl::Uniform(random, 0, 16)];
  return out;
}

}  // namespace gempool::imagehost
