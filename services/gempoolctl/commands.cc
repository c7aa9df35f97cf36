#include "commands.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <iostream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "gempool/keypool/admin_json.h"
#include "gempool/keypool/proto_convert.h"
#include "gempool/common/clock.h"
#include "gempool/common/environment.h"
#include "gempool/rpc/channel.h"
#include "gempool/v1/keybroker.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gempool/config/parse.h"
#include "httplib.h"
#include "admin_client.h"
#include "import_command.h"
#include "text_table.h"
#include "logs_command.h"
#include "usage_command.h"
#include "tokens_command.h"
#include "shown_time_zone.h"

namespace gempool::ctl {
namespace {

using Json = nlohmann::ordered_json;

// Secrets per AddKeys call, well under gRPC's 4 MiB message limit.
constexpr size_t kAddChunk = 1000;


v1::KeyState StateFromName(const std::string& name) {
  if (name == "active") return v1::KEY_STATE_ACTIVE;
  if (name == "cooling") return v1::KEY_STATE_COOLING;
  if (name == "failing") return v1::KEY_STATE_FAILING;
  if (name == "disabled") return v1::KEY_STATE_DISABLED;
  if (name == "paused") return v1::KEY_STATE_PAUSED;
  return v1::KEY_STATE_UNSPECIFIED;  // ParseArgs accepts only the names above.
}


std::string CodeName(grpc::StatusCode code) {
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

bool IsKeysCommand(Command command) {
  return command != Command::kHealth && command != Command::kHelp && command != Command::kImportGeminiBalance;
}

// What a key is waiting for, in one line: its reason, global cooldown and
// per-model cooldowns.
std::string Details(const v1::KeyView& key, const ShownTimeZone& zone) {
  std::vector<std::string> parts;
  if (!key.state_reason().empty()) parts.push_back(key.state_reason());
  if (key.cooling_until_ms() > 0) {
    parts.push_back(absl::StrCat("until ", FormatShownTime(key.cooling_until_ms(), zone)));
  }
  for (const v1::ModelCooldown& c : key.model_cooldowns()) {
    parts.push_back(absl::StrCat(c.model(), " cooling until ", FormatShownTime(c.until_ms(), zone)));
  }
  return absl::StrJoin(parts, "; ");
}

v1::Pool PoolOf(const Invocation& inv) { return inv.pool == "vertex" ? v1::POOL_VERTEX : v1::POOL_GEMINI; }

// " in the vertex pool" for the Vertex pool; "" for the default pool, whose
// output reads as before pools existed.
std::string InPool(const Invocation& inv) { return inv.pool == "vertex" ? " in the vertex pool" : ""; }

int ListKeys(const Invocation& inv, const Targets& targets, Io& io) {
  AdminClient admin(targets, inv.timeout_ms);
  v1::ListKeysRequest request;
  request.set_pool(PoolOf(inv));
  for (const std::string& state : inv.states) request.add_states(StateFromName(state));
  request.set_model(inv.model);
  request.set_search(inv.search);
  request.set_limit(inv.limit);
  request.set_offset(inv.offset);
  v1::ListKeysResponse response;
  grpc::Status status = admin.stub().ListKeys(admin.Context().get(), request, &response);
  if (!status.ok()) return FailRpc(inv, status, targets.keybroker_addr, io.out, io.err);
  if (inv.json) {
    Json keys = Json::array();
    for (const v1::KeyView& key : response.keys()) keys.push_back(keypool::KeyViewJson(key));
    Json out{{"total", response.total()}, {"offset", inv.offset}, {"keys", keys}};
    if (inv.pool == "vertex") out["pool"] = "vertex";
    io.out << out.dump(2) << "\n";
    return kExitOk;
  }
  if (response.keys_size() == 0) {
    io.out << (response.total() == 0
                   ? absl::StrCat("no keys match", InPool(inv), "\n")
                   : absl::StrCat("no keys at offset ", inv.offset, " of ", response.total(), InPool(inv), "\n"));
    return kExitOk;
  }
  const ShownTimeZone zone = ResolveShownTimeZone(targets.persistence_addr, inv.timeout_ms);
  std::vector<std::vector<std::string>> rows = {{"ID", "KEY", "STATE", "FAILURES", "LAST USED", "DETAILS"}};
  for (const v1::KeyView& key : response.keys()) {
    rows.push_back({absl::StrCat(key.id()), key.masked(), keypool::KeyStateName(key.state()),
                    absl::StrCat(key.failure_count()), FormatShownTime(key.last_used_at_ms(), zone),
                    Details(key, zone)});
  }
  PrintTable(io.out, rows);
  io.out << "keys " << inv.offset + 1 << "-" << inv.offset + response.keys_size() << " of "
         << response.total() << InPool(inv) << "\n";
  io.out << "times in " << zone.name << " (TIMEZONE)\n";
  return kExitOk;
}

int AddKeys(const Invocation& inv, const Targets& targets, Io& io) {
  std::vector<std::string> keys = inv.keys;
  if (keys.empty()) {
    if (io.in_is_terminal) io.err << "reading keys from standard input (end with Ctrl-D)\n";
    std::string text(std::istreambuf_iterator<char>(io.in), {});
    keys = SplitKeys(text);
    if (keys.empty()) {
      return Fail(
          inv, grpc::StatusCode::INVALID_ARGUMENT,
          "no keys given: pass them as arguments or on standard input (see gempoolctl keys add --help)", io.out,
          io.err);
    }
  }
  AdminClient admin(targets, inv.timeout_ms);
  int added = 0;
  Json added_ids = Json::array();
  Json duplicates = Json::array();
  std::vector<std::string> added_text;
  std::vector<std::string> duplicate_text;
  for (size_t begin = 0; begin < keys.size(); begin += kAddChunk) {
    v1::AddKeysRequest request;
    for (size_t i = begin; i < std::min(keys.size(), begin + kAddChunk); ++i) request.add_secrets(keys[i]);
    request.set_pool(PoolOf(inv));
    v1::AddKeysResponse response;
    grpc::Status status = admin.stub().AddKeys(admin.Context().get(), request, &response);
    if (!status.ok()) {
      if (added > 0) io.err << "gempoolctl: " << added << " keys were added before the error\n";
      return FailRpc(inv, status, targets.keybroker_addr, io.out, io.err);
    }
    added += response.added();
    for (int64_t id : response.added_ids()) {
      added_ids.push_back(id);
      added_text.push_back(absl::StrCat(id));
    }
    for (const std::string& masked : response.duplicates()) {
      duplicates.push_back(masked);
      duplicate_text.push_back(masked);
    }
  }
  if (inv.json) {
    io.out << Json{{"added", added}, {"added_ids", added_ids}, {"duplicates", duplicates}}.dump(2) << "\n";
    return kExitOk;
  }
  io.out << "added " << added << (added == 1 ? " key" : " keys") << (inv.pool == "vertex" ? " to the vertex pool" : "");
  if (!added_text.empty())
    io.out << " (id" << (added == 1 ? " " : "s ") << absl::StrJoin(added_text, ", ") << ")";
  io.out << "\n";
  if (!duplicate_text.empty()) {
    io.out << duplicate_text.size() << (duplicate_text.size() == 1 ? " duplicate" : " duplicates")
           << " not added: " << absl::StrJoin(duplicate_text, ", ") << "\n";
  }
  return kExitOk;
}

int KeyAction(const Invocation& inv, const Targets& targets, Io& io) {
  AdminClient admin(targets, inv.timeout_ms);
  v1::KeySelection selection;
  selection.set_all(inv.all);
  selection.set_pool(PoolOf(inv));
  for (int64_t id : inv.ids) selection.add_ids(id);
  v1::KeyActionResponse response;
  grpc::Status status;
  const char* done = "";
  auto context = admin.Context();
  switch (inv.command) {
    case Command::kKeysRemove:
      status = admin.stub().RemoveKeys(context.get(), selection, &response);
      done = "removed";
      break;
    case Command::kKeysPause:
      status = admin.stub().PauseKeys(context.get(), selection, &response);
      done = "paused";
      break;
    case Command::kKeysResume:
      status = admin.stub().ResumeKeys(context.get(), selection, &response);
      done = "resumed";
      break;
    default:
      status = admin.stub().ResetKeys(context.get(), selection, &response);
      done = "reset";
      break;
  }
  if (!status.ok()) return FailRpc(inv, status, targets.keybroker_addr, io.out, io.err);
  if (inv.json) {
    io.out << Json{{"affected", response.affected()}}.dump(2) << "\n";
  } else {
    io.out << done << " " << response.affected() << (response.affected() == 1 ? " key" : " keys")
           << (inv.all ? InPool(inv) : "") << "\n";
  }
  return kExitOk;
}

int Summary(const Invocation& inv, const Targets& targets, Io& io) {
  AdminClient admin(targets, inv.timeout_ms);
  v1::PoolSummary summary;
  v1::GetPoolSummaryRequest request;
  request.set_pool(PoolOf(inv));
  grpc::Status status = admin.stub().GetPoolSummary(admin.Context().get(), request, &summary);
  if (!status.ok()) return FailRpc(inv, status, targets.keybroker_addr, io.out, io.err);
  if (inv.json) {
    Json out{{"total", summary.total()},
             {"active", summary.active()},
             {"cooling", summary.cooling()},
             {"failing", summary.failing()},
             {"disabled", summary.disabled()},
             {"paused", summary.paused()},
             {"cooling_some_model", summary.cooling_some_model()}};
    if (inv.pool == "vertex") out["pool"] = "vertex";
    io.out << out.dump(2) << "\n";
    return kExitOk;
  }
  if (inv.pool == "vertex") io.out << "vertex pool (Vertex AI Express keys)\n";
  PrintTable(io.out, {{"total", absl::StrCat(summary.total())},
                      {"active", absl::StrCat(summary.active())},
                      {"cooling", absl::StrCat(summary.cooling())},
                      {"failing", absl::StrCat(summary.failing())},
                      {"disabled", absl::StrCat(summary.disabled())},
                      {"paused", absl::StrCat(summary.paused())},
                      {"cooling for some model", absl::StrCat(summary.cooling_some_model())}});
  return kExitOk;
}

// proxies check|list: the broker's view of PROXIES (ProxyChecker).
int Proxies(const Invocation& inv, const Targets& targets, Io& io) {
  AdminClient admin(targets, inv.timeout_ms);
  v1::CheckProxiesRequest request;
  request.set_run_now(inv.command == Command::kProxiesCheck);
  v1::CheckProxiesResponse response;
  grpc::Status status = admin.stub().CheckProxies(admin.Context().get(), request, &response);
  if (!status.ok()) return FailRpc(inv, status, targets.keybroker_addr, io.out, io.err);
  bool all_alive = true;
  for (const v1::ProxyHealth& p : response.proxies()) all_alive = all_alive && p.alive();
  if (inv.json) {
    Json proxies = Json::array();
    for (const v1::ProxyHealth& p : response.proxies()) {
      proxies.push_back(keypool::ProxyHealthJson(p));
    }
    io.out << Json{{"interval_seconds", response.interval_seconds()}, {"proxies", proxies}}.dump(2) << "\n";
  } else if (response.proxies().empty()) {
    io.out << "no PROXIES set: calls go to the upstream directly\n";
  } else {
    const ShownTimeZone zone = ResolveShownTimeZone(targets.persistence_addr, inv.timeout_ms);
    std::vector<std::vector<std::string>> rows = {{"PROXY", "STATE", "CHECKED", "LATENCY", "ERROR"}};
    for (const v1::ProxyHealth& p : response.proxies()) {
      rows.push_back({p.proxy(), p.checked_at_ms() == 0 ? "unchecked" : p.alive() ? "alive" : "dead",
                      FormatShownTime(p.checked_at_ms(), zone),
                      p.checked_at_ms() == 0 ? "-" : absl::StrCat(p.latency_ms(), " ms"), p.error()});
    }
    PrintTable(io.out, rows);
  }
  return inv.command == Command::kProxiesCheck && !all_alive ? kExitError : kExitOk;
}

int VerifyKeys(const Invocation& inv, const Targets& targets, Io& io) {
  AdminClient admin(targets, inv.timeout_ms);
  v1::KeySelection selection;
  selection.set_all(inv.all);
  selection.set_pool(PoolOf(inv));
  for (int64_t id : inv.ids) selection.add_ids(id);
  v1::VerifyKeysResponse response;
  grpc::Status status = admin.stub().VerifyKeys(admin.Context().get(), selection, &response);
  if (!status.ok()) return FailRpc(inv, status, targets.keybroker_addr, io.out, io.err);
  if (inv.json) {
    Json results = Json::array();
    for (const v1::KeyVerification& v : response.results()) {
      results.push_back(keypool::KeyVerificationJson(v));
    }
    io.out << Json{{"passed", response.passed()}, {"failed", response.failed()}, {"results", results}}.dump(2)
           << "\n";
  } else {
    std::vector<std::vector<std::string>> rows = {{"ID", "KEY", "RESULT", "STATE", "MESSAGE"}};
    for (const v1::KeyVerification& v : response.results()) {
      rows.push_back({absl::StrCat(v.id()), v.masked(), v.passed() ? "passed" : "FAILED", keypool::KeyStateName(v.state()),
                      v.message()});
    }
    if (response.results_size() > 0) PrintTable(io.out, rows);
    io.out << response.passed() << " passed, " << response.failed() << " failed\n";
  }
  return response.failed() == 0 ? kExitOk : kExitError;
}

int KeyUsage(const Invocation& inv, const Targets& targets, Io& io) {
  AdminClient admin(targets, inv.timeout_ms);
  v1::KeyUsageRequest request;
  for (int64_t id : inv.ids) request.add_ids(id);
  v1::KeyUsageResponse response;
  grpc::Status status = admin.stub().GetKeyUsage(admin.Context().get(), request, &response);
  if (!status.ok()) return FailRpc(inv, status, targets.keybroker_addr, io.out, io.err);
  if (inv.json) {
    Json keys = Json::array();
    for (const v1::KeyUsage& key : response.keys()) {
      Json models = Json::array();
      for (const v1::ModelUsage& m : key.models()) {
        models.push_back(keypool::ModelUsageJson(m));
      }
      keys.push_back({{"id", key.id()}, {"masked", key.masked()}, {"models", models}});
    }
    io.out << Json{{"now_ms", response.now_ms()}, {"keys", keys}}.dump(2) << "\n";
    return kExitOk;
  }
  if (response.keys_size() == 0) {
    io.out << "no calls in the last 30 days\n";
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows = {
      {"ID", "KEY", "MODEL", "CALLS 1H", "24H", "30D", "FAILED 1H", "24H", "30D"}};
  for (const v1::KeyUsage& key : response.keys()) {
    if (key.models_size() == 0) {
      rows.push_back({absl::StrCat(key.id()), key.masked(), "-", "0", "0", "0", "0", "0", "0"});
    }
    for (const v1::ModelUsage& m : key.models()) {
      rows.push_back({absl::StrCat(key.id()), key.masked(), m.model().empty() ? "(none)" : m.model(),
                      absl::StrCat(m.calls_1h()), absl::StrCat(m.calls_24h()), absl::StrCat(m.calls_30d()),
                      absl::StrCat(m.failures_1h()), absl::StrCat(m.failures_24h()),
                      absl::StrCat(m.failures_30d())});
    }
  }
  PrintTable(io.out, rows);
  return kExitOk;
}

// GET http://addr/health: SERVING on 200, NOT_SERVING (with the gateway's
// own explanation) on another status, UNREACHABLE when nothing answers.
std::pair<std::string, std::string> GatewayHealth(const std::string& addr, int timeout_ms) {
  const size_t colon = addr.rfind(':');
  httplib::Client client(addr.substr(0, colon), config::PortOf(addr));
  const time_t sec = timeout_ms / 1000;
  const time_t usec = (timeout_ms % 1000) * 1000;
  client.set_connection_timeout(sec, usec);
  client.set_read_timeout(sec, usec);
  httplib::Result result = client.Get("/health");
  if (!result) return {"UNREACHABLE", httplib::to_string(result.error())};
  if (result->status == 200) return {"SERVING", ""};
  return {"NOT_SERVING", absl::StrCat("HTTP ", result->status, ": ", result->body)};
}

int Health(const Invocation& inv, const Targets& targets, Io& io) {
  std::vector<std::pair<std::string, std::string>> checks;
  if (inv.service.empty() || inv.service == "keybroker") {
    checks.push_back({"keybroker", targets.keybroker_addr});
  }
  if (inv.service.empty() || inv.service == "persistence") {
    checks.push_back({"persistence", targets.persistence_addr});
  }
  bool healthy = true;
  Json services = Json::array();
  std::vector<std::vector<std::string>> rows;
  if (inv.service == "gateway") {
    auto [state, error] = GatewayHealth(targets.gateway_addr, inv.timeout_ms);
    healthy = state == "SERVING";
    services.push_back({{"service", "gateway"}, {"addr", targets.gateway_addr}, {"status", state}, {"error", error}});
    rows.push_back({"gateway", targets.gateway_addr, state, error});
  }
  for (const auto& [service, addr] : checks) {
    auto stub = grpc::health::v1::Health::NewStub(rpc::MakeChannel(addr));
    grpc::ClientContext context;
    rpc::SetDeadline(context, inv.timeout_ms);
    grpc::health::v1::HealthCheckResponse response;
    grpc::Status status = stub->Check(&context, grpc::health::v1::HealthCheckRequest(), &response);
    std::string state;
    std::string error;
    if (!status.ok()) {
      state = "UNREACHABLE";
      error = absl::StrCat(CodeName(status.error_code()), ": ", status.error_message());
    } else {
      state = grpc::health::v1::HealthCheckResponse::ServingStatus_Name(response.status());
    }
    healthy = healthy && state == "SERVING";
    services.push_back({{"service", service}, {"addr", addr}, {"status", state}, {"error", error}});
    rows.push_back({service, addr, state, error});
  }
  if (inv.json) {
    io.out << Json{{"healthy", healthy}, {"services", services}}.dump(2) << "\n";
  } else {
    PrintTable(io.out, rows);
  }
  return healthy ? kExitOk : kExitError;
}

}  // namespace

absl::StatusOr<Targets> ResolveTargets(const Invocation& inv,
                                       const std::function<absl::StatusOr<Config>()>& load_config) {
  Targets targets;
  bool need_config = false;
  if (IsKeysCommand(inv.command)) {
    need_config = !inv.addr.has_value() || !inv.token.has_value();
  } else if (inv.command == Command::kHealth) {
    need_config = inv.service.empty() || !inv.addr.has_value();
  } else if (inv.command == Command::kImportGeminiBalance) {
    need_config = !inv.addr.has_value() || !inv.token.has_value() || !inv.persistence_addr.has_value();
  }
  Config config;
  if (need_config) {
    absl::StatusOr<Config> loaded = load_config();
    if (!loaded.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "configuration error: ", loaded.status().message(),
          " (gempoolctl reads the environment and .env like the services; pass --addr and --token to "
          "skip it)"));
    }
    config = *std::move(loaded);
  }
  targets.keybroker_addr = config.keybroker_addr;
  targets.persistence_addr = config.persistence_addr;
  targets.token = config.AdminToken();
  targets.gateway_addr = absl::StrCat("127.0.0.1:", config.port);
  if (inv.addr.has_value()) {
    if (inv.command == Command::kHealth && inv.service == "gateway") {
      targets.gateway_addr = *inv.addr;
    } else if (inv.command == Command::kHealth && inv.service == "persistence") {
      targets.persistence_addr = *inv.addr;
    } else {
      targets.keybroker_addr = *inv.addr;
    }
  }
  if (inv.token.has_value()) targets.token = *inv.token;
  if (inv.persistence_addr.has_value()) targets.persistence_addr = *inv.persistence_addr;
  return targets;
}

int Run(const Invocation& inv, const Targets& targets, Io io) {
  if (IsKeysCommand(inv.command) && targets.token.empty()) {
    return Fail(inv, grpc::StatusCode::UNAUTHENTICATED,
                "no admin token: set AUTH_TOKEN in the environment or .env, or pass --token", io.out, io.err);
  }
  switch (inv.command) {
    case Command::kKeysList:
      return ListKeys(inv, targets, io);
    case Command::kKeysAdd:
      return AddKeys(inv, targets, io);
    case Command::kKeysRemove:
    case Command::kKeysPause:
    case Command::kKeysResume:
    case Command::kKeysReset:
      return KeyAction(inv, targets, io);
    case Command::kKeysVerify:
      return VerifyKeys(inv, targets, io);
    case Command::kKeysUsage:
      return KeyUsage(inv, targets, io);
    case Command::kKeysSummary:
      return Summary(inv, targets, io);
    case Command::kHealth:
      return Health(inv, targets, io);
    case Command::kProxiesCheck:
    case Command::kProxiesList:
      return Proxies(inv, targets, io);
    case Command::kLogs:
      return RunLogs(inv, targets, io.out, io.err);
    case Command::kUsage:
      return RunUsage(inv, targets, io.out, io.err);
    case Command::kTokensAdd:
    case Command::kTokensList:
    case Command::kTokensDisable:
    case Command::kTokensEnable:
    case Command::kTokensDelete:
      return RunTokens(inv, targets, io.out, io.err);
    case Command::kImportGeminiBalance: {
      // Settings are compared with, and stored against, the environment and
      // .env this process sees (as the services do).
      absl::StatusOr<Environment> env = Environment::Load(DotEnvPath());
      if (!env.ok()) {
        return Fail(inv, grpc::StatusCode::INVALID_ARGUMENT,
                    absl::StrCat("configuration error: ", env.status().message()), io.out, io.err);
      }
      return RunImport(inv, targets, *env, SystemClock::Get(), io);
    }
    case Command::kHelp:
      io.out << inv.help;
      return kExitOk;
  }
  return kExitUsage;
}

}  // namespace gempool::ctl
