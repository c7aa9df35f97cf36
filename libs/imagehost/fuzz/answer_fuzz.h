#pragma once
// Everything libs/imagehost reads from outside, driven by arbitrary bytes:
// the first byte picks the reader, the next two the HTTP status (big
// endian), the rest is the input.
//   0..3: an upload answer read by ReadUploadAnswer for SM.MS, PicGo,
//         Cloudflare ImgBed, Aliyun OSS (in that order);
//   4:    a Gemini answer: FindInlineImages, ImageAt and ReplaceWithLink
//         for each image found.
// The libFuzzer target (answer_fuzzer.cc) and the replay test in
// gempool_imagehost_test share it. Must never crash, hang or throw; a link
// it returns is an absolute http(s) URL without white space.

#include <cstddef>
#include <cstdint>

namespace gempool::imagehost {

void FuzzImageHostAnswers(const uint8_t* data, size_t size);

}  // namespace gempool::imagehost
