#pragma once
// fake-image-host: fakes of the four image hosts' upload APIs on one
// loopback port, each checking the real request format and keeping the
// bytes it was sent, served back at the link it answered:
//   POST /smms/api/v2/upload       SM.MS API v2: `Authorization: <token>`,
//                                  multipart field `smfile`. The same bytes
//                                  twice: SM.MS's "image_repeated" answer.
//                                  Links /smms/i/<name>.
//   POST /picgo/api/1/upload       Chevereto API v1: the key in `X-API-Key`
//                                  or `?key=`, multipart field `source`.
//                                  Links /picgo/images/<name>.
//   POST /imgbed/upload            Cloudflare ImgBed: `authCode` (when one is
//                                  configured) and `uploadNameType=origin` as
//                                  query parameters, optional `uploadFolder`,
//                                  multipart field `file`; answers
//                                  [{"src": "/file/<folder>/<name>"}].
//   PUT  /<bucket>/<object>        Aliyun OSS PutObject, path-style: checks
//                                  Date (within 15 minutes), Content-MD5
//                                  (when sent) and the V1 signature, which it
//                                  computes itself (oss_check.h); refuses with
//                                  OSS's error XML (SignatureDoesNotMatch,
//                                  InvalidAccessKeyId, NoSuchBucket, ...).
//                                  Links are the object's URL.
// Admin API:
//   POST /_fake/fail   {"provider": "smms"|"picgo"|"cloudflare_imgbed"|
//                      "aliyun_oss", "status": 503, "body": "...",
//                      "times": N (default 1; -1: until reset)}: the next
//                      uploads to that provider answer this instead.
//   POST /_fake/reset  forget uploads and failures.
//   GET  /_fake/uploads  [{"provider", "path" (the link's path), "filename",
//                      "content_type", "size", "query", "authorization"}].
// Thread-safe (httplib's worker threads).

#include <map>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "gempool/common/mutex.h"
#include "httplib.h"
#include "nlohmann/json.hpp"

namespace gempool::fake {

struct FakeImageHostOptions {
  std::string smms_token = "smms-token";
  std::string picgo_key = "picgo-key";
  std::string imgbed_auth_code = "imgbed-code";  // "": no authCode required.
  std::string oss_bucket = "gempool-img";
  std::string oss_access_key = "oss-ak";
  std::string oss_secret = "oss-secret";
};

class FakeImageHost {
 public:
  explicit FakeImageHost(FakeImageHostOptions options) : options_(std::move(options)) {}
  // Adds the routes to `server`.
  void Register(httplib::Server& server);

 private:
  struct Stored {
    std::string provider;
    std::string path;  // Where it is served: the link's path.
    std::string filename;
    std::string content_type;
    std::string bytes;
    std::string query;
    std::string authorization;
  };
  struct Failure {
    int status = 500;
    std::string body;
    int times = 1;
  };

  // The scripted failure for `provider`, if any (consumes one).
  bool TakeFailure(const std::string& provider, httplib::Response& res) ABSL_LOCKS_EXCLUDED(mu_);
  // Keeps an upload; returns its link on this server.
  std::string Keep(const httplib::Request& req, Stored stored) ABSL_LOCKS_EXCLUDED(mu_);
  // The link of an earlier upload of the same bytes to `provider`, or "".
  std::string FindSame(const std::string& provider, const std::string& bytes) ABSL_LOCKS_EXCLUDED(mu_);

  void Smms(const httplib::Request& req, httplib::Response& res);
  void Picgo(const httplib::Request& req, httplib::Response& res);
  void Imgbed(const httplib::Request& req, httplib::Response& res);
  void OssPut(const httplib::Request& req, httplib::Response& res);
  void Serve(const httplib::Request& req, httplib::Response& res);

  const FakeImageHostOptions options_;
  Mutex mu_;
  std::vector<Stored> stored_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, Failure> failures_ ABSL_GUARDED_BY(mu_);
  int next_name_ ABSL_GUARDED_BY(mu_) = 1;
};

}  // namespace gempool::fake
