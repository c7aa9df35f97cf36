#pragma once
// The gateway's names for the upstream HTTP client (libs/upstream): calls to
// Gemini run on the gateway's event loop.

#include "gempool/upstream/upstream_client.h"

namespace gempool::gateway {

using upstream::AsyncUpstreamCallbacks;
using upstream::BodyAction;
using upstream::HeaderList;
using upstream::UpstreamCall;
using upstream::UpstreamCallbacks;
using upstream::UpstreamClient;
using upstream::UpstreamRequest;
using upstream::UpstreamResponseHead;
using upstream::UpstreamResult;

}  // namespace gempool::gateway
