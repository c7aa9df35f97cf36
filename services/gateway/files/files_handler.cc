#include "files/files_handler.h"

#include <openssl/rand.h>

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "files/file_not_found.h"
#include "files/files_forward.h"
#include "files/upload_headers.h"
#include "files/upload_urls.h"
#include "gempool/common/logging.h"
#include "gempool/common/secrets.h"
#include "gempool/gemini/url.h"
#include "gempool/openai/json_writer.h"
#include "http/whole_body.h"
#include "nlohmann/json.hpp"
#include "upstream/buffered_sink.h"

namespace gempool::gateway {
namespace {

using json = nlohmann::json;

constexpr char kJsonType[] = "application/json; charset=UTF-8";
// Google's files.list page size: 10 by default, at most 100.
constexpr int kDefaultPageSize = 10;
constexpr int kMaxPageSize = 100;
// FileRecord.metadata_json's limit (persistence.proto).
constexpr size_t kMaxMetadataBytes = 64 * 1024;

ClientAnswer Answer(const absl::Status& status, const char* operation) {
  ClientAnswer answer;
  answer.reply = ErrorReply(status);
  answer.operation = operation;
  return answer;
}

// 32 hex digits from OpenSSL's generator: an upload URL is a bearer
// capability (the owner is checked too), so its id must not be guessable.
absl::StatusOr<std::string> NewSessionId() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) {
    return absl::InternalError("the system's random number generator failed; the upload cannot start");
  }
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(bytes), sizeof(bytes)));
}

// Google's answer of a finished forward, for the client; `upload_url`
// replaces X-Goog-Upload-URL when not empty.
ClientAnswer Relayed(const ForwardResult& result, std::string body, const char* operation,
                     absl::string_view upload_url = "") {
  ClientAnswer answer;
  answer.operation = operation;
  answer.attempts = result.attempts;
  answer.upstream_ms = result.upstream_ms;
  answer.key_id = result.key_id;
  if (result.outcome != ForwardResult::Outcome::kSuccess) {
    answer.reply = result.failure;
    return answer;
  }
  answer.reply.status = result.head.status;
  answer.reply.content_type = result.head.content_type.empty() ? kJsonType : result.head.content_type;
  answer.reply.body = std::move(body);
  answer.headers = UploadAnswerHeaders(result.head.passthrough, upload_url);
  return answer;
}

// Unix ms of an RFC 3339 time ("2025-01-02T03:04:05.678Z"); 0 when absent
// or malformed.
int64_t ParseRfc3339Ms(const json& value) {
  if (!value.is_string()) return 0;
  absl::Time t;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, value.get<std::string>(), &t, &error)) return 0;
  return absl::ToUnixMillis(t);
}

bool IsFileId(absl::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  return std::all_of(id.begin(), id.end(), [](char c) { return absl::ascii_isalnum(c) || c == '-' || c == '_'; });
}

}  // namespace

FilesHandler::FilesHandler(Forwarder& forwarder, FileRecordsClient& records, FileKeyAffinity* affinity,
                           const Clock& clock)
    : forwarder_(forwarder), records_(records), affinity_(affinity), clock_(clock), relay_(forwarder) {}

ClientAnswer FilesHandler::Upload(const ClientCall& call) {
  // Chunks go to the URL the start answered, which carries upload_id; a
  // POST without it starts an upload.
  if (std::optional<std::string> id = gemini::QueryParam(call.raw_query, "upload_id"); id.has_value()) {
    return RelayChunk(call, *id);
  }
  if (call.method != "POST") {
    return Answer(absl::InvalidArgumentError("an upload chunk needs the upload_id of the URL the upload start "
                                             "answered in X-Goog-Upload-URL"),
                  "files.upload");
  }
  if (call.body_source != nullptr) {
    // The route streams its bodies for the chunks; a start's is the file's
    // small JSON metadata, read whole here.
    constexpr uint64_t kMaxStartBody = 1 << 20;
    absl::StatusOr<std::string> metadata = ReadWholeBody(*call.body_source, kMaxStartBody);
    if (!metadata.ok()) return Answer(metadata.status(), "files.upload");
    ClientCall whole = call;
    whole.body = *metadata;
    whole.body_source = nullptr;
    return StartUpload(whole);
  }
  return StartUpload(call);
}

