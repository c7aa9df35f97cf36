// ConvertResponsesRequest: tools, tool_choice, text.format, reasoning,
// sampling, flags, echo, unknown fields and previous_response_id.

#include "gempool/responses/request_converter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gempool/openai/errors.h"
#include "gempool/responses/storage.h"
#include "gempool/testing/status_matchers.h"
#include "test_util.h"

namespace gempool::responses {
namespace {

using gempool::testing::StatusIs;
using nlohmann::json;
using testing::Body;
using testing::J;
using testing::MustConvert;
using testing::ConversionStatus;
using testing::ErrorParamOf;
using testing::PlainOptions;
using ::testing::Contains;
using ::testing::HasSubstr;

TEST(RequestConverterTest, ModelFlagsAndDefaults) {
  ResponsesRequest request = MustConvert(Body("hi", R"({"stream":true})", "models/gemini-2.5-pro"));
  EXPECT_EQ(request.gemini.model.upstream, "gemini-2.5-pro");
  EXPECT_EQ(request.gemini.model.requested, "gemini-2.5-pro");
  EXPECT_TRUE(request.gemini.stream);
  EXPECT_TRUE(request.store);
  EXPECT_FALSE(request.include_encrypted_reasoning);
  EXPECT_FALSE(request.gemini.body.contains("generationConfig"));
  EXPECT_EQ(request.echo["tool_choice"], "auto");
  EXPECT_EQ(request.echo["tools"], json::array());
  EXPECT_EQ(request.echo["parallel_tool_calls"], true);
  EXPECT_EQ(request.echo["text"]["format"], J(R"({"type":"text"})"));
  EXPECT_EQ(ErrorParamOf(ConversionStatus(Body("hi", "{}", ""))), "model");
  EXPECT_THAT(ConversionStatus(J("[]")), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(RequestConverterTest, StoreAndInclude) {
  ResponsesRequest request =
      MustConvert(Body("hi", R"({"store":false,"include":["reasoning.encrypted_content","message.output_text.logprobs"]})"));
  EXPECT_FALSE(request.store);
  EXPECT_TRUE(request.include_encrypted_reasoning);
  EXPECT_THAT(request.gemini.warnings, Contains(HasSubstr("message.output_text.logprobs")));
  EXPECT_EQ(ErrorParamOf(ConversionStatus(Body("hi", R"({"include":[1]})"))), "include[0]");
}

// Codex CLI groups its sub-agent tools in a namespace; Gemini has none, so
// they are declared as "<namespace>.<name>", and a call from the history
// carrying `namespace` goes back under the same name.
TEST(RequestConverterTest, NamespaceToolsAreDeclaredWithTheirNamespace) {
  ResponsesRequest request = MustConvert(Body(J(R"([
      {"type":"message","role":"user","content":[{"type":"input_text","text":"spawn"}]},
      {"type":"function_call","call_id":"c1","namespace":"multi_agent_v1","name":"close_agent","arguments":"{}"},
      {"type":"function_call_output","call_id":"c1","output":"closed"}])"),
      R"({"tools":[{"type":"namespace","name":"multi_agent_v1","description":"Sub-agents","tools":[
          {"type":"function","name":"close_agent","parameters":{"type":"object","properties":{"target":{"type":"string"}}}},
          {"type":"function","name":"send_input"}]},
        {"type":"function","name":"exec_command"}]})"));
  const json& declarations = request.gemini.body["tools"][0]["functionDeclarations"];
  ASSERT_EQ(declarations.size(), 3u);
  EXPECT_EQ(declarations[0]["name"], "multi_agent_v1.close_agent");
  EXPECT_EQ(declarations[1]["name"], "multi_agent_v1.send_input");
  EXPECT_EQ(declarations[2]["name"], "exec_command");
  const json& contents = request.gemini.body["contents"];
  EXPECT_EQ(contents[1]["parts"][0]["functionCall"]["name"], "multi_agent_v1.close_agent");
  EXPECT_EQ(contents[2]["parts"][0]["functionResponse"]["name"], "multi_agent_v1.close_agent");
  EXPECT_EQ(ErrorParamOf(ConversionStatus(Body("hi", R"({"tools":[{"type":"namespace","name":"a.b","tools":[]}]})"))),
            "tools[0].name");
  EXPECT_EQ(ErrorParamOf(ConversionStatus(Body("hi", R"({"tools":[{"type":"namespace","name":"ns","tools":[{"type":"custom","name":"x"}]}]})"))),
            "tools[0].tools[0].type");
}

