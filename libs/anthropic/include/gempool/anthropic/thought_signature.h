#pragma once
// How Gemini's thought signatures travel through an Anthropic client.
//
// Gemini 3 rejects a tool-call history whose calls lost their
// thoughtSignature, and Gemini 2.5 reasons better when it gets them back. An
// Anthropic client echoes `thinking` blocks verbatim (signature included) on
// the next turn, so gempool puts each Gemini signature in the `signature` of
// a thinking block, tagged so that (a) the request converter knows which part
// it belongs to, and (b) a real Claude signature is never sent to Gemini (nor
// a gempool one to Anthropic, where it would simply fail to verify):
//
//   "gempool.1." <anchor> "." <Gemini's signature, verbatim>
//
// <anchor> says where the signature goes back in the model turn:
//   'n' next:     on the first part built after this thinking block (a
//                 functionCall, or text); emitted right before a tool_use
//                 block (or closing the thinking block that precedes it).
//   'p' previous: on the last part built before it (a text part whose
//                 signature arrived after its text was streamed).
//   'o' own:      the thinking block is itself the part: replayed as
//                 {text: <thinking text>, thought: true, thoughtSignature}
//                 (a thought summary or a signature-only part).
// Pure functions; thread-safe.

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "gempool/openai/signature_tag.h"

namespace gempool::anthropic {

using openai::SignatureAnchor;
using openai::TaggedSignature;

// "gempool.1.n.<sig>" etc.
std::string TagSignature(SignatureAnchor anchor, absl::string_view gemini_signature);

// The anchor and Gemini signature of a tagged value; nullopt for anything
// else (a Claude signature, an empty or malformed value).
std::optional<TaggedSignature> ParseTaggedSignature(absl::string_view signature);

}  // namespace gempool::anthropic
