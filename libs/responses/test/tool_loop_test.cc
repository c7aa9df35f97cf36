// A stateless two-turn tool loop, as Codex runs it with store:false: the
// first answer's output items (reasoning with encrypted_content, the
// function_call) go back as input with the function_call_output, and Gemini
// gets its thought signature back on the call. The same loop through
// previous_response_id needs no include.

#include <gtest/gtest.h>

#include "gempool/responses/request_converter.h"
#include "gempool/responses/response_converter.h"
#include "gempool/responses/storage.h"
#include "test_util.h"

namespace gempool::responses {
namespace {

using nlohmann::json;
using testing::Body;
using testing::J;
using testing::MustConvert;
using testing::PlainOptions;

const char kFirstAnswer[] = R"({"responseId":"g1","candidates":[{"content":{"role":"model","parts":[
    {"text":"I should look it up.","thought":true},
    {"functionCall":{"name":"get_weather","args":{"city":"Paris"}},"thoughtSignature":"SIG_CALL"}]},
    "finishReason":"STOP"}]})";

const char kTools[] = R"([{"type":"function","name":"get_weather","parameters":{"type":"object",
    "properties":{"city":{"type":"string"}}}}])";

json FirstTurnBody(bool stateless) {
  json body = Body(J(R"([{"role":"user","content":"Weather in Paris?"}])"), "{}", "gemini-3-pro-preview");
  body["tools"] = J(kTools);
  body["reasoning"] = J(R"({"effort":"medium","summary":"auto"})");
  if (stateless) {
    body["store"] = false;
    body["include"] = J(R"(["reasoning.encrypted_content"])");
  }
  return body;
}

TEST(ToolLoopTest, StatelessLoopCarriesTheSignatureInEncryptedContent) {
  ResponsesRequest first = MustConvert(FirstTurnBody(true));
  ResponseContext context = MakeResponseContext(first, PlainOptions(), "resp_1", 1);
  auto answer = ConvertResponsesResponse(J(kFirstAnswer), context);
  ASSERT_TRUE(answer.ok()) << answer.status();
  const json& output = answer->response["output"];
  ASSERT_EQ(output.size(), 2u);
  EXPECT_EQ(output[0]["type"], "reasoning");
  EXPECT_TRUE(output[0]["encrypted_content"].is_string());
  EXPECT_EQ(output[1]["type"], "function_call");

  // Codex's second request: the whole history, then the tool's output.
  json input = first.input_items;
  for (const json& item : output) input.push_back(item);
  json call_output(json::value_t::object);
  call_output["type"] = "function_call_output";
  call_output["call_id"] = output[1]["call_id"];
  call_output["output"] = R"({"temp_c":21})";
  input.push_back(call_output);
  json second_body = FirstTurnBody(true);
  second_body["input"] = input;
  ResponsesRequest second = MustConvert(second_body);
  const json& contents = second.gemini.body["contents"];
  ASSERT_EQ(contents.size(), 3u);
  // The call gets its signature back (the reasoning item's summary is for
  // the client only: Gemini needs the signature, not the thought text).
  ASSERT_EQ(contents[1]["parts"].size(), 1u);
  EXPECT_EQ(contents[1]["parts"][0]["thoughtSignature"], "SIG_CALL");
  EXPECT_EQ(contents[1]["parts"][0]["functionCall"], J(R"({"name":"get_weather","args":{"city":"Paris"}})"));
  EXPECT_EQ(contents[2], J(R"({"role":"user","parts":[{"functionResponse":{"name":"get_weather",
      "response":{"temp_c":21}}}]})"));
  EXPECT_TRUE(second.gemini.warnings.empty()) << second.gemini.warnings[0];
}

TEST(ToolLoopTest, StoredLoopThroughPreviousResponseId) {
  ResponsesRequest first = MustConvert(FirstTurnBody(false));
  ResponseContext context = MakeResponseContext(first, PlainOptions(), "resp_1", 1);
  auto answer = ConvertResponsesResponse(J(kFirstAnswer), context);
  ASSERT_TRUE(answer.ok());
  // Not included for the client, but stored.
  EXPECT_FALSE(answer->response["output"][0].contains("encrypted_content"));
  json stored = BuildStoredResponse(first, answer->stored);
  json body = FirstTurnBody(false);
  json call_output(json::value_t::object);
  call_output["type"] = "function_call_output";
  call_output["call_id"] = answer->response["output"][1]["call_id"];
  call_output["output"] = "21C";
  body["input"] = json::array({call_output});
  body["previous_response_id"] = "resp_1";
  ResponsesRequest second = MustConvert(body, PlainOptions(), &stored);
  const json& contents = second.gemini.body["contents"];
  ASSERT_EQ(contents.size(), 3u);
  EXPECT_EQ(contents[1]["parts"][0]["thoughtSignature"], "SIG_CALL");
  EXPECT_EQ(contents[2]["parts"][0]["functionResponse"]["response"], J(R"({"output":"21C"})"));
  EXPECT_TRUE(second.gemini.warnings.empty());
}

}  // namespace
}  // namespace gempool::responses
