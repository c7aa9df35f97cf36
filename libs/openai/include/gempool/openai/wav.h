#pragma once
// Raw PCM as Gemini's TTS returns it ("audio/L16;codec=pcm;rate=24000": 16-bit
// little-endian samples, mono) wrapped in a RIFF/WAVE file. Pure functions;
// thread-safe.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace gempool::openai {

struct PcmFormat {
  int sample_rate = 24000;
  int channels = 1;
  int bits_per_sample = 16;
};

// Reads "audio/L16;codec=pcm;rate=24000" (also "audio/pcm", and a
// "channels=" parameter). Missing parameters keep PcmFormat's defaults.
// InvalidArgument for types that are not linear PCM.
absl::StatusOr<PcmFormat> ParsePcmMime(absl::string_view mime);

// A complete WAV file: the 44-byte canonical header (PCM format tag 1) and
// `pcm` as its data chunk.
std::string PcmToWav(absl::string_view pcm, const PcmFormat& format);

}  // namespace gempool::openai
