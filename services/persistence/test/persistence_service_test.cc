// PersistenceService through a real in-process gRPC server on a loopback port
// and a generated stub, over a SQLite store in a temporary file.

#include "persistence_service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include <filesystem>
#include <memory>
#include <string>

#include "gempool/rpc/channel.h"
#include "gempool/rpc/server.h"
#include "gempool/storage/soci_store.h"
#include "gempool/testing/fake_clock.h"
#include "gempool/testing/status_matchers.h"

namespace gempool::persistence {
namespace {

using ::gempool::testing::FakeClock;
using ::gempool::testing::IsOk;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

constexpr int64_t kStart = 1'700'000'000'000;

class PersistenceServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "gempool_persistence_XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    storage::StoreOptions options;
    options.backend = storage::Backend::kSqlite;
    options.sqlite_path = dir_ + "/gempool.db";
    options.data_dir = dir_;
    auto store = storage::SociStore::Open(options, clock_);
    ASSERT_THAT(store, IsOk());
    store_ = std::move(*store);
    service_ = std::make_unique<PersistenceService>(*store_);
    auto server = rpc::StartServer("test persistence", "127.0.0.1:0", {service_.get()}, kMaxRequestBytes);
    ASSERT_THAT(server, IsOk());
    server_ = std::move(server->server);
    stub_ = v1::Persistence::NewStub(rpc::MakeChannel("127.0.0.1:" + std::to_string(server->port)));
  }

