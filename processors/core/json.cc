#include "processors/core/json.h"

#include "schemas/text.h"

namespace newsflow::core {

void WriteOriginJson(JsonWriter& w, const Origin& origin) {
  w.StartObject();
  w.Key("kind");
  switch (origin.kind) {
    case Origin::Kind::kKafka:
      w.String("kafka");
      w.Key("topic");
      WriteString(w, origin.topic);
      w.Key("partition");
      w.Int(origin.partition);
      w.Key("offset");
      w.Int64(origin.offset);
      w.Key("timestamp");
      if (origin.timestamp_ms >= 0) {
        WriteString(w, schemas::FormatRfc3339(origin.timestamp_ms));
      } else {
        w.Null();
      }
      break;
    case Origin::Kind::kFile:
      w.String("file");
      w.Key("file");
      WriteString(w, origin.file);
      w.Key("line");
      w.Int64(origin.line);
      break;
    case Origin::Kind::kStdin:
      w.String("stdin");
      w.Key("line");
      w.Int64(origin.line);
      break;
  }
  w.EndObject();
}

std::string EncodeDeadLetterJson(const RawRecord& record, const Status& status,
                                 std::string_view article_id, int64_t now_ms) {
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  w.StartObject();
  w.Key("schema");
  w.String("newsflow.dead_letter.v1");
  w.Key("error");
  w.StartObject();
  w.Key("stage");
  WriteString(w, status.stage());
  w.Key("class");
  WriteString(w, CodeName(status.code()));
  w.Key("message");
  WriteString(w, status.message());
  w.EndObject();
  w.Key("origin");
  WriteOriginJson(w, record.origin);
  w.Key("original");
  w.StartObject();
  w.Key("base64");
  WriteString(w, schemas::Base64Encode(record.value));
  w.Key("size");
  w.Uint64(record.value.size());
  w.Key("key_base64");
  if (record.key) {
    WriteString(w, schemas::Base64Encode(*record.key));
  } else {
    w.Null();
  }
  w.EndObject();
  w.Key("article_id");
  if (article_id.empty()) {
    w.Null();
  } else {
    WriteString(w, article_id);
  }
  w.Key("dead_lettered_at");
  WriteString(w, schemas::FormatRfc3339(now_ms));
  w.EndObject();
  return std::string(sb.GetString(), sb.GetSize());
}

}  // namespace newsflow::core
