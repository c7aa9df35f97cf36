#include "fuzz/responses_fuzz.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gempool/gemini/sse_splitter.h"
#include "gempool/openai/errors.h"
#include "gempool/openai/json_reader.h"
#include "gempool/responses/request_converter.h"
#include "gempool/responses/response_converter.h"
#include "gempool/responses/storage.h"
#include "gempool/responses/stream_converter.h"
#include "nlohmann/json.hpp"
#include "openai/fuzz/fuzz_check.h"

namespace gempool::responses {
namespace {

using nlohmann::json;
using openai::fuzz::Member;
using openai::fuzz::Require;
using openai::fuzz::RequireAbout;
using openai::fuzz::RequireGeminiRequest;
using openai::fuzz::RequireWritesBackEqual;

openai::ConversionOptions Options() {
  openai::ConversionOptions options;
  options.search_models = {"gemini-2.5-flash"};
  options.thinking_models = {"gemini-2.5-flash"};
  options.filtered_models = {"gemini-1.0-pro"};
  return options;
}

// The first turn of a tool loop as Codex sends it: tools, reasoning, a
// user message.
const char kFirstTurn[] = R"({"model":"gemini-3-pro-preview","input":[{"role":"user","content":"Weather in Paris?"}],
  "instructions":"Be brief.","tools":[{"type":"function","name":"get_weather","parameters":{"type":"object",
  "properties":{"city":{"type":"string"}}}}],"reasoning":{"effort":"medium","summary":"auto"},
  "include":["reasoning.encrypted_content"]})";

const char kFirstAnswer[] = R"({"responseId":"g1","candidates":[{"content":{"role":"model","parts":[
  {"text":"I should look it up.","thought":true},
  {"functionCall":{"name":"get_weather","args":{"city":"Paris"}},"thoughtSignature":"SIG_CALL"}]},
  "finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":12,"candidatesTokenCount":5,"totalTokenCount":17}})";

const ResponsesRequest& FirstTurn() {
  static const ResponsesRequest* const request = [] {
    absl::StatusOr<ResponsesRequest> converted =
        ConvertResponsesRequest(json::parse(kFirstTurn), Options(), nullptr);
    Require(converted.ok(), "the fixed first turn does not convert", converted.status().ToString());
    return new ResponsesRequest(*std::move(converted));
  }();
  return *request;
}

ResponseContext ContextFor(uint8_t head) {
  ResponseContext context = MakeResponseContext(FirstTurn(), Options(), "resp_fuzz", 1767225600);
  context.reasoning_summary = (head & 0x08) != 0;
  context.include_encrypted_reasoning = (head & 0x10) != 0;
  context.show_search_link = (head & 0x20) == 0;
  context.store = (head & 0x40) == 0;
  return context;
}

// What gempool stored for the first turn, answered with kFirstAnswer.
const json& StoredFirstTurn() {
  static const json* const stored = [] {
    absl::StatusOr<ConvertedResponse> answer = ConvertResponsesResponse(json::parse(kFirstAnswer), ContextFor(0));
    Require(answer.ok(), "the fixed first answer does not convert", answer.status().ToString());
    return new json(BuildStoredResponse(FirstTurn(), answer->stored));
  }();
  return *stored;
}

void CheckRefusal(const absl::Status& status, absl::string_view what) {
  const std::optional<std::string> param = openai::ErrorParam(status);
  Require(status.code() == absl::StatusCode::kInvalidArgument ||
              (status.code() == absl::StatusCode::kNotFound &&
               (param == "model" || param == "previous_response_id")),
          absl::StrCat(what, ": refused with neither InvalidArgument nor NotFound for a model or response"),
          status.ToString());
  Require(!status.message().empty(), absl::StrCat(what, ": refused without a message"));
  RequireWritesBackEqual(openai::OpenAIErrorFromStatus(status).body, absl::StrCat(what, ": the error body"));
}

// A stored conversation (BuildStoredResponse's JSON) reads back, and a next
// turn (answering its calls) can continue it.
void CheckContinues(const json& stored, bool ours) {
  absl::StatusOr<json> items = ConversationItems(stored);
  absl::StatusOr<json> retrieved = RetrievedResponse(stored, /*include_encrypted_reasoning=*/true);
  absl::StatusOr<json> listed = InputItemsList(stored);
  if (ours) {
    Require(items.ok() && retrieved.ok() && listed.ok(), "a stored response gempool built does not read back",
            absl::StrCat(items.status().ToString(), " ", retrieved.status().ToString(), " ",
                         listed.status().ToString()));
  }
  if (items.ok()) RequireWritesBackEqual(*items, "a stored conversation's items");
  if (retrieved.ok()) RequireWritesBackEqual(*retrieved, "a retrieved response");
  if (listed.ok()) RequireWritesBackEqual(*listed, "a stored response's input items");
  // The next turn answers the calls the stored response made, then asks on.
  json input = json::array();
  for (const json& item : Member(Member(stored, "response"), "output")) {
    if (Member(item, "type") == "function_call" && Member(item, "call_id").is_string()) {
      input.push_back({{"type", "function_call_output"}, {"call_id", Member(item, "call_id")}, {"output", "{}"}});
    }
  }
  input.push_back({{"role", "user"}, {"content", "And tomorrow?"}});
  const json next = {{"model", "gemini-2.5-flash"},
                     {"input", std::move(input)},
                     {"previous_response_id", Member(stored, "id").is_string() ? Member(stored, "id") : json("r")}};
  absl::StatusOr<ResponsesRequest> request = ConvertResponsesRequest(next, Options(), &stored);
  if (ours) {
    Require(request.ok(), "a conversation gempool stored cannot be continued", request.status().ToString());
  } else if (!request.ok()) {
    CheckRefusal(request.status(), "continuing a stored response");
    return;
  }
  RequireGeminiRequest(request->gemini.body);
}

