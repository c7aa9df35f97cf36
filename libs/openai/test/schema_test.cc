// Schema handling: JSON Schema passthrough with light normalisation, and the
// OpenAPI-subset translation (protocol.md §1.3, §6.12).

#include "gempool/openai/schema.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gempool/testing/status_matchers.h"
#include "test_json.h"

namespace gempool::openai {
namespace {

using ::gempool::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::J;

nlohmann::json MustTranslate(const nlohmann::json& schema, std::vector<std::string>* dropped = nullptr) {
  std::vector<std::string> ignored;
  auto translated = ToOpenApiSchema(schema, "s", dropped != nullptr ? dropped : &ignored);
  EXPECT_TRUE(translated.ok()) << translated.status();
  return translated.ok() ? *translated : nlohmann::json();
}

TEST(SchemaTest, JsonSchemaDialectKeepsEverythingButSchemaUri) {
  nlohmann::json schema = J(R"({"$schema":"x","type":"object","properties":{"a":{"const":1}},
                                 "additionalProperties":false})");
  auto prepared = PrepareToolParameters(schema, SchemaDialect::kJsonSchema, "p");
  ASSERT_TRUE(prepared.ok()) << prepared.status();
  EXPECT_EQ(prepared->field, "parametersJsonSchema");
  EXPECT_EQ(*prepared->schema, J(R"({"type":"object","properties":{"a":{"const":1}},"additionalProperties":false})"));
  EXPECT_TRUE(prepared->warnings.empty());
}

TEST(SchemaTest, ToolParametersWithoutTypeBecomeObjects) {
  auto prepared = PrepareToolParameters(J(R"({"properties":{"a":{"type":"string"}}})"), SchemaDialect::kJsonSchema, "p");
  ASSERT_TRUE(prepared.ok());
  EXPECT_EQ((*prepared->schema)["type"], "object");
}

TEST(SchemaTest, EmptyToolParametersAreOmitted) {
  for (const char* text : {R"({})", R"({"type":"object","properties":{},"required":[],"additionalProperties":false})",
                           "true"}) {
    auto prepared = PrepareToolParameters(J(text), SchemaDialect::kJsonSchema, "p");
    ASSERT_TRUE(prepared.ok()) << text;
    EXPECT_FALSE(prepared->schema.has_value()) << text;
  }
}

TEST(SchemaTest, BadToolParametersAreRejected) {
  EXPECT_THAT(PrepareToolParameters(J(R"("object")"), SchemaDialect::kJsonSchema, "tools[0].function.parameters"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("tools[0].function.parameters must be a JSON Schema object, got string")));
  EXPECT_THAT(PrepareToolParameters(J(R"({"type":"array"})"), SchemaDialect::kJsonSchema, "p"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("must describe an object")));
}

TEST(SchemaTest, ResponseSchemaFieldsPerDialect) {
  auto json_schema = PrepareResponseSchema(J(R"({"type":"array","items":{"type":"string"}})"),
                                           SchemaDialect::kJsonSchema, "r");
  ASSERT_TRUE(json_schema.ok());
  EXPECT_EQ(json_schema->field, "responseJsonSchema");
  auto open_api = PrepareResponseSchema(J(R"({"type":"array","items":{"type":"string"}})"),
                                        SchemaDialect::kOpenApiSubset, "r");
  ASSERT_TRUE(open_api.ok());
  EXPECT_EQ(open_api->field, "responseSchema");
  EXPECT_EQ(*open_api->schema, J(R"({"type":"ARRAY","items":{"type":"STRING"}})"));
}

TEST(SchemaTest, TypeUnionsBecomeNullableOrAnyOf) {
  EXPECT_EQ(MustTranslate(J(R"({"type":["string","null"]})")), J(R"({"type":"STRING","nullable":true})"));
  EXPECT_EQ(MustTranslate(J(R"({"type":["string","integer"]})")),
            J(R"({"anyOf":[{"type":"STRING"},{"type":"INTEGER"}]})"));
  EXPECT_EQ(MustTranslate(J(R"({"anyOf":[{"type":"number"},{"type":"null"}],"description":"d"})")),
            J(R"({"type":"NUMBER","nullable":true,"description":"d"})"));
  EXPECT_EQ(MustTranslate(J(R"({"oneOf":[{"type":"string"},{"type":"boolean"}]})")),
            J(R"({"anyOf":[{"type":"STRING"},{"type":"BOOLEAN"}]})"));
}

TEST(SchemaTest, LocalRefsAreInlined) {
  nlohmann::json schema = J(R"({"type":"object","properties":{"pet":{"$ref":"#/$defs/Pet","description":"the pet"},
      "owner":{"$ref":"#/definitions/Person"}},
      "$defs":{"Pet":{"type":"object","properties":{"name":{"type":"string"}}}},
      "definitions":{"Person":{"type":"string"}}})");
  EXPECT_EQ(MustTranslate(schema), J(R"({"type":"OBJECT","properties":{
      "pet":{"type":"OBJECT","description":"the pet","properties":{"name":{"type":"STRING"}}},
      "owner":{"type":"STRING"}}})"));
}

