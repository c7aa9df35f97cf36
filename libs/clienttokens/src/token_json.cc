#include "gempool/clienttokens/token_json.h"

#include <string>

namespace gempool::clienttokens {

nlohmann::json ClientTokenJson(const v1::ClientToken& token, int64_t now_ms) {
  nlohmann::json models = nlohmann::json::array();
  for (const std::string& model : token.limits().allowed_models()) models.push_back(model);
  return {{"id", token.id()},
          {"name", token.name()},
          {"token_id", token.token_id()},
          {"secret_prefix", token.secret_prefix()},
          {"created_at_ms", token.created_at_ms()},
          {"updated_at_ms", token.updated_at_ms()},
          {"expires_at_ms", token.expires_at_ms()},
          {"expired", token.expires_at_ms() > 0 && now_ms >= token.expires_at_ms()},
          {"disabled", token.disabled()},
          {"limits",
           {{"requests_per_minute", token.limits().requests_per_minute()},
            {"tokens_per_day", token.limits().tokens_per_day()},
            {"allowed_models", models}}}};
}

}  // namespace gempool::clienttokens
