#include "http/connection_admission.h"

#include <gtest/gtest.h>

namespace gempool::gateway {
namespace {

using Verdict = ConnectionAdmission::Verdict;

TEST(ConnectionAdmissionTest, CapsTotalAndPerAddress) {
  ConnectionAdmission admission(/*max_connections=*/3, /*max_per_address=*/2);
  EXPECT_EQ(admission.Admit("10.0.0.1"), Verdict::kAdmitted);
  EXPECT_EQ(admission.Admit("10.0.0.1"), Verdict::kAdmitted);
  EXPECT_EQ(admission.Admit("10.0.0.1"), Verdict::kTooManyFromAddress);
  EXPECT_EQ(admission.Admit("10.0.0.2"), Verdict::kAdmitted);
  EXPECT_EQ(admission.Admit("10.0.0.3"), Verdict::kTooManyConnections);
  EXPECT_EQ(admission.open(), 3u);
  admission.Release("10.0.0.1");
  EXPECT_EQ(admission.Admit("10.0.0.3"), Verdict::kAdmitted);
  EXPECT_EQ(admission.Admit("10.0.0.1"), Verdict::kTooManyConnections);
}

TEST(ConnectionAdmissionTest, ZeroPerAddressMeansNoPerAddressLimit) {
  ConnectionAdmission admission(/*max_connections=*/100, /*max_per_address=*/0);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(admission.Admit("127.0.0.1"), Verdict::kAdmitted);
  EXPECT_EQ(admission.Admit("127.0.0.1"), Verdict::kTooManyConnections);
  for (int i = 0; i < 100; ++i) admission.Release("127.0.0.1");
  EXPECT_EQ(admission.open(), 0u);
}

// MAX_CONNECTIONS and MAX_CONNECTIONS_PER_IP saved in the admin UI apply to
// the next connection; those open stay and still count.
TEST(ConnectionAdmissionTest, LimitsChangedLaterCountTheConnectionsAlreadyOpen) {
  ConnectionAdmission admission(/*max_connections=*/100, /*max_per_address=*/0);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(admission.Admit("10.0.0.1", 100, 0), Verdict::kAdmitted);
  // A per-address limit set now sees the three already open.
  EXPECT_EQ(admission.Admit("10.0.0.1", 100, 3), Verdict::kTooManyFromAddress);
  EXPECT_EQ(admission.Admit("10.0.0.2", 100, 3), Verdict::kAdmitted);
  EXPECT_EQ(admission.Admit("10.0.0.3", /*max_connections=*/4, 3), Verdict::kTooManyConnections);
  admission.Release("10.0.0.1");
  EXPECT_EQ(admission.Admit("10.0.0.1", 100, 3), Verdict::kAdmitted);
  // Lifted again: no per-address limit.
  EXPECT_EQ(admission.Admit("10.0.0.1", 100, 0), Verdict::kAdmitted);
  EXPECT_EQ(admission.open(), 5u);
}

}  // namespace
}  // namespace gempool::gateway
