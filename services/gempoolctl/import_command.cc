#include "import_command.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gemini_balance_files.h"
#include "gemini_balance_import.h"
#include "gemini_balance_source.h"
#include "gempool/rpc/channel.h"
#include "gempool/rpc/status.h"
#include "gempool/v1/keybroker.grpc.pb.h"
#include "gempool/v1/persistence.grpc.pb.h"

namespace gempool::ctl {
namespace {

using Json = nlohmann::ordered_json;

// Secrets per AddKeys call, well under gRPC's 4 MiB message limit.
constexpr size_t kImportAddChunk = 1000;
// Where --mysql-password comes from when the flag is not given.
constexpr char kPasswordVariable[] = "GEMINI_BALANCE_MYSQL_PASSWORD";

int ImportExitCodeFor(absl::StatusCode code) {
  if (code == absl::StatusCode::kUnauthenticated) return kExitUnauthenticated;
  if (code == absl::StatusCode::kInvalidArgument) return kExitUsage;
  return kExitError;
}

// Reports a failure (stderr; with --json also a JSON error on stdout) and
// returns its exit code.
int ImportFail(const Invocation& inv, Io& io, const absl::Status& status) {
  io.err << "gempoolctl: " << status.message() << "\n";
  if (inv.json) {
    // replace: a message may quote a gemini-balance value that is not UTF-8,
    // on which dump() would throw.
    io.out << Json{{"error", {{"code", absl::StatusCodeToString(status.code())}, {"message", status.message()}}}}
                  .dump(2, ' ', false, Json::error_handler_t::replace)
           << "\n";
  }
  return ImportExitCodeFor(status.code());
}

// A failed call to `service` at `addr`, with a hint when nothing answered.
absl::Status RpcFailure(const grpc::Status& status, const std::string& service, const std::string& addr,
                        const std::string& hint) {
  const absl::StatusCode code = rpc::FromGrpcStatus(status).code();
  std::string message = absl::StrCat(service, " at ", addr, ": ", status.error_message());
  const bool transport = absl::StrContains(status.error_message(), "failed to connect") ||
                         status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED;
  if (transport) absl::StrAppend(&message, " (", hint, ")");
  return absl::Status(code, message);
}

absl::StatusOr<GeminiBalanceSource> SourceOf(const Invocation& inv) {
  GeminiBalanceSource source;
  if (!inv.import_sqlite.empty()) {
    source.type = GeminiBalanceSource::Type::kSqlite;
    source.sqlite_path = inv.import_sqlite;
    return source;
  }
  source.type = GeminiBalanceSource::Type::kMysql;
  if (!inv.import_mysql_dsn.empty()) {
    absl::StatusOr<MysqlSettings> parsed = ParseMysqlDsn(inv.import_mysql_dsn);
    if (!parsed.ok()) return parsed.status();
    source.mysql = *std::move(parsed);
    return source;
  }
  source.mysql.host = inv.import_mysql_host;
  source.mysql.port = inv.import_mysql_port;
  source.mysql.user = inv.import_mysql_user;
  source.mysql.database = inv.import_mysql_database;
  source.mysql.socket = inv.import_mysql_socket;
  if (inv.import_mysql_password.has_value()) {
    source.mysql.password = *inv.import_mysql_password;
  } else if (const char* password = std::getenv(kPasswordVariable); password != nullptr) {
    source.mysql.password = password;
  }
  return source;
}

struct KeyOutcome {
  int added = 0;
  std::vector<int64_t> added_ids;
  int already_present = 0;
};

}  // namespace

int RunImport(const Invocation& inv, const Targets& targets, const Environment& env, const Clock& clock, Io io) {
  absl::StatusOr<GeminiBalanceSource> source = SourceOf(inv);
  if (!source.ok()) return ImportFail(inv, io, source.status());
  absl::StatusOr<SourceSettings> rows = ReadGeminiBalanceSettings(*source);
  if (!rows.ok()) return ImportFail(inv, io, rows.status());

  // What gempool holds now.
  const std::string persistence_hint =
      "is gempool-persistence running? set PERSISTENCE_ADDR or pass --persistence-addr";
  auto persistence = v1::Persistence::NewStub(rpc::MakeChannel(targets.persistence_addr));
  std::map<std::string, std::string> stored;
  std::set<std::string> present;
  {
    grpc::ClientContext context;
    rpc::SetDeadline(context, inv.timeout_ms);
    v1::Settings settings;
    const grpc::Status status = persistence->GetSettings(&context, v1::GetSettingsRequest(), &settings);
    if (!status.ok()) {
      return ImportFail(inv, io, RpcFailure(status, "persistence", targets.persistence_addr, persistence_hint));
    }
    stored.insert(settings.values().begin(), settings.values().end());
  }
  {
    grpc::ClientContext context;
    rpc::SetDeadline(context, inv.timeout_ms);
    v1::LoadKeysResponse keys;
    const grpc::Status status = persistence->LoadKeys(&context, v1::LoadKeysRequest(), &keys);
    if (!status.ok()) {
      return ImportFail(inv, io, RpcFailure(status, "persistence", targets.persistence_addr, persistence_hint));
    }
    for (const v1::KeyRecord& key : keys.keys()) present.insert(key.secret());
  }

  const ImportPlan plan = PlanImport(*rows, env, stored);

  // API_KEYS into the Gemini pool, VERTEX_API_KEYS into the Vertex AI
  // Express pool.
  auto add_keys = [&](const std::vector<std::string>& list, v1::Pool pool, KeyOutcome& keys) -> int {
    if (inv.dry_run) {
      for (const std::string& key : list) {
        if (present.count(key) > 0) {
          ++keys.already_present;
        } else {
          ++keys.added;
        }
      }
      return kExitOk;
    }
    if (list.empty()) return kExitOk;
    if (targets.token.empty()) {
      return ImportFail(inv, io,
                  absl::UnauthenticatedError(
                      "no admin token to add the keys with: set AUTH_TOKEN in the environment or .env, or pass "
                      "--token"));
    }
    auto admin = v1::KeyAdmin::NewStub(rpc::MakeChannel(targets.keybroker_addr));
    for (size_t begin = 0; begin < list.size(); begin += kImportAddChunk) {
      v1::AddKeysRequest request;
      request.set_pool(pool);
      for (size_t i = begin; i < std::min(list.size(), begin + kImportAddChunk); ++i) {
        request.add_secrets(list[i]);
      }
      grpc::ClientContext context;
      context.AddMetadata("authorization", absl::StrCat("Bearer ", targets.token));
      rpc::SetDeadline(context, inv.timeout_ms);
      v1::AddKeysResponse response;
      const grpc::Status status = admin->AddKeys(&context, request, &response);
      if (!status.ok()) {
        if (keys.added > 0) io.err << "gempoolctl: " << keys.added << " keys were added before the error\n";
        return ImportFail(inv, io,
                    RpcFailure(status, "the key broker", targets.keybroker_addr,
                               "is gempool-keybroker running? set KEYBROKER_ADDR or pass --addr"));
      }
      keys.added += response.added();
      keys.added_ids.insert(keys.added_ids.end(), response.added_ids().begin(), response.added_ids().end());
      keys.already_present += response.duplicates_size();
    }
    return kExitOk;
  };
  KeyOutcome keys;
  if (int failed = add_keys(plan.keys, v1::POOL_GEMINI, keys); failed != kExitOk) return failed;
  KeyOutcome vertex_keys;
  if (int failed = add_keys(plan.vertex_keys, v1::POOL_VERTEX, vertex_keys); failed != kExitOk) return failed;

  if (!inv.dry_run && !plan.settings.empty()) {
    v1::Settings request;
    for (const auto& [name, value] : SettingsToStore(plan, env, clock.NowUnixMs())) {
      (*request.mutable_values())[name] = value;
    }
    grpc::ClientContext context;
    rpc::SetDeadline(context, inv.timeout_ms);
    v1::PutSettingsResponse response;
    const grpc::Status status = persistence->PutSettings(&context, request, &response);
    if (!status.ok()) {
      if (keys.added > 0) io.err << "gempoolctl: " << keys.added << " keys were added before the error\n";
      return ImportFail(inv, io, RpcFailure(status, "persistence", targets.persistence_addr, persistence_hint));
    }
  }

  // gemini-balance's t_file_records, once the keys are in the pool
  // (gemini_balance_files.h).
  absl::StatusOr<FilesImportOutcome> files = ImportGeminiBalanceFiles(
      *source, *persistence, targets.persistence_addr, inv.timeout_ms, inv.dry_run, plan.keys, clock.NowUnixMs());
  if (!files.ok()) return ImportFail(inv, io, files.status());

  std::vector<std::string> imported;
  for (const auto& [name, value] : plan.settings) imported.push_back(name);
  if (inv.json) {
    Json not_imported = Json::array();
    for (const auto& [name, reason] : plan.not_imported) not_imported.push_back({{"name", name}, {"reason", reason}});
    Json env_lines = Json::object();
    for (const auto& [name, value] : plan.env_lines) env_lines[name] = value;
    Json report = {
        {"dry_run", inv.dry_run},
        {"source", DescribeSource(*source)},
        {"keys",
         {{"found", plan.keys.size() + plan.invalid_keys.size()},
          {"added", keys.added},
          {"added_ids", keys.added_ids},
          {"already_present", keys.already_present},
          {"invalid", plan.invalid_keys}}},
        {"vertex_keys",
         {{"found", plan.vertex_keys.size() + plan.invalid_vertex_keys.size()},
          {"added", vertex_keys.added},
          {"added_ids", vertex_keys.added_ids},
          {"already_present", vertex_keys.already_present},
          {"invalid", plan.invalid_vertex_keys}}},
        {"settings", {{"imported", imported}, {"unchanged", plan.unchanged}}},
        {"files",
         {{"found", files->found},
          {"imported", files->imported},
          {"skipped_unknown_key", files->skipped_unknown_key},
          {"skipped_expired_or_incomplete", files->skipped_expired_or_incomplete}}},
        {"not_imported", not_imported},
        {"env", env_lines},
    };
    // replace: reasons, masked keys and .env lines come from gemini-balance's
    // rows, which may hold bytes that are not UTF-8 (dump() would throw).
    io.out << report.dump(2, ' ', false, Json::error_handler_t::replace) << "\n";
    return kExitOk;
  }

  const char* would = inv.dry_run ? "would be " : "";
  io.out << (inv.dry_run ? "Dry run (nothing was changed): " : "Imported from ") << DescribeSource(*source) << " ("
         << rows->size() << " rows in t_settings)\n\n";
  io.out << "Keys: " << plan.keys.size() + plan.invalid_keys.size() << " in API_KEYS: " << keys.added << " "
         << would << "added";
  if (!keys.added_ids.empty()) {
    std::vector<std::string> ids;
    for (int64_t id : keys.added_ids) ids.push_back(absl::StrCat(id));
    io.out << " (ids " << absl::StrJoin(ids, ", ") << ")";
  }
  io.out << ", " << keys.already_present << " already in the pool";
  if (!plan.invalid_keys.empty()) {
    io.out << ", " << plan.invalid_keys.size() << " not storable (spaces or odd characters): "
           << absl::StrJoin(plan.invalid_keys, ", ");
  }
  io.out << "\n";
  if (!plan.vertex_keys.empty() || !plan.invalid_vertex_keys.empty()) {
    io.out << "Vertex AI Express keys: " << plan.vertex_keys.size() + plan.invalid_vertex_keys.size()
           << " in VERTEX_API_KEYS: " << vertex_keys.added << " " << would << "added to the vertex pool";
    if (!vertex_keys.added_ids.empty()) {
      std::vector<std::string> ids;
      for (int64_t id : vertex_keys.added_ids) ids.push_back(absl::StrCat(id));
      io.out << " (ids " << absl::StrJoin(ids, ", ") << ")";
    }
    io.out << ", " << vertex_keys.already_present << " already in a pool";
    if (!plan.invalid_vertex_keys.empty()) {
      io.out << ", " << plan.invalid_vertex_keys.size() << " not storable (spaces or odd characters): "
             << absl::StrJoin(plan.invalid_vertex_keys, ", ");
    }
    io.out << "\n";
  }
  if (files->found > 0) {
    io.out << "Files (t_file_records): " << files->imported << " of " << files->found << " "
           << (inv.dry_run ? "would be recorded" : "recorded") << " with their keys";
    if (files->skipped_expired_or_incomplete > 0) {
      io.out << ", " << files->skipped_expired_or_incomplete << " expired or never completed";
    }
    if (!files->skipped_unknown_key.empty()) {
      io.out << ", " << files->skipped_unknown_key.size()
             << " skipped because their key is not in the pool: " << absl::StrJoin(files->skipped_unknown_key, ", ");
    }
    io.out << "\n";
  }
  io.out << "Settings: " << imported.size() << " " << (inv.dry_run ? "would be stored" : "stored");
  if (!imported.empty()) io.out << ": " << absl::StrJoin(imported, ", ");
  io.out << "\n";
  if (!plan.unchanged.empty()) {
    io.out << "Already in force in gempool: " << absl::StrJoin(plan.unchanged, ", ") << "\n";
  }
  if (!plan.not_imported.empty()) {
    io.out << "\nNot imported (" << plan.not_imported.size() << "):\n";
    size_t width = 0;
    for (const auto& [name, reason] : plan.not_imported) width = std::max(width, name.size());
    for (const auto& [name, reason] : plan.not_imported) {
      io.out << "  " << name << std::string(width - name.size() + 2, ' ') << reason << "\n";
    }
  }
  if (!plan.env_lines.empty()) {
    io.out << "\ngempool reads these only from the environment: put them in gempool's .env, then run "
              "docker compose up -d:\n";
    for (const auto& [name, value] : plan.env_lines) io.out << "  " << name << "=" << value << "\n";
  }
  if (!imported.empty() && !inv.dry_run) {
    io.out << "\nThe stored settings apply like settings saved on the admin page, until that setting is changed in "
              ".env or the environment. Those the admin page marks as live reach every service within a few seconds; the "
              "others at the next start (docker compose restart).\n";
  }
  return kExitOk;
}

}  // namespace gempool::ctl