TEST(RequestConverterTest, FunctionAndWebSearchTools) {
  ResponsesRequest request = MustConvert(Body("hi", R"({"tools":[
      {"type":"function","name":"get_weather","description":"Weather","strict":true,
       "parameters":{"$schema":"x","type":"object","properties":{"city":{"type":"string"}},"required":["city"],
                     "additionalProperties":false}},
      {"type":"function","name":"noop","parameters":{"type":"object","properties":{}}},
      {"type":"web_search"}],"tool_choice":"required"})",
                                              "gemini-3-flash-preview"));
  EXPECT_EQ(request.gemini.body["tools"], J(R"([{"functionDeclarations":[
      {"name":"get_weather","description":"Weather","parametersJsonSchema":{"type":"object",
        "properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false}},
      {"name":"noop"}]},{"googleSearch":{}}])"));
  EXPECT_EQ(request.gemini.body["toolConfig"], J(R"({"functionCallingConfig":{"mode":"ANY"}})"));
}

TEST(RequestConverterTest, WebSearchAloneAndBeforeGemini3) {
  ResponsesRequest alone = MustConvert(Body("hi", R"({"tools":[{"type":"web_search_preview"}]})"));
  EXPECT_EQ(alone.gemini.body["tools"], J(R"([{"googleSearch":{}}])"));
  ResponsesRequest mixed =
      MustConvert(Body("hi", R"({"tools":[{"type":"function","name":"f"},{"type":"web_search_2025_08_26"}]})"));
  EXPECT_EQ(mixed.gemini.body["tools"], J(R"([{"functionDeclarations":[{"name":"f"}]}])"));
  EXPECT_THAT(mixed.gemini.warnings, Contains(HasSubstr("Google Search was not enabled")));
}

TEST(RequestConverterTest, ToolChoices) {
  const std::string tools = R"("tools":[{"type":"function","name":"a"},{"type":"function","name":"b"}])";
  auto config = [&](const std::string& choice) {
    return MustConvert(Body("hi", "{" + tools + ",\"tool_choice\":" + choice + "}")).gemini.body["toolConfig"];
  };
  EXPECT_EQ(config(R"("auto")"), J(R"({"functionCallingConfig":{"mode":"AUTO"}})"));
  EXPECT_EQ(config(R"("none")"), J(R"({"functionCallingConfig":{"mode":"NONE"}})"));
  EXPECT_EQ(config(R"({"type":"function","name":"b"})"),
            J(R"({"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["b"]}})"));
  EXPECT_EQ(config(R"({"type":"allowed_tools","mode":"required","tools":[{"type":"function","name":"a"}]})"),
            J(R"({"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["a"]}})"));
  EXPECT_EQ(ErrorParamOf(ConversionStatus(Body("hi", "{" + tools + R"(,"tool_choice":{"type":"function","name":"zz"}})"))),
            "tool_choice.name");
  EXPECT_EQ(ErrorParamOf(ConversionStatus(Body("hi", "{" + tools + R"(,"tool_choice":"sometimes"})"))), "tool_choice");
  // Without tools there is nothing to choose.
  EXPECT_FALSE(MustConvert(Body("hi", R"({"tool_choice":"required"})")).gemini.body.contains("toolConfig"));
}

