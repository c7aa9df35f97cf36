#pragma once
// Which Files API files ("files/<id>") a Gemini request refers to. Google
// binds an uploaded file to the project of the key that uploaded it, so the
// gateway must send a request naming one on that key (the Files API's key
// affinity). A file is named by a part's fileData.fileUri (file_data.file_uri
// in snake case, which Google also accepts) anywhere in the body
// (contents, systemInstruction, a countTokens generateContentRequest, ...),
// as Google's URI "https://generativelanguage.googleapis.com/v1beta/files/<id>"
// (any host and API version: a proxy's own URI works as well) or as the bare
// name "files/<id>". Other URIs (YouTube, gs://, https images) are not files.
//
// Pure; thread-safe. Any bytes are handled: a body that is not JSON names no
// file (the upstream will refuse it anyway).

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace gempool::gemini {

// Cheap pre-check: false when `body` cannot name a file (no "files/" in it).
bool MayReferToFiles(absl::string_view body);

// "files/<id>" for a file URI or name as above; nullopt for anything else.
std::optional<std::string> FileNameFromUri(absl::string_view uri);

// The files `body` names, sorted, each once. Reads the body as a stream
// (no document is built: a body with megabytes of inline data costs no
// copy of it), with no limit on nesting depth.
std::vector<std::string> ReferencedFileNames(absl::string_view body);

}  // namespace gempool::gemini