  void TearDown() override {
    if (server_) server_->Shutdown();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // A context with a generous deadline.
  std::unique_ptr<grpc::ClientContext> Context() {
    auto context = std::make_unique<grpc::ClientContext>();
    rpc::SetDeadline(*context, 10000);
    return context;
  }

  FakeClock clock_{kStart};
  std::string dir_;
  std::unique_ptr<storage::SociStore> store_;
  std::unique_ptr<PersistenceService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::Persistence::Stub> stub_;
};

TEST_F(PersistenceServiceTest, PingReportsBackendAndSchema) {
  v1::PingResponse pong;
  ASSERT_TRUE(stub_->Ping(Context().get(), v1::PingRequest(), &pong).ok());
  EXPECT_EQ(pong.backend(), "sqlite");
  EXPECT_GE(pong.schema_version(), 1);
}

TEST_F(PersistenceServiceTest, KeyRpcsRoundTrip) {
  v1::AddKeysStoreRequest add;
  add.add_secrets("AIzaFirst");
  add.add_secrets("AIzaSecond");
  add.add_secrets("AIzaFirst");
  v1::AddKeysStoreResponse added;
  grpc::Status status = stub_->AddKeys(Context().get(), add, &added);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(added.keys_size(), 3);
  EXPECT_THAT(added.inserted(), ElementsAre(true, true, false));
  EXPECT_EQ(added.keys(2).id(), added.keys(0).id());
  EXPECT_EQ(added.keys(1).secret(), "AIzaSecond");

  v1::SaveKeyStatesRequest save;
  v1::KeyRecord* k = save.add_keys();
  k->set_id(added.keys(0).id());
  k->set_state(v1::KEY_STATE_COOLING);
  k->set_cooling_until_ms(kStart + 60000);
  auto* cooldown = k->add_model_cooldowns();
  cooldown->set_model("gemini-2.5-pro");
  cooldown->set_until_ms(kStart + 1000);
  cooldown->set_reason("RESOURCE_EXHAUSTED");
  v1::SaveKeyStatesResponse saved;
  ASSERT_TRUE(stub_->SaveKeyStates(Context().get(), save, &saved).ok());
  EXPECT_EQ(saved.updated(), 1);

  v1::LoadKeysResponse loaded;
  ASSERT_TRUE(stub_->LoadKeys(Context().get(), v1::LoadKeysRequest(), &loaded).ok());
  ASSERT_EQ(loaded.keys_size(), 2);
  EXPECT_EQ(loaded.keys(0).state(), v1::KEY_STATE_COOLING);
  ASSERT_EQ(loaded.keys(0).model_cooldowns_size(), 1);
  EXPECT_EQ(loaded.keys(0).model_cooldowns(0).model(), "gemini-2.5-pro");

  v1::DeleteKeysRequest del;
  del.add_ids(added.keys(1).id());
  del.add_ids(123456789);
  v1::DeleteKeysResponse deleted;
  ASSERT_TRUE(stub_->DeleteKeys(Context().get(), del, &deleted).ok());
  EXPECT_EQ(deleted.deleted(), 1);
  loaded.Clear();
  ASSERT_TRUE(stub_->LoadKeys(Context().get(), v1::LoadKeysRequest(), &loaded).ok());
  EXPECT_EQ(loaded.keys_size(), 1);
}

TEST_F(PersistenceServiceTest, LogRpcsWriteAndQuery) {
  v1::WriteRequestLogsRequest requests;
  for (int i = 0; i < 5; ++i) {
    v1::RequestLogEntry* e = requests.add_entries();
    e->set_time_ms(kStart + i);
    e->set_model(i < 3 ? "gemini-2.5-flash" : "gemini-2.5-pro");
    e->set_operation("generateContent");
    e->set_key_id(7);
    e->set_status_code(200);
  }
  v1::WriteLogsResponse written;
  ASSERT_TRUE(stub_->WriteRequestLogs(Context().get(), requests, &written).ok());
  EXPECT_EQ(written.written(), 5);

  v1::LogQuery query;
  query.set_model("gemini-2.5-flash");
  query.set_limit(2);
  v1::QueryRequestLogsResponse page;
  ASSERT_TRUE(stub_->QueryRequestLogs(Context().get(), query, &page).ok());
  EXPECT_EQ(page.total(), 3);
  ASSERT_EQ(page.entries_size(), 2);
  EXPECT_EQ(page.entries(0).time_ms(), kStart + 2);
  EXPECT_GT(page.entries(0).id(), 0);

  v1::WriteErrorLogsRequest errors;
  v1::ErrorLogEntry* e = errors.add_entries();
  e->set_time_ms(kStart);
  e->set_key_id(7);
  e->set_status_code(429);
  e->set_error_type("RESOURCE_EXHAUSTED");
  e->set_message("Quota exceeded");
  written.Clear();
  ASSERT_TRUE(stub_->WriteErrorLogs(Context().get(), errors, &written).ok());
  EXPECT_EQ(written.written(), 1);
  v1::LogQuery error_query;
  error_query.set_text("quota");
  v1::QueryErrorLogsResponse error_page;
  ASSERT_TRUE(stub_->QueryErrorLogs(Context().get(), error_query, &error_page).ok());
  EXPECT_EQ(error_page.total(), 1);
  ASSERT_EQ(error_page.entries_size(), 1);
  EXPECT_EQ(error_page.entries(0).error_type(), "RESOURCE_EXHAUSTED");
}

// A gateway sends a batch again when its answer was lost (the link dropped
// after the write): rows it numbered are written once, a grown retry writes
// only its new rows, and another gateway's numbers are its own.
TEST_F(PersistenceServiceTest, ABatchSentAgainAfterALostAnswerIsWrittenOnce) {
  const auto batch = [](const std::string& sender, int first, int last) {
    v1::WriteRequestLogsRequest request;
    request.set_sender(sender);
    for (int i = first; i <= last; ++i) {
      v1::RequestLogEntry* e = request.add_entries();
      e->set_time_ms(kStart + i);
      e->set_request_id(sender + "-" + std::to_string(i));
      e->set_delivery_sequence(static_cast<uint64_t>(i));
    }
    return request;
  };
  const auto write = [&](const v1::WriteRequestLogsRequest& request) {
    v1::WriteLogsResponse written;
    EXPECT_TRUE(stub_->WriteRequestLogs(Context().get(), request, &written).ok());
    return written.written();
  };
  EXPECT_EQ(write(batch("gateway-a", 1, 3)), 3);
  EXPECT_EQ(write(batch("gateway-a", 1, 3)), 0);
  EXPECT_EQ(write(batch("gateway-a", 1, 5)), 2);
  EXPECT_EQ(write(batch("gateway-b", 1, 2)), 2);
  v1::WriteRequestLogsRequest unnumbered = batch("", 1, 1);
  EXPECT_EQ(write(unnumbered), 1);
  EXPECT_EQ(write(unnumbered), 1);  // No sender: nothing to tell them apart by.

  v1::WriteErrorLogsRequest errors;
  errors.set_sender("gateway-a");
  errors.add_entries()->set_delivery_sequence(1);  // Its own numbers, per table.
  v1::WriteLogsResponse written;
  ASSERT_TRUE(stub_->WriteErrorLogs(Context().get(), errors, &written).ok());
  EXPECT_EQ(written.written(), 1);
  ASSERT_TRUE(stub_->WriteErrorLogs(Context().get(), errors, &written).ok());
  EXPECT_EQ(written.written(), 0);

  v1::QueryRequestLogsResponse page;
  ASSERT_TRUE(stub_->QueryRequestLogs(Context().get(), v1::LogQuery(), &page).ok());
  EXPECT_EQ(page.total(), 9);  // 5 + 2 + 2 unnumbered.
}

// The id a client got in x-request-id finds its failure in this service's
// log: one line per batch, naming the rows' requests; and the rows of one
// request id are found by LogQuery.request_id.
TEST_F(PersistenceServiceTest, ErrorRowsAreLoggedWithTheirRequestIdAndFoundByIt) {
  v1::WriteErrorLogsRequest errors;
  for (const char* id : {"trace-a", "trace-b", "has space"}) {
    v1::ErrorLogEntry* e = errors.add_entries();
    e->set_time_ms(kStart);
    e->set_key_id(3);
    e->set_model("gemini-2.5-flash");
    e->set_operation("generateContent");
    e->set_status_code(500);
    e->set_error_type("INTERNAL");
    e->set_request_id(id);
  }
  v1::WriteLogsResponse written;
  ::testing::internal::CaptureStderr();
  const grpc::Status status = stub_->WriteErrorLogs(Context().get(), errors, &written);
  const std::string log = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_THAT(log, HasSubstr("wrote 3 error log rows: generateContent 500 INTERNAL x3 "
                             "request_id=trace-a,trace-b\n"));
  EXPECT_EQ(std::count(log.begin(), log.end(), '\n'), 1) << "one line per batch:\n" << log;
  EXPECT_THAT(log, ::testing::Not(HasSubstr("has space")));  // Not a sane id: the line leaves it out.

  v1::LogQuery query;
  query.set_request_id("trace-b");
  v1::QueryErrorLogsResponse page;
  ASSERT_TRUE(stub_->QueryErrorLogs(Context().get(), query, &page).ok());
  ASSERT_EQ(page.entries_size(), 1);
  EXPECT_EQ(page.entries(0).request_id(), "trace-b");
}

// A page of error rows carries a preview of each request body and its size;
// the row asked for by id carries the whole body; an unknown id is NOT_FOUND
// naming it, and not logged as trouble.
TEST_F(PersistenceServiceTest, ErrorRowPagesCarryABodyPreviewAndOneRowByIdItsWholeBody) {
  const std::string body = std::string(10 * 1024, 'q') + "end";
  v1::WriteErrorLogsRequest errors;
  v1::ErrorLogEntry* e = errors.add_entries();
  e->set_time_ms(kStart);
  e->set_status_code(400);
  e->set_error_type("INVALID_ARGUMENT");
  e->set_request_body(body);
  v1::WriteLogsResponse written;
  ASSERT_TRUE(stub_->WriteErrorLogs(Context().get(), errors, &written).ok());

  v1::QueryErrorLogsResponse page;
  ASSERT_TRUE(stub_->QueryErrorLogs(Context().get(), v1::LogQuery(), &page).ok());
  ASSERT_EQ(page.entries_size(), 1);
  EXPECT_EQ(page.entries(0).request_body(), std::string(storage::kErrorLogBodyPreviewBytes, 'q'));
  EXPECT_EQ(page.entries(0).request_body_bytes(), static_cast<int64_t>(body.size()));

  v1::LogQuery by_id;
  by_id.set_id(page.entries(0).id());
  v1::QueryErrorLogsResponse one;
  grpc::Status status = stub_->QueryErrorLogs(Context().get(), by_id, &one);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(one.entries_size(), 1);
  EXPECT_EQ(one.total(), 1);
  EXPECT_EQ(one.entries(0).request_body(), body);
  EXPECT_EQ(one.entries(0).request_body_bytes(), static_cast<int64_t>(body.size()));

  by_id.set_id(page.entries(0).id() + 500);
  ::testing::internal::CaptureStderr();
  status = stub_->QueryErrorLogs(Context().get(), by_id, &one);
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(status.error_message(), HasSubstr(std::to_string(page.entries(0).id() + 500)));
  EXPECT_THAT(log, ::testing::Not(HasSubstr("QueryErrorLogs"))) << "a missing row is not database trouble";
}

TEST_F(PersistenceServiceTest, GetKeyUsageCountsCallsAndFailuresPerKeyAndModel) {
  v1::WriteRequestLogsRequest requests;
  const struct {
    int64_t time_ms;
    int64_t key_id;
    const char* model;
    int status;
  } rows[] = {{kStart - 1, 7, "gemini-2.5-flash", 500},
              {kStart, 7, "gemini-2.5-flash", 200},
              {kStart + 1, 7, "gemini-2.5-flash", 429},
              {kStart + 2, 7, "gemini-2.5-pro", 200},
              {kStart + 3, 8, "gemini-2.5-flash", 503}};
  for (const auto& row : rows) {
    v1::RequestLogEntry* e = requests.add_entries();
    e->set_time_ms(row.time_ms);
    e->set_key_id(row.key_id);
    e->set_model(row.model);
    e->set_operation("generateContent");
    e->set_status_code(row.status);
  }
  v1::WriteLogsResponse written;
  ASSERT_TRUE(stub_->WriteRequestLogs(Context().get(), requests, &written).ok());

  v1::GetKeyUsageRequest request;
  request.add_key_ids(7);
  request.set_since_ms(kStart);
  v1::GetKeyUsageResponse usage;
  grpc::Status status = stub_->GetKeyUsage(Context().get(), request, &usage);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(usage.rows_size(), 2);
  EXPECT_EQ(usage.rows(0).key_id(), 7);
  EXPECT_EQ(usage.rows(0).model(), "gemini-2.5-flash");
  EXPECT_EQ(usage.rows(0).calls(), 2);
  EXPECT_EQ(usage.rows(0).failures(), 1);
  EXPECT_EQ(usage.rows(1).model(), "gemini-2.5-pro");
  EXPECT_EQ(usage.rows(1).calls(), 1);
  EXPECT_EQ(usage.rows(1).failures(), 0);

  request.clear_key_ids();
  request.set_since_ms(0);
  usage.Clear();
  ASSERT_TRUE(stub_->GetKeyUsage(Context().get(), request, &usage).ok());
  ASSERT_EQ(usage.rows_size(), 3);
  EXPECT_EQ(usage.rows(0).calls(), 3);
  EXPECT_EQ(usage.rows(2).key_id(), 8);

  request.set_since_ms(-5);
  status = stub_->GetKeyUsage(Context().get(), request, &usage);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("since_ms"));
}