TEST(SchemaTest, RecursiveRefsStopAtADepthLimit) {
  nlohmann::json schema = J(R"({"$defs":{"Node":{"type":"object","properties":{"next":{"$ref":"#/$defs/Node"}}}},
                                 "$ref":"#/$defs/Node"})");
  std::vector<std::string> dropped;
  nlohmann::json out = MustTranslate(schema, &dropped);
  EXPECT_EQ(out["type"], "OBJECT");
  EXPECT_THAT(dropped, ::testing::Contains(HasSubstr("recursive")));
}

// Found by fuzzing: two references to the root per level doubled the tree
// down to the depth limit (2^32 nodes); the expansion now has a size limit.
TEST(SchemaTest, RefsThatDoubleEveryLevelStopAtASizeLimit) {
  nlohmann::json schema = J(R"({"type":"object","properties":{
      "a":{"type":"array","items":{"$ref":"#"}},"b":{"type":"array","items":{"$ref":"#"}}}})");
  std::vector<std::string> dropped;
  nlohmann::json out = MustTranslate(schema, &dropped);
  EXPECT_EQ(out["type"], "OBJECT");
  EXPECT_EQ(out["properties"]["a"]["items"]["type"], "OBJECT");
  EXPECT_LT(out.dump().size(), 1000000u);
  EXPECT_THAT(dropped, ::testing::Contains(HasSubstr("too large")));
}

TEST(SchemaTest, ConstEnumsBoundsAndFormats) {
  EXPECT_EQ(MustTranslate(J(R"({"const":"fixed"})")), J(R"({"type":"STRING","enum":["fixed"]})"));
  EXPECT_EQ(MustTranslate(J(R"({"type":"string","enum":["a",null]})")),
            J(R"({"type":"STRING","enum":["a"],"nullable":true})"));
  EXPECT_EQ(MustTranslate(J(R"({"type":"integer","enum":[1,2]})")),
            J(R"({"type":"INTEGER","description":"Allowed values: 1, 2."})"));
  EXPECT_EQ(MustTranslate(J(R"({"type":"number","exclusiveMinimum":0,"exclusiveMaximum":10})")),
            J(R"({"type":"NUMBER","minimum":0,"maximum":10})"));
  std::vector<std::string> dropped;
  EXPECT_EQ(MustTranslate(J(R"({"type":"string","format":"email","examples":["a@b.c"]})"), &dropped),
            J(R"({"type":"STRING","example":"a@b.c"})"));
  EXPECT_THAT(dropped, ElementsAre("format 'email'"));
  EXPECT_EQ(MustTranslate(J(R"({"type":"string","format":"date-time"})")),
            J(R"({"type":"STRING","format":"date-time"})"));
}

TEST(SchemaTest, AllOfIsMerged) {
  EXPECT_EQ(MustTranslate(J(R"({"allOf":[{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]},
                                         {"properties":{"b":{"type":"integer"}},"required":["b"]}]})")),
            J(R"({"type":"OBJECT","properties":{"a":{"type":"STRING"},"b":{"type":"INTEGER"}},"required":["a","b"]})"));
}

TEST(SchemaTest, UnsupportedKeywordsAreReported) {
  std::vector<std::string> dropped;
  nlohmann::json out = MustTranslate(J(R"({"$schema":"x","type":"object","additionalProperties":{"type":"string"},
      "propertyNames":{"pattern":"^a"},"properties":{"t":{"type":"array","items":[{"type":"string"}],
      "uniqueItems":true}},"if":{},"then":{}})"),
                                     &dropped);
  EXPECT_EQ(out, J(R"({"type":"OBJECT","properties":{"t":{"type":"ARRAY","items":{"type":"STRING"}}}})"));
  EXPECT_THAT(dropped, ElementsAre("additionalProperties", "if", "items (tuple form)", "propertyNames", "then",
                                   "uniqueItems"));
}

}  // namespace
}  // namespace gempool::openai
