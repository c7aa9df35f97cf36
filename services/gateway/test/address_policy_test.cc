#include "upstream/address_policy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace gempool::gateway {
namespace {

bool Public(const char* text) {
  absl::StatusOr<IpAddress> ip = ParseIpAddress(text);
  EXPECT_TRUE(ip.ok()) << text;
  return ip.ok() && IsPublicAddress(*ip);
}

TEST(AddressPolicyTest, PublicAddressesAreAllowed) {
  for (const char* ip : {"8.8.8.8", "142.250.74.46", "1.1.1.1", "100.63.255.255", "172.32.0.1", "2607:f8b0:4004::200e",
                         "2001:4860:4860::8888", "::ffff:8.8.8.8", "[2a00:1450:4001::1]"}) {
    EXPECT_TRUE(Public(ip)) << ip;
  }
}

TEST(AddressPolicyTest, PrivateLoopbackLinkLocalAndReservedAreRefused) {
  for (const char* ip :
       {"127.0.0.1", "127.255.0.9", "10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254",
        "100.64.0.1", "0.0.0.0", "0.1.2.3", "224.0.0.1", "239.255.255.250", "255.255.255.255", "240.0.0.1",
        "192.0.2.1", "198.51.100.7", "203.0.113.9", "198.18.0.1", "192.0.0.8", "::", "::1", "fe80::1", "fc00::1",
        "fd12:3456::1", "ff02::1", "2001:db8::1", "::ffff:127.0.0.1", "::ffff:10.1.2.3", "::ffff:169.254.169.254",
        "::127.0.0.1", "64:ff9b::a9fe:a9fe", "64:ff9b::7f00:1", "2002:7f00:1::", "2002:c0a8:101::1", "fec0::1",
        "100::1", "2001::1"}) {
    EXPECT_FALSE(Public(ip)) << ip;
  }
}

TEST(AddressPolicyTest, Nat64And6to4OfPublicAddressesAreAllowed) {
  EXPECT_TRUE(Public("64:ff9b::808:808"));
  EXPECT_TRUE(Public("2002:808:808::1"));
}

TEST(AddressPolicyTest, ParsesOnlyNumericAddresses) {
  EXPECT_FALSE(ParseIpAddress("localhost").ok());
  EXPECT_FALSE(ParseIpAddress("1.2.3").ok());
  EXPECT_FALSE(ParseIpAddress("").ok());
  absl::StatusOr<IpAddress> v6 = ParseIpAddress("[::1]");
  ASSERT_TRUE(v6.ok());
  EXPECT_TRUE(v6->v6);
  EXPECT_EQ(v6->ToString(), "::1");
  EXPECT_EQ(ParseIpAddress("10.0.0.7")->ToString(), "10.0.0.7");
}

}  // namespace
}  // namespace gempool::gateway
