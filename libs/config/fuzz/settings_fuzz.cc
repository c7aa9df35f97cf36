#include "fuzz/settings_fuzz.h"

#include <cmath>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "gempool/common/environment.h"
#include "gempool/common/time_zone.h"
#include "gempool/config/config.h"
#include "gempool/config/parse.h"
#include "gempool/config/ui_settings.h"

namespace gempool::config {
namespace {

void Require(bool holds) {
  if (!holds) abort();
}

constexpr int64_t kNowMs = 1796558400000;  // 2026-12-06 12:00 UTC

// Settings whose values are secrets: errors name them but never show them.
bool IsSecret(absl::string_view name) {
  for (absl::string_view marker : {"KEY", "TOKEN", "PASSWORD", "SECRET", "PROXIES", "AUTH_CODE"}) {
    if (absl::StrContains(name, marker)) return true;
  }
  return false;
}

bool InRange(double value, double min, double max) { return value >= min && value <= max; }

bool IsHostPort(const std::string& text) {
  const size_t colon = text.rfind(':');
  return colon != std::string::npos && colon > 0 && InRange(PortOf(text), 1, 65535);
}

// Every field as documented in config.h.
void CheckAccepted(const Config& c) {
  for (const auto* list : {&c.api_keys, &c.vertex_api_keys, &c.allowed_tokens, &c.proxies}) {
    for (const std::string& entry : *list) Require(!entry.empty() && entry == absl::StripAsciiWhitespace(entry));
  }
  for (const std::string& proxy : c.proxies) {
    Require(absl::StartsWith(proxy, "http://") || absl::StartsWith(proxy, "https://") ||
            absl::StartsWith(proxy, "socks5://") || absl::StartsWith(proxy, "socks5h://"));
  }
  for (const std::string* url : {&c.base_url, &c.vertex_express_base_url}) {
    Require(absl::StartsWith(*url, "http://") || absl::StartsWith(*url, "https://"));
    Require(!absl::EndsWith(*url, "/"));
  }
  Require(InRange(c.max_failures, 1, 1000000) && InRange(c.max_retries, 1, 100));
  Require(InRange(c.time_out_seconds, 1, 86400));
  Require(InRange(c.check_interval_hours, 0, 8760));
  Require(InRange(c.max_failures_recheck_seconds, 0, 86400));
  Require(c.paid_key.find_first_of(" \t\r\n,") == std::string::npos);
  Require(LoadTimeZoneSetting(c.timezone).ok());
  Require(c.database_type == "sqlite" || c.database_type == "mysql");
  Require(InRange(c.mysql.port, 1, 65535) && InRange(c.port, 1, 65535));
  for (const std::string* addr : {&c.keybroker_addr, &c.persistence_addr, &c.keybroker_listen,
                                  &c.persistence_listen}) {
    Require(IsHostPort(*addr));
  }
  for (const std::string* listen :
       {&c.gateway_metrics_listen, &c.keybroker_metrics_listen, &c.persistence_metrics_listen}) {
    Require(listen->empty() || IsHostPort(*listen));
  }
  Require(c.metrics_token.find_first_of(" \t\r\n") == std::string::npos);
  Require(InRange(c.rpc_timeout_ms, 10, 600000) && InRange(c.max_key_wait_ms, 0, 60000));
  Require(InRange(c.gateway_io_threads, 0, 256) && InRange(c.gateway_threads, 1, 10000));
  Require(InRange(c.max_connections, 1, 1000000) && InRange(c.max_connections_per_ip, 0, 1000000));
  Require(InRange(c.request_head_timeout_seconds, 1, 3600) && InRange(c.request_body_timeout_seconds, 1, 86400));
  Require(InRange(c.keep_alive_timeout_seconds, 1, 3600) && InRange(c.max_request_body_mb, 1, 4096));
  Require(InRange(c.admin_session_expire_seconds, 300, 86400));
  Require(InRange(c.auto_delete_request_logs_days, 1, 3650) && InRange(c.auto_delete_error_logs_days, 1, 3650));
  Require(InRange(c.responses_store_days, 0, 3650) && InRange(c.responses_store_max_kb, 1, 65536));
  Require(InRange(c.fake_stream_empty_data_interval_seconds, 1, 300));
  Require(InRange(c.files_cleanup_interval_hours, 1, 168));

  const OpenAISettings& o = c.openai;
  for (const auto& [model, budget] : o.thinking_budget_map) Require(!model.empty() && InRange(budget, -1, 32768));
  Require(o.search_link_language == "en" || o.search_link_language == "zh");
  for (const SafetySetting& s : o.safety_settings) Require(absl::StartsWith(s.category, "HARM_CATEGORY_"));
  Require(o.tts_speed.size() <= 32 && !o.tts_voice_name.empty() && !o.tts_model.empty());
  for (char ch : o.tts_voice_name) Require(absl::ascii_isalpha(static_cast<unsigned char>(ch)));

  const ImageHostSettings& h = c.image_host;
  Require(h.provider == "smms" || h.provider == "picgo" || h.provider == "cloudflare_imgbed" ||
          h.provider == "aliyun_oss" || h.provider == "none");
  Require(h.oss_bucket_name.empty() || InRange(h.oss_bucket_name.size(), 3, 63));
  for (const std::string* line : {&h.smms_secret_token, &h.picgo_api_key, &h.cloudflare_imgbed_auth_code,
                                  &h.cloudflare_imgbed_upload_folder, &h.oss_access_key,
                                  &h.oss_access_key_secret, &h.oss_region}) {
    for (char ch : *line) Require(static_cast<unsigned char>(ch) >= 0x20 && ch != 0x7f);
  }
}

// Whether `message` shows `value` as a parser would see it (raw or escaped).
bool Shows(absl::string_view message, absl::string_view value) {
  const absl::string_view seen = absl::StripAsciiWhitespace(value);
  return !seen.empty() && (absl::StrContains(message, seen) || absl::StrContains(message, absl::CEscape(seen)) ||
                           absl::StrContains(message, absl::CHexEscape(seen)));
}

// A refusal names a setting of `values`, and shows no secret's value. A
// secret's text may also be a word of some message ("credentials)"): it is a
// leak only if the message follows the value when a byte is added to it.
void CheckRefusal(const absl::Status& status, const std::map<std::string, std::string>& values) {
  Require(absl::IsInvalidArgument(status));
  const absl::string_view message = status.message();
  bool names_one = false;
  for (const auto& [name, value] : values) names_one = names_one || absl::StrContains(message, name);
  Require(names_one);
  for (const auto& [name, value] : values) {
    if (!IsSecret(name) || absl::StripAsciiWhitespace(value).size() < 8 || !Shows(message, value)) continue;
    std::map<std::string, std::string> marked = values;
    marked[name] = absl::StrCat(absl::StripLeadingAsciiWhitespace(value), "\x01");
    bool elsewhere = false;  // Another setting that shows its value has this text.
    for (const auto& [other, text] : values) elsewhere = elsewhere || (other != name && Shows(text, marked[name]));
    const absl::Status again = LoadConfig(Environment::FromMap(marked)).status();
    Require(elsewhere || !Shows(again.message(), marked[name]));
  }
}

void CheckValueParsers(const std::string& name, const std::string& value) {
  const auto named = [&](const absl::Status& status) {
    Require(absl::IsInvalidArgument(status) && absl::StartsWith(status.message(), name));
  };
  if (absl::StatusOr<int64_t> n = ParseInt(name, value, -5, 70000); n.ok()) {
    Require(InRange(*n, -5, 70000));
  } else {
    named(n.status());
  }
  if (absl::StatusOr<double> d = ParseDouble(name, value, 0, 8760); d.ok()) {
    Require(InRange(*d, 0, 8760));
  } else {
    named(d.status());
  }
  if (absl::StatusOr<bool> b = ParseBool(name, value); !b.ok()) named(b.status());
  if (absl::StatusOr<std::vector<std::string>> list = ParseStringList(name, value); list.ok()) {
    for (const std::string& entry : *list) Require(!entry.empty() && entry == absl::StripAsciiWhitespace(entry));
  } else {
    named(list.status());
  }
  if (absl::StatusOr<std::map<std::string, std::string>> map = ParseStringMap(name, value); !map.ok()) {
    named(map.status());
  }
  if (absl::Status host_port = ValidateHostPort(name, value); host_port.ok()) {
    Require(InRange(PortOf(value), 1, 65535));
  } else {
    named(host_port);
  }
}

// Saved in the admin page, read back by every process.
void CheckUiRoundTrip(const Environment& env, const std::string& name, const std::string& value) {
  const std::map<std::string, std::string> stored = {{name, value}, {UiMetaName(name), MakeUiMeta(env, name, kNowMs)}};
  std::vector<UiSettingState> states;
  const Environment merged = ApplyUiSettings(env, stored, &states);
  Require(states.size() == 1 && states[0].applied && !states[0].env_changed_since);
  Require(states[0].saved_at_ms == kNowMs && states[0].ui_value == value);
  Require(merged.Get(name) == value && merged.SourceOf(name) == SettingSource::kDatabase);

  // The environment changed after the save: it wins.
  Environment changed = env;
  changed.Set(name, absl::StrCat(env.GetOr(name, ""), "x"), SettingSource::kEnvironment);
  states.clear();
  const Environment after = ApplyUiSettings(changed, stored, &states);
  Require(states.size() == 1 && !states[0].applied && states[0].env_changed_since);
  Require(after.Get(name) == changed.Get(name) && after.SourceOf(name) == SettingSource::kEnvironment);
}

}  // namespace

void FuzzSettings(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  std::map<std::string, std::string> values;
  // The value parsers and the admin-page round trip run on the first few
  // lines only: on every line they would cost more than LoadConfig itself,
  // and the fuzzer moves lines to the front easily.
  std::map<std::string, std::string> first_lines;
  for (absl::string_view line : absl::StrSplit(input, '\n')) {
    const size_t eq = line.find('=');
    if (eq == absl::string_view::npos || eq == 0) continue;
    values[std::string(line.substr(0, eq))] = std::string(line.substr(eq + 1));
    if (first_lines.size() < 3) first_lines[std::string(line.substr(0, eq))] = std::string(line.substr(eq + 1));
  }
  const Environment env = Environment::FromMap(values);
  const absl::StatusOr<Config> config = LoadConfig(env);
  if (config.ok()) {
    CheckAccepted(*config);
  } else {
    CheckRefusal(config.status(), values);
  }
  for (const auto& [name, unused] : first_lines) {
    const std::string& value = values.at(name);  // The last line of that name.
    CheckValueParsers(name, value);
    if (!IsUiMetaName(name)) CheckUiRoundTrip(env, name, value);
  }
  // The input as a settings table, bookkeeping entries and all.
  std::vector<UiSettingState> states;
  const Environment merged = ApplyUiSettings(env, values, &states);
  for (const UiSettingState& state : states) {
    Require(values.count(UiMetaName(state.name)) == 1 && values.at(state.name) == state.ui_value);
    Require(state.applied != state.env_changed_since);
    if (state.applied) Require(merged.Get(state.name) == state.ui_value);
  }
}

}  // namespace gempool::config
