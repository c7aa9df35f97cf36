#include "response_stream_parser.h"

#include <limits>

#include "absl/strings/match.h"

namespace gempool::upstream {

namespace http = boost::beast::http;

ResponseStreamParser::ResponseStreamParser(uint32_t max_head_bytes) {
  header_limit(max_head_bytes);
  // Streams run for minutes; the consumer decides how much it takes. Not
  // boost::none: Beast 1.74 compares a Content-Length against the optional,
  // and any length is "greater" than none.
  body_limit(std::numeric_limits<std::uint64_t>::max());
  // One step per put(), so a pause takes effect after the piece it answers.
  eager(false);
}

void ResponseStreamParser::on_request_impl(http::verb, string_view, string_view, int, error_code& ec) {
  ec = http::error::bad_version;  // Never called for responses.
}

void ResponseStreamParser::on_response_impl(int code, string_view, int, error_code&) { head_.status = code; }

void ResponseStreamParser::on_field_impl(http::field name, string_view name_string, string_view value,
                                         error_code&) {
  const std::string text(value.data(), value.size());
  switch (name) {
    case http::field::content_type:
      head_.content_type = text;
      break;
    case http::field::retry_after:
      head_.retry_after = text;
      break;
    default:
      const absl::string_view field_name(name_string.data(), name_string.size());
      if (absl::EqualsIgnoreCase(field_name, "server-timing")) {
        head_.passthrough.emplace_back("Server-Timing", text);
      } else if (absl::StartsWithIgnoreCase(field_name, "x-goog-upload-")) {
        // The Files API's resumable upload protocol (X-Goog-Upload-URL,
        // -Status, -Chunk-Granularity, -Size-Received): the gateway relays
        // them (rewriting the URL), and only upload answers carry them.
        head_.passthrough.emplace_back(std::string(field_name), text);
      }
      break;
  }
}

void ResponseStreamParser::on_header_impl(error_code&) {}

void ResponseStreamParser::on_body_init_impl(const boost::optional<std::uint64_t>&, error_code&) {}

std::size_t ResponseStreamParser::on_body_impl(string_view body, error_code&) {
  piece_ = absl::string_view(body.data(), body.size());
  return body.size();
}

void ResponseStreamParser::on_chunk_header_impl(std::uint64_t, string_view, error_code&) {}

std::size_t ResponseStreamParser::on_chunk_body_impl(std::uint64_t, string_view body, error_code&) {
  piece_ = absl::string_view(body.data(), body.size());
  return body.size();
}

void ResponseStreamParser::on_finish_impl(error_code&) {}

}  // namespace gempool::upstream
