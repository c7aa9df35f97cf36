#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <gtest/gtest.h>

#include <fstream>

#include "gempool/testing/subprocess.h"

namespace gempool::testing {
namespace {

// A service can listen on the port, and no bind to port 0 (a fake upstream,
// an outgoing connection) can be given it first: it is below the kernel's
// ephemeral range.
TEST(FreePortTest, IsListenableAndBelowTheEphemeralRange) {
  int low = 0;
  int high = 0;
  std::ifstream("/proc/sys/net/ipv4/ip_local_port_range") >> low >> high;
  if (low < 11000) GTEST_SKIP() << "the ephemeral range starts at " << low << ": no room below it";
  for (int i = 0; i < 20; ++i) {
    const int port = FreePort();
    EXPECT_GE(port, 10000);
    EXPECT_LT(port, low);
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0) << port;
    EXPECT_EQ(listen(fd, 1), 0) << port;
    close(fd);
  }
}

}  // namespace
}  // namespace gempool::testing
