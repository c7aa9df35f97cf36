#include "integration/stack_test_base.h"

#include <algorithm>

namespace gempool::integration {

void StackTest::StartStack(StackOptions options) {
  stack_ = std::make_unique<Stack>(std::move(options));
  absl::Status started = stack_->Start();
  ASSERT_TRUE(started.ok()) << started;
}

httplib::Result StackTest::Generate(const std::string& model, int gateway, const std::string& text) {
  return stack_->Gateway(gateway)->Post(GeneratePath(model).c_str(), Auth(), GenerateBody(text), "application/json");
}

std::vector<UpstreamRequest> StackTest::Upstream(const std::string& operation, int64_t since) {
  auto requests = fake().RequestsFor(operation, since);
  EXPECT_TRUE(requests.ok()) << requests.status();
  return requests.ok() ? *requests : std::vector<UpstreamRequest>{};
}

int64_t StackTest::LastUpstreamId() {
  auto requests = fake().Requests();
  EXPECT_TRUE(requests.ok()) << requests.status();
  return requests.ok() && !requests->empty() ? requests->back().id : 0;
}

std::vector<int> CountPerKey(const std::vector<std::string>& keys, const std::vector<std::string>& used) {
  std::vector<int> counts;
  for (const std::string& k : keys) counts.push_back(static_cast<int>(std::count(used.begin(), used.end(), k)));
  return counts;
}

}  // namespace gempool::integration
