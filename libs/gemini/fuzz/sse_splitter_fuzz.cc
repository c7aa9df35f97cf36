#include "fuzz/sse_splitter_fuzz.h"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gempool/gemini/sse_splitter.h"

namespace gempool::gemini {
namespace {

void Require(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
  std::abort();
}

struct Split {
  std::vector<std::string> events;
  bool refused = false;
};

// The SSE rules read straight off the whole text, one line at a time: the
// reference the incremental splitter must agree with.
Split ReferenceSplit(absl::string_view body, size_t max_event_bytes) {
  Split out;
  std::string data;
  bool has_data = false;
  const auto on_line = [&](absl::string_view line) {
    if (line.size() + data.size() > max_event_bytes) return false;
    if (line.empty()) {
      if (has_data) out.events.push_back(data);
      data.clear();
      has_data = false;
    } else if (line.front() != ':') {
      const size_t colon = line.find(':');
      if (line.substr(0, colon) == "data") {
        absl::string_view value = colon == absl::string_view::npos ? "" : line.substr(colon + 1);
        if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
        if (has_data) data.push_back('\n');
        data.append(value.data(), value.size());
        has_data = true;
      }
    }
    return true;
  };
  size_t start = 0;
  size_t i = 0;
  while (i < body.size()) {
    if (body[i] != '\n' && body[i] != '\r') {
      ++i;
      continue;
    }
    if (!on_line(body.substr(start, i - start))) {
      out.refused = true;
      return out;
    }
    i += body[i] == '\r' && i + 1 < body.size() && body[i + 1] == '\n' ? 2 : 1;
    start = i;
  }
  // An unterminated last line counts as a line; then the end flushes.
  if (!on_line(body.substr(start)) || !on_line("")) out.refused = true;
  return out;
}

// Feeds `pieces` in order, then finishes. Events delivered before a refusal
// are kept; once refused, every later call must refuse too.
Split FeedPieces(SseSplitter& splitter, const std::vector<absl::string_view>& pieces) {
  Split out;
  for (absl::string_view piece : pieces) {
    absl::StatusOr<std::vector<std::string>> events = splitter.Feed(piece);
    if (!events.ok()) {
      Require(events.status().code() == absl::StatusCode::kResourceExhausted, "a refusal is not ResourceExhausted");
      out.refused = true;
      continue;
    }
    Require(!out.refused, "the splitter delivered events after refusing");
    out.events.insert(out.events.end(), events->begin(), events->end());
  }
  absl::StatusOr<std::vector<std::string>> rest = splitter.Finish();
  if (!rest.ok()) {
    out.refused = true;
  } else {
    Require(!out.refused, "Finish delivered events after a refusal");
    out.events.insert(out.events.end(), rest->begin(), rest->end());
  }
  return out;
}

// Whether `some` is the first events of `all`.
bool IsPrefix(const std::vector<std::string>& some, const std::vector<std::string>& all) {
  if (some.size() > all.size()) return false;
  for (size_t i = 0; i < some.size(); ++i) {
    if (some[i] != all[i]) return false;
  }
  return true;
}

}  // namespace

void FuzzSseSplitter(const uint8_t* data, size_t size) {
  if (size == 0) return;
  const size_t max_event_bytes = (data[0] & 0x80) != 0 ? SseSplitter::kDefaultMaxEventBytes : 1 + (data[0] & 0x7F);
  const absl::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);

  const Split reference = ReferenceSplit(body, max_event_bytes);

  SseSplitter whole_splitter(max_event_bytes);
  const Split whole = FeedPieces(whole_splitter, {body});

  std::vector<absl::string_view> cuts;
  for (size_t at = 0, turn = 0; at < body.size(); ++turn) {
    // Sizes 1..32 from the body's own bytes, so the fuzzer explores the cuts
    // (between a CR and its LF included); a 0 adds an empty read first.
    size_t piece = static_cast<unsigned char>(body[turn % body.size()]) % 33;
    if (piece == 0) {
      cuts.push_back(body.substr(at, 0));
      piece = 1;
    }
    cuts.push_back(body.substr(at, piece));
    at += piece;
  }
  SseSplitter piece_splitter(max_event_bytes);
  const Split pieces = FeedPieces(piece_splitter, cuts);

  Require(whole.refused == reference.refused, "fed whole, the splitter disagrees with the reference on refusing");
  Require(pieces.refused == reference.refused, "fed in pieces, the splitter disagrees with the reference on refusing");
  if (reference.refused) {
    // Events completed before the refusal may be delivered, nothing else.
    Require(IsPrefix(whole.events, reference.events), "fed whole, the splitter delivered an event it should not");
    Require(IsPrefix(pieces.events, reference.events), "fed in pieces, the splitter delivered an event it should not");
  } else {
    Require(whole.events == reference.events, "fed whole, the splitter's events differ from the reference");
    Require(pieces.events == reference.events, "fed in pieces, the splitter's events differ from the reference");
  }

  // Reset forgets everything, the failure included.
  piece_splitter.Reset();
  const Split again = FeedPieces(piece_splitter, {body});
  Require(again.refused == whole.refused && again.events == whole.events, "after Reset the splitter is not like new");
}

}  // namespace gempool::gemini
