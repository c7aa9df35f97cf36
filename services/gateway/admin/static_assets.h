#pragma once
// The admin UI's files (HTML, CSS, JS, icons), compiled into the gateway at
// build time by embed_assets.cmake from admin/static/, so the page works on a
// machine without internet access and nothing has to be installed beside the
// binary. Read-only data; thread-safe.

#include <cstddef>

#include "absl/strings/string_view.h"

namespace gempool::gateway::admin {

struct StaticAsset {
  // File name under static/, e.g. "keys.html" or "app.js".
  const char* name;
  const char* content_type;
  const unsigned char* data;
  size_t size;
  // A strong ETag (quoted hash prefix of the content).
  const char* etag;
};

// The asset named `name`, or nullptr.
const StaticAsset* FindStaticAsset(absl::string_view name);

}  // namespace gempool::gateway::admin
