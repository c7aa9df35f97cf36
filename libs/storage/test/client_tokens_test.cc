// The Store's managed client tokens, against every backend: SQLite (a
// temporary file, always) and MariaDB/MySQL (a throwaway database, when
// configured; see test_database.h).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

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
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr int64_t kTokensStart = 1'700'000'000'000;

class ClientTokensStoreTest : public StoreTest {
 protected:
  ClientTokensStoreTest() : StoreTest(kTokensStart) {}

  static v1::ClientToken Token(const std::string& name, char hash_digit) {
    v1::ClientToken token;
    token.set_name(name);
    token.set_secret_sha256(std::string(64, hash_digit));
    token.set_token_id(std::string(12, hash_digit));
    token.set_secret_prefix("gp-AbCd");
    return token;
  }
};

TEST_P(ClientTokensStoreTest, InsertAssignsIdAndTimesAndLoadsBack) {
  v1::ClientToken token = Token("laptop", 'a');
  token.set_expires_at_ms(kTokensStart + 1000);
  token.mutable_limits()->set_requests_per_minute(3);
  token.mutable_limits()->set_tokens_per_day(100000);
  token.mutable_limits()->add_allowed_models("gemini-2.5-*");
  token.mutable_limits()->add_allowed_models("gemini-2.0-flash");
  auto stored = store_->PutClientToken(token);
  ASSERT_THAT(stored, IsOk());
  EXPECT_GT(stored->id(), 0);
  EXPECT_EQ(stored->created_at_ms(), kTokensStart);
  EXPECT_EQ(stored->updated_at_ms(), kTokensStart);
  auto loaded = store_->LoadClientTokens();
  ASSERT_THAT(loaded, IsOk());
  ASSERT_THAT(*loaded, SizeIs(1));
  EXPECT_THAT((*loaded)[0], EqualsProto(*stored));
}

TEST_P(ClientTokensStoreTest, ReplaceByIdAndUnknownIdIsNotFound) {
  auto stored = store_->PutClientToken(Token("laptop", 'a'));
  ASSERT_THAT(stored, IsOk());
  v1::ClientToken changed = *stored;
  changed.set_disabled(true);
  changed.set_name("laptop-2");
  changed.set_updated_at_ms(kTokensStart + 5);
  ASSERT_THAT(store_->PutClientToken(changed), IsOk());
  auto loaded = store_->LoadClientTokens();
  ASSERT_THAT(loaded, IsOk());
  ASSERT_THAT(*loaded, SizeIs(1));
  EXPECT_THAT((*loaded)[0], EqualsProto(changed));
  // The same values again (MySQL reports no row changed) is fine.
  EXPECT_THAT(store_->PutClientToken(changed), IsOk());
  changed.set_id(stored->id() + 100);
  EXPECT_THAT(store_->PutClientToken(changed).status(), StatusIs(absl::StatusCode::kNotFound));
}

TEST_P(ClientTokensStoreTest, NamesAndSecretsAreUnique) {
  ASSERT_THAT(store_->PutClientToken(Token("laptop", 'a')), IsOk());
  EXPECT_THAT(store_->PutClientToken(Token("laptop", 'b')).status(),
              StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("named 'laptop' already exists")));
  EXPECT_THAT(store_->PutClientToken(Token("phone", 'a')).status(),
              StatusIs(absl::StatusCode::kAlreadyExists, HasSubstr("same secret")));
  EXPECT_THAT(store_->LoadClientTokens(), IsOkAndHolds(SizeIs(1)));
}

TEST_P(ClientTokensStoreTest, DeleteRemovesOnce) {
  auto stored = store_->PutClientToken(Token("laptop", 'a'));
  ASSERT_THAT(stored, IsOk());
  EXPECT_THAT(store_->DeleteClientToken(stored->id()), IsOkAndHolds(true));
  EXPECT_THAT(store_->DeleteClientToken(stored->id()), IsOkAndHolds(false));
  EXPECT_THAT(store_->LoadClientTokens(), IsOkAndHolds(IsEmpty()));
}

TEST_P(ClientTokensStoreTest, RefusesBadRecords) {
  v1::ClientToken bad = Token("", 'a');
  EXPECT_THAT(store_->PutClientToken(bad).status(), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("name")));
  bad = Token("x", 'a');
  bad.set_secret_sha256("not-a-hash");
  EXPECT_THAT(store_->PutClientToken(bad).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("secret_sha256")));
  bad = Token("x", 'a');
  bad.mutable_limits()->set_requests_per_minute(-1);
  EXPECT_THAT(store_->PutClientToken(bad).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("requests_per_minute")));
}

TEST_P(ClientTokensStoreTest, TheTableHoldsNoSecretColumn) {
  ASSERT_THAT(store_->PutClientToken(Token("laptop", 'a')), IsOk());
  auto sql = db_->Connect();
  soci::rowset<soci::row> rows = (sql->prepare << "SELECT * FROM gempool_client_tokens");
  for (const soci::row& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      EXPECT_NE(row.get_properties(i).get_name(), "secret");
    }
  }
}

GEMPOOL_INSTANTIATE_STORE_TESTS(ClientTokensStoreTest);

}  // namespace
}  // namespace gempool::storage
