#pragma once
// How Gemini's thought signatures travel through a Responses API client.
//
// Gemini 3 rejects a tool-call history whose calls lost their
// thoughtSignature, and Gemini 2.5 reasons better with them. A stateless
// Responses client (Codex with `store: false`) asks for
// `include: ["reasoning.encrypted_content"]` and sends every output item back
// as input on the next call, reasoning items included. So gempool puts each
// Gemini signature in the `encrypted_content` of a reasoning item, tagged so
// that the request converter knows which Gemini part it belongs to and never
// sends OpenAI's own encrypted reasoning (from another upstream) to Gemini:
//
//   "gempool.r1." <anchor> "." <Gemini's signature, verbatim>
//
// <anchor> says where the signature goes back in the model turn:
//   'n' next:     on the first part built after this reasoning item (the
//                 function_call or message that follows it).
//   'p' previous: on the last part built before it (a text part whose
//                 signature came with or after its text).
//   'o' own:      the reasoning item is itself the part: replayed as
//                 {text: <summary text>, thought: true, thoughtSignature}.
// The signature is not encrypted: Gemini's signatures are opaque to clients
// already, and the name is OpenAI's. Pure functions; thread-safe.

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "gempool/openai/signature_tag.h"

namespace gempool::responses {

using openai::SignatureAnchor;
using openai::TaggedSignature;

// "gempool.r1.n.<sig>" etc.
std::string EncodeReasoningContent(SignatureAnchor anchor, absl::string_view gemini_signature);

// The anchor and signature of a value EncodeReasoningContent made; nullopt
// for anything else (OpenAI's encrypted reasoning, empty or malformed text).
std::optional<TaggedSignature> DecodeReasoningContent(absl::string_view encrypted_content);

}  // namespace gempool::responses
