#include "fuzz/answer_fuzz.h"

#include <cstdlib>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "gempool/imagehost/inline_images.h"
#include "gempool/imagehost/upload.h"

namespace gempool::imagehost {
namespace {

constexpr const char* kProviders[] = {"smms", "picgo", "cloudflare_imgbed", "aliyun_oss"};

void CheckLink(const absl::StatusOr<std::string>& link) {
  if (!link.ok()) return;
  const bool absolute = absl::StartsWith(*link, "http://") || absl::StartsWith(*link, "https://");
  if (!absolute || link->find_first_of(" \t\r\n") != std::string::npos) std::abort();
}

}  // namespace

void FuzzImageHostAnswers(const uint8_t* data, size_t size) {
  if (size < 3) return;
  const int reader = data[0] % 5;
  const int status = (data[1] << 8 | data[2]) % 600;
  const absl::string_view input(reinterpret_cast<const char*>(data + 3), size - 3);
  if (reader < 4) {
    ImageHostSettings settings;
    settings.provider = kProviders[reader];
    settings.cloudflare_imgbed_url = "https://img.example.com/upload";
    HttpUpload upload;
    upload.public_link = "https://bucket.oss.example.com/2026/12/06/x.png";
    CheckLink(ReadUploadAnswer(settings, upload, status, input));
    return;
  }
  nlohmann::json answer = nlohmann::json::parse(input.begin(), input.end(), nullptr, /*allow_exceptions=*/false);
  if (answer.is_discarded()) return;
  for (const InlineImageAt& at : FindInlineImages(answer)) {
    absl::StatusOr<Image> image = ImageAt(answer, at);
    if (image.ok()) ReplaceWithLink(answer, at, "https://img.example.com/a.png");
  }
  (void)answer.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace gempool::imagehost
