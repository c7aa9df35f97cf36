// Issue 14 §1: the Files API through gempool, with each file bound to the
// key that uploaded it. Three keys and two gateways sharing one broker:
// an upload started on one gateway is finished on the other, and every later
// call naming the file, native or OpenAI, goes out on the owning key.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "integration/stack_test_base.h"
#include "nlohmann/json.hpp"

namespace gempool::integration {
namespace {

using json = nlohmann::json;
using ::testing::Each;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kTokenA[] = "client-token-alpha-7f3a";
constexpr char kTokenB[] = "client-token-bravo-2c9d";

struct Uploaded {
  std::string name;  // "files/..."
  std::string uri;
  std::string key;   // The pool key the fake saw.
};

class FilesTest : public StackTest {
 protected:
  void StartFilesStack(int gateways = 2, std::map<std::string, std::string> env = {}) {
    StackOptions options;
    options.gateways = gateways;
    options.tokens = {kTokenA, kTokenB};
    options.extra_env = std::move(env);
    ASSERT_NO_FATAL_FAILURE(StartStack(options));
  }

  static httplib::Headers As(const std::string& token) { return {{"x-goog-api-key", token}}; }

  // Starts an upload on `gateway`; the upload URL gempool answered.
  std::string StartUpload(int gateway, const std::string& token, size_t size, const std::string& prefix = "") {
    httplib::Headers headers = As(token);
    headers.emplace("X-Goog-Upload-Protocol", "resumable");
    headers.emplace("X-Goog-Upload-Command", "start");
    headers.emplace("X-Goog-Upload-Header-Content-Length", std::to_string(size));
    headers.emplace("X-Goog-Upload-Header-Content-Type", "text/plain");
    auto r = stack().Gateway(gateway)->Post((prefix + "/upload/v1beta/files").c_str(), headers,
                                            R"({"file":{"displayName":"h.txt","mimeType":"text/plain"}})",
                                            "application/json");
    EXPECT_TRUE(r);
    if (!r) return "";
    EXPECT_EQ(r->status, 200) << r->body;
    EXPECT_EQ(r->get_header_value("X-Goog-Upload-Status"), "active");
    return r->get_header_value("X-Goog-Upload-URL");
  }

  // The path and query of `url` (the SDKs keep only these of the upload URL).
  static std::string PathOf(const std::string& url) {
    const size_t scheme = url.find("://");
    const size_t slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
    return slash == std::string::npos ? "/" : url.substr(slash);
  }

  httplib::Result SendChunk(int gateway, const std::string& token, const std::string& upload_url,
                            const std::string& command, size_t offset, const std::string& bytes,
                            bool put = false) {
    httplib::Headers headers = As(token);
    headers.emplace("X-Goog-Upload-Command", command);
    headers.emplace("X-Goog-Upload-Offset", std::to_string(offset));
    auto client = stack().Gateway(gateway);
    const std::string path = PathOf(upload_url);
    return put ? client->Put(path.c_str(), headers, bytes, "application/json")
               : client->Post(path.c_str(), headers, bytes, "application/json");
  }

  // Uploads `content` in one "upload, finalize" through `gateway`.
  Uploaded Upload(int gateway, const std::string& token, const std::string& content) {
    const int64_t since = LastUpstreamId();
    const std::string url = StartUpload(gateway, token, content.size());
    auto r = SendChunk(gateway, token, url, "upload, finalize", 0, content);
    Uploaded out;
    EXPECT_TRUE(r);
    if (!r) return out;
    EXPECT_EQ(r->status, 200) << r->body;
    EXPECT_EQ(r->get_header_value("X-Goog-Upload-Status"), "final");
    const json file = json::parse(r->body, nullptr, false);
    EXPECT_TRUE(file.contains("file")) << r->body;
    if (!file.contains("file")) return out;
    out.name = file["file"].value("name", "");
    out.uri = file["file"].value("uri", "");
    const std::vector<UpstreamRequest> upload = Upstream("files.upload", since);
    EXPECT_EQ(upload.size(), 2u);
    if (!upload.empty()) out.key = upload.front().key;
    return out;
  }

