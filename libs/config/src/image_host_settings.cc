#include "image_host_settings.h"

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gempool/common/status_macros.h"

namespace gempool {

std::vector<std::string> ImageHostSettings::MissingSettings() const {
  std::vector<std::string> missing;
  auto need = [&](const char* name, const std::string& value) {
    if (value.empty()) missing.push_back(name);
  };
  if (provider == "smms") {
    need("SMMS_SECRET_TOKEN", smms_secret_token);
    need("SMMS_API_URL", smms_api_url);
  } else if (provider == "picgo") {
    need("PICGO_API_KEY", picgo_api_key);
    need("PICGO_API_URL", picgo_api_url);
  } else if (provider == "cloudflare_imgbed") {
    need("CLOUDFLARE_IMGBED_URL", cloudflare_imgbed_url);
  } else if (provider == "aliyun_oss") {
    need("OSS_ENDPOINT", oss_endpoint);
    need("OSS_ACCESS_KEY", oss_access_key);
    need("OSS_ACCESS_KEY_SECRET", oss_access_key_secret);
    need("OSS_BUCKET_NAME", oss_bucket_name);
  }
  return missing;
}

namespace config {
namespace {

absl::Status InvalidImageHostSetting(absl::string_view name, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(name, " is not valid: ", why));
}

// One line of printable text: these values go into URLs, headers and
// signatures.
absl::Status CheckPrintable(absl::string_view name, absl::string_view value, bool secret) {
  for (char c : value) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return InvalidImageHostSetting(name, secret ? "it holds a control character or line break (value hidden)"
                                  : absl::StrCat("\"", absl::CHexEscape(value), "\" holds a control character"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckUrl(absl::string_view name, absl::string_view value, absl::string_view example) {
  if (!absl::StartsWith(value, "http://") && !absl::StartsWith(value, "https://")) {
    return InvalidImageHostSetting(name, absl::StrCat("\"", value, "\": expected an http:// or https:// URL such as ", example));
  }
  if (value.find_first_of(" \t\r\n") != absl::string_view::npos) {
    return InvalidImageHostSetting(name, absl::StrCat("\"", absl::CHexEscape(value), "\" holds white space"));
  }
  return absl::OkStatus();
}

// An OSS endpoint: a host name (oss-cn-hangzhou.aliyuncs.com) or an
// http(s):// URL of one, with no path.
absl::Status CheckOssEndpoint(absl::string_view name, absl::string_view value) {
  absl::string_view host = value;
  if (absl::StartsWith(host, "https://")) host.remove_prefix(8);
  else if (absl::StartsWith(host, "http://")) host.remove_prefix(7);
  while (absl::EndsWith(host, "/")) host.remove_suffix(1);
  bool valid = !host.empty();
  for (char c : host) {
    valid = valid && (absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == ':');
  }
  if (!valid) {
    return InvalidImageHostSetting(name, absl::StrCat("\"", absl::CHexEscape(value),
                                      "\": expected an OSS endpoint host such as oss-cn-hangzhou.aliyuncs.com "
                                      "(or https:// and that host)"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status LoadImageHostSettings(const Environment& env, ImageHostSettings& out) {
  auto text = [&](const char* name) { return std::string(absl::StripAsciiWhitespace(env.GetOr(name, ""))); };
  auto has = [&](const char* name) { return !text(name).empty(); };
  // A plain value: set when given, one printable line.
  auto plain = [&](const char* name, std::string& field, bool secret) -> absl::Status {
    if (!has(name)) return absl::OkStatus();
    field = text(name);
    return CheckPrintable(name, field, secret);
  };

  if (has("UPLOAD_PROVIDER")) {
    const std::string provider = absl::AsciiStrToLower(text("UPLOAD_PROVIDER"));
    if (provider != "smms" && provider != "picgo" && provider != "cloudflare_imgbed" && provider != "aliyun_oss" &&
        provider != "none") {
      return InvalidImageHostSetting("UPLOAD_PROVIDER", absl::StrCat("\"", text("UPLOAD_PROVIDER"),
                                                     "\": expected smms, picgo, cloudflare_imgbed, aliyun_oss or "
                                                     "none (keep images inline as data: URIs)"));
    }
    out.provider = provider;
  }
  GEMPOOL_RETURN_IF_ERROR(plain("SMMS_SECRET_TOKEN", out.smms_secret_token, /*secret=*/true));
  if (has("SMMS_API_URL")) {
    out.smms_api_url = text("SMMS_API_URL");
    GEMPOOL_RETURN_IF_ERROR(CheckUrl("SMMS_API_URL", out.smms_api_url, "https://smms.app/api/v2/upload"));
  }
  GEMPOOL_RETURN_IF_ERROR(plain("PICGO_API_KEY", out.picgo_api_key, /*secret=*/true));
  if (has("PICGO_API_URL")) {
    out.picgo_api_url = text("PICGO_API_URL");
    GEMPOOL_RETURN_IF_ERROR(CheckUrl("PICGO_API_URL", out.picgo_api_url, "https://www.picgo.net/api/1/upload"));
  }
  if (has("CLOUDFLARE_IMGBED_URL")) {
    out.cloudflare_imgbed_url = text("CLOUDFLARE_IMGBED_URL");
    GEMPOOL_RETURN_IF_ERROR(
        CheckUrl("CLOUDFLARE_IMGBED_URL", out.cloudflare_imgbed_url, "https://imgbed.example.com/upload"));
  }
  GEMPOOL_RETURN_IF_ERROR(plain("CLOUDFLARE_IMGBED_AUTH_CODE", out.cloudflare_imgbed_auth_code, /*secret=*/true));
  GEMPOOL_RETURN_IF_ERROR(
      plain("CLOUDFLARE_IMGBED_UPLOAD_FOLDER", out.cloudflare_imgbed_upload_folder, /*secret=*/false));
  if (has("OSS_ENDPOINT")) {
    out.oss_endpoint = text("OSS_ENDPOINT");
    GEMPOOL_RETURN_IF_ERROR(CheckOssEndpoint("OSS_ENDPOINT", out.oss_endpoint));
  }
  if (has("OSS_ENDPOINT_INNER")) {
    out.oss_endpoint_inner = text("OSS_ENDPOINT_INNER");
    GEMPOOL_RETURN_IF_ERROR(CheckOssEndpoint("OSS_ENDPOINT_INNER", out.oss_endpoint_inner));
  }
  // The AccessKey ID is half of a credential: never shown either.
  GEMPOOL_RETURN_IF_ERROR(plain("OSS_ACCESS_KEY", out.oss_access_key, /*secret=*/true));
  GEMPOOL_RETURN_IF_ERROR(plain("OSS_ACCESS_KEY_SECRET", out.oss_access_key_secret, /*secret=*/true));
  if (has("OSS_BUCKET_NAME")) {
    out.oss_bucket_name = text("OSS_BUCKET_NAME");
    // OSS bucket names: 3-63 lower-case letters, digits and hyphens.
    bool valid = out.oss_bucket_name.size() >= 3 && out.oss_bucket_name.size() <= 63;
    for (char c : out.oss_bucket_name) {
      valid = valid && (absl::ascii_islower(static_cast<unsigned char>(c)) ||
                        absl::ascii_isdigit(static_cast<unsigned char>(c)) || c == '-');
    }
    if (!valid) {
      return InvalidImageHostSetting("OSS_BUCKET_NAME", absl::StrCat("\"", absl::CHexEscape(out.oss_bucket_name),
                                                     "\": expected 3 to 63 lower-case letters, digits and hyphens"));
    }
  }
  GEMPOOL_RETURN_IF_ERROR(plain("OSS_REGION", out.oss_region, /*secret=*/false));
  return absl::OkStatus();
}

}  // namespace config
}  // namespace gempool