ClientAnswer FilesHandler::StartUpload(const ClientCall& call) {
  const HeaderList empty;
  const HeaderList& headers = call.request_headers != nullptr ? *call.request_headers : empty;
  const std::string protocol = absl::AsciiStrToLower(FindHeader(headers, "X-Goog-Upload-Protocol").value_or(""));
  const std::string command = absl::AsciiStrToLower(FindHeader(headers, "X-Goog-Upload-Command").value_or(""));
  if (protocol != "resumable" || command != "start") {
    return Answer(absl::InvalidArgumentError(
                      "gempool serves the Files API's resumable upload protocol: start with X-Goog-Upload-Protocol: "
                      "resumable and X-Goog-Upload-Command: start (as the Gemini SDKs do), then send the bytes to "
                      "the X-Goog-Upload-URL of the answer"),
                  "files.upload");
  }
  absl::StatusOr<std::string> origin = ClientOrigin(headers);
  if (!origin.ok()) return Answer(origin.status(), "files.upload");
  const std::string& prefix = call.path_params.at(0);
  const std::string& version = call.path_params.at(1);

  ForwardRequest request =
      FilesForwardRequest("POST", FilesTarget(call.settings->base_url, absl::StrCat("/upload/", version, "/files")), "files.upload");
  request.body = call.body;
  request.headers = UploadRequestHeaders(call);
  request.client_token_id = TokenId(call.auth.token);
  request.settings = call.settings;
  BufferedSink sink;
  const ForwardResult result = forwarder_.Forward(request, sink);
  if (result.outcome != ForwardResult::Outcome::kSuccess) return Relayed(result, "", "files.upload");

  const std::optional<std::string> upstream_url = FindHeader(result.head.passthrough, "X-Goog-Upload-URL");
  if (!upstream_url.has_value() || upstream_url->empty()) {
    ClientAnswer answer = Relayed(result, std::move(sink.body()), "files.upload");
    answer.reply = ErrorReply(absl::UnavailableError(
        "the upstream accepted the upload start but sent no X-Goog-Upload-URL; is BASE_URL Google's API?"));
    answer.reply.status = 502;
    return answer;
  }
  absl::StatusOr<std::string> id = NewSessionId();
  if (!id.ok()) return Answer(id.status(), "files.upload");
  v1::UploadSession session;
  session.set_id(*id);
  session.set_owner(request.client_token_id);
  session.set_key_id(result.key_id);
  session.set_upstream_url(*upstream_url);
  session.set_created_at_ms(clock_.NowUnixMs());
  session.set_expires_at_ms(session.created_at_ms() + kUploadSessionLifetimeMs);
  if (absl::Status put = records_.PutUploadSession(session); !put.ok()) {
    ClientAnswer answer = Answer(absl::UnavailableError(absl::StrCat("the upload session could not be recorded, so "
                                                                     "no gateway could take its chunks: ",
                                                                     put.message())),
                                 "files.upload");
    answer.attempts = result.attempts;
    answer.upstream_ms = result.upstream_ms;
    answer.key_id = result.key_id;
    return answer;
  }
  return Relayed(result, std::move(sink.body()), "files.upload", GempoolUploadUrl(*origin, prefix, version, *id));
}

ClientAnswer FilesHandler::RelayChunk(const ClientCall& call, const std::string& session_id) {
  const std::string owner = TokenId(call.auth.token);
  absl::StatusOr<v1::UploadSession> session = records_.GetUploadSession(session_id);
  if (!session.ok() && session.status().code() != absl::StatusCode::kNotFound &&
      session.status().code() != absl::StatusCode::kInvalidArgument) {
    return Answer(absl::UnavailableError(session.status().message()), "files.upload");
  }
  if (!session.ok() || session->owner() != owner) {
    return Answer(absl::NotFoundError("this upload is unknown or has expired (or was started with another client "
                                      "token): start the upload again"),
                  "files.upload");
  }
  UploadChunkRelay::Result relayed = relay_.Relay(*session, call);
  const ForwardResult& result = relayed.forward;
  if (result.outcome == ForwardResult::Outcome::kSuccess &&
      absl::EqualsIgnoreCase(FindHeader(result.head.passthrough, "X-Goog-Upload-Status").value_or(""), "final")) {
    RecordFile(relayed.body, /*wrapped=*/true, session->key_id(), owner);
  }
  // The status headers go back as Google sent them; an X-Goog-Upload-URL on
  // a chunk's answer (Google sends none) would name Google's URL: dropped.
  return Relayed(result, std::move(relayed.body), "files.upload");
}

void FilesHandler::RecordFile(const std::string& body, bool wrapped, int64_t key_id, const std::string& owner) {
  json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  const json* file = &parsed;
  if (wrapped) {
    file = parsed.is_object() && parsed.contains("file") ? &parsed["file"] : nullptr;
  }
  if (file == nullptr || !file->is_object() || !file->contains("name") || !(*file)["name"].is_string()) {
    GEMPOOL_LOG(WARNING) << "files: an upload finished but Google's answer names no file; calls using it may go "
                            "out on another key";
    return;
  }
  v1::FileRecord record;
  record.set_name((*file)["name"].get<std::string>());
  record.set_key_id(key_id);
  record.set_owner(owner);
  record.set_created_at_ms(clock_.NowUnixMs());
  const int64_t expires = file->contains("expirationTime") ? ParseRfc3339Ms((*file)["expirationTime"]) : 0;
  record.set_expires_at_ms(expires > record.created_at_ms() ? expires : record.created_at_ms() + kFileLifetimeMs);
  std::string metadata = openai::WriteJson(*file);
  if (metadata.size() > kMaxMetadataBytes) {
    metadata = json{{"name", record.name()}}.dump();
  }
  record.set_metadata_json(std::move(metadata));
  if (absl::Status put = records_.PutFileRecord(record); !put.ok()) {
    GEMPOOL_LOG(ERROR) << "files: " << record.name() << " was uploaded with key " << key_id
                       << " but could not be recorded (" << put
                       << "); calls using it may go out on another key and fail";
  }
}