TEST(RequestConverterTest, UnsupportedToolsAndParallelCalls) {
  EXPECT_EQ(ErrorParamOf(ConversionStatus(Body("hi", R"({"tools":[{"type":"file_search","vector_store_ids":["v"]}]})"))),
            "tools[0].type");
  EXPECT_EQ(ErrorParamOf(ConversionStatus(Body("hi", R"({"tools":[{"type":"function"}]})"))), "tools[0].name");
  ResponsesRequest request =
      MustConvert(Body("hi", R"({"tools":[{"type":"function","name":"f"}],"parallel_tool_calls":false})"));
  EXPECT_THAT(request.gemini.warnings, Contains(HasSubstr("parallel_tool_calls")));
  EXPECT_EQ(request.echo["parallel_tool_calls"], false);
}

TEST(RequestConverterTest, TextFormats) {
  EXPECT_FALSE(MustConvert(Body("hi", R"({"text":{"format":{"type":"text"}}})")).gemini.body.contains("generationConfig"));
  EXPECT_EQ(MustConvert(Body("hi", R"({"text":{"format":{"type":"json_object"}}})")).gemini.body["generationConfig"],
            J(R"({"responseMimeType":"application/json"})"));
  ResponsesRequest schema = MustConvert(Body("hi", R"({"text":{"format":{"type":"json_schema","name":"r","strict":true,
      "schema":{"type":"object","properties":{"a":{"type":"integer"}}}}}})"));
  EXPECT_EQ(schema.gemini.body["generationConfig"], J(R"({"responseMimeType":"application/json",
      "responseJsonSchema":{"type":"object","properties":{"a":{"type":"integer"}}}})"));
  EXPECT_EQ(schema.echo["text"]["format"]["name"], "r");
  EXPECT_EQ(ErrorParamOf(ConversionStatus(Body("hi", R"({"text":{"format":{"type":"json_schema"}}})"))), "text.format.schema");
  EXPECT_EQ(ErrorParamOf(ConversionStatus(Body("hi", R"({"text":{"format":{"type":"yaml"}}})"))), "text.format.type");
}

TEST(RequestConverterTest, ReasoningEffortUsesTheChatTable) {
  auto thinking = [](const std::string& reasoning, const std::string& model) {
    return MustConvert(Body("hi", R"({"reasoning":)" + reasoning + "}", model))
        .gemini.body["generationConfig"]["thinkingConfig"];
  };
  EXPECT_EQ(thinking(R"({"effort":"low"})", "gemini-2.5-flash"), J(R"({"thinkingBudget":1024})"));
  EXPECT_EQ(thinking(R"({"effort":"medium"})", "gemini-2.5-flash"), J(R"({"thinkingBudget":8192})"));
  EXPECT_EQ(thinking(R"({"effort":"high","summary":"auto"})", "gemini-2.5-flash"),
            J(R"({"thinkingBudget":24576,"includeThoughts":true})"));
  EXPECT_EQ(thinking(R"({"effort":"minimal"})", "gemini-3-flash-preview"), J(R"({"thinkingLevel":"MINIMAL"})"));
  EXPECT_EQ(thinking(R"({"effort":"high","summary":"detailed"})", "gemini-3-pro-preview"),
            J(R"({"thinkingLevel":"HIGH","includeThoughts":true})"));
  // Thinking off: no summary to show.
  ResponsesRequest off = MustConvert(Body("hi", R"({"reasoning":{"effort":"none","summary":"auto"}})"));
  EXPECT_EQ(off.gemini.body["generationConfig"]["thinkingConfig"], J(R"({"thinkingBudget":0})"));
  EXPECT_FALSE(off.reasoning_summary);
  // A summary alone asks a thinking model for its thoughts.
  ResponsesRequest summary = MustConvert(Body("hi", R"({"reasoning":{"summary":"concise"}})"));
  EXPECT_EQ(summary.gemini.body["generationConfig"]["thinkingConfig"], J(R"({"includeThoughts":true})"));
  EXPECT_TRUE(summary.reasoning_summary);
  EXPECT_EQ(ErrorParamOf(ConversionStatus(Body("hi", R"({"reasoning":{"effort":"max!"}})"))), "reasoning.effort");
  EXPECT_EQ(ErrorParamOf(ConversionStatus(Body("hi", R"({"reasoning":{"summary":"long"}})"))), "reasoning.summary");
}

