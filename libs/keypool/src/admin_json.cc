#include "gempool/keypool/admin_json.h"

namespace gempool::keypool {

nlohmann::ordered_json UsageCountJson(const v1::UsageCount& count) {
  const v1::TokenUsage& u = count.usage();
  return {{"requests", count.requests()},
          {"failures", count.failures()},
          {"prompt_tokens", u.prompt_tokens()},
          {"candidates_tokens", u.candidates_tokens()},
          {"thoughts_tokens", u.thoughts_tokens()},
          {"cached_tokens", u.cached_tokens()},
          {"tool_use_prompt_tokens", u.tool_use_prompt_tokens()},
          {"total_tokens", u.total_tokens()}};
}

nlohmann::ordered_json ProxyHealthJson(const v1::ProxyHealth& proxy) {
  return {{"proxy", proxy.proxy()},
          {"alive", proxy.alive()},
          {"checked_at_ms", proxy.checked_at_ms()},
          {"latency_ms", proxy.latency_ms()},
          {"error", proxy.error()}};
}

}  // namespace gempool::keypool