ClientAnswer FilesHandler::List(const ClientCall& call) {
  v1::ListFileRecordsRequest request;
  if (call.settings->files_user_isolation) request.set_owner(TokenId(call.auth.token));
  int page_size = kDefaultPageSize;
  if (std::optional<std::string> size = gemini::QueryParam(call.raw_query, "pageSize"); size.has_value()) {
    if (!absl::SimpleAtoi(*size, &page_size) || page_size < 0) {
      return Answer(absl::InvalidArgumentError("pageSize must be a number from 1 to 100"), "files.list");
    }
    if (page_size == 0) page_size = kDefaultPageSize;
  }
  request.set_page_size(std::min(page_size, kMaxPageSize));
  request.set_page_token(gemini::QueryParam(call.raw_query, "pageToken").value_or(""));
  absl::StatusOr<v1::ListFileRecordsResponse> page = records_.ListFileRecords(request);
  if (!page.ok()) {
    const absl::Status status = page.status().code() == absl::StatusCode::kInvalidArgument
                                    ? absl::InvalidArgumentError("pageToken is not one this API handed out")
                                    : absl::UnavailableError(page.status().message());
    return Answer(status, "files.list");
  }
  json out = json::object();
  if (page->records_size() > 0) {
    json files = json::array();
    for (const v1::FileRecord& record : page->records()) {
      json metadata = json::parse(record.metadata_json(), nullptr, /*allow_exceptions=*/false);
      if (!metadata.is_object()) metadata = json{{"name", record.name()}};
      files.push_back(std::move(metadata));
    }
    out["files"] = std::move(files);
  }
  // Omitted on the last page (SDK pagers stop on an absent token, not "").
  if (!page->next_page_token().empty()) out["nextPageToken"] = page->next_page_token();
  ClientAnswer answer;
  answer.operation = "files.list";
  answer.reply.content_type = kJsonType;
  answer.reply.body = openai::WriteJson(out);
  return answer;
}

absl::StatusOr<v1::FileRecord> FilesHandler::VisibleRecord(const ClientCall& call, const std::string& id) {
  const std::string name = absl::StrCat("files/", id);
  if (!IsFileId(id)) return FileNotFound(name);
  absl::StatusOr<std::vector<v1::FileRecord>> found = records_.GetFileRecords({name});
  if (!found.ok()) return absl::UnavailableError(found.status().message());
  if (found->empty()) return FileNotFound(name);
  if (call.settings->files_user_isolation && found->front().owner() != TokenId(call.auth.token)) return FileNotFound(name);
  return found->front();
}

ClientAnswer FilesHandler::Get(const ClientCall& call) {
  const std::string& version = call.path_params.at(1);
  const std::string& id = call.path_params.at(2);
  absl::StatusOr<v1::FileRecord> record = VisibleRecord(call, id);
  if (!record.ok()) return Answer(record.status(), "files.get");
  ForwardRequest request =
      FilesForwardRequest("GET", FilesTarget(call.settings->base_url, absl::StrCat("/", version, "/files/", id)), "files.get");
  request.headers = call.upstream_headers;
  request.pinned_key_id = record->key_id();
  request.client_token_id = TokenId(call.auth.token);
  request.settings = call.settings;
  BufferedSink sink;
  const ForwardResult result = forwarder_.Forward(request, sink);
  if (result.outcome == ForwardResult::Outcome::kSuccess) {
    // The state (PROCESSING → ACTIVE) as Google says now, for the listing.
    RecordFile(sink.body(), /*wrapped=*/false, record->key_id(), record->owner());
  }
  return Relayed(result, std::move(sink.body()), "files.get");
}

ClientAnswer FilesHandler::Delete(const ClientCall& call) {
  const std::string& version = call.path_params.at(1);
  const std::string& id = call.path_params.at(2);
  absl::StatusOr<v1::FileRecord> record = VisibleRecord(call, id);
  if (!record.ok()) return Answer(record.status(), "files.delete");
  ForwardRequest request = FilesForwardRequest(
      "DELETE", FilesTarget(call.settings->base_url, absl::StrCat("/", version, "/files/", id)), "files.delete");
  request.headers = call.upstream_headers;
  request.pinned_key_id = record->key_id();
  request.client_token_id = TokenId(call.auth.token);
  request.settings = call.settings;
  BufferedSink sink;
  const ForwardResult result = forwarder_.Forward(request, sink);
  // Gone at Google (deleted now, or already): the record goes too.
  if (result.outcome == ForwardResult::Outcome::kSuccess || result.ClientStatus() == 404) {
    absl::StatusOr<bool> deleted = records_.DeleteFileRecord(record->name());
    if (!deleted.ok()) {
      GEMPOOL_LOG(WARNING) << "files: " << record->name() << " was deleted at Google but its record stays until it "
                           << "expires: " << deleted.status();
    }
    if (affinity_ != nullptr) affinity_->Forget(record->name());
  }
  return Relayed(result, std::move(sink.body()), "files.delete");
}

}  // namespace gempool::gateway
