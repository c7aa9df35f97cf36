// Issue 14 §2: Vertex AI Express keys (VERTEX_API_KEYS) are a second pool
// with the same states and cooldowns as the Gemini pool. A real stack with
// both pools, against fake-gemini's Vertex routes
// (tests/fake_upstream/vertex_routes.cc; stack.cc points
// VERTEX_EXPRESS_BASE_URL at them): /vertex-express/ calls rotate over the
// Vertex keys only and native calls over the Gemini keys only, a 429 cools a
// Vertex key, a dead Vertex key is disabled and its secret shown nowhere,
// streaming and the model list work, and gempoolctl lists the pool.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gempool/common/secrets.h"
#include "integration/db_rows.h"
#include "integration/stack_test_base.h"
#include "nlohmann/json.hpp"

namespace gempool::integration {
namespace {

using json = nlohmann::json;
using ::testing::AnyOfArray;
using ::testing::Contains;
using ::testing::Each;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;
using ::testing::StartsWith;
using ::testing::UnorderedElementsAreArray;

// Where fake-gemini serves Vertex AI Express (VERTEX_EXPRESS_BASE_URL's path).
constexpr char kVertexUpstreamPrefix[] = "/v1beta1/publishers/google/models/";
constexpr int kWaitMs = 10000;

// A key shaped like a Vertex AI Express key ("AQ." and 40+ more
// characters, which fake-gemini accepts on its Vertex routes), distinct per `n`.
std::string VertexKey(int n) {
  std::string key = absl::StrCat("AQ.Ab8RN6VertexTest", n, "x");
  while (key.size() < 53) key += static_cast<char>('a' + (key.size() * 5 + n) % 26);
  return key;
}

std::string JsonList(const std::vector<std::string>& items) {
  return items.empty() ? "[]" : absl::StrCat("[\"", absl::StrJoin(items, "\",\""), "\"]");
}

class VertexTest : public StackTest {
 protected:
  // A stack with the default three Gemini keys and `vertex_keys`.
  void StartWithVertexKeys(std::vector<std::string> vertex_keys, StackOptions options = {}) {
    vertex_keys_ = std::move(vertex_keys);
    options.extra_env["VERTEX_API_KEYS"] = JsonList(vertex_keys_);
    ASSERT_NO_FATAL_FAILURE(StartStack(options));
  }

  static std::string VertexPath(const std::string& model, const std::string& method = "generateContent") {
    return absl::StrCat("/vertex-express/v1beta/models/", model, ":", method);
  }
  httplib::Result VertexGenerate(const std::string& model = kFlash, const std::string& text = "hello vertex") {
    return stack().Gateway()->Post(VertexPath(model).c_str(), Auth(), GenerateBody(text), "application/json");
  }
  // Sends `n` Vertex generateContent calls; each must succeed.
  void VertexOk(int n, const std::string& model = kFlash) {
    for (int i = 0; i < n; ++i) {
      auto r = VertexGenerate(model);
      ASSERT_TRUE(r) << "call " << i;
      ASSERT_EQ(r->status, 200) << "call " << i << ": " << r->body;
    }
  }
  void NativeOk(int n, const std::string& model = kFlash) {
    for (int i = 0; i < n; ++i) {
      auto r = Generate(model);
      ASSERT_TRUE(r) << "call " << i;
      ASSERT_EQ(r->status, 200) << "call " << i << ": " << r->body;
    }
  }

  // Calls of `operation` for `model` that reached the fake's Vertex routes
  // (`vertex`) or its Gemini routes, after upstream request `since`. Key
  // probes (TEST_MODEL) are left out by the model.
  std::vector<UpstreamRequest> Calls(bool vertex, const std::string& operation = "generateContent",
                                     const std::string& model = kFlash, int64_t since = 0) {
    std::vector<UpstreamRequest> out;
    for (UpstreamRequest& r : Upstream(operation, since)) {
      if (r.model != model) continue;
      if (absl::StartsWith(r.path, kVertexUpstreamPrefix) == vertex) out.push_back(std::move(r));
    }
    return out;
  }

