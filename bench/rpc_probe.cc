// rpc_probe: times the key broker's RPCs one at a time, as the gateway makes
// them for every request (AcquireKey on the request path, ReportOutcome off
// it), to show what the gateway-broker hop costs. Used by bench/profile.py.
//
//   rpc_probe --addr 127.0.0.1:PORT [--calls 5000] [--model gemini-2.5-flash]
//
// Prints one JSON object: latency percentiles in microseconds per RPC.
// Loopback addresses only. Not thread-safe (one thread).

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "gempool/v1/keybroker.grpc.pb.h"

namespace {

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string Summary(std::vector<int64_t>& ns) {
  std::sort(ns.begin(), ns.end());
  auto pct = [&](double p) {
    size_t rank = static_cast<size_t>(p / 100.0 * static_cast<double>(ns.size()) + 0.999999);
    rank = std::min(std::max<size_t>(rank, 1), ns.size());
    return static_cast<double>(ns[rank - 1]) / 1000.0;
  };
  char buf[200];
  std::snprintf(buf, sizeof(buf), "{\"n\":%zu,\"p50_us\":%.1f,\"p90_us\":%.1f,\"p99_us\":%.1f}", ns.size(), pct(50),
                pct(90), pct(99));
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  std::string addr;
  std::string model = "gemini-2.5-flash";
  int calls = 5000;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--addr") {
      addr = argv[i + 1];
    } else if (flag == "--calls") {
      calls = std::atoi(argv[i + 1]);
    } else if (flag == "--model") {
      model = argv[i + 1];
    } else {
      std::cerr << "rpc_probe: unknown flag " << flag << "\n";
      return 2;
    }
  }
  if (addr.rfind("127.", 0) != 0 || calls < 1 || calls > 1000000) {
    std::cerr << "usage: rpc_probe --addr 127.0.0.1:PORT [--calls 1..1000000] [--model M]\n";
    return 2;
  }
  auto channel = grpc::CreateChannel(addr, grpc::InsecureChannelCredentials());
  auto stub = gempool::v1::KeyBroker::NewStub(channel);
  std::vector<int64_t> acquire;
  std::vector<int64_t> report;
  acquire.reserve(calls);
  report.reserve(calls);
  int failures = 0;
  for (int i = 0; i < calls + 200; ++i) {  // The first 200 warm up.
    gempool::v1::AcquireKeyRequest req;
    req.set_model(model);
    gempool::v1::AcquireKeyResponse res;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    const int64_t t0 = NowNs();
    const grpc::Status s = stub->AcquireKey(&ctx, req, &res);
    const int64_t t1 = NowNs();
    if (!s.ok() || !res.available()) {
      ++failures;
      continue;
    }
    gempool::v1::ReportOutcomeRequest out;
    out.set_key_id(res.key_id());
    out.set_model(model);
    out.set_kind(gempool::v1::OUTCOME_KIND_SUCCESS);
    out.set_http_status(200);
    gempool::v1::ReportOutcomeResponse ack;
    grpc::ClientContext ctx2;
    ctx2.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    const int64_t t2 = NowNs();
    const grpc::Status s2 = stub->ReportOutcome(&ctx2, out, &ack);
    const int64_t t3 = NowNs();
    if (!s2.ok()) ++failures;
    if (i >= 200) {
      acquire.push_back(t1 - t0);
      report.push_back(t3 - t2);
    }
  }
  if (acquire.empty()) {
    std::cerr << "rpc_probe: every call failed (" << failures << ")\n";
    return 1;
  }
  std::cout << "{\"acquire_key\":" << Summary(acquire) << ",\"report_outcome\":" << Summary(report)
            << ",\"failures\":" << failures << "}" << std::endl;
  return 0;
}
