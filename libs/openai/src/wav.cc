#include "gempool/openai/wav.h"

#include <cstdint>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace gempool::openai {
namespace {

void PutLe(std::string& out, uint32_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}

}  // namespace

absl::StatusOr<PcmFormat> ParsePcmMime(absl::string_view mime) {
  std::vector<absl::string_view> pieces = absl::StrSplit(mime, ';');
  std::string type = absl::AsciiStrToLower(absl::StripAsciiWhitespace(pieces[0]));
  if (type != "audio/l16" && type != "audio/pcm" && type != "audio/x-pcm") {
    return absl::InvalidArgumentError(absl::StrCat("'", mime, "' is not linear PCM audio"));
  }
  PcmFormat format;
  for (size_t i = 1; i < pieces.size(); ++i) {
    std::vector<absl::string_view> kv = absl::StrSplit(absl::StripAsciiWhitespace(pieces[i]), absl::MaxSplits('=', 1));
    if (kv.size() != 2) continue;
    std::string key = absl::AsciiStrToLower(kv[0]);
    int value = 0;
    if (!absl::SimpleAtoi(kv[1], &value) || value <= 0) continue;
    if (key == "rate") format.sample_rate = value;
    if (key == "channels") format.channels = value;
  }
  return format;
}

std::string PcmToWav(absl::string_view pcm, const PcmFormat& format) {
  const uint32_t data_size = static_cast<uint32_t>(pcm.size());
  const uint32_t block_align = static_cast<uint32_t>(format.channels * format.bits_per_sample / 8);
  const uint32_t byte_rate = static_cast<uint32_t>(format.sample_rate) * block_align;
  std::string out;
  out.reserve(44 + pcm.size());
  out.append("RIFF");
  PutLe(out, 36 + data_size, 4);
  out.append("WAVE");
  out.append("fmt ");
  PutLe(out, 16, 4);  // fmt chunk size
  PutLe(out, 1, 2);   // PCM
  PutLe(out, static_cast<uint32_t>(format.channels), 2);
  PutLe(out, static_cast<uint32_t>(format.sample_rate), 4);
  PutLe(out, byte_rate, 4);
  PutLe(out, block_align, 2);
  PutLe(out, static_cast<uint32_t>(format.bits_per_sample), 2);
  out.append("data");
  PutLe(out, data_size, 4);
  out.append(pcm.data(), pcm.size());
  return out;
}

}  // namespace gempool::openai