void FuzzRequest(const json& body, uint8_t head) {
  const json* previous = (head & 0x04) != 0 ? &StoredFirstTurn() : nullptr;
  absl::StatusOr<ResponsesRequest> request = ConvertResponsesRequest(body, Options(), previous);
  if (!request.ok()) {
    CheckRefusal(request.status(), "ConvertResponsesRequest");
    return;
  }
  RequireGeminiRequest(request->gemini.body);
  RequireAbout(request->input_items.is_array(), "input_items is not an array", request->input_items);
  RequireWritesBackEqual(request->input_items, "the request's input items");
  RequireWritesBackEqual(request->echo, "the request's echoed fields");
  // Stored with an answer, it reads back and continues.
  absl::StatusOr<ConvertedResponse> answer = ConvertResponsesResponse(
      json::parse(kFirstAnswer), MakeResponseContext(*request, Options(), "resp_next", 1767225600));
  Require(answer.ok(), "the fixed answer does not convert for a converted request", answer.status().ToString());
  CheckContinues(BuildStoredResponse(*request, answer->stored), /*ours=*/true);
}

// A Response object as the client and the store see it.
void CheckResponse(const json& response, absl::string_view what) {
  RequireWritesBackEqual(response, what);
  RequireAbout(Member(response, "object") == "response" && Member(response, "id").is_string(),
               absl::StrCat(what, " is not a Response"), response);
  const json& status = Member(response, "status");
  RequireAbout(status == "completed" || status == "incomplete",
               absl::StrCat(what, " is neither completed nor incomplete"), response);
  RequireAbout(Member(response, "output").is_array(), absl::StrCat(what, " has no output array"), response);
  for (const json& item : Member(response, "output")) {
    RequireAbout(Member(item, "id").is_string() && Member(item, "type").is_string(),
                 absl::StrCat(what, " has an item without id or type"), response);
  }
}

void FuzzAnswer(const json& answer, uint8_t head) {
  absl::StatusOr<ConvertedResponse> converted = ConvertResponsesResponse(answer, ContextFor(head));
  if (!converted.ok()) {
    Require(!converted.status().message().empty(), "ConvertResponsesResponse refused without a message");
    return;
  }
  CheckResponse(converted->response, "the Response");
  CheckResponse(converted->stored, "the stored Response");
  CheckContinues(BuildStoredResponse(FirstTurn(), converted->stored), /*ours=*/true);
}

// The events of an SSE body read in pieces whose sizes come from the body.
std::vector<std::string> Events(absl::string_view body) {
  gemini::SseSplitter splitter(1u << 20);
  std::vector<std::string> events;
  for (size_t at = 0, turn = 0; at < body.size(); ++turn) {
    const size_t piece = 1 + static_cast<unsigned char>(body[turn % body.size()]) % 24;
    absl::StatusOr<std::vector<std::string>> some = splitter.Feed(body.substr(at, piece));
    if (!some.ok()) return events;
    events.insert(events.end(), some->begin(), some->end());
    at += piece;
  }
  absl::StatusOr<std::vector<std::string>> rest = splitter.Finish();
  if (rest.ok()) events.insert(events.end(), rest->begin(), rest->end());
  return events;
}

