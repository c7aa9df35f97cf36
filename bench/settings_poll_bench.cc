// settings_poll_bench: the CPU a gateway spends following the settings table
// (issue 15: "a parse of the whole configuration on every poll is not
// acceptable"), with 100,000 keys in API_KEYS both in the environment and in
// the settings table. Runs the real SettingsFollower with the gateway's
// apply (MakeLiveSettings over the snapshot in force, as gateway.cc does)
// in-process, the fetch returning the table from memory (the gRPC call is
// not timed), and prints the CPU per poll:
//   - of an unchanged table,
//   - of a one-setting change that touches no shared part (MAX_RETRIES),
//   - of a one-setting change that rebuilds the conversion (SAFETY_SETTINGS),
// beside what loading the whole configuration once costs with those keys.
// Not a test: timings vary by machine. Usage: settings_poll_bench [keys].

#include <time.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gempool/common/environment.h"
#include "gempool/config/config.h"
#include "gempool/config/settings_follower.h"
#include "gempool/config/ui_settings.h"
#include "live_settings.h"

namespace {

using gempool::Config;
using gempool::Environment;
using gempool::gateway::LiveSettings;
using gempool::gateway::LiveSettingsHolder;

int64_t CpuNs() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// A Google-shaped key (AIza + 35 characters), distinct per `n`.
std::string Key(int n) {
  std::string digits = std::to_string(n);
  return "AIzaSy" + std::string(33 - digits.size(), 'x') + digits;
}

std::string KeyList(int keys) {
  std::string out = "[";
  for (int i = 0; i < keys; ++i) absl::StrAppend(&out, i == 0 ? "\"" : ", \"", Key(i), "\"");
  return out + "]";
}

// Mean CPU microseconds of `runs` calls of `step`.
double MeanCpuUs(int runs, const std::function<void(int)>& step) {
  const int64_t start = CpuNs();
  for (int i = 0; i < runs; ++i) step(i);
  return static_cast<double>(CpuNs() - start) / runs / 1000.0;
}

}  // namespace

int main(int argc, char** argv) {
  const int keys = argc > 1 ? std::atoi(argv[1]) : 100000;
  const std::string key_list = KeyList(keys);
  const Environment env = Environment::FromMap({{"API_KEYS", key_list},
                                                {"ALLOWED_TOKENS", R"(["sk-client"])"},
                                                {"AUTH_TOKEN", "sk-admin"},
                                                {"SEARCH_MODELS", R"(["gemini-2.5-flash"])"}});

  // What parsing the whole configuration costs with these keys (each poll
  // paid this before followers skipped unchanged tables and API_KEYS).
  const double full_load_us = MeanCpuUs(5, [&](int) {
    if (!gempool::LoadConfig(env).ok()) std::abort();
  });

  // The settings table: API_KEYS as a (hypothetical) saved row too, and the
  // setting the runs below change.
  std::map<std::string, std::string> table = {{"API_KEYS", key_list}, {"MAX_RETRIES", "3"}};
  auto save = [&](const std::string& name, const std::string& value, int64_t now_ms) {
    table[name] = value;
    table[gempool::config::UiMetaName(name)] = gempool::config::MakeUiMeta(env, name, now_ms);
  };
  save("MAX_RETRIES", "3", 1);

  absl::StatusOr<Config> initial = gempool::LoadConfig(env);
  if (!initial.ok()) return 1;
  auto first = gempool::gateway::MakeLiveSettings(*initial, "sk-admin");
  if (!first.ok()) return 1;
  LiveSettingsHolder holder(*first);
  int applies = 0;
  int conversion_builds = 0;
  gempool::config::SettingsFollower::Options options;
  options.ignore = {"API_KEYS"};  // As the gateway's SettingsWatcher.
  gempool::config::SettingsFollower follower(
      env, [&] { return table; },
      [&](std::shared_ptr<const Config> next) {
        const std::shared_ptr<const LiveSettings> previous = holder.Get();
        auto applied = gempool::gateway::MakeLiveSettings(*next, "sk-admin", previous.get());
        if (!applied.ok()) std::abort();
        conversion_builds += (*applied)->conversion != previous->conversion ? 1 : 0;
        holder.Set(*applied);
        ++applies;
      },
      options);
  if (!follower.PollOnce().ok()) return 1;

  const int unchanged_runs = 200;
  const double unchanged_us = MeanCpuUs(unchanged_runs, [&](int) {
    if (!follower.PollOnce().ok()) std::abort();
  });
  const int applies_unchanged = applies;

  const int change_runs = 50;
  int64_t now_ms = 10;
  const double retries_us = MeanCpuUs(change_runs, [&](int i) {
    save("MAX_RETRIES", i % 2 == 0 ? "4" : "3", ++now_ms);
    if (!follower.PollOnce().ok()) std::abort();
  });
  const int builds_after_retries = conversion_builds;

  const double safety_us = MeanCpuUs(change_runs, [&](int i) {
    save("SAFETY_SETTINGS",
         i % 2 == 0 ? R"([{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_ONLY_HIGH"}])" : "[]",
         ++now_ms);
    if (!follower.PollOnce().ok()) std::abort();
  });

  std::printf("keys in API_KEYS (environment and table): %d\n", keys);
  std::printf("whole configuration loaded once:        %10.1f us CPU\n", full_load_us);
  std::printf("poll, unchanged table:                  %10.1f us CPU  (%d polls, %d applied)\n", unchanged_us,
              unchanged_runs, applies_unchanged - 1);
  std::printf("poll, MAX_RETRIES changed:              %10.1f us CPU  (%d polls, conversion rebuilt %d times)\n",
              retries_us, change_runs, builds_after_retries);
  std::printf("poll, SAFETY_SETTINGS changed:          %10.1f us CPU  (%d polls, conversion rebuilt %d times)\n",
              safety_us, change_runs, conversion_builds - builds_after_retries);
  std::printf("table loads: %lld, applies: %d\n", static_cast<long long>(follower.loads()), applies);
  return 0;
}
