#include "gempool/gemini/file_refs.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace gempool::gemini {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Optional;

TEST(FileNameFromUriTest, AcceptsGoogleUrisAnyHostAndBareNames) {
  EXPECT_THAT(FileNameFromUri("https://generativelanguage.googleapis.com/v1beta/files/abc-123"),
              Optional(std::string("files/abc-123")));
  EXPECT_THAT(FileNameFromUri("https://generativelanguage.googleapis.com/v1/files/abc"),
              Optional(std::string("files/abc")));
  EXPECT_THAT(FileNameFromUri("http://127.0.0.1:8000/gemini/v1alpha/files/x9?alt=media"),
              Optional(std::string("files/x9")));
  EXPECT_THAT(FileNameFromUri("files/abc"), Optional(std::string("files/abc")));
  EXPECT_THAT(FileNameFromUri(" files/abc "), Optional(std::string("files/abc")));
}

TEST(FileNameFromUriTest, RefusesWhatIsNotAFile) {
  for (const char* uri : {"", "files/", "files/a/b", "files/a b", "gs://bucket/files/abc",
                          "https://www.youtube.com/watch?v=abc", "https://example.com/files/abc",
                          "https://example.com/v1beta/files/", "https:///v1beta/files/abc",
                          "https://h/v1beta/files/abc/download", "cachedContents/abc", "ftp://h/v1beta/files/a"}) {
    EXPECT_EQ(FileNameFromUri(uri), std::nullopt) << uri;
  }
  EXPECT_EQ(FileNameFromUri("files/" + std::string(129, 'a')), std::nullopt);
}

TEST(ReferencedFileNamesTest, FindsFileDataInEitherCaseAnywhere) {
  const std::string body = R"({
    "systemInstruction": {"parts": [{"file_data": {"file_uri": "files/sys"}}]},
    "contents": [
      {"role": "user", "parts": [
        {"text": "see files/not-this-one"},
        {"fileData": {"mimeType": "text/plain", "fileUri": "https://generativelanguage.googleapis.com/v1beta/files/b2"}},
        {"fileData": {"fileUri": "files/a1", "mimeType": "image/png"}},
        {"fileData": {"fileUri": "https://www.youtube.com/watch?v=x"}},
        {"inlineData": {"mimeType": "image/png", "data": "ZmlsZXMvbm8="}}
      ]},
      {"role": "model", "parts": [{"fileData": {"fileUri": "files/a1"}}]}
    ]})";
  EXPECT_THAT(ReferencedFileNames(body), ElementsAre("files/a1", "files/b2", "files/sys"));
}

TEST(ReferencedFileNamesTest, CountTokensWrapperAndNestedShapes) {
  EXPECT_THAT(ReferencedFileNames(
                  R"({"generateContentRequest":{"model":"models/x","contents":[{"parts":[{"fileData":{"fileUri":"files/q"}}]}]}})"),
              ElementsAre("files/q"));
}

TEST(ReferencedFileNamesTest, IgnoresFileUriOutsideFileDataAndNonStrings) {
  EXPECT_THAT(ReferencedFileNames(R"({"fileUri":"files/a","x":{"fileData":{"fileUri":7}}})"), IsEmpty());
  EXPECT_THAT(ReferencedFileNames(R"({"fileData":{"other":{"fileUri":"files/a"}}})"), IsEmpty());
  EXPECT_THAT(ReferencedFileNames(R"({"fileData":[{"fileUri":"files/a"}]})"), IsEmpty());
}

TEST(ReferencedFileNamesTest, AnyBytesAreSafe) {
  EXPECT_THAT(ReferencedFileNames(""), IsEmpty());
  EXPECT_THAT(ReferencedFileNames("files/abc"), IsEmpty()) << "not JSON";
  EXPECT_THAT(ReferencedFileNames(R"({"fileData":{"fileUri":"files/a"}, broken)"), ElementsAre("files/a"))
      << "what was read before the error";
  EXPECT_THAT(ReferencedFileNames(std::string(100000, '[') + "\"files/a\""), IsEmpty()) << "deep nesting";
  EXPECT_THAT(ReferencedFileNames("{\"fileData\":{\"fileUri\":\"files/\xff\"}}"), IsEmpty());
  EXPECT_FALSE(MayReferToFiles(R"({"contents":[]})"));
  EXPECT_TRUE(MayReferToFiles(R"({"x":"files/"})"));
}

}  // namespace
}  // namespace gempool::gemini
