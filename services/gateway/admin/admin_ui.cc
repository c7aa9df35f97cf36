#include "admin/admin_ui.h"


#include "absl/strings/ascii.h"
#include "admin/admin_service.h"
#include "admin/grpc_admin_backend.h"
#include "gempool/rpc/channel.h"

namespace gempool::gateway::admin {

struct AdminUi::Parts {
  // TIMEZONE in force; declared first, as the watcher's apply sets it.
  DisplayZone zone;
  std::unique_ptr<GrpcAdminBackend> backend;
  std::unique_ptr<SessionStore> sessions;
  std::unique_ptr<LoginLimiter> limiter;
  std::unique_ptr<SettingsWatcher> watcher;
  std::unique_ptr<ConfigApi> config_api;
  std::unique_ptr<AdminService> service;
};

std::unique_ptr<AdminUi> AdminUi::Create(const Config& config, Environment env, const Clock& clock,
                                         SettingsWatcher::ApplyFn apply, Options options) {
  auto parts = std::make_unique<Parts>();
  GrpcAdminBackend::Options backend_options;
  backend_options.keybroker_addr = config.keybroker_addr;
  backend_options.persistence_addr = config.persistence_addr;
  backend_options.admin_token = config.AdminToken();
  backend_options.timeout_ms = config.rpc_timeout_ms;
  backend_options.verify_timeout_ms = std::max(60, config.time_out_seconds * 4) * 1000;
  parts->backend = std::make_unique<GrpcAdminBackend>(rpc::MakeChannel(config.keybroker_addr),
                                                      rpc::MakeChannel(config.persistence_addr), backend_options);
  SessionStore::Options session_options;
  session_options.lifetime_ms = int64_t{config.admin_session_expire_seconds} * 1000;
  session_options.cache_ttl_ms = options.session_cache_ms;
  parts->sessions = std::make_unique<SessionStore>(*parts->backend, clock, session_options);
  parts->limiter = std::make_unique<LoginLimiter>(clock, LoginLimiter::Options());
  SettingsWatcher::Options watcher_options;
  watcher_options.poll_ms = options.settings_poll_ms;
  // TIMEZONE applies at once: the admin API reads the zone per call.
  DisplayZone* zone = &parts->zone;
  zone->Set(config.timezone).IgnoreError();  // LoadConfig checked it; UTC otherwise.
  SessionStore* sessions = parts->sessions.get();
  SettingsWatcher::ApplyFn apply_with_zone = [zone, sessions,
                                              apply = std::move(apply)](std::shared_ptr<const Config> next) {
    zone->Set(next->timezone).IgnoreError();
    // ADMIN_SESSION_EXPIRE: new logins get the new lifetime.
    sessions->set_lifetime_ms(int64_t{next->admin_session_expire_seconds} * 1000);
    if (apply) apply(std::move(next));
  };
  parts->watcher =
      std::make_unique<SettingsWatcher>(*parts->backend, env, clock, std::move(apply_with_zone), watcher_options);
  SettingsWatcher* watcher = parts->watcher.get();
  parts->config_api =
      std::make_unique<ConfigApi>(*parts->backend, std::move(env), clock, [watcher] { watcher->PollSoon(); });
  parts->service = std::make_unique<AdminService>(config.AdminToken(), *parts->backend, *parts->sessions,
                                                  *parts->limiter, *parts->config_api, clock, &parts->zone);
  return std::unique_ptr<AdminUi>(new AdminUi(std::move(parts)));
}

AdminUi::AdminUi(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

AdminUi::~AdminUi() { Stop(); }

void AdminUi::Start() { parts_->watcher->Start(); }

void AdminUi::Stop() { parts_->watcher->Stop(); }

bool AdminUi::IsAdminPath(absl::string_view path) { return AdminService::IsAdminPath(path); }

AdminResponse AdminUi::Serve(const AdminRequest& request) { return parts_->service->Handle(request); }

}  // namespace gempool::gateway::admin
