#include "gempool/common/memory.h"

#include <gtest/gtest.h>

#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <chrono>
#include <thread>
#include <vector>

#include "gempool/testing/sanitizers.h"
#include "gempool/testing/subprocess.h"

namespace gempool {
namespace {

using ::gempool::testing::kUnderAddressSanitizer;

bool WaitForReleases(const DeferredMemoryRelease& release, int n) {
  return gempool::testing::WaitFor([&] { return release.releases() >= n; }, 10'000);
}

TEST(DeferredMemoryReleaseTest, ABurstOfRequestsGivesOneRelease) {
  DeferredMemoryRelease release(std::chrono::milliseconds(50));
  for (int i = 0; i < 100; ++i) release.Request();
  ASSERT_TRUE(WaitForReleases(release, 1));
  // Every Request came before that release began: nothing else is due.
  EXPECT_FALSE(release.pending());
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
  if (kUnderAddressSanitizer) GTEST_SKIP() << "ASan keeps frames on its own stacks; glibc's are not measurable";
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

// How many of the pages in [begin, end) are resident (mincore).
size_t ResidentPages(uintptr_t begin, uintptr_t end) {
  const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  begin = begin / page * page;
  end = (end + page - 1) / page * page;
  // On the stack: an allocation here could land above the blocks measured.
  unsigned char flags[4096];
  if ((end - begin) / page > sizeof(flags)) return 0;
  if (mincore(reinterpret_cast<void*>(begin), end - begin, flags) != 0) return 0;
  size_t resident = 0;
  for (size_t i = 0; i < (end - begin) / page; ++i) resident += flags[i] & 1;
  return resident;
}

TEST(KeepHeapTrimmedTest, AThreadArenaGivesItsFreeTopBackAfterALargeBlockWasFreed) {
  if (kUnderAddressSanitizer) GTEST_SKIP() << "ASan replaces malloc; glibc's arenas are not in use";
  if (std::getenv("MALLOC_TRIM_THRESHOLD_") != nullptr) GTEST_SKIP() << "MALLOC_TRIM_THRESHOLD_ is set";
  KeepHeapTrimmed();
  // Freeing an 8 MiB block (mmapped) is what makes glibc raise its trim
  // threshold to 16 MiB when it is not fixed; the 8 MiB below would then stay.
  void* volatile large = std::malloc(8 << 20);
  std::memset(large, 1, 8 << 20);
  std::free(large);
  size_t resident_during = 0, resident_after = 0;
  std::thread thread([&] {  // A thread of its own: a heap of its own arena.
    constexpr size_t kBlock = 100 << 10;  // Under the mmap threshold.
    std::vector<char*> blocks;
    blocks.reserve(80);  // No allocation between the blocks or above them.
    for (int i = 0; i < 80; ++i) {
      blocks.push_back(static_cast<char*>(std::malloc(kBlock)));
      std::memset(blocks.back(), 1, kBlock);
    }
    const uintptr_t begin = reinterpret_cast<uintptr_t>(*std::min_element(blocks.begin(), blocks.end()));
    const uintptr_t end = reinterpret_cast<uintptr_t>(*std::max_element(blocks.begin(), blocks.end())) + kBlock;
    resident_during = ResidentPages(begin, end);
    for (char* block : blocks) std::free(block);
    resident_after = ResidentPages(begin, end);
  });
  thread.join();
  const size_t page_kib = static_cast<size_t>(sysconf(_SC_PAGESIZE)) / 1024;
  EXPECT_GE(resident_during * page_kib, 7u << 10) << "the blocks were resident";
  EXPECT_LE(resident_after * page_kib, 1u << 10)
      << resident_during * page_kib << " KiB resident during, " << resident_after * page_kib << " after";
}

}  // namespace
}  // namespace gempool