TEST(RequestConverterTest, ThinkingBudgetMapWhenNoEffort) {
  openai::ConversionOptions options = PlainOptions();
  options.thinking_budget_map = {{"gemini-2.5-flash", 512}};
  ResponsesRequest request = MustConvert(Body("hi"), options);
  EXPECT_EQ(request.gemini.body["generationConfig"]["thinkingConfig"], J(R"({"thinkingBudget":512})"));
}

TEST(RequestConverterTest, Sampling) {
  ResponsesRequest request =
      MustConvert(Body("hi", R"({"max_output_tokens":100,"temperature":0.3,"top_p":0.9,"stop":["END","STOP"]})"));
  EXPECT_EQ(request.gemini.body["generationConfig"],
            J(R"({"maxOutputTokens":100,"temperature":0.3,"topP":0.9,"stopSequences":["END","STOP"]})"));
  EXPECT_EQ(request.echo["temperature"], 0.3);
  EXPECT_EQ(request.echo["max_output_tokens"], 100);
  EXPECT_EQ(ErrorParamOf(ConversionStatus(Body("hi", R"({"temperature":3})"))), "temperature");
  EXPECT_EQ(ErrorParamOf(ConversionStatus(Body("hi", R"({"top_p":"x"})"))), "top_p");
  EXPECT_EQ(ErrorParamOf(ConversionStatus(Body("hi", R"({"max_output_tokens":0})"))), "max_output_tokens");
  EXPECT_EQ(ErrorParamOf(ConversionStatus(Body("hi", R"({"stop":["1","2","3","4","5","6"]})"))), "stop");
}

TEST(RequestConverterTest, UnknownAndUnsupportedFields) {
  ResponsesRequest request = MustConvert(Body(
      "hi", R"({"prompt_cache_key":"k","truncation":"auto","service_tier":"auto","safety_identifier":"s",
                "metadata":{"a":"b"},"user":"u","top_logprobs":3,"frobnicate":1,"text":{"verbosity":"low"}})"));
  EXPECT_THAT(request.gemini.warnings, Contains(HasSubstr("'frobnicate'")));
  EXPECT_THAT(request.gemini.warnings, Contains(HasSubstr("'top_logprobs'")));
  EXPECT_THAT(request.gemini.warnings, Contains(HasSubstr("verbosity")));
  EXPECT_EQ(request.gemini.warnings.size(), 3u);
  EXPECT_EQ(request.echo["metadata"], J(R"({"a":"b"})"));
  EXPECT_EQ(ErrorParamOf(ConversionStatus(Body("hi", R"({"background":true})"))), "background");
  EXPECT_EQ(ErrorParamOf(ConversionStatus(Body("hi", R"({"conversation":"conv_1"})"))), "conversation");
  EXPECT_EQ(ErrorParamOf(ConversionStatus(Body("hi", R"({"prompt":{"id":"p"}})"))), "prompt");
}

TEST(RequestConverterTest, SafetySettingsFromOptions) {
  openai::ConversionOptions options = PlainOptions();
  options.safety_settings = J(R"([{"category":"HARM_CATEGORY_HARASSMENT","threshold":"OFF"}])");
  EXPECT_EQ(MustConvert(Body("hi"), options).gemini.body["safetySettings"], options.safety_settings);
}

TEST(RequestConverterTest, PreviousResponseItemsComeFirst) {
  ResponsesRequest first = MustConvert(Body("What is 2+2?", R"({"instructions":"old"})"));
  json stored_response = J(R"({"id":"resp_1","created_at":1,"output":[{"id":"msg_1","type":"message",
      "role":"assistant","status":"completed","content":[{"type":"output_text","text":"4","annotations":[]}]}]})");
  json stored = BuildStoredResponse(first, stored_response);
  ResponsesRequest second =
      MustConvert(Body("And 3+3?", R"({"previous_response_id":"resp_1","instructions":"new"})"), PlainOptions(),
                  &stored);
  EXPECT_EQ(second.gemini.body["contents"], J(R"([{"role":"user","parts":[{"text":"What is 2+2?"}]},
      {"role":"model","parts":[{"text":"4"}]},{"role":"user","parts":[{"text":"And 3+3?"}]}])"));
  // Instructions are not carried over.
  EXPECT_EQ(second.gemini.body["systemInstruction"], J(R"({"parts":[{"text":"new"}]})"));
  EXPECT_EQ(second.input_items.size(), 3u);
  EXPECT_EQ(second.previous_response_id, "resp_1");
}

