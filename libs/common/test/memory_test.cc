#include "gempool/common/memory.h"

#include <gtest/gtest.h>

#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
#include <thread>
#include <vector>

namespace gempool {
namespace {

bool WaitForReleases(const DeferredMemoryRelease& release, int n) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (release.releases() < n) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

TEST(DeferredMemoryReleaseTest, ABurstOfRequestsGivesOneRelease) {
  DeferredMemoryRelease release(std::chrono::milliseconds(50));
  for (int i = 0; i < 100; ++i) release.Request();
  ASSERT_TRUE(WaitForReleases(release, 1));
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  EXPECT_EQ(release.releases(), 1);
}

TEST(DeferredMemoryReleaseTest, RequestsAfterAReleaseGiveAnother) {
  DeferredMemoryRelease release(std::chrono::milliseconds(1));
  release.Request();
  ASSERT_TRUE(WaitForReleases(release, 1));
  release.Request();
  ASSERT_TRUE(WaitForReleases(release, 2));
}

TEST(DeferredMemoryReleaseTest, NoRequestNoReleaseAndDestructionDoesNotWait) {
  const auto start = std::chrono::steady_clock::now();
  {
    DeferredMemoryRelease release(std::chrono::hours(1));
    release.Request();  // Due in an hour: the destructor must not wait for it.
    EXPECT_EQ(release.releases(), 0);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

// Touches `depth` KiB of stack below the caller; returns a checksum.
__attribute__((noinline)) int TouchStack(int depth) {
  volatile char page[1024];
  page[0] = static_cast<char>(depth % 100);
  page[1023] = page[0];
  return depth <= 1 ? page[1023] : TouchStack(depth - 1) + page[1023];
}

// Resident pages of the calling thread's stack (mincore).
size_t ResidentStackPages() {
  pthread_attr_t attr;
  pthread_getattr_np(pthread_self(), &attr);
  void* low = nullptr;
  size_t size = 0;
  pthread_attr_getstack(&attr, &low, &size);
  pthread_attr_destroy(&attr);
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> resident(size / page);
  if (mincore(low, size, resident.data()) != 0) return 0;
  size_t n = 0;
  for (unsigned char r : resident) n += r & 1;
  return n;
}

TEST(ReleaseUnusedStackTest, GivesBackThePagesBelowTheCallerAndKeepsItsFrame) {
  std::thread thread([] {
    const int checksum = TouchStack(256);  // 256 KiB deep, then back.
    volatile char local[64] = {1, 2, 3};
    const size_t before = ResidentStackPages();
    ReleaseUnusedStack();
    const size_t after = ResidentStackPages();
    const size_t page_kib = static_cast<size_t>(sysconf(_SC_PAGESIZE)) / 1024;
    EXPECT_GE((before - after) * page_kib, 200u) << before << " resident pages before, " << after << " after";
    EXPECT_EQ(local[2], 3);                   // The caller's frame is kept...
    EXPECT_EQ(TouchStack(256), checksum);     // ...and released pages work again.
  });
  thread.join();
}

}  // namespace
}  // namespace gempool
