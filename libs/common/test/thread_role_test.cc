#include "gempool/common/thread_role.h"

#include <pthread.h>

#include <gtest/gtest.h>

#include <string>
#include <thread>

namespace gempool {
namespace {

std::string CurrentThreadName() {
  char name[32] = {};
  pthread_getname_np(pthread_self(), name, sizeof(name));
  return name;
}

TEST(SetThreadNameTest, NamesTheCallingThreadAndCutsAtFifteenCharacters) {
  std::string short_name, long_name;
  std::thread([&] {
    SetThreadName("gw-conn");
    short_name = CurrentThreadName();
    SetThreadName("a-name-longer-than-fifteen");
    long_name = CurrentThreadName();
  }).join();
  EXPECT_EQ(short_name, "gw-conn");
  EXPECT_EQ(long_name, "a-name-longer-t");
}

}  // namespace
}  // namespace gempool
