#ifndef GEMPOOL_TESTING_SANITIZERS_H_
#define GEMPOOL_TESTING_SANITIZERS_H_

// Whether this test binary was built with AddressSanitizer
// (scripts/test-sanitize.sh). ASan replaces malloc, keeps freed memory in a
// quarantine and moves stack frames to its own stacks, so a test that
// measures resident memory or what glibc gives back to the kernel measures
// ASan instead: such a test skips under it, saying so.

namespace gempool::testing {

#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kUnderAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kUnderAddressSanitizer = true;
#else
inline constexpr bool kUnderAddressSanitizer = false;
#endif
#else
inline constexpr bool kUnderAddressSanitizer = false;
#endif

}  // namespace gempool::testing

#endif  // GEMPOOL_TESTING_SANITIZERS_H_
