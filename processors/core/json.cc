#include "processors/core/json.h"

#include "schemas/text.h"

namespace newsflow::core {

void WriteOriginJson(JsonWriter& w, const Origin& origin) {
  w.StartObject();
  WriteKey(w, "kind");
  switch (origin.kind) {
    case Origin::Kind::kKafka:
      WriteLiteral(w, "kafka");
      WriteKey(w, "topic");
      WriteString(w, origin.topic);
      WriteKey(w, "partition");
      w.Int(origin.partition);
      WriteKey(w, "offset");
      w.Int64(origin.offset);
      WriteKey(w, "timestamp");
      if (origin.timestamp_ms >= 0) {
        WriteString(w, schemas::FormatRfc3339(origin.timestamp_ms));
      } else {
        w.Null();
      }
      break;
    case Origin::Kind::kFile:
      WriteLiteral(w, "file");
      WriteKey(w, "file");
      WriteString(w, origin.file);
      WriteKey(w, "line");
      w.Int64(origin.line);
      break;
    case Origin::Kind::kStdin:
      WriteLiteral(w, "stdin");
      WriteKey(w, "line");
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
  WriteKey(w, "schema");
  WriteLiteral(w, "newsflow.dead_letter.v1");
  WriteKey(w, "error");
  w.StartObject();
  WriteKey(w, "stage");
  WriteString(w, status.stage());
  WriteKey(w, "class");
  WriteString(w, CodeName(status.code()));
  WriteKey(w, "message");
  WriteString(w, status.message());
  w.EndObject();
  WriteKey(w, "origin");
  WriteOriginJson(w, record.origin);
  WriteKey(w, "original");
  w.StartObject();
  WriteKey(w, "base64");
  WriteString(w, schemas::Base64Encode(record.value));
  WriteKey(w, "size");
  w.Uint64(record.value.size());
  WriteKey(w, "key_base64");
  if (record.key) {
    WriteString(w, schemas::Base64Encode(*record.key));
  } else {
    w.Null();
  }
  w.EndObject();
  WriteKey(w, "article_id");
  if (article_id.empty()) {
    w.Null();
  } else {
    WriteString(w, article_id);
  }
  WriteKey(w, "dead_lettered_at");
  WriteString(w, schemas::FormatRfc3339(now_ms));
  w.EndObject();
  return std::string(sb.GetString(), sb.GetSize());
}

}  // namespace newsflow::core