// A response that asked for a tool continues only with the tool's output:
// left unanswered, the call would stay in the stored conversation and every
// later turn would be refused (found by responses_fuzzer).
TEST(RequestConverterTest, PreviousResponseCallsMustBeAnswered) {
  ResponsesRequest first = MustConvert(Body("Weather in Paris?"));
  json stored_response = J(R"({"id":"resp_1","created_at":1,"output":[{"id":"fc_1","type":"function_call",
      "status":"completed","call_id":"call_1","name":"weather","arguments":"{\"city\":\"Paris\"}"}]})");
  json stored = BuildStoredResponse(first, stored_response);
  for (const json& input : {json(""), json::array(), J(R"([{"role":"user","content":"never mind"}])")}) {
    absl::Status refused =
        ConvertResponsesRequest(Body(input, R"({"previous_response_id":"resp_1"})"), PlainOptions(), &stored)
            .status();
    EXPECT_THAT(refused, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("call_1"))) << input;
    EXPECT_EQ(ErrorParamOf(refused), "previous_response_id (stored item 1)") << input;
  }
  ResponsesRequest answered = MustConvert(
      Body(J(R"([{"type":"function_call_output","call_id":"call_1","output":"sunny"}])"),
           R"({"previous_response_id":"resp_1"})"),
      PlainOptions(), &stored);
  EXPECT_EQ(answered.gemini.body["contents"].size(), 3u);
}

// A client's own trailing call is dropped with a warning, and leaves the
// stored conversation too, so the response it got can be continued.
TEST(RequestConverterTest, DroppedTrailingCallsAreNotStored) {
  ResponsesRequest first = MustConvert(Body(J(R"([{"role":"user","content":"q"},
      {"type":"function_call","call_id":"c1","name":"f","arguments":"{}"},
      {"type":"function_call","call_id":"c2","name":"g","arguments":"{}"}])")));
  EXPECT_EQ(first.input_items, J(R"([{"role":"user","content":"q"}])"));
  json stored_response = J(R"({"id":"resp_1","created_at":1,"output":[{"id":"msg_1","type":"message",
      "role":"assistant","status":"completed","content":[{"type":"output_text","text":"a","annotations":[]}]}]})");
  json stored = BuildStoredResponse(first, stored_response);
  ResponsesRequest second =
      MustConvert(Body("and then?", R"({"previous_response_id":"resp_1"})"), PlainOptions(), &stored);
  EXPECT_EQ(second.gemini.body["contents"], J(R"([{"role":"user","parts":[{"text":"q"}]},
      {"role":"model","parts":[{"text":"a"}]},{"role":"user","parts":[{"text":"and then?"}]}])"));
}

TEST(RequestConverterTest, UnknownPreviousResponseIsNotFound) {
  absl::Status missing = ConversionStatus(Body("hi", R"({"previous_response_id":"resp_gone"})"));
  EXPECT_THAT(missing, StatusIs(absl::StatusCode::kNotFound, HasSubstr("resp_gone")));
  EXPECT_EQ(ErrorParamOf(missing), "previous_response_id");
  json garbage = J(R"({"version":7})");
  EXPECT_THAT(ConvertResponsesRequest(Body("hi", R"({"previous_response_id":"r"})"), PlainOptions(), &garbage)
                  .status(),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST(RequestConverterTest, FilteredModelsAreNotFound) {
  openai::ConversionOptions options = PlainOptions();
  options.filtered_models = {"gemini-2.5-flash"};
  EXPECT_THAT(ConvertResponsesRequest(Body("hi"), options).status(), StatusIs(absl::StatusCode::kNotFound));
}

}  // namespace
}  // namespace gempool::responses