TEST_F(PersistenceServiceTest, BatchesBeyondGrpcsDefaultFourMegabytesGoThroughBothWays) {
  v1::WriteErrorLogsRequest errors;
  for (int i = 0; i < 520; ++i) {
    v1::ErrorLogEntry* e = errors.add_entries();
    e->set_time_ms(kStart + i);
    e->set_message(std::string(16 * 1024, 'm'));
  }
  ASSERT_GT(errors.ByteSizeLong(), 8u * 1024 * 1024);
  v1::WriteLogsResponse written;
  grpc::Status status = stub_->WriteErrorLogs(Context().get(), errors, &written);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(written.written(), 520);

  v1::LogQuery query;
  query.set_limit(1000);
  v1::QueryErrorLogsResponse page;
  status = stub_->QueryErrorLogs(Context().get(), query, &page);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(page.entries_size(), 520);
}

TEST_F(PersistenceServiceTest, QueryUsageSumsTheTokensOfWrittenRowsAndRefusesBadQueries) {
  v1::WriteRequestLogsRequest requests;
  for (int i = 0; i < 3; ++i) {
    v1::RequestLogEntry* e = requests.add_entries();
    e->set_time_ms(kStart - 10 + i);
    e->set_model(i < 2 ? "gemini-2.5-flash" : "gemini-2.5-pro");
    e->set_client_token_id("tok1");
    e->set_key_id(7);
    e->set_status_code(i == 2 ? 429 : 200);
    e->mutable_usage()->set_prompt_tokens(10);
    e->mutable_usage()->set_candidates_tokens(5);
    e->mutable_usage()->set_total_tokens(15);
  }
  v1::WriteLogsResponse written;
  ASSERT_TRUE(stub_->WriteRequestLogs(Context().get(), requests, &written).ok());

  v1::UsageQuery query;
  query.set_since_ms(kStart - 3'600'000);
  query.set_group_by(v1::USAGE_GROUP_BY_MODEL);
  v1::UsageReport report;
  grpc::Status status = stub_->QueryUsage(Context().get(), query, &report);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(report.total().requests(), 3);
  EXPECT_EQ(report.total().failures(), 1);
  EXPECT_EQ(report.total().usage().total_tokens(), 45);
  ASSERT_EQ(report.groups_size(), 2);
  EXPECT_EQ(report.groups(0).group(), "gemini-2.5-flash");
  EXPECT_EQ(report.groups(0).count().usage().prompt_tokens(), 20);

  query.set_limit(5000);
  status = stub_->QueryUsage(Context().get(), query, &report);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("1 to 1000"));
}

