// /v1/embeddings ⇄ :batchEmbedContents (protocol.md §3.5, §6.19).

#include "gempool/openai/embeddings.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>

#include "absl/strings/escaping.h"
#include "gempool/testing/status_matchers.h"
#include "test_json.h"

namespace gempool::openai {
namespace {

using ::gempool::testing::StatusIs;
using ::testing::HasSubstr;
using testing::J;

EmbeddingRequest MustConvertEmbedding(const std::string& body, const ConversionOptions& options = {}) {
  auto converted = ConvertEmbeddingRequest(J(body), options);
  EXPECT_TRUE(converted.ok()) << converted.status();
  return converted.ok() ? *converted : EmbeddingRequest{};
}

TEST(EmbeddingsTest, StringInputBecomesOneBatch) {
  EmbeddingRequest request =
      MustConvertEmbedding(R"({"model":"models/gemini-embedding-001","input":"hello","dimensions":8})");
  EXPECT_EQ(request.model, "gemini-embedding-001");
  EXPECT_FALSE(request.base64);
  ASSERT_EQ(request.batches.size(), 1u);
  EXPECT_EQ(request.batches[0], J(R"({"requests":[{"model":"models/gemini-embedding-001",
      "content":{"parts":[{"text":"hello"}]},"outputDimensionality":8}]})"));
}

TEST(EmbeddingsTest, LargeInputsAreSplitIntoBatchesOfAHundred) {
  nlohmann::json body = J(R"({"model":"gemini-embedding-001","encoding_format":"base64"})");
  body["input"] = nlohmann::json::array();
  for (int i = 0; i < 250; ++i) body["input"].push_back("t" + std::to_string(i));
  auto request = ConvertEmbeddingRequest(body, {});
  ASSERT_TRUE(request.ok());
  EXPECT_TRUE(request->base64);
  ASSERT_EQ(request->batches.size(), 3u);
  EXPECT_EQ(request->batches[0]["requests"].size(), 100u);
  EXPECT_EQ(request->batches[2]["requests"].size(), 50u);
  EXPECT_EQ(request->batches[2]["requests"][49]["content"]["parts"][0]["text"], "t249");
}

TEST(EmbeddingsTest, RejectsTokensEmptyInputsAndBadFormats) {
  EXPECT_THAT(ConvertEmbeddingRequest(J(R"({"model":"m","input":[1,2,3]})"), {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("token arrays are not supported")));
  EXPECT_THAT(ConvertEmbeddingRequest(J(R"({"model":"m","input":[[1,2]]})"), {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("token arrays")));
  EXPECT_THAT(ConvertEmbeddingRequest(J(R"({"model":"m","input":""})"), {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("input must not be empty")));
  EXPECT_THAT(ConvertEmbeddingRequest(J(R"({"model":"m","input":["a",""]})"), {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("input[1] must not be empty")));
  EXPECT_THAT(ConvertEmbeddingRequest(J(R"({"model":"m","input":"a","encoding_format":"int8"})"), {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("encoding_format 'int8'")));
  EXPECT_THAT(ConvertEmbeddingRequest(J(R"({"input":"a"})"), {}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("model is required")));
  ConversionOptions options;
  options.filtered_models = {"embedding-gecko-001"};
  EXPECT_THAT(ConvertEmbeddingRequest(J(R"({"model":"embedding-gecko-001","input":"a"})"), options),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST(EmbeddingsTest, FloatResponse) {
  EmbeddingRequest request = MustConvertEmbedding(R"({"model":"gemini-embedding-001","input":["a","b"]})");
  auto out = ConvertEmbeddingResponse({J(R"({"embeddings":[{"values":[0.5,-1]},{"values":[0.25,2]}]})")}, request);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, J(R"({"object":"list","data":[
      {"object":"embedding","index":0,"embedding":[0.5,-1]},{"object":"embedding","index":1,"embedding":[0.25,2]}],
      "model":"gemini-embedding-001","usage":{"prompt_tokens":0,"total_tokens":0}})"));
}

TEST(EmbeddingsTest, Base64ResponseIsLittleEndianFloat32) {
  EmbeddingRequest request =
      MustConvertEmbedding(R"({"model":"gemini-embedding-001","input":"a","encoding_format":"base64"})");
  auto out = ConvertEmbeddingResponse({J(R"({"embeddings":[{"values":[1.0,-2.5]}]})")}, request);
  ASSERT_TRUE(out.ok());
  std::string bytes;
  ASSERT_TRUE(absl::Base64Unescape((*out)["data"][0]["embedding"].get<std::string>(), &bytes));
  ASSERT_EQ(bytes.size(), 8u);
  // 1.0f = 0x3F800000 and -2.5f = 0xC0200000, least significant byte first.
  EXPECT_EQ(bytes, std::string("\x00\x00\x80\x3f\x00\x00\x20\xc0", 8));
  EXPECT_EQ(EncodeFloat32Base64({1.0f}), "AACAPw==");
}

TEST(EmbeddingsTest, UsageFromUpstreamWhenPresentAndBatchesAreJoinedInOrder) {
  nlohmann::json body = J(R"({"model":"gemini-embedding-001"})");
  body["input"] = nlohmann::json::array();
  for (int i = 0; i < 101; ++i) body["input"].push_back("x");
  auto request = ConvertEmbeddingRequest(body, {});
  ASSERT_TRUE(request.ok());
  nlohmann::json first = J(R"({"embeddings":[],"usageMetadata":{"promptTokenCount":300}})");
  for (int i = 0; i < 100; ++i) first["embeddings"].push_back(J(R"({"values":[0]})"));
  auto out = ConvertEmbeddingResponse({first, J(R"({"embeddings":[{"values":[7]}]})")}, *request);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)["data"].size(), 101u);
  EXPECT_EQ((*out)["data"][100], J(R"({"object":"embedding","index":100,"embedding":[7]})"));
  EXPECT_EQ((*out)["usage"]["prompt_tokens"], 300);
}

TEST(EmbeddingsTest, MismatchedAnswersAreInternalErrors) {
  EmbeddingRequest request = MustConvertEmbedding(R"({"model":"gemini-embedding-001","input":["a","b"]})");
  EXPECT_THAT(ConvertEmbeddingResponse({J(R"({"embeddings":[{"values":[1]}]})")}, request),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("1 embeddings for 2 texts")));
  EXPECT_THAT(ConvertEmbeddingResponse({}, request), StatusIs(absl::StatusCode::kInternal));
  EXPECT_THAT(ConvertEmbeddingResponse({J(R"({"embeddings":[{"values":["x"]},{"values":[1]}]})")}, request),
              StatusIs(absl::StatusCode::kInternal));
}

}  // namespace
}  // namespace gempool::openai
