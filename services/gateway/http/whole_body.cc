#include "http/whole_body.h"

#include <future>
#include <memory>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"

namespace gempool::gateway {

absl::StatusOr<std::string> ReadWholeBody(upstream::BodySource& source, uint64_t max_bytes) {
  if (source.size() > max_bytes) {
    source.Cancel();
    return absl::InvalidArgumentError(
        absl::StrCat("the request body (", source.size(), " bytes) is larger than this request takes (", max_bytes,
                     " bytes)"));
  }
  std::string body;
  body.reserve(source.size());
  while (true) {
    // One piece at a time: the view is valid until the next Read, so it is
    // copied on the producer's thread.
    auto piece = std::make_shared<std::promise<absl::StatusOr<std::optional<std::string>>>>();
    std::future<absl::StatusOr<std::optional<std::string>>> next = piece->get_future();
    source.Read([piece](absl::StatusOr<absl::string_view> data) {
      if (!data.ok()) return piece->set_value(data.status());
      if (data->empty()) return piece->set_value(std::optional<std::string>());
      piece->set_value(std::optional<std::string>(std::string(*data)));
    });
    absl::StatusOr<std::optional<std::string>> got = next.get();
    if (!got.ok()) return got.status();
    if (!got->has_value()) return body;
    body += **got;
  }
}

}  // namespace gempool::gateway
