// The Store's Files API records (upload sessions, file records), against
// every backend: SQLite (a temporary file, always) and MariaDB/MySQL (a
// throwaway database, when configured; see test_database.h).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "file_records.h"
#include "gempool/storage/soci_store.h"
#include "gempool/testing/fake_clock.h"
#include "gempool/testing/status_matchers.h"
#include "test_database.h"

namespace gempool::storage {
namespace {

using ::gempool::storage::testing::EqualsProto;
using ::gempool::storage::testing::StoreTest;
using ::gempool::storage::testing::TestDatabase;
using ::gempool::testing::IsOk;
using ::gempool::testing::IsOkAndHolds;
using ::gempool::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

constexpr int64_t kFilesStart = 1'700'000'000'000;
constexpr int64_t kHour = 60LL * 60 * 1000;

class FileRecordsTest : public StoreTest {
 protected:
  FileRecordsTest() : StoreTest(kFilesStart) {}

  static v1::UploadSession Session(const std::string& id, const std::string& owner, int64_t key_id,
                                   int64_t created = kFilesStart, int64_t lifetime = kHour) {
    v1::UploadSession s;
    s.set_id(id);
    s.set_owner(owner);
    s.set_key_id(key_id);
    s.set_upstream_url("https://generativelanguage.googleapis.com/upload/v1beta/files?upload_id=" + id +
                       "&upload_protocol=resumable");
    s.set_created_at_ms(created);
    s.set_expires_at_ms(created + lifetime);
    return s;
  }

  static v1::FileRecord Record(const std::string& name, const std::string& owner, int64_t key_id,
                               int64_t created = kFilesStart, int64_t lifetime = 48 * kHour) {
    v1::FileRecord r;
    r.set_name(name);
    r.set_key_id(key_id);
    r.set_owner(owner);
    r.set_created_at_ms(created);
    r.set_expires_at_ms(created + lifetime);
    r.set_metadata_json(R"({"name":")" + name + R"(","mimeType":"text/plain","state":"ACTIVE","sizeBytes":"5"})");
    return r;
  }

  int Rows(const std::string& table) {
    auto sql = db_->Connect();
    int rows = 0;
    *sql << "SELECT COUNT(*) FROM " + table, soci::into(rows);
    return rows;
  }

