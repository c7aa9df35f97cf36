#pragma once
// Something that wants to know about every finished client request (the
// metrics, the client-token limiter) without a path of its own through the
// handlers: RequestLogWriter calls each observer with the row it queues, on
// the thread that finished the request (an event-loop thread or a worker).
// Observers must be quick and never block or do I/O there.

#include "gempool/v1/types.pb.h"

namespace gempool::gateway {

class RequestObserver {
 public:
  virtual ~RequestObserver() = default;
  // The request log row of a request that has just finished (status, model,
  // client token id, usage, latency). Called once per request.
  virtual void OnRequestFinished(const v1::RequestLogEntry& entry) = 0;
};

}  // namespace gempool::gateway
