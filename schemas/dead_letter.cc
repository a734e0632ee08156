#include "schemas/dead_letter.h"

#include <rapidjson/stringbuffer.h>

#include "schemas/json_writer.h"
#include "schemas/text.h"

namespace newsflow::schemas {

std::string DeadLetterJson(const DeadLetter& letter) {
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  w.StartObject();
  WriteKey(w, "schema");
  WriteLiteral(w, "newsflow.dead_letter.v1");
  WriteKey(w, "error");
  w.StartObject();
  WriteKey(w, "stage");
  WriteString(w, letter.status.stage());
  WriteKey(w, "class");
  WriteString(w, CodeName(letter.status.code()));
  WriteKey(w, "message");
  WriteString(w, letter.status.message());
  w.EndObject();
  WriteKey(w, "origin");
  WriteOriginJson(w, letter.record.origin);
  WriteKey(w, "original");
  w.StartObject();
  WriteKey(w, "base64");
  WriteString(w, Base64Encode(letter.record.value));
  WriteKey(w, "size");
  w.Uint64(letter.record.value.size());
  WriteKey(w, "key_base64");
  if (letter.record.key) {
    WriteString(w, Base64Encode(*letter.record.key));
  } else {
    w.Null();
  }
  w.EndObject();
  WriteKey(w, "article_id");
  if (letter.article_id.empty()) {
    w.Null();
  } else {
    WriteString(w, letter.article_id);
  }
  WriteKey(w, "dead_lettered_at");
  WriteString(w, FormatRfc3339(letter.at_ms));
  w.EndObject();
  return std::string(sb.GetString(), sb.GetSize());
}

std::vector<Header> DeadLetterHeaders(const DeadLetter& letter) {
  std::vector<Header> headers = letter.record.headers;
  const Origin& o = letter.record.origin;
  const Status& status = letter.status;
  headers.push_back({"newsflow.error.stage", status.stage()});
  headers.push_back({"newsflow.error.class", std::string(CodeName(status.code()))});
  headers.push_back({"newsflow.error.message", status.message()});
  headers.push_back({"newsflow.error.topic", o.topic});
  headers.push_back({"newsflow.error.partition", std::to_string(o.partition)});
  headers.push_back({"newsflow.error.offset", std::to_string(o.offset)});
  headers.push_back({"newsflow.error.timestamp", std::to_string(o.timestamp_ms)});
  if (!letter.article_id.empty()) {
    headers.push_back({"newsflow.error.article_id", std::string(letter.article_id)});
  }
  return headers;
}

}  // namespace newsflow::schemas