  std::vector<std::string> Names(const v1::ListFileRecordsResponse& page) {
    std::vector<std::string> names;
    for (const v1::FileRecord& r : page.records()) names.push_back(r.name());
    return names;
  }
};

TEST_P(FileRecordsTest, UploadSessionPutThenGetAndReplace) {
  v1::UploadSession s = Session("sess_0123456789abcdef", "owner-a", 7);
  ASSERT_THAT(store_->PutUploadSession(s), IsOk());
  EXPECT_THAT(store_->GetUploadSession(s.id()), IsOkAndHolds(EqualsProto(s)));
  s.set_key_id(8);
  ASSERT_THAT(store_->PutUploadSession(s), IsOk());
  EXPECT_THAT(store_->GetUploadSession(s.id()), IsOkAndHolds(EqualsProto(s)));
  EXPECT_EQ(Rows("gempool_upload_sessions"), 1);
  EXPECT_THAT(store_->GetUploadSession("sess_unknown_0000000"), StatusIs(absl::StatusCode::kNotFound));
}

TEST_P(FileRecordsTest, UploadSessionExpiresByTheStoresClock) {
  ASSERT_THAT(store_->PutUploadSession(Session("sess_0123456789abcdef", "o", 1, kFilesStart, 1000)), IsOk());
  clock_.AdvanceMs(999);
  EXPECT_THAT(store_->GetUploadSession("sess_0123456789abcdef"), IsOk());
  clock_.AdvanceMs(1);
  EXPECT_THAT(store_->GetUploadSession("sess_0123456789abcdef"), StatusIs(absl::StatusCode::kNotFound));
}

TEST_P(FileRecordsTest, UploadSessionRejectsMalformedInput) {
  const auto invalid = StatusIs(absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(store_->PutUploadSession(Session("short", "o", 1)), invalid);
  EXPECT_THAT(store_->PutUploadSession(Session(std::string(129, 'a'), "o", 1)), invalid);
  EXPECT_THAT(store_->PutUploadSession(Session("sess_0123456789abc/ef", "o", 1)), invalid);
  EXPECT_THAT(store_->GetUploadSession("bad id with spaces!"), invalid);
  EXPECT_THAT(store_->PutUploadSession(Session("sess_0123456789abcdef", "", 1)), invalid);
  EXPECT_THAT(store_->PutUploadSession(Session("sess_0123456789abcdef", "o", 0)), invalid);
  EXPECT_THAT(store_->PutUploadSession(Session("sess_0123456789abcdef", "o", 1, kFilesStart, 0)), invalid);
  v1::UploadSession ftp = Session("sess_0123456789abcdef", "o", 1);
  ftp.set_upstream_url("ftp://example.com/upload");
  EXPECT_THAT(store_->PutUploadSession(ftp), invalid);
  EXPECT_EQ(Rows("gempool_upload_sessions"), 0);
}

TEST_P(FileRecordsTest, FileRecordsPutGetReplaceDelete) {
  const v1::FileRecord a = Record("files/abc123", "owner-a", 1);
  v1::FileRecord b = Record("files/def-456", "owner-b", 2);
  ASSERT_THAT(store_->PutFileRecord(a), IsOk());
  ASSERT_THAT(store_->PutFileRecord(b), IsOk());
  auto found = store_->GetFileRecords({"files/abc123", "files/def-456", "files/unknown"});
  ASSERT_THAT(found, IsOk());
  EXPECT_THAT(*found, UnorderedElementsAre(EqualsProto(a), EqualsProto(b)));
  EXPECT_THAT(store_->GetFileRecords({}), IsOkAndHolds(IsEmpty()));

  b.set_metadata_json(R"({"name":"files/def-456","state":"FAILED"})");
  ASSERT_THAT(store_->PutFileRecord(b), IsOk());
  EXPECT_THAT(store_->GetFileRecords({"files/def-456"}), IsOkAndHolds(ElementsAre(EqualsProto(b))));
  EXPECT_EQ(Rows("gempool_file_records"), 2);

  EXPECT_THAT(store_->DeleteFileRecord("files/abc123"), IsOkAndHolds(true));
  EXPECT_THAT(store_->DeleteFileRecord("files/abc123"), IsOkAndHolds(false));
  EXPECT_THAT(store_->GetFileRecords({"files/abc123"}), IsOkAndHolds(IsEmpty()));
}

TEST_P(FileRecordsTest, ExpiredRecordsAreNotReturned) {
  ASSERT_THAT(store_->PutFileRecord(Record("files/short", "o", 1, kFilesStart, 1000)), IsOk());
  ASSERT_THAT(store_->PutFileRecord(Record("files/long", "o", 1, kFilesStart, 2000)), IsOk());
  clock_.AdvanceMs(1000);
  EXPECT_THAT(store_->GetFileRecords({"files/short", "files/long"}),
              IsOkAndHolds(ElementsAre(::testing::Property(&v1::FileRecord::name, "files/long"))));
  auto page = store_->ListFileRecords({});
  ASSERT_THAT(page, IsOk());
  EXPECT_THAT(Names(*page), ElementsAre("files/long"));
}

TEST_P(FileRecordsTest, FileRecordRejectsMalformedInput) {
  const auto invalid = StatusIs(absl::StatusCode::kInvalidArgument);
  for (const std::string& name : {std::string("abc"), std::string("files/"), std::string("files/a/b"),
                                  std::string("cachedContents/x"), "files/" + std::string(186, 'a')}) {
    EXPECT_THAT(store_->PutFileRecord(Record(name, "o", 1)), invalid) << name;
    EXPECT_THAT(store_->GetFileRecords({name}), invalid) << name;
    EXPECT_THAT(store_->DeleteFileRecord(name), invalid) << name;
  }
  EXPECT_THAT(store_->PutFileRecord(Record("files/" + std::string(185, 'a'), "o", 1)), IsOk()) << "191 in all";
  EXPECT_THAT(store_->PutFileRecord(Record("files/x", "o", 0)), invalid) << "no key";
  EXPECT_THAT(store_->PutFileRecord(Record("files/x", "", 1)), invalid) << "no owner";
  EXPECT_THAT(store_->PutFileRecord(Record("files/x", "o", 1, kFilesStart, 0)), invalid) << "expires at creation";
  v1::FileRecord big = Record("files/x", "o", 1);
  big.set_metadata_json(std::string(kMaxFileMetadataBytes + 1, 'x'));
  EXPECT_THAT(store_->PutFileRecord(big), invalid);
  std::vector<std::string> many(kMaxFileRecordNamesPerCall + 1, "files/x");
  EXPECT_THAT(store_->GetFileRecords(many), invalid);
}

TEST_P(FileRecordsTest, ListIsNewestFirstPagedAndOptionallyOneOwners) {
  // Two records share a creation time: the name breaks the tie.
  ASSERT_THAT(store_->PutFileRecord(Record("files/a1", "owner-a", 1, kFilesStart + 1)), IsOk());
  ASSERT_THAT(store_->PutFileRecord(Record("files/b1", "owner-b", 2, kFilesStart + 2)), IsOk());
  ASSERT_THAT(store_->PutFileRecord(Record("files/a2", "owner-a", 1, kFilesStart + 3)), IsOk());
  ASSERT_THAT(store_->PutFileRecord(Record("files/a3", "owner-a", 3, kFilesStart + 3)), IsOk());
  ASSERT_THAT(store_->PutFileRecord(Record("files/a4", "owner-a", 1, kFilesStart + 4)), IsOk());

  v1::ListFileRecordsRequest all;
  auto everything = store_->ListFileRecords(all);
  ASSERT_THAT(everything, IsOk());
  EXPECT_THAT(Names(*everything), ElementsAre("files/a4", "files/a3", "files/a2", "files/b1", "files/a1"));
  EXPECT_EQ(everything->next_page_token(), "") << "the last page";

  v1::ListFileRecordsRequest mine;
  mine.set_owner("owner-a");
  mine.set_page_size(2);
  std::vector<std::string> seen;
  for (int pages = 0; pages < 10; ++pages) {
    auto page = store_->ListFileRecords(mine);
    ASSERT_THAT(page, IsOk());
    EXPECT_LE(page->records_size(), 2);
    for (const std::string& name : Names(*page)) seen.push_back(name);
    if (page->next_page_token().empty()) break;
    mine.set_page_token(page->next_page_token());
  }
  EXPECT_THAT(seen, ElementsAre("files/a4", "files/a3", "files/a2", "files/a1"));

  v1::ListFileRecordsRequest bad;
  bad.set_page_token("not-a-token");
  EXPECT_THAT(store_->ListFileRecords(bad), StatusIs(absl::StatusCode::kInvalidArgument));
  bad.set_page_token("");
  bad.set_page_size(kMaxFileListPageSize + 1);
  EXPECT_THAT(store_->ListFileRecords(bad), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_P(FileRecordsTest, WritesPurgeABoundedNumberOfExpiredRowsAndTheCleanUpTheRest) {
  const int expired = kFilePurgeBatch * 3;
  for (int i = 0; i < expired; ++i) {
    ASSERT_THAT(store_->PutFileRecord(Record("files/old" + std::to_string(i), "o", 1, kFilesStart, 1000)), IsOk());
    ASSERT_THAT(store_->PutUploadSession(Session("sess_old_" + std::to_string(1000000000 + i), "o", 1, kFilesStart, 1000)),
                IsOk());
  }
  clock_.AdvanceMs(1000);
  ASSERT_THAT(store_->PutFileRecord(Record("files/new", "o", 1, kFilesStart + 1000)), IsOk());
  EXPECT_EQ(Rows("gempool_file_records"), expired - kFilePurgeBatch + 1);
  EXPECT_EQ(Rows("gempool_upload_sessions"), expired - kFilePurgeBatch);
  EXPECT_THAT(store_->PurgeExpiredFiles(), IsOkAndHolds(2 * (expired - kFilePurgeBatch)));
  EXPECT_EQ(Rows("gempool_file_records"), 1);
  EXPECT_EQ(Rows("gempool_upload_sessions"), 0);
  EXPECT_THAT(store_->PurgeExpiredFiles(), IsOkAndHolds(0));
  EXPECT_THAT(store_->GetFileRecords({"files/new"}), IsOkAndHolds(::testing::SizeIs(1)));
}

GEMPOOL_INSTANTIATE_STORE_TESTS(FileRecordsTest);

}  // namespace
}  // namespace gempool::storage