// The rules a Responses stream client relies on, checked event by event.
class SequenceCheck {
 public:
  void Add(const StreamEvent& event) {
    const json& data = event.data;
    RequireWritesBackEqual(data, "a stream event");
    RequireAbout(Member(data, "type") == event.type, "an event whose data has another type", data);
    RequireAbout(Member(data, "sequence_number") == count_, "sequence numbers do not count 0, 1, 2 ...", data);
    RequireAbout(!closed_, "an event after the closing event", data);
    Require(event.type == (count_ == 0 ? "response.created" : count_ == 1 ? "response.in_progress" : event.type),
            "the stream does not start with response.created, response.in_progress", event.type);
    ++count_;
    const std::string& type = event.type;
    if (type == "response.created" || type == "response.in_progress") {
      RequireAbout(count_ <= 2, "a second response.created or in_progress", data);
      return;
    }
    if (type == "response.completed" || type == "response.incomplete" || type == "response.failed") {
      const json& response = Member(data, "response");
      RequireAbout(Member(response, "status") == type.substr(9), "the closing status is not the event's", data);
      // A failure may cut an item short (the error says why); a normal close
      // finishes every item, and its output is the items streamed.
      if (type != "response.failed") {
        RequireAbout(open_ < 0, "closing with an item open", data);
        RequireAbout(Member(response, "output") == done_items_, "the closing output is not the items streamed", data);
      }
      closed_ = true;
      return;
    }
    if (type == "response.output_item.added") {
      RequireAbout(open_ < 0, "an item added while another is open", data);
      RequireAbout(Member(data, "output_index") == done_items_.size(), "output indexes are not consecutive", data);
      open_ = static_cast<int>(done_items_.size());
      open_type_ = Member(Member(data, "item"), "type").is_string()
                       ? Member(Member(data, "item"), "type").get<std::string>()
                       : "";
      text_.clear();
      return;
    }
    RequireAbout(open_ >= 0 && Member(data, "output_index") == open_, "an event for an item that is not open", data);
    if (type == "response.output_item.done") {
      const json& item = Member(data, "item");
      RequireAbout(Member(item, "type") == open_type_, "an item done with another type", data);
      // What the deltas built is what the item says.
      if (open_type_ == "function_call") {
        RequireAbout(Member(item, "arguments") == text_, "the argument deltas are not the call's arguments", data);
      } else if (open_type_ == "message") {
        const json& content = Member(item, "content");
        if (content.is_array() && !content.empty()) {
          RequireAbout(Member(content[0], "text") == text_, "the text deltas are not the message's text", data);
        }
      } else if (open_type_ == "reasoning") {
        const json& summary = Member(item, "summary");
        if (summary.is_array() && !summary.empty()) {
          RequireAbout(Member(summary[0], "text") == text_, "the summary deltas are not the summary", data);
        }
      }
      done_items_.push_back(item);
      open_ = -1;
      return;
    }
    RequireAbout(Member(data, "item_id").is_string(), "an item event without item_id", data);
    if (type == "response.output_text.delta" || type == "response.reasoning_summary_text.delta" ||
        type == "response.function_call_arguments.delta") {
      RequireAbout(Member(data, "delta").is_string(), "a delta that is not a string", data);
      text_ += Member(data, "delta").get<std::string>();
    }
  }

  bool closed() const { return closed_; }

 private:
  int count_ = 0;
  bool closed_ = false;
  int open_ = -1;
  std::string open_type_;
  std::string text_;  // The deltas of the open item, joined.
  json done_items_ = json::array();
};

void FuzzStream(absl::string_view body, uint8_t head) {
  ResponsesStreamConverter converter(ContextFor(head));
  SequenceCheck check;
  bool failed = false;
  for (const std::string& text : Events(body)) {
    absl::StatusOr<json> event = openai::ParseJson(text);
    if (!event.ok()) continue;
    absl::StatusOr<std::vector<StreamEvent>> events = converter.OnEvent(*event);
    if (!events.ok()) {
      if (converter.closed()) {
        Require(events.status().code() == absl::StatusCode::kFailedPrecondition,
                "OnEvent after the close did not refuse with FailedPrecondition");
        continue;
      }
      // The gateway then fails the response with the upstream's error.
      for (const StreamEvent& out : converter.Fail(openai::ConvertGeminiError(0, *event))) check.Add(out);
      Require(converter.closed() && check.closed(), "Fail() did not close the stream");
      failed = true;
      break;
    }
    for (const StreamEvent& out : *events) {
      check.Add(out);
      const std::string framed = FrameEvent(out);
      Require(absl::StartsWith(framed, absl::StrCat("event: ", out.type, "\ndata: ")) &&
                  absl::EndsWith(framed, "\n\n") && framed.find('\n', 8 + out.type.size()) == framed.size() - 2,
              "an event is not framed on one data line", framed);
    }
  }
  for (const StreamEvent& out : converter.Finish()) check.Add(out);
  Require(converter.closed() && check.closed(), "Finish() did not close the stream");
  Require(converter.Finish().empty(), "a second Finish() returned events");
  if (!failed && !converter.stored().is_null()) {
    CheckResponse(converter.stored(), "the stream's stored Response");
    CheckContinues(BuildStoredResponse(FirstTurn(), converter.stored()), /*ours=*/true);
  }
}

}  // namespace

void FuzzResponses(const uint8_t* data, size_t size) {
  if (size == 0) return;
  const uint8_t head = data[0];
  const absl::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  if ((head & 0x03) == 2) return FuzzStream(body, head);
  absl::StatusOr<json> value = openai::ParseJson(body);
  if (!value.ok()) return;
  switch (head & 0x03) {
    case 0:
      FuzzRequest(*value, head);
      break;
    case 1:
      FuzzAnswer(*value, head);
      break;
    default:
      CheckContinues(*value, /*ours=*/false);
      break;
  }
}

}  // namespace gempool::responses
