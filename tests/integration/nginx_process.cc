#include "gempool/testing/temp_files.h"
#include "integration/nginx_process.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "httplib.h"
#include "integration/raw_http.h"

namespace gempool::integration {
namespace {

std::string WithoutComments(const std::string& text) {
  std::string out;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    const size_t hash = line.find('#');
    absl::StrAppend(&out, line.substr(0, hash), "\n");
  }
  return out;
}

// One directive of a block: "name args;" or "name args { body }".
struct Directive {
  std::string head;  // Name and arguments, whitespace-trimmed.
  std::string body;  // Inside the braces; empty for a simple directive.
  bool block = false;
  std::string Name() const { return std::string(head.substr(0, head.find_first_of(" \t\n"))); }
  std::string Text() const { return block ? absl::StrCat(head, " {", body, "}") : absl::StrCat(head, ";"); }
};

// The directives of a block's body, in order (no quoting in the deploy file).
absl::StatusOr<std::vector<Directive>> Directives(absl::string_view text) {
  std::vector<Directive> out;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == ';') {
      Directive d;
      d.head = std::string(absl::StripAsciiWhitespace(text.substr(start, i - start)));
      out.push_back(std::move(d));
      start = i + 1;
    } else if (text[i] == '{') {
      int depth = 1;
      size_t j = i + 1;
      for (; j < text.size() && depth > 0; ++j) {
        if (text[j] == '{') ++depth;
        if (text[j] == '}') --depth;
      }
      if (depth != 0) return absl::InvalidArgumentError("unbalanced braces in the nginx config");
      Directive d;
      d.head = std::string(absl::StripAsciiWhitespace(text.substr(start, i - start)));
      d.body = std::string(text.substr(i + 1, j - 1 - (i + 1)));
      d.block = true;
      out.push_back(std::move(d));
      i = j - 1;
      start = j;
    }
  }
  if (!absl::StripAsciiWhitespace(text.substr(start)).empty()) {
    return absl::InvalidArgumentError("a directive without ';' at the end of the nginx config");
  }
  return out;
}

}  // namespace

absl::StatusOr<std::string> NginxTestConfig(const std::string& deploy_conf, const std::vector<int>& gateway_ports,
                                            int listen_port, const std::string& dir) {
  absl::StatusOr<std::vector<Directive>> top = Directives(WithoutComments(deploy_conf));
  if (!top.ok()) return top.status();
  std::string upstream;
  std::string server;
  for (const Directive& d : *top) {
    if (d.Name() == "resolver") continue;  // Docker's DNS.
    if (d.block && absl::StartsWith(d.head, "upstream")) {
      absl::StatusOr<std::vector<Directive>> inner = Directives(d.body);
      if (!inner.ok()) return inner.status();
      std::string params;
      std::vector<std::string> kept;
      bool has_server = false;
      for (const Directive& u : *inner) {
        if (u.Name() == "server") {
          has_server = true;
          std::vector<std::string> words = absl::StrSplit(u.head, absl::ByAnyChar(" \t\n"), absl::SkipEmpty());
          for (size_t i = 2; i < words.size(); ++i) {
            if (words[i] != "resolve") absl::StrAppend(&params, " ", words[i]);
          }
        } else {
          kept.push_back(u.Text());
        }
      }
      if (!has_server) return absl::InvalidArgumentError("the deploy nginx config's upstream has no server line");
      upstream = absl::StrCat(d.head, " {\n");
      for (int port : gateway_ports) absl::StrAppend(&upstream, "    server 127.0.0.1:", port, params, ";\n");
      for (const std::string& k : kept) absl::StrAppend(&upstream, "    ", k, "\n");
      absl::StrAppend(&upstream, "  }\n");
    } else if (d.block && d.head == "server") {
      absl::StatusOr<std::vector<Directive>> inner = Directives(d.body);
      if (!inner.ok()) return inner.status();
      server = absl::StrCat("server {\n    listen 127.0.0.1:", listen_port, ";\n");
      for (const Directive& s : *inner) {
        if (s.Name() != "listen") absl::StrAppend(&server, "    ", s.Text(), "\n");
      }
      absl::StrAppend(&server, "  }\n");
    } else {
      return absl::InvalidArgumentError(absl::StrCat("unexpected top-level directive in the nginx config: ", d.head));
    }
  }
  if (upstream.empty() || server.empty()) {
    return absl::InvalidArgumentError("the deploy nginx config needs an upstream block and a server block");
  }
  std::string conf = absl::StrCat("daemon off;\nworker_processes 1;\npid ", dir, "/nginx.pid;\nerror_log ", dir,
                                  "/error.log info;\n");
  if (geteuid() == 0) absl::StrAppend(&conf, "user root;\n");
  absl::StrAppend(&conf, "events { worker_connections 4096; }\nhttp {\n");
  absl::StrAppend(&conf, "  log_format gempool_test '$http_x_request_id $status $upstream_addr $upstream_status';\n");
  absl::StrAppend(&conf, "  access_log ", dir, "/access.log gempool_test;\n");
  for (const char* temp : {"client_body", "proxy", "fastcgi", "uwsgi", "scgi"}) {
    absl::StrAppend(&conf, "  ", temp, "_temp_path ", dir, "/tmp-", temp, ";\n");
  }
  absl::StrAppend(&conf, "  add_header X-Gempool-Upstream $upstream_addr always;\n");
  absl::StrAppend(&conf, "  ", upstream, "  ", server, "}\n");
  return conf;
}

absl::StatusOr<std::unique_ptr<NginxProcess>> NginxProcess::Start(const std::string& deploy_conf_path,
                                                                  const std::vector<int>& gateway_ports,
                                                                  const std::string& dir) {
  const std::string deploy_conf = testing::ReadWholeFile(deploy_conf_path);
  if (deploy_conf.empty()) return absl::NotFoundError(absl::StrCat("cannot read ", deploy_conf_path));
  std::filesystem::create_directories(dir);
  const int port = testing::FreePort();
  absl::StatusOr<std::string> conf = NginxTestConfig(deploy_conf, gateway_ports, port, dir);
  if (!conf.ok()) return conf.status();
  const std::string conf_path = dir + "/nginx.conf";
  std::ofstream(conf_path) << *conf;
  auto process = gempool::testing::Subprocess::Start({kNginxBinary, "-p", dir, "-c", conf_path, "-e", dir + "/error.log"}, {},
                                            dir, dir + "/nginx.out");
  if (!process.ok()) return process.status();
  std::unique_ptr<NginxProcess> nginx(new NginxProcess(*std::move(process), port, dir));
  const bool up = gempool::testing::WaitFor(
      [&] {
        if (!nginx->process_.Running()) return true;
        httplib::Client client("127.0.0.1", port);
        client.set_connection_timeout(1, 0);
        auto r = client.Get("/health");
        return r && r->status == 200;
      },
      10000);
  if (!up || !nginx->process_.Running()) {
    return absl::UnavailableError(absl::StrCat("nginx did not start or did not reach the gateways; config:\n", *conf,
                                               "\nerror log:\n", nginx->ErrorLog(), nginx->process_.Output()));
  }
  return nginx;
}

NginxProcess::~NginxProcess() { process_.Stop(5000); }

std::string NginxProcess::AccessLog() const { return testing::ReadWholeFile(dir_ + "/access.log"); }
std::string NginxProcess::ErrorLog() const { return testing::ReadWholeFile(dir_ + "/error.log"); }

}  // namespace gempool::integration
