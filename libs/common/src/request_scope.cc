#include "gempool/common/request_scope.h"

#include <utility>

namespace gempool {
namespace {

std::string& Current() {
  thread_local std::string current;
  return current;
}

}  // namespace

const std::string& CurrentRequestId() { return Current(); }

ScopedRequestId::ScopedRequestId(absl::string_view request_id) : previous_(std::move(Current())) {
  Current() = std::string(request_id);
}

ScopedRequestId::~ScopedRequestId() { Current() = std::move(previous_); }

}  // namespace gempool
