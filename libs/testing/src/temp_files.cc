#include "gempool/testing/temp_files.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace gempool::testing {

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string MakeTempDir(const std::string& prefix) {
  std::string pattern = (std::filesystem::temp_directory_path() / (prefix + "XXXXXX")).string();
  char* made = mkdtemp(pattern.data());
  return made != nullptr ? std::string(made) : std::string();
}

std::string TailsOfFiles(const std::vector<std::string>& paths, size_t max_bytes_each) {
  std::string out;
  for (const std::string& path : paths) {
    std::string text = ReadWholeFile(path);
    if (text.size() > max_bytes_each) {
      text = absl::StrCat("[... ", text.size() - max_bytes_each, " bytes cut ...]\n",
                          text.substr(text.size() - max_bytes_each));
    }
    absl::StrAppend(&out, "---- ", path, " ----\n", text, "\n");
  }
  return out;
}

bool AcceptsTcp(const std::string& ipv4_address, int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, ipv4_address.c_str(), &addr.sin_addr) != 1) return false;
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

}  // namespace gempool::testing
