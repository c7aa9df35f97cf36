#pragma once
// Parses one HTTP/1.1 response from bytes a call has read, one step per
// put(): the head, one piece of body, or chunk framing. Built on Beast's
// basic_parser rather than http::response_parser<buffer_body> because the
// body pieces are then views into the caller's read buffer: no copy and no
// body buffer to size, and since each put() yields at most one piece the call
// can hand it to the consumer and stop right there when it pauses.
// Not thread-safe; owned by one call.

#include <cstdint>
#include <string>

#include <boost/beast/http/basic_parser.hpp>

#include "absl/strings/string_view.h"
#include "gempool/upstream/upstream_client.h"

namespace gempool::upstream {

class ResponseStreamParser final : public boost::beast::http::basic_parser<false> {
 public:
  // Status line plus headers may take at most `header_limit` bytes.
  explicit ResponseStreamParser(uint32_t max_head_bytes);

  // The head, once is_header_done().
  const UpstreamResponseHead& head() const { return head_; }
  // The body piece the last put() parsed ("" if none), a view into the bytes
  // given to put(): valid until they are consumed.
  absl::string_view piece() const { return piece_; }
  void clear_piece() { piece_ = {}; }

 private:
  using string_view = boost::beast::string_view;
  using error_code = boost::beast::error_code;

  // boost::beast::http::basic_parser
  void on_request_impl(boost::beast::http::verb, string_view, string_view, int, error_code&) override;
  void on_response_impl(int code, string_view reason, int version, error_code& ec) override;
  void on_field_impl(boost::beast::http::field name, string_view name_string, string_view value,
                     error_code& ec) override;
  void on_header_impl(error_code& ec) override;
  void on_body_init_impl(const boost::optional<std::uint64_t>& content_length, error_code& ec) override;
  std::size_t on_body_impl(string_view body, error_code& ec) override;
  void on_chunk_header_impl(std::uint64_t size, string_view extensions, error_code& ec) override;
  std::size_t on_chunk_body_impl(std::uint64_t remain, string_view body, error_code& ec) override;
  void on_finish_impl(error_code& ec) override;

  UpstreamResponseHead head_;
  absl::string_view piece_;
};

}  // namespace gempool::upstream
