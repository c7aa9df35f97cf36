#pragma once
// A ResponseSink that keeps the whole 2xx body, for calls answered in one
// piece (generateContent, countTokens, embeddings, models). Nothing reaches
// the client before the body is complete, so even a response that breaks
// half-way can be retried with another key. Not thread-safe; one per request.

#include <string>

#include "upstream/forwarder.h"

namespace gempool::gateway {

class BufferedSink final : public ResponseSink {
 public:
  void Begin(const UpstreamResponseHead& head) override {
    head_ = head;
    body_.clear();
  }
  bool Write(absl::string_view data) override {
    body_.append(data.data(), data.size());
    return true;
  }
  bool Committed() const override { return false; }

  const UpstreamResponseHead& head() const { return head_; }
  std::string& body() { return body_; }

 private:
  UpstreamResponseHead head_;
  std::string body_;
};

}  // namespace gempool::gateway
