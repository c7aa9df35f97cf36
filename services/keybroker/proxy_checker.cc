#include "proxy_checker.h"

#include <future>
#include <utility>

#include "absl/strings/str_cat.h"
#include "gempool/common/logging.h"

namespace gempool::keybroker {

std::string MaskProxyCredentials(const std::string& proxy) {
  const size_t scheme_end = proxy.find("://");
  const size_t start = scheme_end == std::string::npos ? 0 : scheme_end + 3;
  const size_t at = proxy.rfind('@');
  if (at == std::string::npos || at < start) return proxy;
  return absl::StrCat(proxy.substr(0, start), "***", proxy.substr(at));
}

ProxyChecker::ProxyChecker(ProberSource prober, ProxiesSource proxies, const Clock& clock,
                           DeadListener on_dead_changed)
    : prober_(std::move(prober)),
      proxies_(std::move(proxies)),
      clock_(clock),
      on_dead_changed_(std::move(on_dead_changed)) {}

ProxyChecker::~ProxyChecker() { Stop(); }

void ProxyChecker::Start() {
  MutexLock lock(&mu_);
  if (thread_.joinable() || stopping_) return;
  woken_ = true;  // The first round at once.
  thread_ = std::thread([this] { Run(); });
}

void ProxyChecker::Stop() {
  {
    MutexLock lock(&mu_);
    stopping_ = true;
  }
  wake_.SignalAll();
  if (thread_.joinable()) thread_.join();
}

void ProxyChecker::Wake() {
  {
    MutexLock lock(&mu_);
    woken_ = true;
  }
  wake_.SignalAll();
}

void ProxyChecker::Run() {
  while (true) {
    {
      MutexLock lock(&mu_);
      const absl::Time deadline = absl::Now() + absl::Seconds(kIntervalSeconds);
      while (!woken_ && !stopping_) {
        if (wake_.WaitWithDeadline(&mu_, deadline)) break;  // The periodic round.
      }
      if (stopping_) return;
      woken_ = false;
    }
    // No lock across the round.
    if (!proxies_().empty()) Check();
  }
}

std::vector<ProxyStatus> ProxyChecker::Check() {
  MutexLock round(&round_mu_);
  const std::vector<std::string> proxies = proxies_();
  const std::shared_ptr<const KeyProber> prober = prober_();
  // A few at once: a dead proxy costs its timeout, not the sum of them.
  std::vector<ProxyStatus> results;
  std::vector<std::string> dead;
  for (size_t first = 0; first < proxies.size(); first += kParallelChecks) {
    std::vector<std::future<ProxyStatus>> pending;
    for (size_t i = first; i < proxies.size() && i < first + kParallelChecks; ++i) {
      pending.push_back(std::async(std::launch::async, [this, prober, proxy = proxies[i]] {
        ProxyStatus status;
        status.proxy = proxy;
        const int64_t started = clock_.MonotonicMs();
        const ProbeHttpResponse response = prober->ProbeProxy(proxy, kTimeoutSeconds);
        status.latency_ms = clock_.MonotonicMs() - started;
        status.checked_at_ms = clock_.NowUnixMs();
        if (!response.responded) {
          status.alive = false;
          status.error = response.detail.empty() ? "no answer" : response.detail;
        } else if (response.status == 407 || response.status == 502 || response.status == 504) {
          // The proxy's own answer (wrong credentials, upstream unreachable),
          // not Google's.
          status.alive = false;
          status.error = absl::StrCat("the proxy answered HTTP ", response.status);
        }
        return status;
      }));
    }
    for (std::future<ProxyStatus>& f : pending) {
      results.push_back(f.get());
      if (!results.back().alive) dead.push_back(results.back().proxy);
    }
  }
  bool changed;
  {
    MutexLock lock(&mu_);
    last_ = results;
    changed = dead != dead_;
    dead_ = dead;
  }
  for (const ProxyStatus& s : results) {
    if (!s.alive) {
      GEMPOOL_LOG(WARNING) << "proxy " << MaskProxyCredentials(s.proxy) << " is dead (skipped until a later check "
                           << "reaches it): " << s.error;
    }
  }
  if (changed) {
    GEMPOOL_LOG(INFO) << "proxy check: " << proxies.size() - dead.size() << " of " << proxies.size()
                      << " proxies alive";
    on_dead_changed_(dead);
  }
  return results;
}

std::vector<ProxyStatus> ProxyChecker::Last() const {
  const std::vector<std::string> proxies = proxies_();
  MutexLock lock(&mu_);
  std::vector<ProxyStatus> out;
  for (const std::string& proxy : proxies) {
    ProxyStatus status;
    status.proxy = proxy;
    for (const ProxyStatus& s : last_) {
      if (s.proxy == proxy) status = s;
    }
    out.push_back(std::move(status));
  }
  return out;
}

}  // namespace gempool::keybroker