TEST_F(PersistenceServiceTest, SettingsRpcsUpsert) {
  v1::Settings put;
  (*put.mutable_values())["MAX_RETRIES"] = "3";
  (*put.mutable_values())["TEST_MODEL"] = "gemini-2.5-flash-lite";
  v1::PutSettingsResponse ignored;
  ASSERT_TRUE(stub_->PutSettings(Context().get(), put, &ignored).ok());
  put.Clear();
  (*put.mutable_values())["MAX_RETRIES"] = "5";
  ASSERT_TRUE(stub_->PutSettings(Context().get(), put, &ignored).ok());
  v1::Settings got;
  ASSERT_TRUE(stub_->GetSettings(Context().get(), v1::GetSettingsRequest(), &got).ok());
  EXPECT_THAT(got.values(),
              UnorderedElementsAre(Pair("MAX_RETRIES", "5"), Pair("TEST_MODEL", "gemini-2.5-flash-lite")));
}

TEST_F(PersistenceServiceTest, InvalidInputIsInvalidArgumentWithAReadableMessage) {
  v1::LogQuery query;
  query.set_limit(5000);
  v1::QueryRequestLogsResponse page;
  grpc::Status status = stub_->QueryRequestLogs(Context().get(), query, &page);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("limit 5000"));

  v1::AddKeysStoreRequest add;
  add.add_secrets("AIzaGood");
  add.add_secrets("");
  v1::AddKeysStoreResponse added;
  status = stub_->AddKeys(Context().get(), add, &added);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("key #2 is empty"));

  v1::Settings put;
  (*put.mutable_values())["not a name"] = "x";
  v1::PutSettingsResponse ignored;
  status = stub_->PutSettings(Context().get(), put, &ignored);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  v1::DeleteKeysRequest del;
  for (int i = 0; i <= kMaxItemsPerCall; ++i) del.add_ids(i + 1);
  v1::DeleteKeysResponse deleted;
  status = stub_->DeleteKeys(Context().get(), del, &deleted);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("at most 100000"));
}

