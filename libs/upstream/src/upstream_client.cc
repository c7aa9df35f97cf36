#include "gempool/upstream/upstream_client.h"

#include <future>
#include <utility>

#include <boost/asio/post.hpp>

#include "client_core.h"
#include "upstream_call.h"

namespace gempool::upstream {

struct UpstreamClient::Impl {
  std::shared_ptr<ClientCore> core;
};

UpstreamClient::UpstreamClient(boost::asio::io_context& io, Options options)
    : impl_(std::make_shared<Impl>(Impl{std::make_shared<ClientCore>(io, std::move(options))})) {}

UpstreamClient::~UpstreamClient() {
  // Calls still in flight keep the core alive; end them rather than leave
  // them running for a client nobody holds.
  AbortAll();
}

std::shared_ptr<UpstreamCall> UpstreamClient::Start(UpstreamRequest request, AsyncUpstreamCallbacks callbacks) {
  auto call = std::make_shared<CallImpl>(impl_->core, std::move(request), std::move(callbacks));
  if (impl_->core->Register(call)) {
    call->Begin();
  } else {
    call->Abort();  // on_done(kAborted) on the loop, as Start() promises.
  }
  return call;
}

UpstreamResult UpstreamClient::Send(UpstreamRequest request, const UpstreamCallbacks& callbacks) {
  if (impl_->core->io().get_executor().running_in_this_thread()) {
    UpstreamResult result;
    result.kind = UpstreamResult::Kind::kFailed;
    result.detail =
        "UpstreamClient::Send() was called on an event-loop thread, where it would wait for itself; use Start()";
    return result;
  }
  auto promise = std::make_shared<std::promise<UpstreamResult>>();
  std::future<UpstreamResult> future = promise->get_future();
  AsyncUpstreamCallbacks async;
  // `callbacks` outlives the call: this function waits for on_done, which
  // comes last.
  async.on_head = [&callbacks](const UpstreamResponseHead& head) {
    return !callbacks.on_head || callbacks.on_head(head);
  };
  async.on_body = [&callbacks](absl::string_view piece) {
    return !callbacks.on_body || callbacks.on_body(piece) ? BodyAction::kContinue : BodyAction::kCancel;
  };
  async.on_done = [promise](UpstreamResult result) { promise->set_value(std::move(result)); };
  Start(std::move(request), std::move(async));
  return future.get();
}

void UpstreamClient::AbortAll() {
  for (const std::shared_ptr<CallImpl>& call : impl_->core->AbortAndTakeCalls()) call->Abort();
}

}  // namespace gempool::upstream