  static std::string BodyNaming(const std::vector<std::string>& uris, const std::string& text = "describe") {
    json parts = json::array({{{"text", text}}});
    for (const std::string& uri : uris) parts.push_back({{"fileData", {{"mimeType", "text/plain"}, {"fileUri", uri}}}});
    return json{{"contents", json::array({{{"role", "user"}, {"parts", parts}}})}}.dump();
  }

  httplib::Result GenerateNaming(int gateway, const std::string& token, const std::vector<std::string>& uris,
                                 const std::string& method = "generateContent") {
    return stack().Gateway(gateway)->Post(GeneratePath(kFlash, method).c_str(), As(token), BodyNaming(uris),
                                          "application/json");
  }

  std::vector<std::string> KeysFor(const std::string& operation, int64_t since) {
    return KeysOf(Upstream(operation, since));
  }
};

TEST_F(FilesTest, UploadStartedOnOneGatewayFinishesOnTheOtherAndEveryUseGoesToTheOwningKey) {
  ASSERT_NO_FATAL_FAILURE(StartFilesStack());
  const int64_t start = LastUpstreamId();
  const std::string url = StartUpload(0, kTokenA, 11);
  ASSERT_FALSE(url.empty());
  // gempool's own URL: this gateway's address, gempool's session id, and no
  // pool key, client token or Google URL in it.
  EXPECT_TRUE(absl::StartsWith(url, absl::StrCat("http://127.0.0.1:", stack().gateway_port(0),
                                                 "/upload/v1beta/files?upload_id=")))
      << url;
  for (const std::string& key : stack().options().keys) EXPECT_THAT(url, Not(HasSubstr(key)));
  EXPECT_THAT(url, Not(HasSubstr(kTokenA)));
  EXPECT_THAT(url, Not(HasSubstr("fake-upload")));
  EXPECT_THAT(url, Not(HasSubstr("key=")));

  // Chunks through both gateways, as POST and PUT, then a query.
  auto first = SendChunk(0, kTokenA, url, "upload", 0, "hello ");
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 200) << first->body;
  EXPECT_EQ(first->get_header_value("X-Goog-Upload-Status"), "active");
  auto query = SendChunk(1, kTokenA, url, "query", 0, "");
  ASSERT_TRUE(query);
  ASSERT_EQ(query->status, 200) << query->body;
  EXPECT_EQ(query->get_header_value("X-Goog-Upload-Size-Received"), "6");
  auto last = SendChunk(1, kTokenA, url, "upload, finalize", 6, "world", /*put=*/true);
  ASSERT_TRUE(last);
  ASSERT_EQ(last->status, 200) << last->body;
  EXPECT_EQ(last->get_header_value("X-Goog-Upload-Status"), "final");
  const json file = json::parse(last->body, nullptr, false)["file"];
  ASSERT_TRUE(file.is_object()) << last->body;
  EXPECT_EQ(file["sizeBytes"], "11");
  const std::string name = file["name"];
  const std::string uri = file["uri"];

  const std::vector<std::string> upload_keys = KeysFor("files.upload", start);
  ASSERT_EQ(upload_keys.size(), 4u);
  const std::string owner_key = upload_keys.front();
  EXPECT_THAT(upload_keys, Each(owner_key)) << "every chunk on the key that started the upload";