  // gempoolctl `args` --json; expects exit 0 and JSON.
  json CtlJson(std::vector<std::string> args) {
    args.push_back("--json");
    Stack::CtlResult r = stack().RunCtl(args);
    EXPECT_EQ(r.exit_code, 0) << "gempoolctl " << ::testing::PrintToString(args) << "\nstdout: " << r.output
                              << "\nstderr: " << r.error;
    json out = json::parse(r.output, nullptr, false);
    EXPECT_FALSE(out.is_discarded()) << "not JSON: " << r.output;
    return out.is_discarded() ? json::object() : out;
  }
  static std::vector<std::string> MaskedKeys(const json& list) {
    std::vector<std::string> masked;
    for (const json& k : list.value("keys", json::array())) masked.push_back(k.value("masked", ""));
    return masked;
  }
  static std::vector<std::string> Masked(const std::vector<std::string>& keys) {
    std::vector<std::string> masked;
    for (const std::string& k : keys) masked.push_back(MaskKey(k));
    return masked;
  }

  std::vector<std::string> vertex_keys_;
};

TEST_F(VertexTest, EachPoolRotatesOverItsOwnKeysOnly) {
  ASSERT_NO_FATAL_FAILURE(StartWithVertexKeys({VertexKey(1), VertexKey(2), VertexKey(3)}));
  const std::vector<std::string>& gemini_keys = stack().options().keys;
  ASSERT_NO_FATAL_FAILURE(VertexOk(6));
  ASSERT_NO_FATAL_FAILURE(NativeOk(6));

  const std::vector<UpstreamRequest> vertex = Calls(true);
  ASSERT_THAT(vertex, SizeIs(6));
  EXPECT_THAT(KeysOf(vertex), Each(AnyOfArray(vertex_keys_))) << "a Vertex call went out with a Gemini key";
  // Every Vertex key takes its turn. (Not exactly 2 each: a call made
  // before the gateway's replica has its first snapshot takes its key from
  // the broker, whose rotation is its own.)
  const std::vector<int> counts = CountPerKey(vertex_keys_, KeysOf(vertex));
  EXPECT_THAT(counts, Each(::testing::AllOf(::testing::Ge(1), ::testing::Le(3))))
      << "Vertex calls do not rotate over the Vertex keys: " << ::testing::PrintToString(KeysOf(vertex));
  for (const UpstreamRequest& r : vertex) {
    EXPECT_EQ(r.path, absl::StrCat(kVertexUpstreamPrefix, kFlash, ":generateContent"));
    // The pool key in the header only; the client's body byte for byte.
    EXPECT_EQ(r.key_source, "header");
    EXPECT_THAT(r.query, Not(HasSubstr("key=")));
    EXPECT_EQ(r.body, GenerateBody("hello vertex"));
  }

  const std::vector<UpstreamRequest> native = Calls(false);
  ASSERT_THAT(native, SizeIs(6));
  EXPECT_THAT(KeysOf(native), Each(AnyOfArray(gemini_keys))) << "a native call went out with a Vertex key";
  EXPECT_THAT(CountPerKey(gemini_keys, KeysOf(native)), Each(::testing::AllOf(::testing::Ge(1), ::testing::Le(3))));
}

TEST_F(VertexTest, RateLimitedVertexKeyCoolsAndTheNextCallUsesAnotherVertexKey) {
  ASSERT_NO_FATAL_FAILURE(StartWithVertexKeys({VertexKey(1), VertexKey(2), VertexKey(3)}));
  const std::string limited = vertex_keys_[0];
  ASSERT_TRUE(fake()
                  .ScriptKey(limited, kFlash,
                             json::array({{{"status", 429},
                                           {"retryDelay", "30s"},
                                           {"quotaId", "GenerateRequestsPerMinutePerProjectPerModel-FreeTier"}}}),
                             true)
                  .ok());
  // Every call succeeds: the one that meets the 429 is retried on another
  // Vertex key, and the cooling key is not handed out again.
  ASSERT_NO_FATAL_FAILURE(VertexOk(9));
  const std::vector<UpstreamRequest> vertex = Calls(true);
  ASSERT_THAT(vertex, SizeIs(10));
  EXPECT_THAT(KeysOf(vertex), Each(AnyOfArray(vertex_keys_)));
  const std::vector<std::string> used = KeysOf(vertex);
  EXPECT_EQ(std::count(used.begin(), used.end(), limited), 1) << "a Vertex key cooling 30 s was used again";
  const auto hit = std::find(used.begin(), used.end(), limited);
  ASSERT_NE(hit, used.end());
  ASSERT_NE(hit + 1, used.end());
  EXPECT_NE(*(hit + 1), limited);
  EXPECT_THAT(vertex_keys_, Contains(*(hit + 1))) << "the retry after a Vertex 429 did not use a Vertex key";

  // The broker records the cooldown for that model on the Vertex key.
  const json listed = CtlJson({"keys", "list", "--pool", "vertex"});
  bool cooling = false;
  for (const json& k : listed.value("keys", json::array())) {
    if (k.value("masked", "") != MaskKey(limited)) continue;
    for (const json& c : k.value("model_cooldowns", json::array())) cooling |= c.value("model", "") == kFlash;
  }
  EXPECT_TRUE(cooling) << "no " << kFlash << " cooldown on the rate-limited Vertex key: " << listed.dump();
  // The Gemini pool is untouched.
  ASSERT_NO_FATAL_FAILURE(NativeOk(3));
}

TEST_F(VertexTest, InvalidVertexKeyIsDisabledAndItsSecretShownNowhere) {
  // One Vertex key, which Google rejects with a message quoting it (as its
  // 403s do): the client sees the failure, the key is disabled, and the
  // secret is in neither the answer nor the error log.
  const std::string dead = VertexKey(7);
  ASSERT_NO_FATAL_FAILURE(StartWithVertexKeys({dead}));
  ASSERT_TRUE(fake()
                  .ScriptKey(dead, "",
                             json::array({{{"status", 400},
                                           {"reason", "API_KEY_INVALID"},
                                           {"message", absl::StrCat("API key not valid: ", dead,
                                                                    ". Please pass a valid API key.")}}}),
                             true)
                  .ok());
  for (int i = 0; i < 3; ++i) {
    auto r = VertexGenerate();
    ASSERT_TRUE(r) << "call " << i;
    EXPECT_NE(r->status, 200) << "call " << i << ": " << r->body;
    EXPECT_THAT(r->body, Not(HasSubstr(dead))) << "call " << i << " echoed the Vertex key";
    // The first call's answer is Google's error, passed on with the key masked.
    if (i == 0) EXPECT_THAT(r->body, HasSubstr(absl::StrCat("API key not valid: ", MaskKey(dead)))) << r->body;
    for (const auto& [name, value] : r->headers) {
      EXPECT_THAT(value, Not(HasSubstr(dead))) << "call " << i << " header " << name;
    }
  }
  EXPECT_THAT(Calls(true), SizeIs(1)) << "a Vertex key answered API_KEY_INVALID was used again";

  // Disabled in the Vertex pool, as the admin API shows it.
  json disabled;
  ASSERT_TRUE(gempool::testing::WaitFor(
      [&] {
        disabled = CtlJson({"keys", "list", "--pool", "vertex", "--state", "disabled"});
        return disabled.value("keys", json::array()).size() == 1;
      },
      kWaitMs))
      << disabled.dump();
  EXPECT_EQ(disabled["keys"][0].value("masked", ""), MaskKey(dead));
  EXPECT_THAT(disabled.dump(), Not(HasSubstr(dead)));

  // The error log has the failure, without the key.
  std::vector<Row> errors;
  ASSERT_TRUE(gempool::testing::WaitFor(
      [&] {
        auto rows = SqliteQuery(stack().SqlitePath(), "SELECT * FROM gempool_error_log");
        if (rows.ok()) errors = *rows;
        return !errors.empty();
      },
      kWaitMs))
      << "no error log row";
  bool found = false;
  for (const Row& row : errors) {
    for (const auto& [column, value] : row) EXPECT_THAT(value, Not(HasSubstr(dead))) << column;
    found |= row.at("status_code") == "400" && absl::StrContains(row.at("message"), "API key not valid");
  }
  EXPECT_TRUE(found) << "no 400 in the error log";

  // The Gemini pool still serves.
  ASSERT_NO_FATAL_FAILURE(NativeOk(2));
}

TEST_F(VertexTest, StreamGenerateContentThroughTheVertexRoute) {
  ASSERT_NO_FATAL_FAILURE(StartWithVertexKeys({VertexKey(1), VertexKey(2)}));
  constexpr int kChunks = 3;
  ASSERT_TRUE(
      fake().ScriptKey("", kFlash, json::array({{{"kind", "stream"}, {"chunks", kChunks}, {"intervalMs", 100}}}), true)
          .ok());
  // Without ?alt=sse too: the Vertex route always answers with SSE, as
  // gemini-balance's does.
  for (const std::string query : {"?alt=sse", ""}) {
    SCOPED_TRACE(query);
    const int64_t since = LastUpstreamId();
    StreamedResponse r = PostStreaming(stack().gateway_port(), VertexPath(kFlash, "streamGenerateContent") + query,
                                       Auth(), GenerateBody("stream from vertex"));
    ASSERT_TRUE(r.completed) << httplib::to_string(r.error);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_THAT(r.Header("Content-Type"), StartsWith("text/event-stream"));
    const std::vector<std::string> events = SseEvents(r.body);
    ASSERT_THAT(events, SizeIs(kChunks)) << r.body;
    for (int i = 0; i < kChunks; ++i) {
      json chunk = json::parse(events[i], nullptr, false);
      ASSERT_FALSE(chunk.is_discarded()) << events[i];
      EXPECT_EQ(chunk["candidates"][0]["content"]["parts"][0]["text"],
                absl::StrCat("chunk ", i + 1, " of ", kChunks, ". "));
    }
    const std::vector<UpstreamRequest> upstream = Calls(true, "streamGenerateContent", kFlash, since);
    ASSERT_THAT(upstream, SizeIs(1));
    EXPECT_EQ(upstream[0].path, absl::StrCat(kVertexUpstreamPrefix, kFlash, ":streamGenerateContent"));
    EXPECT_THAT(upstream[0].query, HasSubstr("alt=sse"));
    EXPECT_THAT(vertex_keys_, Contains(upstream[0].key));
  }
  EXPECT_THAT(Calls(false, "streamGenerateContent"), SizeIs(0));
}

TEST_F(VertexTest, GempoolctlListsEachPoolSeparately) {
  ASSERT_NO_FATAL_FAILURE(StartWithVertexKeys({VertexKey(1), VertexKey(2)}));
  const Stack::CtlResult raw = stack().RunCtl({"keys", "list", "--pool", "vertex", "--json"});
  ASSERT_EQ(raw.exit_code, 0) << raw.output << raw.error;
  for (const std::string& key : vertex_keys_) EXPECT_THAT(raw.output, Not(HasSubstr(key))) << "a secret in the list";

  const json vertex = CtlJson({"keys", "list", "--pool", "vertex"});
  EXPECT_EQ(vertex.value("total", -1), 2) << vertex.dump();
  EXPECT_THAT(MaskedKeys(vertex), UnorderedElementsAreArray(Masked(vertex_keys_)));
  const json gemini = CtlJson({"keys", "list"});
  EXPECT_THAT(MaskedKeys(gemini), UnorderedElementsAreArray(Masked(stack().options().keys)));

  // The table form too.
  const Stack::CtlResult table = stack().RunCtl({"keys", "list", "--pool", "vertex"});
  ASSERT_EQ(table.exit_code, 0) << table.output << table.error;
  for (const std::string& key : vertex_keys_) EXPECT_THAT(table.output, HasSubstr(MaskKey(key)));
  for (const std::string& key : stack().options().keys) EXPECT_THAT(table.output, Not(HasSubstr(MaskKey(key))));
}

TEST_F(VertexTest, ModelListOfTheVertexRoute) {
  ASSERT_NO_FATAL_FAILURE(StartWithVertexKeys({VertexKey(1)}));
  auto unauthorized = stack().Gateway()->Get("/vertex-express/v1beta/models");
  ASSERT_TRUE(unauthorized);
  EXPECT_THAT(unauthorized->status, ::testing::AnyOf(401, 403)) << unauthorized->body;

  const int64_t since = LastUpstreamId();
  auto r = stack().Gateway()->Get("/vertex-express/v1beta/models", Auth());
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const json page = json::parse(r->body, nullptr, false);
  ASSERT_FALSE(page.is_discarded()) << r->body;
  std::vector<std::string> names;
  for (const json& m : page.value("models", json::array())) names.push_back(m.value("name", ""));
  EXPECT_THAT(names, Contains(absl::StrCat("models/", kFlash))) << r->body;
  // Listed from the Gemini API with a Gemini key, as gemini-balance lists it.
  const std::vector<UpstreamRequest> listed = Upstream("listModels", since);
  ASSERT_THAT(listed, Not(SizeIs(0)));
  for (const UpstreamRequest& u : listed) {
    EXPECT_THAT(stack().options().keys, Contains(u.key));
    EXPECT_FALSE(absl::StartsWith(u.path, "/v1beta1/")) << u.path;
  }
}

}  // namespace
}  // namespace gempool::integration
