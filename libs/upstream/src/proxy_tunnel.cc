#include "proxy_tunnel.h"

#include <memory>
#include <utility>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "absl/strings/str_cat.h"
#include "proxy_handshake.h"

namespace gempool::upstream {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;

// The longest CONNECT answer head accepted.
constexpr size_t kMaxConnectHead = 16 * 1024;

// One handshake; each step keeps it alive through its handler.
class Tunnel : public std::enable_shared_from_this<Tunnel> {
 public:
  Tunnel(asio::ip::tcp::socket& socket, const Strand& strand, const gemini::ProxyUrl& proxy, std::string host,
         int port, std::function<void(absl::Status)> done)
      : socket_(socket), strand_(strand), proxy_(proxy), host_(std::move(host)), port_(port),
        done_(std::move(done)) {}

  void Start() {
    if (proxy_.IsSocks5()) {
      Write(Socks5Greeting(!proxy_.username.empty()), [](Tunnel& t) { t.Read(2, &Tunnel::OnMethodChoice); });
    } else {
      Write(HttpConnectRequest(host_, port_, proxy_.username, proxy_.password),
            [](Tunnel& t) { t.ReadConnectHead(); });
    }
  }

 private:
  using Step = void (*)(Tunnel&);
  using ReadStep = void (Tunnel::*)();

  const char* Kind() const { return proxy_.IsSocks5() ? "SOCKS5" : "HTTP"; }

  void Finish(absl::Status status) {
    if (!done_) return;
    auto done = std::move(done_);
    done_ = nullptr;
    done(std::move(status));
  }

  void Broken(const error_code& ec) {
    Finish(absl::UnavailableError(absl::StrCat("the connection to the ", Kind(), " proxy broke during its handshake: ",
                                               ec == asio::error::eof ? "closed by the proxy" : ec.message())));
  }

  void Write(std::string bytes, Step next) {
    out_ = std::move(bytes);
    asio::async_write(socket_, asio::buffer(out_),
                      asio::bind_executor(strand_, [self = shared_from_this(), next](const error_code& ec, size_t) {
                        if (ec) return self->Broken(ec);
                        next(*self);
                      }));
  }

  // Reads exactly `n` more bytes onto in_.
  void Read(size_t n, ReadStep next) {
    const size_t have = in_.size();
    in_.resize(have + n);
    asio::async_read(socket_, asio::buffer(&in_[have], n),
                     asio::bind_executor(strand_, [self = shared_from_this(), next](const error_code& ec, size_t) {
                       if (ec) return self->Broken(ec);
                       ((*self).*next)();
                     }));
  }

  void ReadConnectHead() {
    const size_t have = in_.size();
    in_.resize(have + 1024);
    socket_.async_read_some(
        asio::buffer(&in_[have], 1024),
        asio::bind_executor(strand_, [self = shared_from_this(), have](const error_code& ec, size_t n) {
          self->in_.resize(have + n);
          if (ec) return self->Broken(ec);
          self->OnConnectBytes();
        }));
  }

  void OnConnectBytes() {
    const size_t end = in_.find("\r\n\r\n");
    if (end == std::string::npos) {
      if (in_.size() > kMaxConnectHead) {
        return Finish(absl::InternalError("the HTTP proxy's answer to CONNECT is too long"));
      }
      return ReadConnectHead();
    }
    absl::Status status = ParseHttpConnectResponse(in_.substr(0, end + 4), !proxy_.username.empty());
    // The server speaks only after the client has (TLS ClientHello); bytes
    // here would be lost to the TLS layer.
    if (status.ok() && end + 4 != in_.size()) {
      status = absl::InternalError("the HTTP proxy sent data through the tunnel before it was used");
    }
    Finish(std::move(status));
  }

  void OnMethodChoice() {
    absl::StatusOr<Socks5Method> method = ParseSocks5MethodChoice(in_, !proxy_.username.empty());
    in_.clear();
    if (!method.ok()) return Finish(method.status());
    if (*method == Socks5Method::kNoAuth) return SendConnect();
    absl::StatusOr<std::string> auth = Socks5PasswordRequest(proxy_.username, proxy_.password);
    if (!auth.ok()) return Finish(auth.status());
    Write(*std::move(auth), [](Tunnel& t) { t.Read(2, &Tunnel::OnPasswordReply); });
  }

  void OnPasswordReply() {
    absl::Status status = ParseSocks5PasswordReply(in_);
    in_.clear();
    if (!status.ok()) return Finish(std::move(status));
    SendConnect();
  }

  void SendConnect() {
    absl::StatusOr<std::string> request = Socks5ConnectRequest(host_, port_);
    if (!request.ok()) return Finish(request.status());
    Write(*std::move(request), [](Tunnel& t) { t.Read(kSocks5ReplyPrefixSize, &Tunnel::OnReplyPrefix); });
  }

  void OnReplyPrefix() {
    absl::StatusOr<size_t> size = Socks5ConnectReplySize(in_);
    if (!size.ok()) return Finish(size.status());
    // A refusal is final whatever address follows; do not wait for it.
    if (in_[1] != 0 || *size <= in_.size()) return Finish(ParseSocks5ConnectReply(in_));
    Read(*size - in_.size(), &Tunnel::OnReply);
  }

  void OnReply() { Finish(ParseSocks5ConnectReply(in_)); }

  asio::ip::tcp::socket& socket_;
  Strand strand_;
  const gemini::ProxyUrl proxy_;
  const std::string host_;
  const int port_;
  std::function<void(absl::Status)> done_;
  std::string out_;
  std::string in_;
};

}  // namespace

void AsyncOpenTunnel(asio::ip::tcp::socket& socket, const Strand& strand, const gemini::ProxyUrl& proxy,
                     const std::string& host, int port, std::function<void(absl::Status)> done) {
  std::make_shared<Tunnel>(socket, strand, proxy, host, port, std::move(done))->Start();
}

}  // namespace gempool::upstream