  // Native calls naming the file through the other gateway: always the
  // owning key (without affinity, two of three would get Google's 403).
  const int64_t before_use = LastUpstreamId();
  for (int i = 0; i < 6; ++i) {
    auto r = GenerateNaming(1, kTokenA, {i % 2 == 0 ? uri : name});
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << "call " << i << ": " << r->body;
  }
  auto counted = GenerateNaming(0, kTokenA, {uri}, "countTokens");
  ASSERT_TRUE(counted);
  EXPECT_EQ(counted->status, 200) << counted->body;
  auto streamed = stack().Gateway(1)->Post(GeneratePath(kFlash, "streamGenerateContent").append("?alt=sse").c_str(),
                                           As(kTokenA), BodyNaming({uri}), "application/json");
  ASSERT_TRUE(streamed);
  EXPECT_EQ(streamed->status, 200) << streamed->body;
  EXPECT_THAT(KeysFor("generateContent", before_use), Each(owner_key));
  EXPECT_THAT(KeysFor("countTokens", before_use), Each(owner_key));
  EXPECT_THAT(KeysFor("streamGenerateContent", before_use), Each(owner_key));

  // OpenAI chat completions with a file content part, through gateway 1.
  const int64_t before_chat = LastUpstreamId();
  for (int i = 0; i < 3; ++i) {
    const json chat = {
        {"model", kFlash},
        {"messages", json::array({{{"role", "user"},
                                   {"content", json::array({{{"type", "text"}, {"text", "summarise"}},
                                                            {{"type", "file"},
                                                             {"file", {{"file_id", name}, {"filename", "h.txt"}}}}})}}})}};
    auto r = stack().Gateway(1)->Post("/v1/chat/completions", {{"Authorization", std::string("Bearer ") + kTokenA}},
                                      chat.dump(), "application/json");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
  }
  const std::vector<UpstreamRequest> chats = Upstream("generateContent", before_chat);
  ASSERT_EQ(chats.size(), 3u);
  for (const UpstreamRequest& c : chats) {
    EXPECT_EQ(c.key, owner_key);
    EXPECT_THAT(c.body, HasSubstr(name));
  }
}

TEST_F(FilesTest, UploadUnderTheGeminiPrefixKeepsThePrefixAndHonoursForwardedHeaders) {
  ASSERT_NO_FATAL_FAILURE(StartFilesStack(1));
  httplib::Headers headers = As(kTokenA);
  headers.emplace("X-Goog-Upload-Protocol", "resumable");
  headers.emplace("X-Goog-Upload-Command", "start");
  headers.emplace("X-Forwarded-Proto", "https");
  headers.emplace("X-Forwarded-Host", "gempool.example.com");
  auto r = stack().Gateway(0)->Post("/gemini/upload/v1beta/files", headers, R"({"file":{}})", "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const std::string url = r->get_header_value("X-Goog-Upload-URL");
  EXPECT_TRUE(absl::StartsWith(url, "https://gempool.example.com/gemini/upload/v1beta/files?upload_id=")) << url;
  auto done = SendChunk(0, kTokenA, url, "upload, finalize", 0, "abc");
  ASSERT_TRUE(done);
  EXPECT_EQ(done->status, 200) << done->body;
  EXPECT_EQ(done->get_header_value("X-Goog-Upload-Status"), "final");

  auto unknown = SendChunk(0, kTokenA, "/upload/v1beta/files?upload_id=0123456789abcdef0123456789abcdef", "upload", 0,
                           "x");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404) << unknown->body;
  EXPECT_EQ(json::parse(unknown->body, nullptr, false)["error"]["status"], "NOT_FOUND") << unknown->body;
}

TEST_F(FilesTest, FilesOfTwoKeysInOneRequestAreA400) {
  ASSERT_NO_FATAL_FAILURE(StartFilesStack(1));
  std::vector<Uploaded> files;
  for (int i = 0; i < 6 && (files.size() < 2 || files[0].key == files.back().key); ++i) {
    files.push_back(Upload(0, kTokenA, "content " + std::to_string(i)));
    ASSERT_FALSE(files.back().name.empty());
  }
  ASSERT_NE(files.front().key, files.back().key) << "uploads rotate over the keys";
  const int64_t since = LastUpstreamId();
  auto r = GenerateNaming(0, kTokenA, {files.front().uri, files.back().uri});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400) << r->body;
  EXPECT_THAT(r->body, HasSubstr(files.front().name));
  EXPECT_THAT(r->body, HasSubstr(files.back().name));
  EXPECT_TRUE(Upstream("generateContent", since).empty()) << "refused before any upstream call";
}

