#pragma once
// Checks of what an admin asks for when creating or changing a managed
// client token, with messages that say what to change. Pure; thread-safe.

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gempool/v1/types.pb.h"

namespace gempool::clienttokens {

inline constexpr int kMaxNameChars = 64;
inline constexpr int kMaxAllowedModels = 100;
inline constexpr int kMaxModelPatternChars = 128;
inline constexpr int64_t kMaxRequestsPerMinute = 1'000'000;
inline constexpr int64_t kMaxTokensPerDay = 1'000'000'000'000;

// 1 to kMaxNameChars characters of valid UTF-8, no control characters, not
// only spaces. kInvalidArgument otherwise.
absl::Status ValidateName(absl::string_view name);

// 0 (never) or after `now_ms`. kInvalidArgument otherwise.
absl::Status ValidateExpiry(int64_t expires_at_ms, int64_t now_ms);

// Non-negative limits in range; model patterns of letters, digits and
// "._-:/", with at most one "*", at the end. kInvalidArgument otherwise.
absl::Status ValidateLimits(const v1::ClientTokenLimits& limits);

// An expiry as people type it: "" or "never" (0), "30d", "12h", "90m" (from
// `now_ms`), or a date "YYYY-MM-DD" (the end of that day in `zone`, i.e. the
// next day's midnight). kInvalidArgument naming the accepted forms.
absl::StatusOr<int64_t> ParseExpiry(absl::string_view text, int64_t now_ms, const absl::TimeZone& zone);

// Whether `token` is refused outright at `now_ms` (disabled or expired), and
// why, as a client reads it: "client token 'x' is disabled".
std::string RefusalReason(const v1::ClientToken& token, int64_t now_ms);

}  // namespace gempool::clienttokens