TEST_F(PersistenceServiceTest, AdminUiRpcsRoundTrip) {
  v1::AdminSession session;
  session.set_id_hash(std::string(64, 'f'));
  session.set_created_at_ms(kStart);
  session.set_expires_at_ms(kStart + 60000);
  v1::CreateAdminSessionResponse created;
  ASSERT_TRUE(stub_->CreateAdminSession(Context().get(), session, &created).ok());
  v1::GetAdminSessionRequest get;
  get.set_id_hash(session.id_hash());
  v1::AdminSession found;
  ASSERT_TRUE(stub_->GetAdminSession(Context().get(), get, &found).ok());
  EXPECT_EQ(found.expires_at_ms(), kStart + 60000);
  v1::DeleteAdminSessionRequest del;
  del.set_id_hash(session.id_hash());
  v1::DeleteAdminSessionResponse deleted;
  ASSERT_TRUE(stub_->DeleteAdminSession(Context().get(), del, &deleted).ok());
  EXPECT_TRUE(deleted.deleted());
  EXPECT_EQ(stub_->GetAdminSession(Context().get(), get, &found).error_code(), grpc::StatusCode::NOT_FOUND);

  v1::WriteRequestLogsRequest requests;
  for (int i = 0; i < 3; ++i) {
    v1::RequestLogEntry* e = requests.add_entries();
    e->set_time_ms(kStart + i);
    e->set_status_code(i == 0 ? 500 : 200);
    e->set_model("gemini-2.5-flash");
  }
  v1::WriteLogsResponse written;
  ASSERT_TRUE(stub_->WriteRequestLogs(Context().get(), requests, &written).ok());
  v1::AggregateRequestLogsRequest aggregate;
  aggregate.set_since_ms(kStart);
  aggregate.set_until_ms(kStart + 60000);
  aggregate.set_bucket_ms(60000);
  v1::AggregateRequestLogsResponse stats;
  grpc::Status status = stub_->AggregateRequestLogs(Context().get(), aggregate, &stats);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(stats.calls(), 3);
  EXPECT_EQ(stats.failures(), 1);
  aggregate.set_bucket_ms(0);
  EXPECT_EQ(stub_->AggregateRequestLogs(Context().get(), aggregate, &stats).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  v1::DeleteLogsRequest purge;
  purge.set_table(v1::LOG_TABLE_REQUEST);
  purge.set_all(true);
  v1::DeleteLogsResponse purged;
  ASSERT_TRUE(stub_->DeleteLogs(Context().get(), purge, &purged).ok());
  EXPECT_EQ(purged.deleted(), 3);
}

// --- Stored Responses API responses ---

v1::StoredResponse StoredResponse(const std::string& id, const std::string& owner) {
  v1::StoredResponse r;
  r.set_id(id);
  r.set_owner(owner);
  r.set_created_at_ms(kStart);
  r.set_expires_at_ms(kStart + 60000);
  r.set_model("gemini-2.5-flash");
  r.set_body(R"({"input":[],"output":[]})");
  return r;
}

TEST_F(PersistenceServiceTest, StoredResponseRpcsRoundTripScopedToTheOwner) {
  const v1::StoredResponse stored = StoredResponse("resp_abc123", "a1b2c3d4e5f6");
  v1::PutStoredResponseResponse put;
  grpc::Status status = stub_->PutStoredResponse(Context().get(), stored, &put);
  ASSERT_TRUE(status.ok()) << status.error_message();

  v1::GetStoredResponseRequest get;
  get.set_id("resp_abc123");
  get.set_owner("a1b2c3d4e5f6");
  v1::StoredResponse found;
  status = stub_->GetStoredResponse(Context().get(), get, &found);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(found.SerializeAsString(), stored.SerializeAsString());

  get.set_owner("another0token");
  EXPECT_EQ(stub_->GetStoredResponse(Context().get(), get, &found).error_code(), grpc::StatusCode::NOT_FOUND);
  v1::StoredResponse theirs = StoredResponse("resp_abc123", "another0token");
  EXPECT_EQ(stub_->PutStoredResponse(Context().get(), theirs, &put).error_code(), grpc::StatusCode::ALREADY_EXISTS);

  v1::DeleteStoredResponseRequest del;
  del.set_id("resp_abc123");
  del.set_owner("another0token");
  v1::DeleteStoredResponseResponse deleted;
  ASSERT_TRUE(stub_->DeleteStoredResponse(Context().get(), del, &deleted).ok());
  EXPECT_FALSE(deleted.deleted()) << "not theirs";
  del.set_owner("a1b2c3d4e5f6");
  ASSERT_TRUE(stub_->DeleteStoredResponse(Context().get(), del, &deleted).ok());
  EXPECT_TRUE(deleted.deleted());
  get.set_owner("a1b2c3d4e5f6");
  status = stub_->GetStoredResponse(Context().get(), get, &found);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(status.error_message(), HasSubstr("resp_abc123"));
}

TEST_F(PersistenceServiceTest, StoredResponsesExpireByThePersistenceClock) {
  v1::PutStoredResponseResponse put;
  ASSERT_TRUE(stub_->PutStoredResponse(Context().get(), StoredResponse("resp_1", "owner"), &put).ok());
  v1::GetStoredResponseRequest get;
  get.set_id("resp_1");
  get.set_owner("owner");
  v1::StoredResponse found;
  ASSERT_TRUE(stub_->GetStoredResponse(Context().get(), get, &found).ok());
  clock_.AdvanceMs(60000);
  EXPECT_EQ(stub_->GetStoredResponse(Context().get(), get, &found).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(PersistenceServiceTest, StoredResponseRpcsRejectMalformedInput) {
  v1::PutStoredResponseResponse put;
  for (const char* id : {"", "resp_", "msg_1", "resp_a/b"}) {
    EXPECT_EQ(stub_->PutStoredResponse(Context().get(), StoredResponse(id, "owner"), &put).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT)
        << id;
  }
  const std::string too_long = "resp_" + std::string(124, 'a');
  EXPECT_EQ(stub_->PutStoredResponse(Context().get(), StoredResponse(too_long, "owner"), &put).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(stub_->PutStoredResponse(Context().get(), StoredResponse("resp_1", ""), &put).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT)
      << "no owner";

  v1::GetStoredResponseRequest get;
  get.set_id("resp_1");
  v1::StoredResponse found;
  EXPECT_EQ(stub_->GetStoredResponse(Context().get(), get, &found).error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << "no owner";
  v1::DeleteStoredResponseRequest del;
  del.set_id("chatcmpl-1");
  del.set_owner("owner");
  v1::DeleteStoredResponseResponse deleted;
  EXPECT_EQ(stub_->DeleteStoredResponse(Context().get(), del, &deleted).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(PersistenceServiceTest, StoredResponseBodiesUpTo64MiBPassAndLargerOnesAreRefusedByName) {
  v1::StoredResponse largest = StoredResponse("resp_largest", "owner");
  largest.set_body(std::string(storage::kMaxStoredResponseBodyBytes, 'x'));
  v1::PutStoredResponseResponse put;
  grpc::Status status = stub_->PutStoredResponse(Context().get(), largest, &put);
  ASSERT_TRUE(status.ok()) << status.error_message();
  v1::GetStoredResponseRequest get;
  get.set_id("resp_largest");
  get.set_owner("owner");
  v1::StoredResponse found;
  status = stub_->GetStoredResponse(Context().get(), get, &found);
  ASSERT_TRUE(status.ok()) << "the gateway's channel must take the reply too: " << status.error_message();
  EXPECT_EQ(found.body().size(), largest.body().size());

  largest.set_id("resp_too_large");
  largest.mutable_body()->push_back('x');
  status = stub_->PutStoredResponse(Context().get(), largest, &put);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("RESPONSES_STORE_MAX_KB"));
}

}  // namespace
}  // namespace gempool::persistence
