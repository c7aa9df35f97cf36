#include "gempool/testing/prometheus_text.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace gempool::testing {

std::string FindProgram(const std::string& program) {
  const char* path = std::getenv("PATH");
  for (absl::string_view dir : absl::StrSplit(path != nullptr ? path : "/usr/bin:/bin", ':')) {
    const std::string candidate = absl::StrCat(dir, "/", program);
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

absl::Status PromtoolCheckMetrics(const std::string& text) {
  const std::string promtool = FindProgram("promtool");
  if (promtool.empty()) {
    return absl::FailedPreconditionError(
        "promtool is not installed: it comes with Debian's prometheus package (scripts/install-deps.sh --test, "
        "or apt-get install prometheus)");
  }
  char path[] = "/tmp/gempool_scrape_XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) return absl::InternalError("mkstemp failed");
  FILE* file = fdopen(fd, "w");
  std::fwrite(text.data(), 1, text.size(), file);
  std::fclose(file);
  FILE* pipe = popen(absl::StrCat(promtool, " check metrics < ", path, " 2>&1").c_str(), "r");
  std::string output;
  char buffer[4096];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, n);
  const int status = pclose(pipe);
  std::remove(path);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !output.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("promtool check metrics: ", output));
  }
  return absl::OkStatus();
}

double SampleValue(const std::string& scrape, const std::string& series) {
  for (absl::string_view line : absl::StrSplit(scrape, '\n')) {
    if (!absl::ConsumePrefix(&line, series) || !absl::ConsumePrefix(&line, " ")) continue;
    double value = 0;
    if (absl::SimpleAtod(line, &value)) return value;
  }
  return -1;
}

double SumOf(const std::string& scrape, const std::string& name) {
  double sum = 0;
  for (absl::string_view line : absl::StrSplit(scrape, '\n')) {
    if (!absl::ConsumePrefix(&line, name)) continue;
    if (absl::ConsumePrefix(&line, "{")) {
      const size_t close = line.rfind('}');
      if (close == absl::string_view::npos) continue;
      line.remove_prefix(close + 1);
    }
    double value = 0;
    if (absl::ConsumePrefix(&line, " ") && absl::SimpleAtod(line, &value)) sum += value;
  }
  return sum;
}

}  // namespace gempool::testing