TEST_F(FilesTest, OwningKeyCoolingAnswers429WithRetryAfter) {
  ASSERT_NO_FATAL_FAILURE(StartFilesStack(1));
  const Uploaded file = Upload(0, kTokenA, "cool me");
  ASSERT_FALSE(file.name.empty());
  ASSERT_TRUE(fake()
                  .ScriptKey(file.key, kFlash,
                             json::array({{{"status", 429}, {"retryDelay", "30s"}}}), /*repeat=*/false)
                  .ok());
  const int64_t since = LastUpstreamId();
  auto first = GenerateNaming(0, kTokenA, {file.uri});
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 429) << first->body;
  auto second = GenerateNaming(0, kTokenA, {file.uri});
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 429) << "the owning key cools 30 s; no other key can see the file: " << second->body;
  EXPECT_FALSE(second->get_header_value("Retry-After").empty());
  EXPECT_THAT(KeysFor("generateContent", since), Each(file.key)) << "never another key";
  // Calls without files still use the other keys meanwhile.
  auto plain = Generate(kFlash, 0);
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->status, 200) << plain->body;
}

TEST_F(FilesTest, AFileUnknownToGempoolGoesOutOnAnyKeyAndDisablesNone) {
  ASSERT_NO_FATAL_FAILURE(StartFilesStack(1));
  auto r = GenerateNaming(0, kTokenA, {"files/notuploadedhere"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403) << r->body;
  EXPECT_THAT(r->body, HasSubstr("permission to access the File"));
  // Google's 403 for a file is not the key's fault: all three keys still serve.
  const int64_t since = LastUpstreamId();
  for (int i = 0; i < 6; ++i) {
    auto ok = Generate(kFlash, 0);
    ASSERT_TRUE(ok);
    ASSERT_EQ(ok->status, 200) << ok->body;
  }
  const std::vector<std::string> used = KeysFor("generateContent", since);
  EXPECT_EQ(std::set<std::string>(used.begin(), used.end()).size(), 3u);
}

TEST_F(FilesTest, ListGetAndDeleteAreScopedToTheUploadingTokenAndUseTheOwningKey) {
  ASSERT_NO_FATAL_FAILURE(StartFilesStack(2));
  const Uploaded a1 = Upload(0, kTokenA, "a1");
  const Uploaded a2 = Upload(1, kTokenA, "a2");
  const Uploaded b1 = Upload(0, kTokenB, "b1");
  ASSERT_FALSE(a1.name.empty());
  ASSERT_FALSE(b1.name.empty());

  // List: newest first, paged, only the caller's own.
  auto page1 = stack().Gateway(1)->Get("/v1beta/files?pageSize=1", As(kTokenA));
  ASSERT_TRUE(page1);
  ASSERT_EQ(page1->status, 200) << page1->body;
  const json p1 = json::parse(page1->body);
  ASSERT_EQ(p1["files"].size(), 1u);
  EXPECT_EQ(p1["files"][0]["name"], a2.name);
  ASSERT_TRUE(p1.contains("nextPageToken"));
  auto page2 = stack().Gateway(0)->Get(
      ("/gemini/v1beta/files?pageSize=1&pageToken=" + p1["nextPageToken"].get<std::string>()).c_str(), As(kTokenA));
  ASSERT_TRUE(page2);
  ASSERT_EQ(page2->status, 200) << page2->body;
  const json p2 = json::parse(page2->body);
  ASSERT_EQ(p2["files"].size(), 1u);
  EXPECT_EQ(p2["files"][0]["name"], a1.name);
  EXPECT_FALSE(p2.contains("nextPageToken")) << "omitted on the last page";
  auto listed_b = stack().Gateway(0)->Get("/v1beta/files", As(kTokenB));
  ASSERT_TRUE(listed_b);
  const json lb = json::parse(listed_b->body);
  ASSERT_EQ(lb["files"].size(), 1u);
  EXPECT_EQ(lb["files"][0]["name"], b1.name);

  // Another token's file: the same 404 as a file that never existed, for
  // get, delete and use.
  const std::string a1_path = "/v1beta/" + a1.name;
  auto foreign = stack().Gateway(0)->Get(a1_path.c_str(), As(kTokenB));
  auto missing = stack().Gateway(0)->Get("/v1beta/files/neverexisted", As(kTokenB));
  ASSERT_TRUE(foreign);
  ASSERT_TRUE(missing);
  EXPECT_EQ(foreign->status, 404) << foreign->body;
  EXPECT_EQ(missing->status, 404) << missing->body;
  EXPECT_EQ(json::parse(foreign->body)["error"]["status"], "NOT_FOUND");
  auto foreign_delete = stack().Gateway(1)->Delete(a1_path.c_str(), As(kTokenB));
  ASSERT_TRUE(foreign_delete);
  EXPECT_EQ(foreign_delete->status, 404) << foreign_delete->body;
  const int64_t before_use = LastUpstreamId();
  auto foreign_use = GenerateNaming(1, kTokenB, {a1.uri});
  ASSERT_TRUE(foreign_use);
  EXPECT_EQ(foreign_use->status, 404) << foreign_use->body;
  EXPECT_TRUE(Upstream("generateContent", before_use).empty());

  // The owner gets and deletes it, on the owning key.
  const int64_t before_get = LastUpstreamId();
  auto got = stack().Gateway(1)->Get(a1_path.c_str(), As(kTokenA));
  ASSERT_TRUE(got);
  ASSERT_EQ(got->status, 200) << got->body;
  EXPECT_EQ(json::parse(got->body)["name"], a1.name);
  auto deleted = stack().Gateway(0)->Delete(a1_path.c_str(), As(kTokenA));
  ASSERT_TRUE(deleted);
  ASSERT_EQ(deleted->status, 200) << deleted->body;
  EXPECT_THAT(KeysFor("files.get", before_get), Each(a1.key));
  EXPECT_THAT(KeysFor("files.delete", before_get), Each(a1.key));
  auto gone = stack().Gateway(0)->Get(a1_path.c_str(), As(kTokenA));
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->status, 404) << gone->body;
}

