#include "fuzz/request_head_fuzz.h"

#include <string>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "absl/strings/string_view.h"
#include "http/request_head_check.h"

namespace gempool::gateway {

void FuzzRequestHead(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t end = FindRequestHeadEnd(input);
  if (end == absl::string_view::npos || end > 64 * 1024) return;
  const size_t start = LeadingEmptyLines(input);
  const absl::string_view head = input.substr(start, end - start);
  if (CheckRequestHead(head, 100).has_value()) return;
  boost::beast::http::request_parser<boost::beast::http::string_body> parser;
  parser.header_limit(64 * 1024 + 1);
  parser.body_limit(1 << 20);
  parser.eager(true);
  boost::system::error_code ec;
  parser.put(boost::asio::buffer(head.data(), head.size()), ec);
  if (ec || !parser.is_header_done()) return;
  absl::string_view body = input.substr(end);
  while (!body.empty() && !parser.is_done()) {
    const size_t used = parser.put(boost::asio::buffer(body.data(), body.size()), ec);
    if (ec && ec != boost::beast::http::error::need_more) return;
    if (used == 0) return;
    body.remove_prefix(used);
  }
}

}  // namespace gempool::gateway