TEST_F(FilesTest, WithoutIsolationEveryTokenSeesAndUsesEveryFile) {
  ASSERT_NO_FATAL_FAILURE(StartFilesStack(1, {{"FILES_USER_ISOLATION_ENABLED", "false"}}));
  const Uploaded a1 = Upload(0, kTokenA, "shared");
  ASSERT_FALSE(a1.name.empty());
  auto listed = stack().Gateway(0)->Get("/v1beta/files", As(kTokenB));
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->status, 200) << listed->body;
  EXPECT_EQ(json::parse(listed->body)["files"][0]["name"], a1.name);
  auto got = stack().Gateway(0)->Get(("/v1beta/" + a1.name).c_str(), As(kTokenB));
  ASSERT_TRUE(got);
  EXPECT_EQ(got->status, 200) << got->body;
  const int64_t since = LastUpstreamId();
  auto used = GenerateNaming(0, kTokenB, {a1.uri});
  ASSERT_TRUE(used);
  EXPECT_EQ(used->status, 200) << used->body;
  EXPECT_THAT(KeysFor("generateContent", since), Each(a1.key));
  auto deleted = stack().Gateway(0)->Delete(("/v1beta/" + a1.name).c_str(), As(kTokenB));
  ASSERT_TRUE(deleted);
  EXPECT_EQ(deleted->status, 200) << deleted->body;
}

}  // namespace
}  // namespace gempool::integration
